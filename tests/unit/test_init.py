"""`followup init`: provider detection, the starter config it writes, and the first-run conversation."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from assistant.config import parse_config
from assistant.errors import ConfigError
from assistant.onboarding.init import PASSWORD_PROMPT, build_config, local_timezone, run_init
from assistant.onboarding.providers import KEYS, PROVIDERS, detect


@pytest.mark.parametrize(("address", "key"), [
    ("me@gmail.com", "gmail"), ("Me@GoogleMail.com", "gmail"),
    ("me@outlook.com", "outlook"), ("me@hotmail.com", "outlook"), ("me@live.com", "outlook"),
    ("me@msn.com", "outlook"),
    ("me@fastmail.com", "fastmail"), ("me@fastmail.fm", "fastmail"), ("me@sent.com", "fastmail"),
    ("me@icloud.com", "icloud"), ("me@me.com", "icloud"), ("me@mac.com", "icloud"),
    ("me@yahoo.com", "yahoo"), ("me@ymail.com", "yahoo"), ("me@rocketmail.com", "yahoo"),
    ("me@yahoo.co.uk", "yahoo"),
    ("me@example.org", "generic"), ("me@mail.gmail.com.evil.example", "generic"),
])
def test_detect_by_domain(address: str, key: str) -> None:
    assert detect(address).key == key


@pytest.mark.parametrize(("address", "provider", "key", "host"), [
    ("me@acme.com", "google-workspace", "google-workspace", "imap.gmail.com"),
    ("me@acme.com", "Microsoft365", "microsoft365", "outlook.office365.com"),
    ("me@gmail.com", "generic", "generic", "imap.gmail.com"),  # the explicit key wins over the domain
    ("me@acme.com", "fastmail", "fastmail", "imap.fastmail.com"),
    ("me@acme.com", None, "generic", "imap.acme.com"),
    ("me@Mail.Acme.COM", None, "generic", "imap.mail.acme.com"),
])
def test_detect_explicit_provider(address: str, provider: str | None, key: str, host: str) -> None:
    found = detect(address, provider)
    assert (found.key, found.host) == (key, host)
    assert "{domain}" not in found.login


@pytest.mark.parametrize(("address", "provider", "message", "hint"), [
    ("me@gmail.com", "gmial", "unknown provider 'gmial'", "did you mean 'gmail'?"),
    ("me@gmail.com", "aol", "unknown provider 'aol'", f"choose one of: {', '.join(KEYS)}"),
    ("me", None, "'me' is not an email address", "give it as you@example.com"),
    ("me@localhost", None, "'me@localhost' is not an email address", "give it as you@example.com"),
])
def test_detect_errors(address: str, provider: str | None, message: str, hint: str) -> None:
    with pytest.raises(ConfigError) as e:
        detect(address, provider)
    assert (e.value.message, e.value.hint) == (message, hint)


@pytest.mark.parametrize(("key", "says"), [
    ("gmail", "Google Account → Security → App passwords (needs 2-Step Verification)"),
    ("google-workspace", "App passwords (needs 2-Step Verification)"),
    ("outlook", "Microsoft account → Security → Advanced security options → App passwords"),
    ("microsoft365", "no longer accepts passwords over IMAP, so Followup signs in with OAuth2"),
    ("fastmail", "Fastmail needs an app password"),
    ("icloud", "Sign-In and Security → App-Specific Passwords"),
    ("yahoo", "Yahoo Account → Account security → Generate app password"),
    ("generic", "imap.example.org is a guess"),
])
def test_every_provider_explains_its_login(key: str, says: str) -> None:
    found = detect("me@example.org", key)
    assert says in found.login and "http" not in found.login
    assert found.auth == ("xoauth2" if key == "microsoft365" else "password")
    assert ("oama" in found.login) == (key in ("google-workspace", "outlook", "microsoft365"))
    assert sorted(KEYS) == sorted(p.key for p in PROVIDERS) and len(set(KEYS)) == 8


# address, provider, host, auth, name, suggested folder lines
CASES = [
    ("me@gmail.com", None, "imap.gmail.com", "password", "gmail",
     ['# sent = "[Gmail]/Sent Mail"', '# drafts = "[Gmail]/Drafts"']),
    ("me@acme.com", "google-workspace", "imap.gmail.com", "password", "acme",
     ['# sent = "[Gmail]/Sent Mail"', '# drafts = "[Gmail]/Drafts"']),
    ("me@hotmail.com", None, "outlook.office365.com", "password", "outlook", ['# sent = "Sent Items"']),
    ("me@acme.co.uk", "microsoft365", "outlook.office365.com", "xoauth2", "acme", ['# sent = "Sent Items"']),
    ("me@fastmail.fm", None, "imap.fastmail.com", "password", "fastmail", []),
    ("me@me.com", None, "imap.mail.me.com", "password", "icloud", ['# sent = "Sent Messages"']),
    ("me@yahoo.co.uk", None, "imap.mail.yahoo.com", "password", "yahoo", []),
    ("me@mail.example.org", None, "imap.mail.example.org", "password", "example", []),
]


@pytest.mark.parametrize(("address", "provider", "host", "auth", "name", "folders"), CASES)
def test_build_config_parses(address: str, provider: str | None, host: str, auth: str, name: str,
                             folders: list[str]) -> None:
    text = build_config(address, provider, timezone="Europe/Paris")
    config = parse_config(text)
    [account] = config.accounts
    assert config.timezone_name == "Europe/Paris"
    assert (account.name, account.host, account.port, account.security, account.auth) == (
        name, host, 993, "tls", auth)
    assert (account.username, account.addresses) == (address, (address,))
    # Detection (SPECIAL-USE, then these very names) finds the folders; a configured name that the
    # account lacks (a localised Gmail: "[Gmail]/Gesendet") would be an error, so they are suggestions.
    assert (account.inbox, account.sent, account.drafts) == (None, None, None)
    assert [line for line in text.splitlines() if line.startswith(("# sent =", "# drafts ="))] == folders
    if auth == "xoauth2":
        assert account.oauth2_token_command == f"oama access {address}" and account.password_env is None
    else:
        assert account.password_env == f"FOLLOWUP_{name.upper()}_PASSWORD" and account.oauth2_token_command is None
    assert account.password is None and "password =" not in text
    assert config.followup == parse_config(text.replace("[followup]", "")).followup  # defaults only


def test_build_config_secret_sources() -> None:
    def account(**kwargs: str) -> tuple[str | None, str | None, str | None]:
        a = parse_config(build_config("me@gmail.com", None, timezone="UTC", **kwargs)).accounts[0]
        return a.password_env, a.password_command, a.password

    assert account() == ("FOLLOWUP_GMAIL_PASSWORD", None, None)
    assert account(name="home-mail") == ("FOLLOWUP_HOME_MAIL_PASSWORD", None, None)
    assert account(password_env="GMAIL_PW") == ("GMAIL_PW", None, None)
    assert account(password_command='pass show "mail/gmail"') == (None, 'pass show "mail/gmail"', None)
    assert account(password='p"w\\1\x7f') == (None, None, 'p"w\\1\x7f')  # only when given explicitly
    token = parse_config(build_config("me@acme.com", "microsoft365", timezone="UTC",
                                      password_command="mutt_oauth2.py ~/.token")).accounts[0]
    assert token.oauth2_token_command == "mutt_oauth2.py ~/.token"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"password_env": "X", "password_command": "pass x"},
     "choose one password source, not --password-env and --password-command"),
    ({"password_env": "MY-PW"}, "password variable 'MY-PW' is not a valid environment variable name"),
    ({"name": "my work"}, "account name 'my work': use letters, digits, '-', '_' and '.' only"),
    ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
])
def test_build_config_errors(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as e:
        build_config("me@gmail.com", None, **kwargs)
    assert e.value.message == message


def test_oauth2_refuses_a_password() -> None:
    with pytest.raises(ConfigError) as e:
        build_config("me@acme.com", "microsoft365", password="secret")
    assert e.value.message == "Microsoft 365 signs in with OAuth2, so no password is used"


def test_local_timezone(tmp_path: Path) -> None:
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/Europe/Paris")  # only read, never followed
    assert local_timezone({}, link) == "Europe/Paris"
    assert local_timezone({"TZ": ":America/New_York"}, link) == "America/New_York"
    assert local_timezone({"TZ": "CET-1CEST"}, link) == "Europe/Paris"  # a POSIX rule is not a zone name
    assert local_timezone({}, tmp_path / "absent") == "UTC"


class Conversation:
    """A fake terminal: answers prompts in order and records what was asked and said."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, str | None]] = []
        self.said: list[str] = []

    def ask(self, prompt: str, default: str | None) -> str:
        self.asked.append((prompt, default))
        return self.answers.pop(0)

    def say(self, text: str) -> None:
        self.said.append(text)


def init(path: Path, talk: Conversation, **options: object) -> Path:
    settings: dict[str, object] = {"address": None, "provider": None, "name": None, "password_env": None,
                                   "password_command": None, "store_password": False, "force": False,
                                   "interactive": False}
    settings.update(options)
    return run_init(path, talk.ask, talk.say, **settings)  # type: ignore[arg-type]


def test_run_init_non_interactive(tmp_path: Path) -> None:
    path = tmp_path / "new" / "followup" / "config.toml"
    talk = Conversation()
    assert init(path, talk, address="me@gmail.com") == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    assert parse_config(path.read_text(), path).accounts[0].password_env == "FOLLOWUP_GMAIL_PASSWORD"
    assert talk.asked == []
    assert talk.said[0] == "Recognised Gmail for gmail.com: imap.gmail.com:993 (tls)."
    assert talk.said[1] == f"Wrote {path} (readable by you only)."
    assert "App passwords (needs 2-Step Verification)" in talk.said[2]
    assert "  export FOLLOWUP_GMAIL_PASSWORD='your-app-password'" in talk.said
    assert talk.said[-1] == "Now running `followup check` to test the login…"


def test_run_init_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# mine\n")
    with pytest.raises(ConfigError) as e:
        init(path, Conversation(), address="me@gmail.com")
    assert e.value.message == f"{path}: a config file already exists"
    assert e.value.hint == "keep it and run `followup check`, or replace it with `followup init --force`"
    assert e.value.exit_code == 2 and path.read_text() == "# mine\n"

    os.chmod(path, 0o644)
    init(path, Conversation(), address="me@acme.com", provider="microsoft365", force=True, check=False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert parse_config(path.read_text()).accounts[0].auth == "xoauth2"


def test_run_init_needs_an_address_when_not_interactive(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        init(tmp_path / "config.toml", Conversation())
    assert (e.value.message, e.value.hint) == ("no email address given", "pass --email you@example.com")
    assert not (tmp_path / "config.toml").exists()


def test_run_init_interactive_asks_for_the_address(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    talk = Conversation("not an address", "me@icloud.com")
    init(path, talk, interactive=True, check=False)
    assert talk.asked == [("Your email address", None), ("Your email address", None)]
    assert talk.said[0] == "'not an address' is not an email address (give it as you@example.com)"
    assert talk.said[1] == "Recognised iCloud Mail for icloud.com: imap.mail.me.com:993 (tls)."
    assert talk.said[-1] == "Then run `followup check` to test the login."
    assert parse_config(path.read_text()).accounts[0].host == "imap.mail.me.com"


def test_run_init_interactive_unknown_domain(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    talk = Conversation("me@example.org", "", "mail.example.net")
    init(path, talk, interactive=True)
    assert talk.asked[1] == (f"Who hosts mail for example.org? ({', '.join(KEYS)})", "generic")
    assert talk.asked[2] == ("IMAP server", "imap.example.org")
    assert talk.said[0] == ("example.org is not a provider Followup knows: assuming an IMAP server at "
                            "mail.example.net:993 (tls).")
    assert parse_config(path.read_text()).accounts[0].host == "mail.example.net"

    talk = Conversation("me@example.org", "google-workspace")
    init(path, talk, interactive=True, force=True)
    assert talk.said[0] == "Using Google Workspace for example.org: imap.gmail.com:993 (tls)."


def test_run_init_store_password(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    talk = Conversation("s3cret")
    init(path, talk, address="me@yahoo.com", store_password=True, interactive=True)
    assert talk.asked == [(PASSWORD_PROMPT, None)]
    assert parse_config(path.read_text()).accounts[0].password == "s3cret"
    assert any(line.startswith(f"The password is stored in {path}. That is discouraged") for line in talk.said)
    with pytest.raises(ConfigError) as e:
        init(tmp_path / "other.toml", Conversation(), address="me@yahoo.com", store_password=True)
    assert e.value.message == "--store-password needs a terminal to ask for the password"


def test_run_init_password_command(tmp_path: Path) -> None:
    talk = Conversation()
    init(tmp_path / "config.toml", talk, address="me@fastmail.com", password_command="pass show fastmail")
    assert "The password comes from password_command: pass show fastmail" in talk.said
    assert not any("export" in line for line in talk.said)

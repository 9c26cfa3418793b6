"""`followup init`: provider detection, the starter config it writes, and the first-run conversation."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from test_config import FakeKeyring

from assistant.config import AccountConfig, parse_config, resolve_secret
from assistant.errors import AuthError, ConfigError
from assistant.onboarding.init import Options, build_config, example_config, local_timezone, run_init
from assistant.onboarding.password import PASSWORD_PROMPT, WHERE_PROMPT, Terminal
from assistant.onboarding.providers import KEYS, PROVIDERS, detect, oauth2_steps
from assistant.onboarding.service_unit import next_steps, service_unit


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
    ("outlook", "no longer accepts passwords or app passwords over IMAP (since September 2024)"),
    ("microsoft365", "no longer accepts passwords over IMAP, so Followup signs in with OAuth2"),
    ("fastmail", "Fastmail needs an app password"),
    ("icloud", "Sign-In and Security → App-Specific Passwords"),
    ("yahoo", "Yahoo Account → Account security → Generate app password"),
    ("generic", "Use your mailbox password"),
])
def test_every_provider_explains_its_login(key: str, says: str) -> None:
    found = detect("me@example.org", key)
    assert says in found.login and "http" not in found.login
    assert found.auth == ("xoauth2" if key in ("outlook", "microsoft365") else "password")
    assert ("oama" in found.login) == (key in ("google-workspace", "outlook", "microsoft365"))
    assert sorted(KEYS) == sorted(p.key for p in PROVIDERS) and len(set(KEYS)) == 8


# address, provider, host, auth, name, suggested folder lines
CASES = [
    ("me@gmail.com", None, "imap.gmail.com", "password", "gmail",
     ['# sent = "[Gmail]/Sent Mail"', '# drafts = "[Gmail]/Drafts"']),
    ("me@acme.com", "google-workspace", "imap.gmail.com", "password", "acme",
     ['# sent = "[Gmail]/Sent Mail"', '# drafts = "[Gmail]/Drafts"']),
    ("me@hotmail.com", None, "outlook.office365.com", "xoauth2", "outlook", ['# sent = "Sent Items"']),
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


def test_microsoft_oauth2_steps() -> None:
    for key, tenant in (("outlook", "consumers"), ("microsoft365", "organizations")):
        steps = "\n".join(oauth2_steps(detect("me@acme.com", key), "me@acme.com"))
        assert "Microsoft Entra ID" in steps and "Application (client) ID" in steps
        assert "https://outlook.office.com/IMAP.AccessAsUser.All offline_access" in steps
        assert f'tenant "{tenant}"' in steps and "oama authorize microsoft me@acme.com" in steps
        assert "mutt_oauth2.py" in steps and 'auth = "xoauth2"' in steps
    assert oauth2_steps(detect("me@gmail.com"), "me@gmail.com") == []


class Conversation:
    """A fake terminal: answers prompts in order (hidden ones too) and records what was asked and said."""

    def __init__(self, *answers: str, interactive: bool = True) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, str | None]] = []
        self.said: list[str] = []
        self.interactive = interactive

    def ask(self, prompt: str, default: str | None) -> str:
        self.asked.append((prompt, default))
        return self.answers.pop(0)

    def secret(self, prompt: str) -> str:
        self.asked.append((prompt, "(hidden)"))
        return self.answers.pop(0)

    def say(self, text: str) -> None:
        self.said.append(text)

    @property
    def terminal(self) -> Terminal:
        return Terminal(ask=self.ask, secret=self.secret, say=self.say, interactive=self.interactive)


class FakeLogin:
    """`followup check`'s code, pretended: accepts one password, records the accounts it was given."""

    def __init__(self, password: str = "right") -> None:
        self.password = password
        self.accounts: list[AccountConfig] = []

    def __call__(self, account: AccountConfig) -> list[str]:
        self.accounts.append(account)
        if resolve_secret(account) != self.password:
            raise AuthError(f"{account.where}: the server refused the login for {account.username!r}")
        return [f"{account.name}: ok"]


def init(path: Path, talk: Conversation, login: FakeLogin | None = None, **options: object) -> Path:
    options.setdefault("check", login is not None)
    return run_init(path, talk.terminal, Options(**options), login).path  # type: ignore[arg-type]


def test_run_init_non_interactive(tmp_path: Path) -> None:
    path = tmp_path / "new" / "followup" / "config.toml"
    talk = Conversation(interactive=False)
    assert init(path, talk, address="me@gmail.com", check=True) == path
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
        init(path, Conversation(interactive=False), address="me@gmail.com")
    assert e.value.message == f"{path}: a config file already exists"
    assert e.value.hint == ("add an account to it with `followup init --add`, test it with `followup check`, or "
                            "replace it with `followup init --force`")
    assert e.value.exit_code == 2 and path.read_text() == "# mine\n"

    os.chmod(path, 0o644)
    init(path, Conversation(interactive=False), address="me@acme.com", provider="microsoft365", force=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert parse_config(path.read_text()).accounts[0].auth == "xoauth2"
    with pytest.raises(ConfigError) as e:
        init(tmp_path, Conversation(interactive=False), address="me@gmail.com")
    assert e.value.message == f"{tmp_path} is a directory, not a config file"


def test_run_init_needs_an_address_when_not_interactive(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        init(tmp_path / "config.toml", Conversation(interactive=False))
    assert (e.value.message, e.value.hint) == ("no email address given", "pass --email you@example.com")
    assert not (tmp_path / "config.toml").exists()


def test_run_init_interactive_asks_for_the_address(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    talk = Conversation("not an address", "me@icloud.com")
    init(path, talk)
    assert talk.asked == [("Your email address", None), ("Your email address", None)]
    assert talk.said[0] == "'not an address' is not an email address (give it as you@example.com)"
    assert talk.said[1] == "Recognised iCloud Mail for icloud.com: imap.mail.me.com:993 (tls)."
    assert talk.said[-1] == "Then run `followup check` to test the login."
    assert parse_config(path.read_text()).accounts[0].host == "imap.mail.me.com"


def test_custom_host_asks_host_port_security_and_username_then_tests_the_login(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # not installed: not offered
    path = tmp_path / "config.toml"
    login = FakeLogin()
    talk = Conversation("me@example.org", "", "mail.example.net", "143", "", "me", "wrong", "right", "env", "")
    init(path, talk, login)
    assert talk.asked[1:8] == [
        (f"Who hosts mail for example.org? ({', '.join(KEYS)})", "generic"), ("IMAP server", "imap.example.org"),
        ("Port", "993"), ("Security (tls, starttls, none)", "starttls"), ("Username", "me@example.org"),
        (PASSWORD_PROMPT, "(hidden)"), (PASSWORD_PROMPT, "(hidden)")]
    assert "[accounts.example]: the server refused the login for 'me'. Try again." in talk.said
    assert "The login works." in talk.said and "example: ok" in talk.said
    assert [(a.host, a.port, a.security, a.username) for a in login.accounts] == [
        ("mail.example.net", 143, "starttls", "me")] * 2
    assert talk.asked[-2:] == [("Where should Followup find the password? command or env", "command"),
                               ("Environment variable", "FOLLOWUP_EXAMPLE_PASSWORD")]
    assert "The system keyring needs the keyring package: pip install 'followup-assistant[keyring]'." in talk.said
    said = "\n".join(talk.said)
    assert "Using the IMAP server mail.example.net:143 (starttls) for example.org." in said
    assert "guess" not in said and "right" not in said and "wrong" not in said
    account = parse_config(path.read_text()).accounts[0]
    assert (account.host, account.port, account.security, account.username, account.password_env) == (
        "mail.example.net", 143, "starttls", "me", "FOLLOWUP_EXAMPLE_PASSWORD")
    assert "right" not in path.read_text()

    talk = Conversation("me@example.org", "google-workspace", interactive=True)
    init(path, talk, force=True)
    assert talk.said[0] == "Using Google Workspace for example.org: imap.gmail.com:993 (tls)."


def test_custom_host_by_flags_and_our_own_guess(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    talk = Conversation(interactive=False)
    init(path, talk, address="me@example.org", host="mail.example.net", port=1993, security="tls", username="me")
    account = parse_config(path.read_text()).accounts[0]
    assert (account.host, account.port, account.security, account.username) == ("mail.example.net", 1993, "tls", "me")
    assert talk.said[0] == "Using the IMAP server mail.example.net:1993 (tls) for example.org."
    talk = Conversation(interactive=False)
    init(path, talk, address="me@example.org", security="starttls", force=True)
    assert talk.said[:2] == ["example.org is not a provider Followup knows: assuming an IMAP server at "
                             "imap.example.org:143 (starttls).",
                             "imap.example.org is a guess: if your provider names another server, run `followup "
                             "init` again with --host, --port and --security, or correct them in the file."]


def test_the_password_tested_then_kept_in_the_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeKeyring()
    monkeypatch.setitem(sys.modules, "keyring", fake)
    path = tmp_path / "config.toml"
    talk = Conversation("right", "")  # the default answer: keyring
    init(path, talk, FakeLogin(), address="me@fastmail.com")
    assert talk.asked == [(PASSWORD_PROMPT, "(hidden)"), (WHERE_PROMPT, "keyring")]
    assert fake.entries == {("followup", "me@fastmail.com"): "right"}
    account = parse_config(path.read_text()).accounts[0]
    assert account.password_keyring == "followup/me@fastmail.com" and account.password_env is None
    assert resolve_secret(account) == "right" and "right" not in path.read_text()
    assert "The password is in the system keyring (service 'followup', user 'me@fastmail.com')." in talk.said
    # the flag skips the question
    fake.entries.clear()
    talk = Conversation("right")
    init(path, talk, FakeLogin(), address="me@fastmail.com", password_keyring=True, force=True)
    assert talk.asked == [(PASSWORD_PROMPT, "(hidden)")] and fake.entries
    # without a terminal the entry is named, and how to fill it
    talk = Conversation(interactive=False)
    init(path, talk, address="me@fastmail.com", password_keyring=True, force=True, check=True)
    assert "Put the password in the system keyring before running Followup: keyring set followup " \
           "me@fastmail.com" in talk.said


def test_the_password_kept_by_a_command_that_prints_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # not installed: not offered
    path = tmp_path / "config.toml"
    talk = Conversation("right", "command", "echo nope", "echo right")
    init(path, talk, FakeLogin(), address="me@yahoo.com")
    assert ("Where should Followup find the password? command or env", "command") in talk.asked
    assert any("pass show mail/yahoo" in line for line in talk.said)
    assert any('op read "op://Personal/yahoo/password"' in line for line in talk.said)
    assert any("secret-tool lookup service followup user me@yahoo.com" in line for line in talk.said)
    assert "That command prints something other than the password that worked; try another." in talk.said
    assert parse_config(path.read_text()).accounts[0].password_command == "echo right"


def test_a_given_password_source_is_tested_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_PW", "right")
    talk, login = Conversation(), FakeLogin()
    result = run_init(tmp_path / "c.toml", talk.terminal, Options(address="me@yahoo.com", password_env="MY_PW"),
                      login)
    assert talk.asked == [] and result.tested and login.accounts[0].password_env == "MY_PW"
    monkeypatch.setenv("MY_PW", "wrong")
    with pytest.raises(AuthError):
        init(tmp_path / "d.toml", Conversation(), FakeLogin(), address="me@yahoo.com", password_env="MY_PW")
    assert not (tmp_path / "d.toml").exists()  # nothing written for a login that fails


def test_run_init_store_password(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    talk = Conversation("s3cret")
    init(path, talk, address="me@yahoo.com", store_password=True)
    assert talk.asked == [("Password (stored in the config file)", "(hidden)")]
    assert parse_config(path.read_text()).accounts[0].password == "s3cret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert any(line.startswith(f"warning: the password is stored in {path} (mode 0600)") for line in talk.said)
    talk = Conversation("right")
    init(path, talk, FakeLogin(), address="me@yahoo.com", store_password=True, force=True)
    assert parse_config(path.read_text()).accounts[0].password == "right"
    with pytest.raises(ConfigError) as e:
        init(tmp_path / "other.toml", Conversation(interactive=False), address="me@yahoo.com", store_password=True)
    assert e.value.message == "--store-password needs a terminal to ask for the password"


def test_run_init_password_command(tmp_path: Path) -> None:
    talk = Conversation(interactive=False)
    init(tmp_path / "config.toml", talk, address="me@fastmail.com", password_command="pass show fastmail")
    assert "The password comes from password_command: pass show fastmail" in talk.said
    assert not any("export" in line for line in talk.said)


def test_oauth2_asks_for_the_token_command(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    talk = Conversation("mutt_oauth2.py ~/.token")
    result = run_init(path, talk.terminal, Options(address="me@outlook.com"), FakeLogin())
    assert talk.asked == [("Command that prints an OAuth2 access token", "oama access me@outlook.com")]
    assert not result.tested  # `followup check` runs next, with the helper
    assert parse_config(path.read_text()).accounts[0].oauth2_token_command == "mutt_oauth2.py ~/.token"
    with pytest.raises(ConfigError, match="Outlook.com signs in with OAuth2, so no password is used"):
        init(tmp_path / "x.toml", Conversation(), address="me@outlook.com", password_keyring=True)


def test_add_appends_an_account_and_keeps_the_rest_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE := example_config())
    os.chmod(path, 0o640)
    talk = Conversation(interactive=False)
    init(path, talk, address="me@gmail.com", add=True)
    text = path.read_text()
    assert text.startswith(EXAMPLE) and text[len(EXAMPLE):].startswith("\n[[accounts]]\n")
    assert [a.name for a in parse_config(text).accounts] == ["work", "gmail"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert talk.said[1] == f"Added the account 'gmail' to {path}."
    with pytest.raises(ConfigError) as e:
        init(path, Conversation(interactive=False), address="me@gmail.com", add=True)
    assert (e.value.message, e.value.hint) == ("an account named 'gmail' already exists in the config",
                                               "give the new one another name with --name NAME")
    talk = Conversation("")  # on a terminal the name is asked instead, with a free one as default
    init(path, talk, address="me@gmail.com", add=True)
    assert talk.asked == [("Account name", "gmail-2")]
    assert [a.name for a in parse_config(path.read_text()).accounts] == ["work", "gmail", "gmail-2"]
    with pytest.raises(ConfigError) as e:
        init(tmp_path / "none.toml", Conversation(interactive=False), address="me@gmail.com", add=True)
    assert e.value.message == f"{tmp_path}/none.toml: no config file to add an account to"
    # a password stored with --add makes the file private
    talk = Conversation("s3cret")
    init(path, talk, address="me@yahoo.com", add=True, store_password=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_example_config_ships_inside_the_package() -> None:
    root = Path(__file__).resolve().parents[2]
    assert example_config() == (root / "config.example.toml").read_text(encoding="utf-8")
    assert parse_config(example_config()).accounts[0].name == "work"


def test_the_service_unit_is_the_contrib_file() -> None:
    root = Path(__file__).resolve().parents[2]
    assert service_unit() == (root / "contrib" / "followup.service").read_text()
    unit = service_unit("/opt/venv/bin/followup", Path("/home/me/my config.toml"))
    assert "ExecStart=/opt/venv/bin/followup --config '/home/me/my config.toml' run" in unit.splitlines()
    steps = next_steps("/usr/bin/followup", None, "FOLLOWUP_GMAIL_PASSWORD", added=False)
    assert "  systemctl --user daemon-reload && systemctl --user enable --now followup" in steps
    assert "  followup init --service-unit > ~/.config/systemd/user/followup.service" in steps
    assert any("FOLLOWUP_GMAIL_PASSWORD=… in ~/.config/followup/env" in line for line in steps)


@pytest.mark.parametrize(("address", "control"), [
    ("me@gmail.com", "me+followup@gmail.com"), ("me@fastmail.com", "me+followup@fastmail.com"),
    ("Me@Yahoo.com", "me-followup@yahoo.com"), ("me@corp.example", "me+followup@corp.example"),
    ("me@icloud.com", None)])
def test_init_writes_the_providers_control_address_or_says_there_is_none(address: str, control: str | None) -> None:
    from assistant.config import control_address, parse_config

    text = build_config(address, None, timezone="UTC")
    config = parse_config(text)
    assert control_address(config.controls, config.accounts[0]) == control
    if control is None:
        assert "Hide My Email alias" in text and "controls = false" in text

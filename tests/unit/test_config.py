"""Config: the example loads; every mistake names file, section and key."""

from __future__ import annotations

import logging
import stat
from datetime import time
from pathlib import Path

import pytest

from assistant.config import load_config, parse_config, resolve_secret
from assistant.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

ACCOUNT = """
[[accounts]]
name = "work"
host = "imap.example.com"
username = "me@example.com"
password_env = "FOLLOWUP_PW"
"""


def test_example_config_loads() -> None:
    config = parse_config((ROOT / "config.example.toml").read_text(), ROOT / "config.example.toml")
    account = config.accounts[0]
    assert config.timezone_name == "America/New_York"
    assert (account.host, account.port, account.security) == ("imap.example.com", 993, "tls")
    assert account.addresses == ("me@example.com", "me@alias.example.com")
    assert account.tls_verify and account.password_env == "FOLLOWUP_WORK_PASSWORD"
    assert [str(c) for c in config.followup.cadence] == ["3 business days", "7 business days"]
    assert config.followup.track == "questions" and config.followup.ignore[0] == "@example-newsletters.com"
    assert (str(config.promises.default_due), str(config.promises.remind), str(config.promises.grace)) == (
        "2 business days", "1 business day", "1 business day")
    assert (config.report.day, config.report.time, config.report.deliver) == ("monday", "08:00", "inbox")
    assert (str(config.daemon.poll_interval), config.daemon.idle, str(config.daemon.lease),
            str(config.daemon.heartbeat)) == ("5 minutes", True, "60 seconds", "10 seconds")
    assert [(p.match, p.vip, str(p.keep_in_touch) if p.keep_in_touch else None) for p in config.people] == [
        ("boss@example.com", True, "2 weeks"), ("@bestcustomer.example", True, None)]
    assert str(config.promises.check_back) == "5 business days"
    assert [str(c) for c in config.followup.vip_cadence] == ["1 business day", "3 business days"]
    assert config.followup.group == "any" and [p.group for p in config.people] == ["each", None]


def test_defaults() -> None:
    config = parse_config(ACCOUNT)
    account = config.accounts[0]
    assert config.timezone_name == "UTC" and config.sync.first_sync_days == 90
    assert account.addresses == ("me@example.com",)  # the username, being an address
    assert account.port == 993 and account.security == "tls"
    assert parse_config(ACCOUNT + 'security = "starttls"\n').accounts[0].port == 143


def test_working_hours_keep_their_text_and_are_parsed_once() -> None:
    followup = parse_config('[followup]\nworking_hours = "08:30-17:00"\n' + ACCOUNT).followup
    assert followup.working_hours == "08:30-17:00"
    assert followup.hours == (time(8, 30), time(17, 0)) and followup.hours is followup.hours


@pytest.mark.parametrize(("text", "message", "hint"), [
    ('timezon = "UTC"\n' + ACCOUNT, "config.toml timezon: unknown key", "did you mean 'timezone'?"),
    (ACCOUNT + "prot = 993\n", "config.toml [accounts.work] prot: unknown key", "did you mean 'port'?"),
    (ACCOUNT + 'port = "993"\n', "config.toml [accounts.work] port: expected an integer, got str '993'", None),
    (ACCOUNT + "port = 99999\n", "config.toml [accounts.work] port: expected an integer from 1 to 65535, got 99999",
     None),
    (ACCOUNT + "tls_verify = 0\n", "config.toml [accounts.work] tls_verify: expected true or false, got int 0",
     None),
    (ACCOUNT + 'security = "ssl"\n',
     "config.toml [accounts.work] security: expected one of tls, starttls, none, got 'ssl'", None),
    (ACCOUNT + 'security = "none"\n',
     'config.toml [accounts.work] security: "none" sends the password in clear text and is refused for '
     "imap.example.com", None),
    (ACCOUNT + "tls_verify = false\n",
     "config.toml [accounts.work] tls_verify: certificate checks can only be turned off for a loopback host, "
     "not imap.example.com", None),
    ('timezone = "Mars/Olympus"\n' + ACCOUNT, "config.toml timezone: unknown time zone 'Mars/Olympus'", None),
    ("[database]\nurl = 5\n", "config.toml [database] url: expected a string, got int 5", None),
    ("[sync]\nfirst_sync_day = 5\n", "config.toml [sync] first_sync_day: unknown key",
     "did you mean 'first_sync_days'?"),
    (ACCOUNT.replace('password_env = "FOLLOWUP_PW"\n', ""),
     "config.toml [accounts.work] password_env: no password source is set", None),
    (ACCOUNT + 'password_command = "pass x"\n',
     "config.toml [accounts.work] password_command: only one password source may be set, "
     "found password_env and password_command", None),
    (ACCOUNT + 'auth = "xoauth2"\n',
     'config.toml [accounts.work] oauth2_token_command: is required when auth = "xoauth2"', None),
    ("[[accounts]]\nhost = 'h'\n", "config.toml [[accounts]] #1 username: is required", None),
    (ACCOUNT + ACCOUNT, "config.toml [accounts.work] name: two accounts are named 'work'", None),
    ("timezone = \n", "config.toml: invalid TOML: Invalid value (at line 1, column 12)", None),
    ('[followup]\ncadence = ["3 bizness days"]\n', "config.toml [followup] cadence: not a duration: "
     "'3 bizness days' (expected e.g. \"3 business days\", \"2 days\", \"4 hours\", \"1 week\")", None),
    ("[followup]\ncadence = []\n", 'config.toml [followup] cadence: needs at least one wait, e.g. '
     '["3 business days"]', None),
    ('[followup]\nworking_days = ["mon", "funday"]\n', "config.toml [followup] working_days: unknown day 'funday'",
     "use three-letter names: mon, tue, wed, thu, fri, sat, sun"),
    ('[followup]\nworking_hours = "9-5"\n', "config.toml [followup] working_hours: not a time range: '9-5' "
     '(expected e.g. "09:00-18:00")', None),
    ('[followup]\nholidays = "XX"\n', "config.toml [followup] holidays: unknown country code 'XX'", None),
    ('[followup]\ntrack = "everything"\n',
     "config.toml [followup] track: expected one of questions, all, got 'everything'", None),
    ("[followup]\ncadance = []\n", "config.toml [followup] cadance: unknown key", "did you mean 'cadence'?"),
    ('[report]\nday = "mon"\n', "config.toml [report] day: expected one of monday, tuesday, wednesday, thursday, "
     "friday, saturday, sunday, got 'mon'", None),
    ('[report]\ntime = "8am"\n', 'config.toml [report] time: expected a time of day like "08:00", got \'8am\'', None),
    ('[report]\ndeliver = "email"\n',
     'config.toml [report] deliver: expected "inbox", "file:PATH" or "none", got \'email\'', None),
    ('[daemon]\npoll_interval = "2 seconds"\n', "config.toml [daemon] poll_interval: must be at least 10 seconds",
     None),
    ('[daemon]\nidle_refresh = "30 minutes"\n',
     "config.toml [daemon] idle_refresh: must be between 10 seconds and 29 minutes (RFC 2177)", None),
    ('[daemon]\nheartbeat = "1 hour"\n',
     "config.toml [daemon] heartbeat: must be between 1 second and 10 minutes", None),
    ('[[people]]\nvip = true\n', "config.toml [[people]] #1 match: is required", None),
    ('[[people]]\nmatch = "a@b.c"\nkeep_in_touch = "often"\n', "config.toml [[people]] #1 keep_in_touch: not a "
     'duration: \'often\' (expected e.g. "3 business days", "2 days", "4 hours", "1 week")', None),
    ('[[people]]\nmatch = "a@b.c"\nvipp = true\n', "config.toml [[people]] #1 vipp: unknown key", "did you mean 'vip'?"),
    ('[followup]\ngroup = "every"\n', "config.toml [followup] group: expected one of any, each, got 'every'",
     None),
    ('[[people]]\nmatch = "a@b.c"\ngroup = "all"\n',
     "config.toml [[people]] #1 group: expected one of any, each, got 'all'", None),
    ('[[people]]\nmatch = "a@b.c"\ngroup = true\n',
     "config.toml [[people]] #1 group: expected a string, got True", None),
    ('[[people]]\nmatch = "a@b.c"\ngrop = "each"\n', "config.toml [[people]] #1 grop: unknown key",
     "did you mean 'group'?"),
    ('[promises]\ngrace = "soon"\n', "config.toml [promises] grace: not a duration: 'soon' (expected e.g. "
     '"3 business days", "2 days", "4 hours", "1 week")', None),
    ('[promises]\nremind_before = "1 day"\n', "config.toml [promises] remind_before: unknown key",
     "did you mean 'remind'?"),
])
def test_config_errors_name_file_section_and_key(text: str, message: str, hint: str | None) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("config.toml"))
    assert caught.value.message == message
    assert caught.value.exit_code == 2
    if hint:
        assert caught.value.hint == hint


def test_loopback_may_use_plain_imap_and_skip_certificate_checks() -> None:
    text = ACCOUNT.replace("imap.example.com", "127.0.0.1") + 'security = "none"\ntls_verify = false\n'
    account = parse_config(text).accounts[0]
    assert (account.security, account.tls_verify, account.port) == ("none", False, 143)


def test_password_in_file_works_but_warns(caplog: pytest.LogCaptureFixture) -> None:
    text = ACCOUNT.replace('password_env = "FOLLOWUP_PW"', 'password = "hunter2"')
    with caplog.at_level(logging.WARNING):
        account = parse_config(text).accounts[0]
    assert resolve_secret(account) == "hunter2"
    assert "password is written in the config file" in caplog.text
    assert "hunter2" not in caplog.text and "hunter2" not in repr(account)


def test_secrets_from_environment_and_command(monkeypatch: pytest.MonkeyPatch) -> None:
    account = parse_config(ACCOUNT).accounts[0]
    monkeypatch.delenv("FOLLOWUP_PW", raising=False)
    with pytest.raises(ConfigError, match=r"^\[accounts.work\] password_env: the environment variable "
                                          r"FOLLOWUP_PW is not set$"):
        resolve_secret(account)
    monkeypatch.setenv("FOLLOWUP_PW", "s3cret")
    assert resolve_secret(account) == "s3cret"
    command = parse_config(ACCOUNT.replace('password_env = "FOLLOWUP_PW"',
                                           "password_command = \"printf 'tok\\\\nignored'\"")).accounts[0]
    assert resolve_secret(command) == "tok"
    failing = parse_config(ACCOUNT.replace('password_env = "FOLLOWUP_PW"', 'password_command = "exit 3"')).accounts[0]
    with pytest.raises(ConfigError, match="password_command: exit failed with exit status 3$"):
        resolve_secret(failing)
    said = parse_config(ACCOUNT.replace('password_env = "FOLLOWUP_PW"',
                                        'password_command = "echo locked >&2; false"')).accounts[0]
    with pytest.raises(ConfigError, match="password_command: echo failed with exit status 1: locked$"):
        resolve_secret(said)


def test_a_missing_token_helper_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no oama here
    account = parse_config(ACCOUNT.replace('password_env = "FOLLOWUP_PW"', 'auth = "xoauth2"\n'
                                           'oauth2_token_command = "oama access me@example.com"')).accounts[0]
    with pytest.raises(ConfigError) as e:
        resolve_secret(account)
    assert e.value.message == "[accounts.work] oauth2_token_command: oama: command not found"
    assert e.value.hint == "install oama, or correct oauth2_token_command (a command run by the shell)"
    # a program that exists and itself exits 127 is not "not found"
    helper = tmp_path / "helper"
    helper.write_text("#!/bin/sh\nexit 127\n")
    helper.chmod(0o755)
    account = parse_config(ACCOUNT.replace('password_env = "FOLLOWUP_PW"', 'password_command = "helper"')).accounts[0]
    with pytest.raises(ConfigError, match="password_command: helper failed with exit status 127$"):
        resolve_secret(account)


class FakeKeyring:
    """The few calls Followup makes of the `keyring` package, over a dict."""

    class errors:  # noqa: N801 - the package's own name
        class KeyringError(Exception):
            pass

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.entries.get((service, user))

    def set_password(self, service: str, user: str, password: str) -> None:
        self.entries[(service, user)] = password


def test_password_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    text = ACCOUNT.replace('password_env = "FOLLOWUP_PW"', 'password_keyring = "followup/me@example.com"')
    account = parse_config(text).accounts[0]
    assert account.password_keyring == "followup/me@example.com" and account.password_env is None
    monkeypatch.setitem(sys.modules, "keyring", None)  # not installed
    with pytest.raises(ConfigError) as e:
        resolve_secret(account)
    assert e.value.message == "the keyring package is not installed, so the system keyring cannot be used"
    assert e.value.hint is not None and "pip install 'followup-assistant[keyring]'" in e.value.hint
    fake = FakeKeyring()
    monkeypatch.setitem(sys.modules, "keyring", fake)
    with pytest.raises(ConfigError) as e:
        resolve_secret(account)
    assert e.value.message == ("[accounts.work] password_keyring: the system keyring holds no password for "
                               "service 'followup', user 'me@example.com'")
    assert e.value.hint == "store it with `keyring set followup me@example.com`, or run `followup init` again"
    fake.entries[("followup", "me@example.com")] = "s3cret"
    assert resolve_secret(account) == "s3cret"
    with pytest.raises(ConfigError) as e:
        parse_config(text.replace("followup/me@example.com", "followup"))
    assert e.value.message == ("config [accounts.work] password_keyring: expected \"service/user\", "
                               "got 'followup'")
    with pytest.raises(ConfigError, match="only one password source may be set, found password_env and "
                                          "password_keyring"):
        parse_config(text + 'password_env = "X"\n')


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path / "nope.toml")
    assert e.value.message == f"{tmp_path}/nope.toml: no such config file"
    assert e.value.hint == ("write one with `followup init` (or see every setting with `followup init "
                            "--example`)")


def test_a_config_path_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path)
    assert e.value.message == f"{tmp_path} is a directory, not a config file"
    assert e.value.hint == f"name the file itself, e.g. {tmp_path}/config.toml"
    assert e.value.exit_code == 2


def test_no_config_file_at_default_path_means_no_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FOLLOWUP_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    config = load_config()
    assert config.accounts == () and config.database.url == f"sqlite:///{tmp_path}/data/followup/followup.db"


def test_sqlite_store_is_private_and_tilde_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.store.repo import Store

    monkeypatch.setenv("HOME", str(tmp_path))
    store = Store.open("sqlite:///~/state/followup.db")
    store.close()
    path = tmp_path / "state" / "followup.db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

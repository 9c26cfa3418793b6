"""TOML → frozen dataclasses. Unknown keys, wrong types and bad values name the file, section and key."""

from __future__ import annotations

import difflib
import ipaddress
import logging
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field, replace
from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.errors import ConfigError
from assistant.workdays import WEEKDAYS, Duration, parse_duration, parse_hours

log = logging.getLogger(__name__)

SECURITY_MODES = ("tls", "starttls", "none")
AUTH_MODES = ("password", "xoauth2")
GROUP_MODES = ("any", "each")  # [followup] group and [[people]] group


@dataclass(frozen=True)
class AccountConfig:
    name: str
    host: str
    username: str
    port: int = 993
    security: str = "tls"
    auth: str = "password"
    password_env: str | None = None
    password_command: str | None = None
    password: str | None = field(default=None, repr=False)
    password_keyring: str | None = None  # "service/user" of an entry in the system keyring
    oauth2_token_command: str | None = None
    addresses: tuple[str, ...] = ()
    inbox: str | None = None
    sent: str | None = None
    drafts: str | None = None
    tls_verify: bool = True
    ca_file: str | None = None
    timeout: float = 60.0
    controls: bool | str = True  # False: no commands from the mail client; a string: this account's address

    @property
    def where(self) -> str:
        return f"[accounts.{self.name}]"

    def is_user(self, address: str) -> bool:
        return address.strip().lower() in self.addresses


@dataclass(frozen=True)
class DatabaseConfig:
    url: str


@dataclass(frozen=True)
class SyncConfig:
    first_sync_days: int = 90
    batch_size: int = 250
    body_bytes: int = 65536
    flag_window: int = 500


@dataclass(frozen=True)
class FollowupConfig:
    cadence: tuple[Duration, ...] = (Duration(3, "business days"), Duration(7, "business days"))
    working_days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    working_hours: str = "09:00-18:00"
    holidays: str | None = None  # "US", or with a subdivision "US-CA"
    template_dir: str | None = None
    track: str = "questions"  # questions | all
    ignore: tuple[str, ...] = ()  # addresses, @domains, or glob patterns never followed up
    max_overdue: Duration = Duration(14, "days")  # older due dates (a first run, a long outage) go cold
    vip_cadence: tuple[Duration, ...] = (Duration(1, "business days"), Duration(3, "business days"))
    group: str = "any"  # a question to several people: any one's answer closes it, or each one's is needed
    language: str = "en"  # drafts in a thread whose language cannot be told (or has no templates)

    @cached_property
    def hours(self) -> tuple[time, time]:
        """`working_hours` as (start, end), parsed once: the text stays as the user wrote it."""
        return parse_hours(self.working_hours)


@dataclass(frozen=True)
class PromisesConfig:
    default_due: Duration = Duration(2, "business days")  # a promise that names no deadline
    remind: Duration = Duration(1, "business days")  # your promise: the reminder draft comes this early
    grace: Duration = Duration(1, "business days")  # theirs: the nudge waits this long past the deadline
    check_back: Duration | None = None  # after you deliver: ask whether it worked (off when unset)


@dataclass(frozen=True)
class ReportConfig:
    day: str = "monday"
    time: str = "08:00"
    deliver: str = "inbox"  # inbox | file:PATH | none
    waiting_on_me_after: Duration = Duration(1, "business days")
    waiting_on_me_within: Duration = Duration(30, "days")  # older unanswered mail is no longer listed
    max_items: int = 50  # per section; the rest is counted ("+N more")


@dataclass(frozen=True)
class DaemonConfig:
    poll_interval: Duration = Duration(5, "minutes")  # a full poll of each account
    idle: bool = True  # IMAP IDLE on INBOX where offered: replies clear drafts within seconds
    idle_refresh: Duration = Duration(10, "minutes")  # IDLE is re-issued this often (RFC 2177: < 29 min)
    auth_retry: Duration = Duration(15, "minutes")  # a refused password is retried this slowly
    max_backoff: Duration = Duration(5, "minutes")  # reconnect delays double up to this
    lease: Duration = Duration(60, "seconds")  # with --worker on PostgreSQL: an account's lease
    heartbeat: Duration = Duration(10, "seconds")  # `status` calls a daemon dead after three missed beats


@dataclass(frozen=True)
class Person:
    match: str  # an address, "@domain", or a glob pattern
    vip: bool = False
    keep_in_touch: Duration | None = None
    group: str | None = None  # "each": in a thread with them, their own answer is needed (None: [followup] group)


@dataclass(frozen=True)
class ControlsConfig:
    """Commands from the mail client: a plus address in the Bcc of a sent message, or a keyword (tag) on it."""

    enabled: bool = True
    address: str | None = None  # default: LOCAL+followup@DOMAIN of each account's first address
    tag_prefix: str = "followup-"  # a keyword "followup-3d", "followup-monday": follow up then
    track_tag: str = "followup-track"
    never_tag: str = "followup-never"


CONTROL_WORD = "followup"  # the plus part of the derived control address


def control_address(controls: ControlsConfig, account: AccountConfig) -> str | None:
    """The account's control address (lower case), or None when commands from the mail client are off: the
    account's own `controls = "..."`, else [controls] address, else LOCAL+followup@DOMAIN of its first address."""
    if account.controls is False or (not controls.enabled and not isinstance(account.controls, str)):
        return None
    if isinstance(account.controls, str):
        return account.controls.strip().lower()
    if controls.address:
        return controls.address.strip().lower()
    first = account.addresses[0] if account.addresses else account.username
    local, at, domain = first.partition("@")
    return f"{local}+{CONTROL_WORD}@{domain}".lower() if at and local and domain else None


@dataclass(frozen=True)
class VoiceWords:
    greeting: str = ""  # "Hi {name}," ({name}: the readers' first names)
    signoff: str = ""  # "Best,\nDana"
    signature: str = ""


@dataclass(frozen=True)
class VoiceConfig:
    learn: bool = True  # from your sent mail
    words: tuple[tuple[str, VoiceWords], ...] = ()  # ("", for every language), ("de", …): what you set


@dataclass(frozen=True)
class Config:
    path: Path | None
    timezone_name: str
    database: DatabaseConfig
    sync: SyncConfig
    accounts: tuple[AccountConfig, ...]
    followup: FollowupConfig = field(default_factory=FollowupConfig)
    promises: PromisesConfig = field(default_factory=PromisesConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    daemon: DaemonConfig = field(default_factory=DaemonConfig)
    people: tuple[Person, ...] = ()
    controls: ControlsConfig = field(default_factory=ControlsConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)

    def account(self, name: str) -> AccountConfig:
        for account in self.accounts:
            if account.name == name:
                return account
        raise ConfigError(f"no account named {name!r} in {self.path}", "see `followup check` for the accounts")


# --- platform paths ---------------------------------------------------------------------------

def config_dir() -> Path:
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "followup"
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", Path.home())) / "followup"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "followup"


def data_dir() -> Path:
    if sys.platform == "darwin" or os.name == "nt":
        return config_dir()
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "followup"


def default_config_path() -> Path:
    env = os.environ.get("FOLLOWUP_CONFIG")
    return Path(env) if env else config_dir() / "config.toml"


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'followup.db'}"


# --- validation -------------------------------------------------------------------------------

class _Section:
    """Reads one TOML table, remembering which keys were used so the rest can be rejected."""

    def __init__(self, file: str, where: str, data: Any) -> None:
        self.file, self.where = file, where
        if not isinstance(data, dict):
            raise self.error(None, "expected a table")
        self.data: dict[str, Any] = data
        self.known: list[str] = []

    def error(self, key: str | None, problem: str, hint: str | None = None) -> ConfigError:
        place = f"{self.file} {self.where}".rstrip() + (f" {key}" if key else "")
        return ConfigError(f"{place}: {problem}", hint)

    def _get(self, key: str, kind: type | tuple[type, ...], kind_name: str) -> Any:
        self.known.append(key)
        value = self.data.get(key)
        if value is None:
            return None
        # bool is an int in Python; never accept true for a port.
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.error(key, f"expected {kind_name}, got {value!r}")
        if not isinstance(value, kind):
            raise self.error(key, f"expected {kind_name}, got {type(value).__name__} {value!r}")
        return value

    def text(self, key: str, default: str | None = None, required: bool = False) -> Any:
        value = self._get(key, str, "a string")
        if value is None and required:
            raise self.error(key, "is required")
        return default if value is None else value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self._get(key, int, "an integer")
        if value is None:
            return default
        if not low <= value <= high:
            raise self.error(key, f"expected an integer from {low} to {high}, got {value}")
        return int(value)

    def number(self, key: str, default: float, low: float) -> float:
        value = self._get(key, (int, float), "a number")
        if value is None:
            return default
        if value < low:
            raise self.error(key, f"expected a number of at least {low}, got {value}")
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self._get(key, bool, "true or false")
        return default if value is None else bool(value)

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.text(key, default)
        if value not in choices:
            raise self.error(key, f"expected one of {', '.join(choices)}, got {value!r}")
        return str(value)

    def strings(self, key: str) -> tuple[str, ...] | None:
        value = self._get(key, (list, str), "a list of strings")
        if value is None:
            return None
        items = [value] if isinstance(value, str) else value
        if not all(isinstance(item, str) for item in items):
            raise self.error(key, "expected a list of strings")
        return tuple(items)

    def finish(self) -> None:
        for key in self.data:
            if key not in self.known:
                near = difflib.get_close_matches(key, self.known, n=1)
                hint = f"did you mean {near[0]!r}?" if near else f"valid keys: {', '.join(self.known)}"
                raise self.error(key, "unknown key", hint)


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _account(file: str, index: int, data: Any) -> AccountConfig:
    name = data.get("name") if isinstance(data, dict) else None
    where = f"[accounts.{name}]" if isinstance(name, str) and name else f"[[accounts]] #{index + 1}"
    s = _Section(file, where, data)
    name = s.text("name", f"account{index + 1}")
    host = s.text("host", required=True)
    security = s.choice("security", "tls", SECURITY_MODES)
    port = s.integer("port", 993 if security == "tls" else 143, 1, 65535)
    username = s.text("username", required=True)
    auth = s.choice("auth", "password", AUTH_MODES)
    password_env = s.text("password_env")
    password_command = s.text("password_command")
    password = s.text("password")
    password_keyring = s.text("password_keyring")
    token_command = s.text("oauth2_token_command")
    addresses = s.strings("addresses")
    inbox, sent, drafts = s.text("inbox"), s.text("sent"), s.text("drafts")
    tls_verify = s.flag("tls_verify", True)
    ca_file = s.text("ca_file")
    timeout = s.number("timeout", 60.0, 1.0)
    controls = _account_controls(s)
    s.finish()

    if security == "none" and not is_loopback(host):
        raise s.error("security", f'"none" sends the password in clear text and is refused for {host}',
                      'use "tls" or "starttls"; "none" is only allowed for a loopback host')
    if not tls_verify and not is_loopback(host):
        raise s.error("tls_verify", f"certificate checks can only be turned off for a loopback host, not {host}",
                      "for a self-signed certificate, set ca_file to the certificate instead")
    if ca_file and not Path(ca_file).expanduser().is_file():
        raise s.error("ca_file", f"no such file: {ca_file}")
    if auth == "xoauth2":
        if not token_command:
            raise s.error("oauth2_token_command", 'is required when auth = "xoauth2"')
    else:
        given = [k for k, v in (("password_env", password_env), ("password_command", password_command),
                                ("password_keyring", password_keyring), ("password", password)) if v]
        if not given:
            raise s.error("password_env", "no password source is set",
                          "set password_env (an environment variable), password_command or password_keyring")
        if len(given) > 1:
            raise s.error(given[1], f"only one password source may be set, found {' and '.join(given)}")
        if password_keyring:
            try:
                keyring_entry(password_keyring)
            except ValueError as e:
                raise s.error("password_keyring", str(e), 'e.g. "followup/me@example.com"') from e
        if password:
            log.warning("%s %s: the password is written in the config file; prefer password_env, "
                        "password_command or password_keyring", file, where)
    if addresses is None:
        addresses = (username,) if "@" in username else ()
    return AccountConfig(
        name=name, host=host, port=port, security=security, username=username, auth=auth,
        password_env=password_env, password_command=password_command, password=password,
        password_keyring=password_keyring,
        oauth2_token_command=token_command, addresses=tuple(a.strip().lower() for a in addresses),
        inbox=inbox, sent=sent, drafts=drafts, tls_verify=tls_verify,
        ca_file=str(Path(ca_file).expanduser()) if ca_file else None, timeout=timeout, controls=controls,
    )


_EMAIL = re.compile(r"[^@\s\"<>,;]+@[^@\s\"<>,;]+\.[^@\s\"<>,;]+")


def _account_controls(s: _Section) -> bool | str:
    value = s._get("controls", (bool, str), 'true, false or an address such as "me+followup@example.com"')
    if value is None or isinstance(value, bool):
        return True if value is None else bool(value)
    if not _EMAIL.fullmatch(value.strip()):
        raise s.error("controls", f"not an email address: {value!r}",
                      'e.g. "me+followup@example.com", or false to turn commands from the mail client off')
    return str(value).strip().lower()


def _controls(file: str, data: Any) -> ControlsConfig:
    s = _Section(file, "[controls]", data)
    d = ControlsConfig()
    address = s.text("address")
    if address is not None and not _EMAIL.fullmatch(address.strip()):
        raise s.error("address", f"not an email address: {address!r}", 'e.g. "me+followup@example.com"')
    config = ControlsConfig(enabled=s.flag("enabled", d.enabled), address=address.strip().lower() if address else None,
                            tag_prefix=_tag(s, "tag_prefix", d.tag_prefix), track_tag=_tag(s, "track_tag", d.track_tag),
                            never_tag=_tag(s, "never_tag", d.never_tag))
    s.finish()
    return config


def _tag(s: _Section, key: str, default: str) -> str:
    value = str(s.text(key, default)).strip().lower()
    # an IMAP keyword is an atom: no spaces, parentheses, quotes, wildcards or backslash (RFC 3501 atom-specials)
    if not value or re.search(r'[\s(){%*"\\\]]', value):
        raise s.error(key, f"not an IMAP keyword: {value!r}", 'letters, digits and "-", e.g. "followup-"')
    return value


def _followup(file: str, data: Any) -> FollowupConfig:
    s = _Section(file, "[followup]", data)
    defaults = FollowupConfig()
    cadence_text = s.strings("cadence")
    try:
        cadence = tuple(parse_duration(c) for c in cadence_text) if cadence_text is not None else defaults.cadence
    except ValueError as e:
        raise s.error("cadence", str(e)) from e
    days = s.strings("working_days") or defaults.working_days
    bad = [d for d in days if d.lower() not in WEEKDAYS]
    if bad or not days:
        raise s.error("working_days", f"unknown day {bad[0]!r}" if bad else "no working days",
                      f"use three-letter names: {', '.join(WEEKDAYS)}")
    hours = s.text("working_hours", defaults.working_hours)
    try:
        parse_hours(hours)
    except ValueError as e:
        raise s.error("working_hours", str(e)) from e
    holiday_code = s.text("holidays")
    if holiday_code:
        _check_holidays(s, holiday_code)
    config = FollowupConfig(
        cadence=cadence, working_days=tuple(d.lower() for d in days), working_hours=hours,
        holidays=holiday_code, template_dir=s.text("template_dir"),
        track=s.choice("track", "questions", ("questions", "all")),
        ignore=tuple(p.strip().lower() for p in s.strings("ignore") or ()),
        max_overdue=_duration(s, "max_overdue", defaults.max_overdue),
        vip_cadence=_cadence(s, "vip_cadence", defaults.vip_cadence),
        group=s.choice("group", defaults.group, GROUP_MODES),
        language=_language_code(s, "language", defaults.language),
    )
    s.finish()
    if not config.cadence:
        raise s.error("cadence", "needs at least one wait, e.g. [\"3 business days\"]")
    return config


def _language_code(s: _Section, key: str, default: str) -> str:
    value = str(s.text(key, default)).strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}", value):
        raise s.error(key, f"expected a language code such as \"de\", got {value!r}")
    return value


def _voice_words(s: _Section) -> VoiceWords:
    return VoiceWords(greeting=s.text("greeting", ""), signoff=s.text("signoff", ""),
                      signature=s.text("signature", ""))


def _voice(file: str, data: Any) -> VoiceConfig:
    """[voice] learn, greeting, signoff, signature; [voice.de] … for one language."""
    s = _Section(file, "[voice]", data)
    learn = s.flag("learn", True)
    words = [("", _voice_words(s))]
    for key, table in data.items():
        if key in ("learn", "greeting", "signoff", "signature"):
            continue
        if not re.fullmatch(r"[a-z]{2,3}", key):
            continue  # finish() names it
        s.known.append(key)
        sub = _Section(file, f"[voice.{key}]", table)
        words.append((key, _voice_words(sub)))
        sub.finish()
    s.finish()
    return VoiceConfig(learn=learn, words=tuple((k, w) for k, w in words if w != VoiceWords()))


def _cadence(s: _Section, key: str, default: tuple[Duration, ...]) -> tuple[Duration, ...]:
    texts = s.strings(key)
    try:
        waits = tuple(parse_duration(c) for c in texts) if texts is not None else default
    except ValueError as e:
        raise s.error(key, str(e)) from e
    if not waits:
        raise s.error(key, "needs at least one wait, e.g. [\"1 business day\"]")
    return waits


def _duration(s: _Section, key: str, default: Duration) -> Duration:
    text = s.text(key)
    try:
        return parse_duration(text) if text is not None else default
    except ValueError as e:
        raise s.error(key, str(e)) from e


def _person(file: str, index: int, data: Any) -> Person:
    s = _Section(file, f"[[people]] #{index + 1}", data)
    match = s.text("match", required=True).strip().lower()
    person = Person(match=match, vip=s.flag("vip", False),
                    keep_in_touch=_duration(s, "keep_in_touch", Duration(0, "days")) if s.data.get("keep_in_touch")
                    else None)
    if s.data.get("keep_in_touch") is None:
        s.known.append("keep_in_touch")
    if s.data.get("group") is not None:
        person = replace(person, group=s.choice("group", "any", GROUP_MODES))
    s.known.append("group")
    s.finish()
    if person.keep_in_touch is not None and person.keep_in_touch.amount <= 0:
        raise s.error("keep_in_touch", "must be a positive duration such as \"2 weeks\"")
    return person


def _daemon(file: str, data: Any) -> DaemonConfig:
    s = _Section(file, "[daemon]", data)
    d = DaemonConfig()
    config = DaemonConfig(poll_interval=_duration(s, "poll_interval", d.poll_interval), idle=s.flag("idle", d.idle),
                          idle_refresh=_duration(s, "idle_refresh", d.idle_refresh),
                          auth_retry=_duration(s, "auth_retry", d.auth_retry),
                          max_backoff=_duration(s, "max_backoff", d.max_backoff), lease=_duration(s, "lease", d.lease),
                          heartbeat=_duration(s, "heartbeat", d.heartbeat))
    s.finish()
    if config.poll_interval.seconds < 10:
        raise s.error("poll_interval", "must be at least 10 seconds")
    if not 10 <= config.idle_refresh.seconds <= 29 * 60:
        raise s.error("idle_refresh", "must be between 10 seconds and 29 minutes (RFC 2177)")
    if config.lease.seconds < 5:
        raise s.error("lease", "must be at least 5 seconds")
    if not 1 <= config.heartbeat.seconds <= 10 * 60:
        raise s.error("heartbeat", "must be between 1 second and 10 minutes")
    return config


def _report(file: str, data: Any) -> ReportConfig:
    s = _Section(file, "[report]", data)
    defaults = ReportConfig()
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    day = s.choice("day", defaults.day, days)
    at = s.text("time", defaults.time)
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", at):
        raise s.error("time", f"expected a time of day like \"08:00\", got {at!r}")
    deliver = s.text("deliver", defaults.deliver)
    if deliver not in ("inbox", "none") and not (deliver.startswith("file:") and len(deliver) > 5):
        raise s.error("deliver", f"expected \"inbox\", \"file:PATH\" or \"none\", got {deliver!r}")
    config = ReportConfig(day=day, time=at, deliver=deliver,
                          waiting_on_me_after=_duration(s, "waiting_on_me_after", defaults.waiting_on_me_after),
                          waiting_on_me_within=_duration(s, "waiting_on_me_within", defaults.waiting_on_me_within),
                          max_items=s.integer("max_items", defaults.max_items, 1, 100_000))
    s.finish()
    return config


def _check_holidays(s: _Section, code: str) -> None:
    import holidays

    country, _, subdivision = code.partition("-")
    supported = holidays.list_supported_countries()
    if country.upper() not in supported:
        raise s.error("holidays", f"unknown country code {code!r}", "use an ISO code such as \"US\", \"GB\", \"DE\"")
    if subdivision and subdivision.upper() not in supported[country.upper()]:
        raise s.error("holidays", f"unknown subdivision {subdivision!r} of {country.upper()}")


def parse_config(text: str, path: Path | None = None) -> Config:
    file = str(path) if path else "config"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{file}: invalid TOML: {e}", "fix the syntax at that line and column") from e
    top = _Section(file, "", data)
    tz_name = top.text("timezone", "UTC")
    db = _Section(file, "[database]", data.get("database", {}))
    url = db.text("url", default_database_url())
    db.finish()
    sy = _Section(file, "[sync]", data.get("sync", {}))
    sync = SyncConfig(
        first_sync_days=sy.integer("first_sync_days", 90, 0, 36500),
        batch_size=sy.integer("batch_size", 250, 1, 5000),
        body_bytes=sy.integer("body_bytes", 65536, 1024, 10 * 1024 * 1024),
        flag_window=sy.integer("flag_window", 500, 1, 1_000_000),
    )
    sy.finish()
    followup = _followup(file, data.get("followup", {}))
    pr = _Section(file, "[promises]", data.get("promises", {}))
    defaults = PromisesConfig()
    promises = PromisesConfig(default_due=_duration(pr, "default_due", defaults.default_due),
                              remind=_duration(pr, "remind", defaults.remind),
                              grace=_duration(pr, "grace", defaults.grace),
                              check_back=_duration(pr, "check_back", Duration(0, "days")) if pr.data.get("check_back")
                              else None)
    if pr.data.get("check_back") is None:
        pr.known.append("check_back")
    pr.finish()
    report = _report(file, data.get("report", {}))
    daemon = _daemon(file, data.get("daemon", {}))
    controls = _controls(file, data.get("controls", {}))
    raw_people = data.get("people", [])
    if not isinstance(raw_people, list):
        raise top.error("people", "expected [[people]] tables")
    people = tuple(_person(file, i, p) for i, p in enumerate(raw_people))
    voice = _voice(file, data.get("voice", {}))
    top.known += ["database", "sync", "accounts", "followup", "promises", "report", "daemon", "people", "controls",
                  "voice"]
    raw_accounts = data.get("accounts", [])
    if not isinstance(raw_accounts, list):
        raise top.error("accounts", "expected [[accounts]] tables")
    top.finish()
    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise top.error("timezone", f"unknown time zone {tz_name!r}",
                        'use an IANA name such as "Europe/Paris" or "America/New_York"') from e
    accounts = tuple(_account(file, i, a) for i, a in enumerate(raw_accounts))
    names = [a.name for a in accounts]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"{file} [accounts.{name}] name: two accounts are named {name!r}")
    return Config(path=path, timezone_name=tz_name, database=DatabaseConfig(url=url), sync=sync,
                  accounts=accounts, followup=followup, promises=promises, report=report,
                  daemon=daemon, people=people, controls=controls, voice=voice)


def load_config(path: Path | None = None) -> Config:
    """Load the config file; with no file at the default path, an empty config (no accounts)."""
    explicit = path is not None or "FOLLOWUP_CONFIG" in os.environ
    path = path or default_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        if explicit:
            raise ConfigError(f"{path}: no such config file",
                              "write one with `followup init` (or see every setting with "
                              "`followup init --example`)") from e
        return parse_config("", None)
    except IsADirectoryError as e:
        raise ConfigError(f"{path} is a directory, not a config file",
                          f"name the file itself, e.g. {path / 'config.toml'}") from e
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read the config file: {e}") from e
    return parse_config(text, path)


# --- secrets ----------------------------------------------------------------------------------

def keyring_entry(text: str) -> tuple[str, str]:
    """ "service/user" → (service, user), split at the first "/"; ValueError if either part is empty."""
    service, _, user = text.partition("/")
    if not service.strip() or not user.strip():
        raise ValueError(f"expected \"service/user\", got {text!r}")
    return service.strip(), user.strip()


def keyring_module() -> Any:
    """The optional `keyring` package, or a ConfigError that says how to install it."""
    try:
        import keyring
    except ImportError as e:
        raise ConfigError("the keyring package is not installed, so the system keyring cannot be used",
                          "pip install 'followup-assistant[keyring]', or use password_env or "
                          "password_command") from e
    return keyring


def _read_keyring(account: AccountConfig, text: str) -> str:
    service, user = keyring_entry(text)
    keyring = keyring_module()
    try:
        value = keyring.get_password(service, user)
    except keyring.errors.KeyringError as e:
        raise ConfigError(f"{account.where} password_keyring: the system keyring cannot be read: {e}",
                          "unlock it, or see `keyring --list-backends`") from e
    if not value:
        raise ConfigError(f"{account.where} password_keyring: the system keyring holds no password for "
                          f"service {service!r}, user {user!r}",
                          f"store it with `keyring set {shlex.quote(service)} {shlex.quote(user)}`, or run "
                          "`followup init` again")
    return str(value)


def _program(command: str) -> str:
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    return words[0] if words else command


def _run_secret_command(account: AccountConfig, key: str, command: str) -> str:
    try:
        done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as e:
        raise ConfigError(f"{account.where} {key}: the command did not finish within 60 seconds") from e
    program = _program(command)
    # 127 is the shell's "not found"; the program itself may exit 127 too, so look it up before saying so
    if done.returncode == 127 and shutil.which(os.path.expanduser(program)) is None:
        raise ConfigError(f"{account.where} {key}: {program}: command not found",
                          f"install {program}, or correct {key} (a command run by the shell)")
    if done.returncode != 0:
        # the first line of stderr is the helper's own reason; stdout (where a secret would be) is never shown
        said = next((line.strip() for line in done.stderr.splitlines() if line.strip()), "")[:200]
        raise ConfigError(f"{account.where} {key}: {program} failed with exit status {done.returncode}"
                          + (f": {said}" if said else ""), "run it by hand to see why")
    value = done.stdout.splitlines()[0].strip() if done.stdout.strip() else ""
    if not value:
        raise ConfigError(f"{account.where} {key}: the command printed nothing")
    return value


def resolve_secret(account: AccountConfig) -> str:
    """The password, or with xoauth2 the access token; never logged, never stored."""
    if account.auth == "xoauth2":
        assert account.oauth2_token_command
        return _run_secret_command(account, "oauth2_token_command", account.oauth2_token_command)
    if account.password_env:
        value = os.environ.get(account.password_env)
        if not value:
            raise ConfigError(f"{account.where} password_env: the environment variable "
                              f"{account.password_env} is not set",
                              f"export {account.password_env}=... before running followup")
        return value
    if account.password_command:
        return _run_secret_command(account, "password_command", account.password_command)
    if account.password_keyring:
        return _read_keyring(account, account.password_keyring)
    assert account.password is not None
    return account.password


def password_source(account: AccountConfig) -> str:
    """Where the password comes from, in words, for a hint after a refused login."""
    if account.auth == "xoauth2":
        return "the token from oauth2_token_command"
    if account.password_env:
        return f"${account.password_env}"
    if account.password_command:
        return "what password_command prints"
    if account.password_keyring:
        return f"the password in the system keyring ({account.password_keyring})"
    return "the password in the config file"

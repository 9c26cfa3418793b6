"""`followup init`: a starter config from an email address and the built-in provider table."""

from __future__ import annotations

import json
import os
import re
import shlex
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.config import FollowupConfig, default_database_url
from assistant.errors import ConfigError
from assistant.onboarding.providers import KEYS, Provider, detect, domain_of

# The CLI compares a prompt with this to read the answer without echo.
PASSWORD_PROMPT = "Password (stored in the config file)"
# Works for Microsoft and Google accounts once authorised; the user may name another helper.
TOKEN_COMMAND = "oama access {address}"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_ENV_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Second-level labels under a country code: the account name comes from the label before them.
_SECOND_LEVEL = ("co", "com", "net", "org", "ac", "gov", "edu")

T = TypeVar("T")


@dataclass(frozen=True)
class Plan:
    """What `init` writes for one account: provider settings and exactly one source for the secret."""

    provider: Provider
    address: str
    name: str
    password_env: str | None = None
    password_command: str | None = None
    password: str | None = None
    token_command: str | None = None


def local_timezone(environ: Mapping[str, str] | None = None, localtime: Path = Path("/etc/localtime")) -> str:
    """The machine's IANA zone from $TZ or the /etc/localtime symlink; "UTC" when neither names one."""
    candidates = [(os.environ if environ is None else environ).get("TZ", "").lstrip(":")]
    try:
        candidates.append(os.readlink(localtime))
    except OSError:
        pass  # not a symlink, or absent: nothing to learn from it
    for candidate in candidates:
        name = candidate.rpartition("zoneinfo/")[2]
        if name and _is_zone(name):
            return name
    return "UTC"


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def account_name(address: str, provider: Provider) -> str:
    """ "gmail" for a Gmail address; for a company's or one's own domain, its main label ("acme")."""
    if provider.domains:
        return provider.key
    labels = domain_of(address).split(".")
    at = -3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else -2
    return re.sub(r"[^a-z0-9]+", "-", labels[at]).strip("-") or "mail"


def default_password_env(name: str) -> str:
    return "FOLLOWUP_" + (re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_") or "MAIL") + "_PASSWORD"


def plan(address: str, provider: Provider, name: str | None = None, password_env: str | None = None,
         password_command: str | None = None, password: str | None = None) -> Plan:
    """Check the choices against each other and fill in the defaults."""
    address = address.strip()
    domain_of(address)
    name = name.strip() if name else account_name(address, provider)
    if not _NAME.fullmatch(name):
        raise ConfigError(f"account name {name!r}: use letters, digits, '-', '_' and '.' only", 'e.g. "work"')
    if password_env and not _ENV_VAR.fullmatch(password_env):
        raise ConfigError(f"password variable {password_env!r} is not a valid environment variable name",
                          "use letters, digits and '_', e.g. FOLLOWUP_WORK_PASSWORD")
    given = [flag for flag, value in (("--password-env", password_env), ("--password-command", password_command),
                                      ("--store-password", password)) if value]
    if provider.auth == "xoauth2":
        if password_env or password:
            raise ConfigError(f"{provider.name} signs in with OAuth2, so no password is used",
                              "leave out the password options; --password-command sets the token command")
        return Plan(provider, address, name,
                    token_command=password_command or TOKEN_COMMAND.format(address=shlex.quote(address)))
    if len(given) > 1:
        raise ConfigError(f"choose one password source, not {' and '.join(given)}")
    if not given:
        password_env = default_password_env(name)
    return Plan(provider, address, name, password_env, password_command, password)


def build_config(address: str, provider: str | None, name: str | None = None, timezone: str | None = None,
                 password_env: str | None = None, password_command: str | None = None,
                 password: str | None = None, host: str | None = None) -> str:
    """A complete, commented starter config for one account, as TOML text. `host` overrides the table's."""
    found = detect(address, provider)
    if host:
        found = replace(found, host=host.strip())
    return render(plan(address, found, name, password_env, password_command, password), timezone)


def _q(value: str) -> str:
    # A JSON string is a TOML basic string, but for DEL, which TOML wants escaped.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _comment(text: str) -> list[str]:
    return textwrap.wrap(text, 100, initial_indent="# ", subsequent_indent="# ")


def render(p: Plan, timezone: str | None = None) -> str:
    zone = timezone or local_timezone()
    if not _is_zone(zone):
        raise ConfigError(f"unknown time zone {zone!r}", 'use an IANA name such as "Europe/Paris"')
    f = FollowupConfig()
    lines = [
        f"# Followup configuration for {p.address} ({p.provider.name}), written by `followup init`.",
        "# Unknown keys are errors, so a typo never goes unnoticed. `followup check` validates this file and",
        "# logs in. config.example.toml describes every setting, including [sync], [promises], [report]",
        "# and [daemon].",
        "",
        "# IANA time zone: working hours, due times and the weekly report are in this zone.",
        f"timezone = {_q(zone)}",
        "",
        "# [database]",
        "# Where Followup keeps its state (this is the default, readable by you only). For PostgreSQL:",
        "# pip install 'followup-assistant[postgres]', then \"postgresql+psycopg://user@host/dbname\".",
        f"# url = {_q(default_database_url())}",
        "",
        "[followup]",
        "# The waits before each follow-up draft; after the last one the thread goes cold.",
        f"# cadence = [{', '.join(_q(str(c)) for c in f.cadence)}]",
        "# Business days skip days off and public holidays; drafts are due within working hours.",
        f"# working_days = [{', '.join(_q(d) for d in f.working_days)}]",
        f"# working_hours = {_q(f.working_hours)}",
        '# holidays = "US"                # a country code, optionally with a subdivision ("US-CA")',
        '# What is tracked: "questions" (mail that asks something) or "all" (everything you send).',
        f"# track = {_q(f.track)}",
        '# Never follow up with these: addresses, "@domain", or glob patterns.',
        '# ignore = ["@newsletters.example.com", "billing@*"]',
        "",
        *_account(p),
    ]
    return "\n".join(lines) + "\n"


def _account(p: Plan) -> list[str]:
    pr = p.provider
    lines = [
        "[[accounts]]",
        *_comment(f"How to log in: {pr.login}"),
        f"name = {_q(p.name)}  # a short name used in messages and --account",
        f"host = {_q(pr.host)}",
        f"port = {pr.port}",
        f"security = {_q(pr.security)}",
        f"username = {_q(p.address)}",
        "# Your identities: mail From these is yours. Add your aliases.",
        f"addresses = [{_q(p.address.lower())}]",
    ]
    if p.token_command:
        lines += ['auth = "xoauth2"', "# A command that prints a fresh OAuth2 access token (see the login note above):",
                  f"oauth2_token_command = {_q(p.token_command)}"]
    elif p.password:
        lines += ["# Stored here because you asked: anyone who can read this file can read your mail.",
                  "# password_env or password_command are safer.", f"password = {_q(p.password)}"]
    elif p.password_command:
        lines += ["# The password is the first line this command prints:",
                  f"password_command = {_q(p.password_command)}"]
    else:
        lines += ["# The password comes from this environment variable; Followup never stores it.",
                  f"password_env = {_q(p.password_env or '')}",
                  "# Or from a command whose first output line is the password (set only one of the two):",
                  f"# password_command = {_q('pass show mail/' + p.name)}"]
    lines.append("# Folders are found automatically (SPECIAL-USE flags, then common names).")
    if pr.sent or pr.drafts:
        lines.append("# If `followup check` shows the wrong one, uncomment and correct:")
        lines += [f"# {role} = {_q(folder)}" for role, folder in (("sent", pr.sent), ("drafts", pr.drafts)) if folder]
    else:
        lines.append('# If `followup check` shows the wrong one, set it, e.g. sent = "Sent".')
    return lines


def summary(p: Plan, path: Path, check: bool) -> list[str]:
    """What the user reads after `init`: the provider, how to log in, where the secret comes from, what next."""
    pr, domain = p.provider, domain_of(p.address)
    where = f"{pr.host}:{pr.port} ({pr.security})"
    if pr.key == "generic":
        first = f"{domain} is not a provider Followup knows: assuming an IMAP server at {where}."
    else:
        first = f"{'Recognised' if domain in pr.domains else 'Using'} {pr.name} for {domain}: {where}."
    lines = [first, f"Wrote {path} (readable by you only).", f"How to log in: {pr.login}"]
    if p.token_command:
        lines.append(f"The access token comes from oauth2_token_command: {p.token_command}")
    elif p.password:
        lines.append(f"The password is stored in {path}. That is discouraged: anyone who can read the file can "
                     "read your mail; password_env or password_command are safer.")
    elif p.password_command:
        lines.append(f"The password comes from password_command: {p.password_command}")
    else:
        secret = "your-password" if pr.key == "generic" else "your-app-password"
        lines += ["Before running Followup, put the password in its environment (e.g. in your shell profile):",
                  f"  export {p.password_env}='{secret}'"]
    lines.append("Now running `followup check` to test the login…" if check else
                 "Then run `followup check` to test the login.")
    return lines


def _ask_valid(ask: Callable[[str, str | None], str], say: Callable[[str], None], prompt: str,
               default: str | None, parse: Callable[[str], T]) -> T:
    """Ask until the answer parses; after three wrong answers the last error stands."""
    for attempt in range(3):
        answer = ask(prompt, default).strip() or (default or "")
        try:
            return parse(answer)
        except ConfigError as e:
            if attempt == 2:
                raise
            say(f"{e.message}" + (f" ({e.hint})" if e.hint else ""))
    raise AssertionError("unreachable")


def _exists(path: Path) -> ConfigError:
    return ConfigError(f"{path}: a config file already exists",
                       "keep it and run `followup check`, or replace it with `followup init --force`")


def _write(path: Path, text: str, force: bool) -> None:
    """Create the file readable by the user only; with force, replace it (and fix its mode)."""
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL), 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.chmod(path, 0o600)  # an overwritten file would keep its old mode
            file.write(text)
    except FileExistsError as e:
        raise _exists(path) from e
    except OSError as e:
        raise ConfigError(f"{path}: cannot write the config file: {e.strerror}") from e


def run_init(path: Path, ask: Callable[[str, str | None], str], say: Callable[[str], None], *,
             address: str | None, provider: str | None, name: str | None, password_env: str | None,
             password_command: str | None, store_password: bool, force: bool, interactive: bool,
             check: bool = True) -> Path:
    """Write a starter config at `path` and tell the user how to log in; `check` says whether the CLI
    runs `followup check` next. Asks only when interactive: the address, the provider of an unknown
    domain, and with store_password the password."""
    if path.exists() and not force:
        raise _exists(path)
    if not address:
        if not interactive:
            raise ConfigError("no email address given", "pass --email you@example.com")
        address = _ask_valid(ask, say, "Your email address", None, lambda a: (domain_of(a), a)[1])
    found = detect(address, provider)
    if interactive and not provider and found.key == "generic":
        keys = ", ".join(KEYS)
        found = _ask_valid(ask, say, f"Who hosts mail for {domain_of(address)}? ({keys})", "generic",
                           lambda key: detect(address, key))
        if found.key == "generic":
            found = replace(found, host=ask("IMAP server", found.host).strip() or found.host)
    password = None
    if store_password:
        if not interactive:
            raise ConfigError("--store-password needs a terminal to ask for the password",
                              "leave it out and put the password in an environment variable instead")
        password = ask(PASSWORD_PROMPT, None) or None
        if password is None:
            raise ConfigError("no password given", "leave out --store-password to use an environment variable")
    chosen = plan(address, found, name, password_env, password_command, password)
    _write(path, render(chosen), force)
    for line in summary(chosen, path, check):
        say(line)
    return path

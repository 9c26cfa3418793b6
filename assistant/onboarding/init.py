"""`followup init`: a config from an email address and the built-in provider table, with a tested login."""

from __future__ import annotations

import json
import os
import re
import shlex
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.config import SECURITY_MODES, AccountConfig, FollowupConfig, default_database_url, parse_config
from assistant.errors import ConfigError
from assistant.onboarding.password import (
    KEYRING_SERVICE,
    Login,
    Source,
    Terminal,
    ask_valid,
    choose,
    default_env,
    env_var,
    store_in_keyring,
    try_login,
)
from assistant.onboarding.providers import KEYS, Provider, control_form, detect, domain_of, oauth2_steps

# Works for Microsoft and Google accounts once authorised; the user may name another helper.
TOKEN_COMMAND = "oama access {address}"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# Second-level labels under a country code: the account name comes from the label before them.
_SECOND_LEVEL = ("co", "com", "net", "org", "ac", "gov", "edu")


@dataclass(frozen=True)
class Options:
    """What `init` is told by flags. Each prompt is skipped when its flag is given."""

    address: str | None = None
    provider: str | None = None
    name: str | None = None
    host: str | None = None
    port: int | None = None
    security: str | None = None
    username: str | None = None
    password_env: str | None = None
    password_command: str | None = None
    password_keyring: bool = False
    token_command: str | None = None
    store_password: bool = False
    force: bool = False
    add: bool = False
    check: bool = True  # test the login (before writing on a terminal, else by `followup check` after)


@dataclass(frozen=True)
class Plan:
    """What `init` writes for one account: provider settings and exactly one source for the secret."""

    provider: Provider
    address: str
    name: str
    username: str = ""
    password_env: str | None = None
    password_command: str | None = None
    password: str | None = None
    password_keyring: str | None = None
    token_command: str | None = None
    host_given: bool = False  # the user named the server: it is not a guess

    @property
    def login_name(self) -> str:
        return self.username or self.address


@dataclass(frozen=True)
class Result:
    path: Path
    name: str
    tested: bool  # the login was tested with the password before writing: no need for `check`
    password_env: str | None  # the variable a service must be given


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
    return default_env(name)


def plan(address: str, provider: Provider, name: str | None = None, password_env: str | None = None,
         password_command: str | None = None, password: str | None = None, *, username: str | None = None,
         password_keyring: str | None = None, token_command: str | None = None, host_given: bool = False) -> Plan:
    """Check the choices against each other and fill in the defaults."""
    address = address.strip()
    domain_of(address)
    name = name.strip() if name else account_name(address, provider)
    if not _NAME.fullmatch(name):
        raise ConfigError(f"account name {name!r}: use letters, digits, '-', '_' and '.' only", 'e.g. "work"')
    if password_env:
        env_var(password_env)
    given = [flag for flag, value in (("--password-env", password_env), ("--password-command", password_command),
                                      ("--password-keyring", password_keyring), ("--store-password", password))
             if value]
    base = Plan(provider, address, name, (username or "").strip(), host_given=host_given)
    if provider.auth == "xoauth2":
        if password_env or password or password_keyring:
            raise ConfigError(f"{provider.name} signs in with OAuth2, so no password is used",
                              "leave out the password options; --token-command sets the token command")
        command = token_command or password_command or TOKEN_COMMAND.format(address=shlex.quote(address))
        return replace(base, token_command=command)
    if token_command:
        raise ConfigError(f"--token-command is for OAuth2, and {provider.name} logs in with a password",
                          "use --password-command for a command that prints the password")
    if len(given) > 1:
        raise ConfigError(f"choose one password source, not {' and '.join(given)}")
    if not given:
        password_env = default_password_env(name)
    return replace(base, password_env=password_env, password_command=password_command, password=password,
                   password_keyring=password_keyring)


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
        "# logs in. `followup init --example` prints every setting, including [sync], [promises], [report]",
        "# and [daemon]; `followup init --add` adds another account.",
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
        *account_lines(p),
    ]
    return "\n".join(lines) + "\n"


def account_lines(p: Plan) -> list[str]:
    """One [[accounts]] table, commented: what `init` writes, and what `init --add` appends."""
    pr = p.provider
    lines = [
        "[[accounts]]",
        *_comment(f"How to log in: {pr.login}"),
        f"name = {_q(p.name)}  # a short name used in messages and --account",
        f"host = {_q(pr.host)}",
        f"port = {pr.port}",
        f"security = {_q(pr.security)}",
        f"username = {_q(p.login_name)}",
        "# Your identities: mail From these is yours. Add your aliases.",
        f"addresses = [{_q(p.address.lower())}]",
        *control_lines(p),
    ]
    if p.token_command:
        lines += ['auth = "xoauth2"', "# A command that prints a fresh OAuth2 access token (see the login note above):",
                  f"oauth2_token_command = {_q(p.token_command)}"]
    elif p.password:
        lines += ["# Stored here because you asked: anyone who can read this file can read your mail.",
                  "# password_keyring, password_command or password_env are safer.", f"password = {_q(p.password)}"]
    elif p.password_keyring:
        lines += ["# The password is in the system keyring under this \"service/user\" (pip install",
                  "# 'followup-assistant[keyring]'; `keyring set SERVICE USER` changes it):",
                  f"password_keyring = {_q(p.password_keyring)}"]
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


def control_lines(p: Plan) -> list[str]:
    """The account's control address, in the provider's form, or why there is none."""
    form = control_form(p.provider, p.address)
    if form is None:
        return [*_comment(f"{p.provider.name} has no plus addressing, so commands by Bcc need another address of "
                          "yours that delivers here: a Hide My Email alias, or a second address. Name it here "
                          "instead of false (see \"From your mail client\" in the README)."),
                "controls = false"]
    local, _, domain = form.partition("@")
    generic = (" Most servers deliver plus addresses (Postfix: recipient_delimiter = +); if yours does not, "
               "name another address of yours, or write false.") if p.provider.key == "generic" else ""
    return [*_comment(f"Commands from your mail client: Bcc {local}-3d@{domain} to follow up in 3 days if no reply, "
                      f"{local}-never@{domain} never, {form} to track it.{generic}"),
            f"controls = {_q(form)}"]


def summary(p: Plan, path: Path, added: bool, tested: bool, check: bool) -> list[str]:
    """What the user reads after `init`: the provider, how to log in, where the secret comes from, what next."""
    pr, domain = p.provider, domain_of(p.address)
    where = f"{pr.host}:{pr.port} ({pr.security})"
    if pr.key == "generic" and p.host_given:
        first = [f"Using the IMAP server {where} for {domain}."]
    elif pr.key == "generic":
        first = [f"{domain} is not a provider Followup knows: assuming an IMAP server at {where}.",
                 f"{pr.host} is a guess: if your provider names another server, run `followup init` again with "
                 "--host, --port and --security, or correct them in the file."]
    else:
        first = [f"{'Recognised' if domain in pr.domains else 'Using'} {pr.name} for {domain}: {where}."]
    wrote = (f"Added the account {p.name!r} to {path}." if added else f"Wrote {path} (readable by you only).")
    lines = [*first, wrote, f"How to log in: {pr.login}", *oauth2_steps(pr, p.address)]
    if p.token_command:
        lines.append(f"The access token comes from oauth2_token_command: {p.token_command}")
    elif p.password:
        lines.append(f"warning: the password is stored in {path} (mode 0600) because you asked. Anyone who can "
                     "read the file can read your mail; the keyring, a password command or an environment "
                     "variable are safer.")
    elif p.password_keyring:
        service, _, user = p.password_keyring.partition("/")
        lines.append(f"The password is in the system keyring (service {service!r}, user {user!r})."
                     if tested else "Put the password in the system keyring before running Followup: "
                     f"keyring set {shlex.quote(service)} {shlex.quote(user)}")
    elif p.password_command:
        lines.append(f"The password comes from password_command: {p.password_command}")
    else:
        secret = "your-password" if pr.key == "generic" else "your-app-password"
        lines += ["Before running Followup, put the password in its environment (e.g. in your shell profile):",
                  f"  export {p.password_env}='{secret}'"]
    form = control_form(pr, p.address)
    if form is None:
        lines.append(f"{pr.name} has no plus addressing: to steer Followup from your mail client by Bcc, make a "
                     "Hide My Email alias (or use a second address) that delivers here and set it as controls = "
                     "\"...\" in the account.")
    else:
        local, _, domain = form.partition("@")
        lines.append(f"From your mail client: Bcc {local}-3d@{domain} to have a follow-up in 3 days if no reply.")
    if not tested:
        lines.append("Now running `followup check` to test the login…" if check else
                     "Then run `followup check` to test the login.")
    return lines


def example_config() -> str:
    """config.example.toml as shipped inside the package: every setting, documented."""
    return (resources.files("assistant") / "config.example.toml").read_text(encoding="utf-8")


def _exists(path: Path) -> ConfigError:
    return ConfigError(f"{path}: a config file already exists",
                       "add an account to it with `followup init --add`, test it with `followup check`, or "
                       "replace it with `followup init --force`")


def _is_dir(path: Path) -> ConfigError:
    return ConfigError(f"{path} is a directory, not a config file", f"name the file itself, e.g. {path / 'config.toml'}")


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


def _append(path: Path, old: bytes, block: str, private: bool) -> None:
    """Replace the file by its old bytes plus the new table, atomically, keeping its mode (0600 if private)."""
    glue = b"" if not old or old.endswith(b"\n") else b"\n"
    data = old + glue + b"\n" + block.encode("utf-8")
    mode = 0o600 if private else path.stat().st_mode & 0o777
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            os.chmod(tmp, mode)
            file.write(data)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot write the config file: {e.strerror}") from e


def _existing(path: Path, opts: Options) -> tuple[bytes | None, tuple[str, ...]]:
    """With --add, the config's bytes and account names; without, make sure nothing is overwritten."""
    if path.is_dir():
        raise _is_dir(path)
    if not opts.add:
        if path.exists() and not opts.force:
            raise _exists(path)
        return None, ()
    try:
        old = path.read_bytes()
    except FileNotFoundError as e:
        raise ConfigError(f"{path}: no config file to add an account to",
                          "leave out --add to write a new one") from e
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the config file: {e.strerror}") from e
    try:
        config = parse_config(old.decode("utf-8"), path)
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: cannot read the config file: {e}") from e
    return old, tuple(a.name for a in config.accounts)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ConfigError(f"port {text!r}: expected a number from 1 to 65535", "993 for tls, 143 for starttls")
    return int(text)


def _security(text: str) -> str:
    if text.lower() not in SECURITY_MODES:
        raise ConfigError(f"security {text!r}: expected one of {', '.join(SECURITY_MODES)}")
    return text.lower()


def _server(term: Terminal, address: str, opts: Options) -> tuple[Provider, bool, str]:
    """The provider with host, port and security settled, whether the user named the server, and the
    username. An unknown domain on a terminal asks who hosts it, then for the server and the login."""
    found = detect(address, opts.provider)
    if term.interactive and not opts.provider and not opts.host and found.key == "generic":
        found = ask_valid(term, f"Who hosts mail for {domain_of(address)}? ({', '.join(KEYS)})", "generic",
                          lambda key: detect(address, key))
    security = opts.security or found.security
    port = opts.port or (found.port if security == found.security else 993 if security == "tls" else 143)
    host, username = (opts.host or found.host).strip(), opts.username or address
    given = bool(opts.host)
    if term.interactive and (found.key == "generic" or opts.host):
        host = opts.host or ask_valid(term, "IMAP server", found.host, _nonempty("IMAP server"))
        port = opts.port or ask_valid(term, "Port", str(port), _port)
        security = opts.security or ask_valid(
            term, f"Security ({', '.join(SECURITY_MODES)})", "tls" if port == 993 else "starttls", _security)
        username = opts.username or ask_valid(term, "Username", address, _nonempty("Username"))
        given = True
    return replace(found, host=host, port=port, security=security), given, username.strip()


def _nonempty(what: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if not text.strip():
            raise ConfigError(f"{what}: an answer is needed")
        return text.strip()
    return parse


def _name(term: Terminal, opts: Options, address: str, provider: Provider, taken: tuple[str, ...]) -> str:
    name = (opts.name or account_name(address, provider)).strip()
    if name not in taken:
        return name
    if opts.name or not term.interactive:
        raise ConfigError(f"an account named {name!r} already exists in the config",
                          "give the new one another name with --name NAME")

    def parse(text: str) -> str:
        if text in taken:
            raise ConfigError(f"an account named {text!r} already exists")
        return text
    return ask_valid(term, "Account name", next(f"{name}-{i}" for i in range(2, 100) if f"{name}-{i}" not in taken),
                     parse)


def _account_config(p: Plan) -> AccountConfig:
    pr = p.provider
    return AccountConfig(name=p.name, host=pr.host, username=p.login_name, port=pr.port, security=pr.security,
                         auth=pr.auth, addresses=(p.address.lower(),), password_env=p.password_env,
                         password_command=p.password_command, password_keyring=p.password_keyring)


def _secret(term: Terminal, p: Plan, opts: Options, login: Login | None) -> tuple[Plan, bool]:
    """Settle where the secret comes from; on a terminal, ask the password and test the login first.
    Returns the plan and whether the login was tested."""
    if p.token_command:
        if term.interactive and not (opts.token_command or opts.password_command):
            for line in oauth2_steps(p.provider, p.address):
                term.say(line)
            command = term.ask("Command that prints an OAuth2 access token", p.token_command).strip()
            p = replace(p, token_command=command or p.token_command)
        return p, False  # `check` runs next and names a helper that is missing or not yet authorised
    if opts.store_password and not term.interactive:
        raise ConfigError("--store-password needs a terminal to ask for the password",
                          "leave it out and put the password in an environment variable instead")
    if not term.interactive:
        return p, False
    account = _account_config(p)
    if login is None:  # --no-check: nothing is tested, but a password to store must still be asked
        if not opts.store_password:
            return p, False
        stored = term.secret("Password (stored in the config file)")
        if not stored:
            raise ConfigError("no password given", "leave out --store-password to use an environment variable")
        return replace(p, password=stored, password_env=None), False
    readable = opts.password_command or (opts.password_env and os.environ.get(opts.password_env))
    if readable:
        try_login(term, account, login, typed=False)
        return p, True
    password = try_login(term, account, login, typed=True)
    assert password is not None
    if opts.store_password:
        return replace(p, password=password, password_env=None), True
    if opts.password_keyring:
        store_in_keyring(account, password)
        return p, True
    if opts.password_env:
        return p, True
    source: Source = choose(term, account, password)
    return replace(p, password_env=source.env, password_command=source.command,
                   password_keyring=source.keyring), True


def run_init(path: Path, term: Terminal, opts: Options, login: Login | None = None) -> Result:
    """Write a config at `path` (or with --add, append an account to it) and tell the user how to log in.

    On a terminal, asks what the flags leave open: the address, who hosts an unknown domain, its server,
    port, security and username, then the password (hidden), which it tests with `login` (the code of
    `followup check`) before asking where to keep it. `login` is None with --no-check."""
    old, taken = _existing(path, opts)
    address = opts.address
    if not address:
        if not term.interactive:
            raise ConfigError("no email address given", "pass --email you@example.com")
        address = ask_valid(term, "Your email address", None, lambda a: (domain_of(a), a)[1])
    provider, host_given, username = _server(term, address, opts)
    name = _name(term, opts, address, provider, taken)
    keyring = f"{KEYRING_SERVICE}/{username}" if opts.password_keyring else None
    p = plan(address, provider, name, opts.password_env, opts.password_command, username=username,
             password_keyring=keyring, token_command=opts.token_command, host_given=host_given)
    p, tested = _secret(term, p, opts, login if opts.check else None)
    if old is None:
        text = render(p)
        parse_config(text, path)
        _write(path, text, opts.force)
    else:
        block = "\n".join(account_lines(p)) + "\n"
        parse_config(old.decode("utf-8") + "\n" + block, path)  # what --add makes must load
        _append(path, old, block, private=p.password is not None)
    for line in summary(p, path, old is not None, tested, opts.check):
        term.say(line)
    return Result(path, name, tested, p.password_env)

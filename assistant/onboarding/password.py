"""The password conversation of `followup init`: ask it hidden, test the login, and decide where it is kept.

The password itself only ever lives in memory here, in the keyring the user chose, or (with
--store-password) in the config file. It is never logged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from assistant.config import AccountConfig, keyring_module, resolve_secret
from assistant.errors import AuthError, ConfigError, FollowupError

# Tests a login as `followup check` does; raises FollowupError, else returns the lines to show (folders).
Login = Callable[[AccountConfig], list[str]]

KEYRING_SERVICE = "followup"
ENV_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PASSWORD_PROMPT = "Password (hidden; only used to test the login until you choose where to keep it)"
WHERE_PROMPT = "Where should Followup find the password? keyring, command or env"
COMMAND_EXAMPLES = (
    "A command that prints the password on its first line, for example:",
    "  pass show mail/{name}                          (pass, the standard Unix password manager)",
    '  op read "op://Personal/{name}/password"         (1Password CLI)',
    "  secret-tool lookup service followup user {user}   (GNOME Keyring / KWallet via libsecret)",
)
TRIES = 3

T = TypeVar("T")


@dataclass(frozen=True)
class Terminal:
    """How `init` talks: `ask` shows a default and returns the answer, `secret` reads without echo."""

    ask: Callable[[str, str | None], str]
    secret: Callable[[str], str]
    say: Callable[[str], None]
    interactive: bool


@dataclass(frozen=True)
class Source:
    """Where the config says the password comes from: exactly one of these is set."""

    env: str | None = None
    command: str | None = None
    keyring: str | None = None  # "service/user"
    password: str | None = None  # in the file: only with --store-password

    def on(self, account: AccountConfig) -> AccountConfig:
        return replace(account, password_env=self.env, password_command=self.command,
                       password_keyring=self.keyring, password=self.password)


def keyring_available() -> bool:
    try:
        keyring_module()
    except ConfigError:
        return False
    return True


def keyring_entry_for(account: AccountConfig) -> str:
    return f"{KEYRING_SERVICE}/{account.username}"


def try_login(term: Terminal, account: AccountConfig, login: Login, typed: bool) -> str | None:
    """Log in as `followup check` does. With `typed`, ask the password (hidden) and ask again when the
    server refuses it; return the password that worked. Without, the account's own source is tested."""
    for attempt in range(TRIES):
        password = None
        if typed:
            password = term.secret(PASSWORD_PROMPT)
            if not password:
                raise ConfigError("no password given", "type it at the prompt, or pass --password-env VAR or "
                                                       "--password-command CMD")
        term.say(f"Logging in to {account.host}:{account.port} ({account.security}) as {account.username}…")
        try:
            lines = login(Source(password=password).on(account) if typed else account)
        except AuthError as e:
            if not typed or attempt == TRIES - 1:
                raise
            term.say(f"{e.message}. Try again.")
            continue
        term.say("The login works.")
        for line in lines:
            term.say(line)
        return password
    raise AssertionError("unreachable")


def choose(term: Terminal, account: AccountConfig, password: str) -> Source:
    """Ask where to keep a password that worked, and put it there (keyring) or check it comes back (command)."""
    has_keyring = keyring_available()
    if not has_keyring:
        term.say("The system keyring needs the keyring package: pip install 'followup-assistant[keyring]'.")
    choices = ("keyring", "command", "env") if has_keyring else ("command", "env")

    def parse(answer: str) -> str:
        if answer.lower() not in choices:
            raise ConfigError(f"{answer!r} is not one of {', '.join(choices)}")
        return answer.lower()

    where = ask_valid(term, WHERE_PROMPT if has_keyring else "Where should Followup find the password? "
                      "command or env", choices[0], parse)
    if where == "keyring":
        return store_in_keyring(account, password)
    if where == "command":
        return _command(term, account, password)
    return Source(env=ask_valid(term, "Environment variable", default_env(account.name), env_var))


def store_in_keyring(account: AccountConfig, password: str) -> Source:
    keyring = keyring_module()
    entry = keyring_entry_for(account)
    try:
        keyring.set_password(KEYRING_SERVICE, account.username, password)
    except keyring.errors.KeyringError as e:
        raise ConfigError(f"the system keyring refused to store the password: {e}",
                          "unlock it (see `keyring --list-backends`), or choose command or env") from e
    return Source(keyring=entry)


def _command(term: Terminal, account: AccountConfig, password: str) -> Source:
    for line in COMMAND_EXAMPLES:
        term.say(line.format(name=account.name, user=account.username))
    for attempt in range(TRIES):
        command = term.ask("Password command", None).strip()
        if not command:
            raise ConfigError("no password command given", "pass --password-command CMD, or choose env")
        source = Source(command=command)
        try:
            same = resolve_secret(source.on(account)) == password
        except FollowupError as e:
            if attempt == TRIES - 1:
                raise
            term.say(f"{e.message}" + (f" ({e.hint})" if e.hint else ""))
            continue
        if same:
            return source
        if attempt == TRIES - 1:
            raise ConfigError("the password command prints something other than the password that worked",
                              "store the password where the command reads it, then run init again")
        term.say("That command prints something other than the password that worked; try another.")
    raise AssertionError("unreachable")


def default_env(name: str) -> str:
    return "FOLLOWUP_" + (re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_") or "MAIL") + "_PASSWORD"


def env_var(name: str) -> str:
    if not ENV_VAR.fullmatch(name):
        raise ConfigError(f"password variable {name!r} is not a valid environment variable name",
                          "use letters, digits and '_', e.g. FOLLOWUP_WORK_PASSWORD")
    return name


def ask_valid(term: Terminal, prompt: str, default: str | None, parse: Callable[[str], T]) -> T:
    """Ask until the answer parses; after three wrong answers the last error stands."""
    for attempt in range(TRIES):
        answer = term.ask(prompt, default).strip() or (default or "")
        try:
            return parse(answer)
        except ConfigError as e:
            if attempt == TRIES - 1:
                raise
            term.say(f"{e.message}" + (f" ({e.hint})" if e.hint else ""))
    raise AssertionError("unreachable")

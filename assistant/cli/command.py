"""What every command module shares: the context a command runs in, and how it declares itself and its arguments.

A command is one function taking a `Context` and returning the exit code; its docstring is its help, and
`@group.command(name, *args)` right above it names it and declares its arguments, so adding a command means
editing one place.

Command modules import the store, the service, drafts and reports inside the commands that use them: the
registry is read for `--help` and completion without SQLAlchemy or Jinja2 (tests/unit/test_startup.py).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.clock import Clock
from assistant.config import Config
from assistant.errors import ConfigError

if TYPE_CHECKING:
    from assistant.store.repo import Store


@dataclass
class Context:
    args: argparse.Namespace
    config: Config
    clock: Clock

    def store(self) -> Store:
        from assistant.store.repo import Store  # SQLAlchemy: only for the commands that open the store

        if self.config.path is None:  # no config file: nothing was ever tracked, and no database is made for it
            from assistant.config import default_config_path

            raise ConfigError(f"no config file ({default_config_path()}): nothing is set up yet",
                              "write one with `followup init`, or try `followup demo`")
        return Store.open(self.config.database.url)

    def accounts(self) -> list[Any]:
        if not self.config.accounts:
            where = self.config.path or "the config file"
            raise ConfigError(f"no [[accounts]] in {where}",
                              "write one with `followup init` (`followup init --example` shows every setting)")
        if getattr(self.args, "account", None):
            return [self.config.account(self.args.account)]
        return list(self.config.accounts)


Run = Callable[[Context], int]


@dataclass(frozen=True)
class Arg:
    """One `add_argument` call, kept as data so that `completion` can read the option strings back."""

    flags: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)
    exclusive: str | None = None  # arguments naming the same group exclude each other

    def add_to(self, parser: argparse.ArgumentParser, groups: dict[str, Any]) -> None:
        # Any: argparse names its group type only privately (_MutuallyExclusiveGroup)
        target: Any = parser
        if self.exclusive:
            if self.exclusive not in groups:
                groups[self.exclusive] = parser.add_mutually_exclusive_group()
            target = groups[self.exclusive]
        target.add_argument(*self.flags, **self.options)

    @property
    def option_strings(self) -> list[str]:
        return [f for f in self.flags if f.startswith("-")]


def arg(*flags: str, exclusive: str | None = None, **options: Any) -> Arg:
    """Declare an argument with `argparse.ArgumentParser.add_argument`'s own parameters."""
    return Arg(flags, options, exclusive)


def add_arguments(parser: argparse.ArgumentParser, args: tuple[Arg, ...]) -> None:
    groups: dict[str, Any] = {}
    for a in args:
        a.add_to(parser, groups)


JSON = arg("--json", action="store_true", help="print JSON for scripts")
ACCOUNT = arg("--account", metavar="NAME", help="only this account")


@dataclass(frozen=True)
class Command:
    name: str
    run: Run
    args: tuple[Arg, ...]
    needs_config: bool = True  # False: runs without a config file, e.g. `init`, which writes one
    daemon: bool = False  # runs until stopped: its log lines at INFO, with timestamps, are its output

    @property
    def option_strings(self) -> list[str]:
        return [o for a in self.args for o in a.option_strings]


class Group:
    """The commands of one module, in the order they are declared: the order `followup --help` lists them."""

    def __init__(self) -> None:
        self.commands: list[Command] = []

    def command(self, name: str, *args: Arg, needs_config: bool = True, daemon: bool = False) -> Callable[[Run], Run]:
        def register(run: Run) -> Run:
            self.commands.append(Command(name, run, args, needs_config, daemon))
            return run
        return register

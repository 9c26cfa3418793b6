"""The command line: parse, call the command, turn errors into messages and exit codes.

Each command lives in the module of its group, its arguments declared beside it; this module only
gathers them, adds the global options, and runs the one asked for.
"""

from __future__ import annotations

import argparse
import inspect
import json
import logging
import sys
from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path

from assistant import __version__
from assistant.cli import explain, items, mail, report, run, setup
from assistant.cli.command import Command, Context, add_arguments, arg
from assistant.cli.output import show_error
from assistant.clock import Clock, FixedClock, SystemClock, parse_instant
from assistant.config import load_config, parse_config
from assistant.errors import ConfigError, FollowupError

# in the order `followup --help` lists them
COMMANDS: dict[str, Command] = {c.name: c for g in (mail.group, items.group, explain.group, report.group,
                                                     run.group, setup.group) for c in g.commands}

GLOBAL_ARGS = (
    arg("--version", action="version", version=f"followup {__version__}"),
    arg("--config", type=Path, metavar="PATH", help="config file to use"),
    arg("--now", metavar="ISO8601", help="pretend the current time is this (e.g. 2026-11-23T09:00, in your "
        "configured time zone unless an offset is given)"),
    arg("-v", "--verbose", action="count", default=0, help="more logging; tracebacks on errors"),
    arg("-q", "--quiet", action="store_true", help="print errors only"),
    arg("--log-format", choices=("text", "json"), default="text",
        help="log lines on stderr as text (default) or one JSON object per line"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="followup",
        description="Followup watches your mailbox over IMAP, finds sent mail that still awaits a reply, "
                    "and drafts the follow-up into your Drafts folder. It never sends mail.",
        epilog="Config: $FOLLOWUP_CONFIG or ~/.config/followup/config.toml (`followup init` writes it; "
               "`followup init --example` shows every setting).")
    add_arguments(parser, GLOBAL_ARGS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS.values():
        doc = inspect.cleandoc(command.run.__doc__ or "")
        p = sub.add_parser(command.name, help=summary(doc), description=doc,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        add_arguments(p, command.args)
    return parser


def summary(doc: str) -> str:
    """A command's line in `followup --help`: its docstring's first paragraph, whole (never cut mid-sentence)."""
    return " ".join(doc.split("\n\n")[0].split())


class ZonedFormatter(logging.Formatter):
    """Times in ISO 8601 with their UTC offset, in the configured time zone once the config is read:
    the moments `status` shows, so the log and `status` agree."""

    zone: tzinfo | None = None  # None: the machine's zone, until the config names one

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        return datetime.fromtimestamp(record.created).astimezone(self.zone).isoformat(timespec="milliseconds")


class JsonFormatter(ZonedFormatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record),
                 "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _setup_logging(verbose: int, quiet: bool, log_format: str = "text", daemon: bool = False) -> None:
    # the daemon logs each event at INFO: that is its output
    base = logging.INFO if daemon else logging.WARNING
    level = logging.ERROR if quiet else [base, logging.INFO, logging.DEBUG][min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else
                         ZonedFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s" if daemon
                                        else "%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if verbose < 2:
        logging.getLogger("imapclient").setLevel(logging.WARNING)  # its DEBUG shows protocol lines


def _context(args: argparse.Namespace, command: Command) -> Context:
    # `init` writes the config: a missing or broken one must not stop it
    config = load_config(args.config) if command.needs_config else parse_config("", None)
    try:
        clock: Clock = FixedClock(parse_instant(args.now, config.tz)) if args.now else SystemClock()
    except ValueError as e:
        raise ConfigError(f"--now: not an ISO 8601 time: {args.now!r}", "e.g. 2026-11-23T09:00:00+01:00") from e
    return Context(args=args, config=config, clock=clock)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    command = COMMANDS[args.command]
    _setup_logging(args.verbose, args.quiet, args.log_format, command.daemon)
    try:
        ctx = _context(args, command)
        for handler in logging.getLogger().handlers:
            if isinstance(handler.formatter, ZonedFormatter):
                handler.formatter.zone = ctx.config.tz
        return command.run(ctx)
    except FollowupError as e:
        show_error(e, args.verbose)
        if args.verbose:
            import traceback

            traceback.print_exception(e, file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130

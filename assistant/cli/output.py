"""How commands write: lines on stdout, errors on stderr with their hint, moments in the user's time zone."""

from __future__ import annotations

import logging
import os
import sys
from datetime import datetime

from assistant.cli.command import Context
from assistant.errors import FollowupError

log = logging.getLogger("assistant")


def out(text: str = "") -> None:
    print(text, flush=True)


def show_error(error: FollowupError, verbose: int) -> None:
    # colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)
    red = sys.stderr.isatty() and not os.environ.get("NO_COLOR")
    label = "\033[31merror:\033[0m" if red else "error:"
    print(f"{label} {error.message}", file=sys.stderr)
    if error.hint:
        print(f"  hint: {error.hint}", file=sys.stderr)
    if verbose:
        log.debug("details", exc_info=error)


def local(ctx: Context, moment: datetime | None, year: bool = False) -> str:
    """A moment in the user's zone: "Mon Dec 7 09:00" (with `year`: "Mon Dec 7 2026 09:00")."""
    return moment.astimezone(ctx.config.tz).strftime("%a %b %-d %Y %H:%M" if year else "%a %b %-d %H:%M") \
        if moment else "-"


def iso(ctx: Context, moment: datetime | None) -> str | None:
    return moment.astimezone(ctx.config.tz).isoformat() if moment else None


def parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None

"""`followup report`: the weekly report, rendered on demand or delivered."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.cli.command import ACCOUNT, Context, Group, arg
from assistant.cli.output import out
from assistant.errors import ConfigError, FollowupError

group = Group()


@group.command("report", ACCOUNT,
               arg("--output", type=Path, metavar="FILE", help="write to FILE instead of stdout"),
               arg("--format", choices=("html", "text", "json"),
                   help="default: from --output's extension (.json, .html, .txt), else text"),
               arg("--deliver", action="store_true", help="deliver it now as [report] deliver says"))
def cmd_report(ctx: Context) -> int:
    """The weekly report: what awaits a reply, promises due, mail waiting on you, drafts, bounces, stats.

    Renders now (with --now, for that week) to stdout or --output, in the format its extension names
    unless --format says otherwise. --deliver delivers it instead, as configured in [report] deliver
    (into INBOX by default), once per week; `followup poll` does that by itself after the configured
    day and time.

    example: followup report --output week.html
    """
    from assistant import service
    from assistant.report import deliver as weekly
    from assistant.report.build import week_start
    from assistant.report.render import render_html, render_text
    from assistant.store.items import FollowupStore

    accounts = ctx.accounts()
    if len(accounts) > 1:
        raise ConfigError("several accounts are configured: choose one with --account NAME")
    account, now = accounts[0], ctx.clock.now()
    if ctx.args.deliver and ctx.config.report.deliver == "none":
        out('not delivered: delivery is off ([report] deliver = "none"; set it to "inbox" or "file:PATH")')
        return 0
    store = ctx.store()
    try:
        followups = FollowupStore(store)
        calendar = service.calendar_for(ctx.config)
        if ctx.args.deliver:
            # forced: the day and time do not matter, only whether this week's went out already
            where = service.deliver_report(ctx.config, account, store, ctx.clock, calendar, force=True)
            week_of = week_start(now, calendar).date().isoformat()
            out(f"delivered to {where}" if where else
                f"not delivered: already delivered this week (week of {week_of}); a week's report goes out once")
            return 0
        report = weekly.build(ctx.config, account, followups, calendar, now)
    finally:
        store.close()
    fmt = ctx.args.format or format_for(ctx.args.output)
    text = {"html": lambda: render_html(report, ctx.config.followup.template_dir),
            "text": lambda: render_text(report, ctx.config.followup.template_dir),
            "json": lambda: json.dumps(report.as_json(), indent=2, ensure_ascii=False)}[fmt]()
    _write(ctx.args.output, text)
    return 0


FORMATS = {".json": "json", ".html": "html", ".htm": "html", ".txt": "text", ".text": "text"}


def format_for(output: Path | None) -> str:
    """The format an --output file's extension names; text for stdout and for any other name."""
    return FORMATS.get(Path(output).suffix.lower(), "text") if output else "text"


def _write(output: Path | None, text: str) -> None:
    if not output:
        out(text.rstrip("\n"))
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as e:
        raise FollowupError(f"--output: cannot write {output}: {e.strerror}") from e
    out(str(output))

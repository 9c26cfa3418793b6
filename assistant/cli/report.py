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
               arg("--format", choices=("html", "text", "json"), help="default: text (html for *.html)"),
               arg("--deliver", action="store_true", help="deliver it now as [report] deliver says"))
def cmd_report(ctx: Context) -> int:
    """The weekly report: what awaits a reply, promises due, mail waiting on you, drafts, bounces, stats.

    Renders now (with --now, for that week) to stdout or --output. --deliver also delivers it as
    configured in [report] deliver (into INBOX by default), once per week; `followup poll` does that by
    itself after the configured day and time.

    example: followup report --format html --output week.html
    """
    from assistant import service
    from assistant.report import deliver as weekly
    from assistant.report.render import render_html, render_text
    from assistant.store.items import FollowupStore

    accounts = ctx.accounts()
    if len(accounts) > 1:
        raise ConfigError("several accounts are configured: choose one with --account NAME")
    account, now = accounts[0], ctx.clock.now()
    store = ctx.store()
    try:
        followups = FollowupStore(store)
        calendar = service.calendar_for(ctx.config)
        report = weekly.build(ctx.config, account, followups, calendar, now)
        if ctx.args.deliver:
            where = service.deliver_report(ctx.config, account, store, ctx.clock, calendar, force=True)
            out(f"delivered to {where}" if where else "already delivered this week (or [report] deliver = \"none\")")
            return 0
    finally:
        store.close()
    fmt = ctx.args.format or ("html" if ctx.args.output and str(ctx.args.output).endswith(".html") else "text")
    text = {"html": lambda: render_html(report, ctx.config.followup.template_dir),
            "text": lambda: render_text(report, ctx.config.followup.template_dir),
            "json": lambda: json.dumps(report.as_json(), indent=2, ensure_ascii=False)}[fmt]()
    _write(ctx.args.output, text)
    return 0


def _write(output: Path | None, text: str) -> None:
    if not output:
        out(text.rstrip("\n"))
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as e:
        raise FollowupError(f"--output: cannot write {output}: {e.strerror}") from e
    out(str(output))

"""The daemon's commands: run it, and ask how it is doing (status)."""

from __future__ import annotations

import json
import logging
from typing import Any

from assistant import __version__
from assistant.cli.command import ACCOUNT, JSON, Context, Group, arg
from assistant.cli.output import iso, local, out, parse_iso
from assistant.clock import Clock, ShiftedClock
from assistant.errors import ConfigError

log = logging.getLogger("assistant")  # the logger name users have always seen on these lines

group = Group()


@group.command("run", arg("--worker", action="store_true", help="share the accounts with other workers (PostgreSQL)"),
               daemon=True)
def cmd_run(ctx: Context) -> int:
    """Run until stopped: keep every account polled, react to new mail within seconds (IMAP IDLE),
    draft on time and deliver the weekly report. SIGTERM or Ctrl-C finish the current step and exit 0.

    With --now the clock starts at that moment and runs forward. With --worker (PostgreSQL) several
    `followup run --worker` processes share the accounts, each account leased by one at a time.

    example: followup run --log-format json
    """
    import signal
    import threading

    from assistant import daemon

    ctx.accounts()  # a clear error when none are configured
    if ctx.args.worker and not ctx.config.database.url.startswith("postgresql"):
        raise ConfigError("--worker shares accounts through PostgreSQL: set [database] url to postgresql+psycopg://…",
                          "on one machine, plain `followup run` is enough")
    clock: Clock = ShiftedClock(ctx.clock.now()) if ctx.args.now else ctx.clock
    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        log.info("%s received: finishing the current step", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    store = ctx.store()
    try:
        log.info("followup %s running %d account(s)", __version__, len(ctx.config.accounts))
        daemon.run(ctx.config, store, clock, stop, lease=ctx.args.worker)
    finally:
        store.close()
    log.info("stopped")
    return 0


@group.command("status", JSON, ACCOUNT)
def cmd_status(ctx: Context) -> int:
    """Show, per account: the daemon's state, last successful sync, next work, last error, and counts.

    example: followup status --json
    """
    from assistant.store.status import StatusStore

    names = [a.name for a in ctx.accounts()]
    store = ctx.store()
    try:
        rows = StatusStore(store).rows(names)
    finally:
        store.close()
    items: list[dict[str, Any]] = [
        {"account": r.account, "state": r.state, "last_success_at": iso(ctx, r.last_success_at),
         "next_run_at": iso(ctx, r.next_run_at), "last_error": r.last_error,
         "last_error_at": iso(ctx, r.last_error_at), "worker": r.worker, "tracked": r.open_items,
         "drafts_waiting": r.drafts_waiting} for r in rows]
    if ctx.args.json:
        out(json.dumps(items, indent=2))
        return 0
    for i in items:
        out(f"{i['account']}: {i['state']}, last sync {local(ctx, parse_iso(i['last_success_at']))}, "
            f"next {local(ctx, parse_iso(i['next_run_at']))}, {i['tracked']} tracked, "
            f"{i['drafts_waiting']} draft(s) waiting" + (f"\n  last error: {i['last_error']}" if i["last_error"] else ""))
    return 0

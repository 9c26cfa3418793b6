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
    stop, poke = threading.Event(), threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        log.info("%s received: finishing the current step", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGUSR1, lambda _signum, _frame: poke.set())  # `followup poll` asks: look for requests
    store = ctx.store()
    try:
        log.info("followup %s running %d account(s)", __version__, len(ctx.config.accounts))
        daemon.run(ctx.config, store, clock, stop, lease=ctx.args.worker, poke=poke)
    finally:
        store.close()
    log.info("stopped")
    return 0


@group.command("status", JSON, ACCOUNT)
def cmd_status(ctx: Context) -> int:
    """Show, per account: whether a daemon is running (live heartbeat), stopped or dead; the last sync and
    poll by any command (when, which, outcome, what it did); the next work; the last error; and counts.

    `next` is never in the past: "now" while work is due, "-" when no daemon runs.

    example: followup status --json
    """
    from assistant.store.status import StatusStore

    names = [a.name for a in ctx.accounts()]
    store = ctx.store()
    try:
        rows = StatusStore(store).rows(names)
    finally:
        store.close()
    now = ctx.clock.now()
    items: list[dict[str, Any]] = [
        {"account": r.account, "state": r.state, "last_success_at": iso(ctx, r.last_success_at),
         "next_run_at": iso(ctx, max(r.next_run_at, now) if r.live and r.next_run_at else None),
         "last_error": r.last_error, "last_error_at": iso(ctx, r.last_error_at), "worker": r.worker,
         "tracked": r.open_items, "drafts_waiting": r.drafts_waiting,
         "heartbeat_at": iso(ctx, r.heartbeat_at), "daemon_pid": r.daemon_pid, "daemon_host": r.daemon_host,
         "last_sync": _last_run(ctx, r.last_sync), "last_poll": _last_run(ctx, r.last_poll)} for r in rows]
    if ctx.args.json:
        out(json.dumps(items, indent=2))
        return 0
    for i in items:
        nxt = parse_iso(i["next_run_at"])
        out(f"{i['account']}: {_state_line(ctx, i)}, last sync {local(ctx, parse_iso(i['last_success_at']))}, "
            f"next {'now' if nxt and nxt <= now else local(ctx, nxt)}, {i['tracked']} tracked, "
            f"{i['drafts_waiting']} draft(s) waiting")
        for kind in ("last_poll", "last_sync"):
            if run := i[kind]:
                out(f"  {kind.replace('_', ' ')}: {local(ctx, parse_iso(run['at']))} by {run['command']}: "
                    f"{run['outcome']}" + (f" ({run['summary']})" if run["summary"] else ""))
        if i["last_error"]:
            out(f"  last error: {i['last_error']}")
    return 0


def _state_line(ctx: Context, item: dict[str, Any]) -> str:
    if item["daemon_pid"] is None or item["state"] in ("never run", "not running"):
        return str(item["state"])
    from datetime import UTC, datetime

    beat = parse_iso(item["heartbeat_at"])
    ago = f"last heartbeat {(datetime.now(UTC) - beat).total_seconds():.0f} s ago" if beat else "no heartbeat"
    return f"{item['state']} (pid {item['daemon_pid']} on {item['daemon_host']}, {ago})"


def _last_run(ctx: Context, run: Any) -> dict[str, Any] | None:
    return None if run is None else {"at": iso(ctx, run.at), "command": run.command, "outcome": run.outcome,
                                     "summary": run.summary}

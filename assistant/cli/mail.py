"""The commands that talk to the mailbox: check, sync and poll."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from assistant.cli.command import ACCOUNT, JSON, Context, Group, arg
from assistant.cli.output import local, out, parse_iso, show_error
from assistant.config import AccountConfig
from assistant.errors import FollowupError
from assistant.progress import progress_for

if TYPE_CHECKING:
    from assistant import service
    from assistant.mailbox.sync import FolderSummary
    from assistant.store.repo import Store

group = Group()


@group.command("check", JSON, ACCOUNT)
def cmd_check(ctx: Context) -> int:
    """Validate the config, connect to each account, and show its folders and server capabilities.

    Exits 1 if any account fails, printing one sentence per problem.

    example: followup check --account work
    """
    from assistant import service

    failures, results = 0, []
    for account in ctx.accounts():
        try:
            result = service.check_account(account)
        except FollowupError as e:
            failures += 1
            show_error(e, ctx.args.verbose)
            results.append({"account": account.name, "ok": False, "error": e.message, "hint": e.hint})
            continue
        results.append({"account": account.name, "ok": True,
                        "folders": result.folders.by_role(), "found_by": result.folders.found_by,
                        "capabilities": result.capabilities})
        if not ctx.args.json:
            _print_check(account, result)
    if ctx.args.json:
        out(json.dumps(results, indent=2))
    return 1 if failures else 0


def _print_check(account: AccountConfig, result: service.CheckResult) -> None:
    for line in check_lines(account, result):
        out(line)


def check_lines(account: AccountConfig, result: service.CheckResult) -> list[str]:
    """What `check` prints for an account that works (and `init` after testing a login)."""
    return [f"{account.name}: ok ({account.username} at {account.host}:{account.port}, {account.security})",
            *(f"  {role:<7} {name}  (found by {result.folders.found_by[role]})"
              for role, name in result.folders.by_role().items()),
            f"  server: {' '.join(result.capabilities)}"]


@group.command("sync", JSON, ACCOUNT)
def cmd_sync(ctx: Context) -> int:
    """Mirror new mail of INBOX, Sent and Drafts into the store (incremental), then rebuild threads.

    Prints one line per folder: new, changed and gone messages, and any skipped with the reason.

    example: followup sync --json
    """
    from assistant import service
    from assistant.store.locks import BusyError
    from assistant.store.status import StatusStore

    progress = progress_for(sys.stderr, ctx.args.quiet or ctx.args.json)
    failures, report = 0, []
    store = ctx.store()
    try:
        for account in ctx.accounts():
            try:
                result = service.sync_account(ctx.config, account, store, ctx.clock, progress)
            except FollowupError as e:
                failures += 1
                show_error(e, ctx.args.verbose)
                report.append({"account": account.name, "error": e.message})
                if not isinstance(e, BusyError):  # nothing was tried: the last sync stands
                    StatusStore(store).record(account.name, "sync", ctx.clock.now(), "sync", error=str(e))
                continue
            failed = [f"{f.name}: {f.error}" for f in result.folders if f.error]
            StatusStore(store).record(account.name, "sync", ctx.clock.now(), "sync", result.summary(),
                                      error=failed[0] if failed else None)
            failures += len(failed)
            report.append(_sync_json(result))
            if not ctx.args.json and not ctx.args.quiet:
                for f in result.folders:
                    out(_folder_line(account.name, f))
    finally:
        store.close()
    if ctx.args.json:
        out(json.dumps(report, indent=2))
    return 1 if failures else 0


def _folder_line(account: str, f: FolderSummary) -> str:
    if f.error:
        return f"{account}/{f.name}: failed: {f.error}"
    parts = [f"{f.new} new", f"{f.changed} changed", f"{f.expunged} gone"]
    if f.duplicates:
        parts.append(f"{f.duplicates} duplicate")
    if f.resynced:
        parts.append(f"resynced (UIDVALIDITY changed, {f.rematched} re-matched)")
    line = f"{account}/{f.name}: " + ", ".join(parts)
    if f.skipped:
        line += f", {len(f.skipped)} skipped (" + "; ".join(f"UID {u}: {why}" for u, why in f.skipped[:3]) + ")"
    return line


def _sync_json(result: service.SyncResult) -> dict[str, Any]:
    return {"account": result.account, "imap_commands": result.imap_commands,
            "threads_changed": result.threads_changed,
            "folders": [{"role": f.role, "name": f.name, "new": f.new, "changed": f.changed,
                         "expunged": f.expunged, "duplicates": f.duplicates, "resynced": f.resynced,
                         "rematched": f.rematched, "error": f.error,
                         "skipped": [{"uid": u, "reason": why} for u, why in f.skipped]}
                        for f in result.folders]}


@group.command("poll", JSON, ACCOUNT,
               arg("--dry-run", action="store_true", help="show what would change in Drafts; change nothing"))
def cmd_poll(ctx: Context) -> int:
    """One cycle: sync, find what awaits a reply, create the follow-up drafts that are due, clean up.

    Prints one line per action (drafted, removed, sent, dismissed). Nothing is ever sent: drafts
    appear in your Drafts folder for you to review. --dry-run shows what would change in Drafts.

    example: followup poll --dry-run
    """
    failures, report = 0, []
    store = ctx.store()
    try:
        for account in ctx.accounts():
            try:
                answer = _poll_one(ctx, account, store)
            except FollowupError as e:
                failures += 1
                show_error(e, ctx.args.verbose)
                continue
            failures += len(answer["failed_folders"])
            report.append(answer)
            if not ctx.args.json and not ctx.args.quiet:
                _print_poll(ctx, answer)
    finally:
        store.close()
    if ctx.args.json:
        out(json.dumps(report, indent=2))
    return 1 if failures else 0


def _poll_one(ctx: Context, account: AccountConfig, store: Store) -> dict[str, Any]:
    """Poll here, or, while `followup run` holds the account, have it poll now (at its own time: --now
    is not carried, a running daemon keeps one clock) and answer."""
    from assistant import daemon, service
    from assistant.store.locks import BusyError
    from assistant.store.status import StatusStore

    command = "poll --dry-run" if ctx.args.dry_run else "poll"
    if daemon.holder(store, account.name) is None:
        try:
            result = service.poll_account(ctx.config, account, store, ctx.clock, ctx.args.dry_run,
                                          progress_for(sys.stderr, ctx.args.quiet or ctx.args.json))
        except BusyError:
            if daemon.holder(store, account.name) is None:
                raise  # another one-shot command: nothing to ask
        except FollowupError as e:
            StatusStore(store).record(account.name, "sync", ctx.clock.now(), command, error=str(e))
            if not ctx.args.dry_run:
                StatusStore(store).record(account.name, "poll", ctx.clock.now(), command, error=str(e))
            raise
        else:
            StatusStore(store).record(account.name, "sync", ctx.clock.now(), command, result.sync.summary())
            if not ctx.args.dry_run:  # a dry run did only the sync part
                StatusStore(store).record(account.name, "poll", ctx.clock.now(), command, result.summary())
            return {**result.as_json(), "via_daemon": None}
    row = daemon.holder(store, account.name)
    who = f"pid {row.daemon_pid} on {row.daemon_host}" if row else "the daemon"
    if not ctx.args.quiet:
        print(f"{account.name}: `followup run` ({who}) holds the account: asking it to poll now", file=sys.stderr)
    answer = daemon.ask_to_poll(store, account.name, ctx.args.dry_run)
    if "error" in answer:
        raise FollowupError(f"{answer['error']} (polled by the running daemon, {who})", answer.get("hint"))
    return {**answer, "via_daemon": who}


def _print_poll(ctx: Context, answer: dict[str, Any]) -> None:
    account = answer["account"]
    for a in answer["actions"]:
        # --dry-run: an item not saved yet has no id (JSON null)
        ident = f"#{a['id']}" if a["id"] else "(new)"
        out(f"{account}: {a['action']:<12} {ident} {a['subject']!r}: {a['detail']}")
    if not answer["actions"]:
        due = parse_iso(answer["next_due"])
        when = f", next due {local(ctx, due)}" if due and due > ctx.clock.now() else ""  # never a past date
        out(f"{account}: nothing to do ({answer['waiting']} awaiting a reply{when})")


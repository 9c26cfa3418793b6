"""The commands that talk to the mailbox: check, sync and poll."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from assistant.cli.command import ACCOUNT, JSON, Context, Group, arg
from assistant.cli.output import local, out, show_error
from assistant.config import AccountConfig
from assistant.errors import FollowupError
from assistant.progress import progress_for

if TYPE_CHECKING:
    from assistant import service
    from assistant.mailbox.sync import FolderSummary

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
                continue
            failures += sum(1 for f in result.folders if f.error)
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
    from assistant import service

    failures, report = 0, []
    store = ctx.store()
    try:
        for account in ctx.accounts():
            try:
                result = service.poll_account(ctx.config, account, store, ctx.clock, ctx.args.dry_run,
                                              progress_for(sys.stderr, ctx.args.quiet or ctx.args.json))
            except FollowupError as e:
                failures += 1
                show_error(e, ctx.args.verbose)
                continue
            failures += sum(1 for f in result.sync.folders if f.error)
            report.append({"account": account.name, "actions": [
                {"action": a.kind, "id": a.followup_id or None, "subject": a.subject, "detail": a.detail}
                for a in result.actions]})
            if not ctx.args.json and not ctx.args.quiet:
                _print_poll(ctx, account.name, result)
    finally:
        store.close()
    if ctx.args.json:
        out(json.dumps(report, indent=2))
    return 1 if failures else 0


def _print_poll(ctx: Context, account: str, result: service.PollResult) -> None:
    for a in result.actions:
        # --dry-run: an item not saved yet has no id (JSON null)
        out(f"{account}: {a.kind:<12} {f'#{a.followup_id}' if a.followup_id else '(new)'} {a.subject!r}: {a.detail}")
    if not result.actions:
        when = f", next due {local(ctx, result.next_due)}" if result.next_due else ""
        out(f"{account}: nothing to do ({result.waiting} awaiting a reply{when})")

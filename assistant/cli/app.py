"""The command line: parse, call the service, print text or --json, turn errors into messages and exit codes."""

from __future__ import annotations

import argparse
import inspect
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant import __version__, service
from assistant.clock import Clock, FixedClock, ShiftedClock, SystemClock, parse_instant
from assistant.config import Config, default_config_path, load_config, parse_config
from assistant.errors import ConfigError, FollowupError
from assistant.mailbox.sync import FolderSummary
from assistant.model import OPEN
from assistant.progress import progress_for
from assistant.store.items import FollowupStore
from assistant.store.repo import Store

log = logging.getLogger("assistant")


@dataclass
class Context:
    args: argparse.Namespace
    config: Config
    clock: Clock

    def store(self) -> Store:
        return Store.open(self.config.database.url)

    def accounts(self) -> list[Any]:
        if not self.config.accounts:
            where = self.config.path or "the config file"
            raise ConfigError(f"no [[accounts]] in {where}",
                              "copy config.example.toml to ~/.config/followup/config.toml and fill it in")
        if getattr(self.args, "account", None):
            return [self.config.account(self.args.account)]
        return list(self.config.accounts)


def out(text: str = "") -> None:
    print(text, flush=True)


def cmd_check(ctx: Context) -> int:
    """Validate the config, connect to each account, and show its folders and server capabilities.

    Exits 1 if any account fails, printing one sentence per problem.

    example: followup check --account work
    """
    failures, results = 0, []
    for account in ctx.accounts():
        try:
            result = service.check_account(account)
        except FollowupError as e:
            failures += 1
            _report(e, ctx.args.verbose)
            results.append({"account": account.name, "ok": False, "error": e.message, "hint": e.hint})
            continue
        results.append({"account": account.name, "ok": True,
                        "folders": result.folders.by_role(), "found_by": result.folders.found_by,
                        "capabilities": result.capabilities})
        if not ctx.args.json:
            out(f"{account.name}: ok ({account.username} at {account.host}:{account.port}, {account.security})")
            for role, name in result.folders.by_role().items():
                out(f"  {role:<7} {name}  (found by {result.folders.found_by[role]})")
            out(f"  server: {' '.join(result.capabilities)}")
    if ctx.args.json:
        out(json.dumps(results, indent=2))
    return 1 if failures else 0


def cmd_sync(ctx: Context) -> int:
    """Mirror new mail of INBOX, Sent and Drafts into the store (incremental), then rebuild threads.

    Prints one line per folder: new, changed and gone messages, and any skipped with the reason.

    example: followup sync --json
    """
    progress = progress_for(sys.stderr, ctx.args.quiet or ctx.args.json)
    failures, report = 0, []
    store = ctx.store()
    try:
        for account in ctx.accounts():
            try:
                result = service.sync_account(ctx.config, account, store, ctx.clock, progress)
            except FollowupError as e:
                failures += 1
                _report(e, ctx.args.verbose)
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


def cmd_demo(ctx: Context) -> int:
    """See Followup at work in seconds, with no config and no network.

    Starts an embedded IMAP server (pymap) on loopback, fills a mailbox with a realistic week (questions
    answered and not, an out-of-office, a bounce, promises made and received, a mailing list, a
    complaint), then runs the real pipeline through the week with time travel: what is tracked and why,
    the drafts that appear in Drafts, the ones that vanish when replies come, and the weekly report.
    --keep leaves the server running so you can open the demo mailbox in your own mail client.

    example: followup demo --keep
    """
    import email
    from email.policy import default as default_policy

    from assistant.demo import PASSWORD, USER, run_demo

    now = ctx.clock.now()
    with run_demo(now, keep=ctx.args.keep) as run:
        if ctx.args.json:
            out(json.dumps({
                "server": f"{run.server.host}:{run.server.port}",
                "days": [{"at": _iso(ctx, d.at), "actions": [{"action": a.kind, "subject": a.subject,
                                                               "detail": a.detail} for a in d.actions]}
                         for d in run.days],
                "items": [{"kind": f.kind, "state": f.state, "subject": f.subject, "reason": f.reason}
                          for f in run.items],
                "drafts": len(run.drafts), "report": str(run.report_path)}, indent=2))
        else:
            out(f"An IMAP server (pymap) is running on {run.server.host}:{run.server.port} with the mailbox "
                f"{USER}:\na week of mail, polled every morning and evening as `followup run` would.\n")
            for day in run.days:
                out(f"{day.at.astimezone(ctx.config.tz if ctx.config.path else run.config.tz):%a %b %-d %H:%M}")
                for a in day.actions:
                    out(f"  {a.kind:<9} {a.subject!r}: {a.detail}")
            out("\nWhat Followup tracks, and why:")
            for f in run.items:
                out(f"  {f.kind:<14} {f.state:<9} {f.subject[:32]:<32} {f.reason[:70]}")
            out(f"\nIn the Drafts folder now ({len(run.drafts)}), for Dana to review and send:")
            for raw in run.drafts:
                msg = email.message_from_bytes(raw, policy=default_policy)
                body = str(msg.get_body(("plain",)).get_content()).replace("\r\n", "\n")  # type: ignore[union-attr]
                out(f"  ┌ To: {msg['To']}\n  │ Subject: {msg['Subject']}")
                for line in body.split("\n\nOn ")[0].strip().splitlines():
                    out(f"  │ {line}")
                out("  └")
            out(f"\nThe weekly report: {run.report_path}")
            out("\nTo try it on your own mailbox, run `followup init`, or put these lines in "
                "~/.config/followup/config.toml:\n"
                '  [[accounts]]\n  host = "imap.example.com"\n  username = "you@example.com"\n'
                '  password_env = "FOLLOWUP_PASSWORD"')
        if ctx.args.keep:
            out(f"\nThe demo server keeps running: IMAP {run.server.host} port {run.server.port}, no TLS, "
                f"user {USER}, password {PASSWORD}. Press Ctrl-C to stop it.")
            import threading

            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                pass
            run.server.stop()
    return 0


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
                result = service.poll_account(ctx.config, account, store, ctx.clock, ctx.args.dry_run,
                                              progress_for(sys.stderr, ctx.args.quiet or ctx.args.json))
            except FollowupError as e:
                failures += 1
                _report(e, ctx.args.verbose)
                continue
            failures += sum(1 for f in result.sync.folders if f.error)
            report.append({"account": account.name, "actions": [
                {"action": a.kind, "id": a.followup_id, "subject": a.subject, "detail": a.detail}
                for a in result.actions]})
            if not ctx.args.json and not ctx.args.quiet:
                for a in result.actions:
                    out(f"{account.name}: {a.kind:<12} #{a.followup_id} {a.subject!r}: {a.detail}")
                if not result.actions:
                    waiting = [d for d in result.decisions if d.due_at and d.state in OPEN]
                    nxt = min((d.due_at for d in waiting if d.due_at), default=None)
                    when = f", next due {_local(ctx, nxt)}" if nxt else ""
                    out(f"{account.name}: nothing to do ({len(waiting)} awaiting a reply{when})")
    finally:
        store.close()
    if ctx.args.json:
        out(json.dumps(report, indent=2))
    return 1 if failures else 0


def _local(ctx: Context, moment: datetime | None) -> str:
    return moment.astimezone(ctx.config.tz).strftime("%a %b %-d %H:%M") if moment else "-"


def _iso(ctx: Context, moment: datetime | None) -> str | None:
    return moment.astimezone(ctx.config.tz).isoformat() if moment else None


def cmd_list(ctx: Context) -> int:
    """List tracked items: sent mail awaiting a reply and promises, their state and when they are due.

    --all includes closed items (replied, bounced, dismissed, cold, kept).

    example: followup list --json | jq '.[] | select(.state == "waiting")'
    """
    store = ctx.store()
    try:
        followups = FollowupStore(store)
        names = [ctx.args.account] if ctx.args.account else [a.name for a in ctx.config.accounts]
        rows = [f for name in names for f in followups.followups(name)]
        drafts = {d.followup_id: d.message_id for name in names for d in followups.drafts(name)
                  if d.state in ("pending", "present", "edited")}
    finally:
        store.close()
    if not ctx.args.all:
        rows = [f for f in rows if f.state in OPEN]
    items: list[dict[str, Any]] = [{"id": f.id, "account": f.account, "kind": f.kind, "state": f.state, "message_id": f.message_id,
              "subject": f.subject, "to": [a for _, a in json.loads(f.to_json)], "sent_at": _iso(ctx, f.sent_at),
              "due_at": _iso(ctx, f.due_at) if f.state in OPEN else None, "step": f.step,
              "draft_message_id": drafts.get(f.id), "reason": f.reason, "text": f.text, "what": f.what}
             for f in rows]
    if ctx.args.json:
        out(json.dumps(items, indent=2))
        return 0
    if not items:
        out("nothing tracked" + ("" if ctx.args.all else " (--all shows closed items)"))
    for i in items:
        due = _local(ctx, datetime.fromisoformat(i["due_at"])) if i["due_at"] else "-"
        out(f"#{i['id']:<4} {i['state']:<9} due {due:<16} {', '.join(i['to'])[:30]:<30} {i['subject'][:50]}")
    return 0




def _override(ctx: Context, action: str, state: str, until: datetime | None) -> Any:
    """Record the user's word on one item (by id); the next poll honours it."""
    store = ctx.store()
    try:
        followups = FollowupStore(store)
        ident = ctx.args.id
        row = followups.followup(int(ident)) if ident.isdigit() else None
        if row is None:
            raise FollowupError(f"no tracked item #{ident}", "see `followup list --all` for the ids")
        followups.set_override(row.id, action, until, ctx.clock.now())
        followups.set_state(row.id, state, ctx.clock.now())
        return row
    finally:
        store.close()


def cmd_dismiss(ctx: Context) -> int:
    """Stop following up on an item: no more drafts for it.

    example: followup dismiss 12
    """
    row = _override(ctx, "dismiss", "dismissed", None)
    out(f"#{row.id} dismissed: {row.subject}")
    return 0


def cmd_snooze(ctx: Context) -> int:
    """Hold an item's next follow-up until a date (in your time zone; working hours apply).

    example: followup snooze 12 --until 2026-12-01
    """
    try:
        until = datetime.fromisoformat(ctx.args.until)
    except ValueError as e:
        raise ConfigError(f"--until: not a date: {ctx.args.until!r}", "e.g. 2026-12-01 or 2026-12-01T14:00") from e
    if until.tzinfo is None:
        until = until.replace(tzinfo=ctx.config.tz)
    row = _override(ctx, "snooze", "snoozed", until)
    out(f"#{row.id} snoozed until {_local(ctx, until)}: {row.subject}")
    return 0


def cmd_track(ctx: Context) -> int:
    """Track a sent message even though Followup did not think it needed a reply.

    Takes the Message-ID (with or without angle brackets); the next poll schedules it.

    example: followup track '<CAH8x@mail.example.com>'
    """
    message_id = "<" + ctx.args.message_id.strip().strip("<>") + ">"
    account = ctx.accounts()[0]
    store = ctx.store()
    try:
        known = store.messages_with_id(account.name, message_id)
        if not known:
            raise FollowupError(f"{account.where}: no synced message has the Message-ID {message_id}",
                                "run `followup sync` first, and copy the id from your mail client's source view")
        if not known[0].from_user:
            raise FollowupError(f"{message_id} is not a message you sent (from {known[0].from_addr})",
                                "only your own sent mail can await a reply")
        ident = FollowupStore(store).track(account.name, message_id, ctx.clock.now())
    finally:
        store.close()
    out(f"#{ident} tracked: {known[0].subject}")
    return 0


def cmd_explain(ctx: Context) -> int:
    """Show how Followup reads messages: automation verdict, new text vs quoted text, expects-reply.

    Takes .eml files or Message-IDs of synced mail. Needs no account for files.

    example: followup explain --json message.eml
    """
    from assistant.explain import explain_file, explain_stored

    results, failed = [], False
    for source in ctx.args.sources:
        if Path(source).is_file():
            try:
                results.append(explain_file(Path(source), ctx.config, ctx.args.as_sent))
            except Exception as e:  # noqa: BLE001 - one unreadable file never costs the others their output
                log.error("%s: cannot explain: %s: %s", source, e.__class__.__name__, e)
                failed = True
            continue
        store = ctx.store()
        try:
            found = explain_stored(store, ctx.config, source, ctx.args.as_sent)
        finally:
            store.close()
        if found is None:
            raise FollowupError(f"{source}: neither a file nor the Message-ID of a synced message")
        results.append(found)
    for r in results:
        if ctx.args.json:
            out(json.dumps(r, ensure_ascii=False))
            continue
        out(f"{r['source']}:")
        out(f"  kind: {r['kind']} ({r['reason']})" + (f", back {r['return_date']}" if r["return_date"] else ""))
        out(f"  expects a reply: {'yes' if r['expects_reply'] else 'no'} ({r['expects_reply_reason']})")
        out(f"  from you: {'yes' if r['from_user'] else 'no'}")
        for key, rule in (("new_text", None), ("quoted_text", "quote_rule"), ("signature", "signature_rule")):
            text = " ".join(r[key].split())
            found_by = f"  (found by: {r[rule]})" if rule and r.get(rule) else ""
            out(f"  {key}: {text[:200]!r}{found_by}")
    return 1 if failed else 0


def cmd_report(ctx: Context) -> int:
    """The weekly report: what awaits a reply, promises due, mail waiting on you, drafts, bounces, stats.

    Renders now (with --now, for that week) to stdout or --output. --deliver also delivers it as
    configured in [report] deliver (into INBOX by default), once per week; `followup poll` does that by
    itself after the configured day and time.

    example: followup report --format html --output week.html
    """
    from assistant.report import deliver as weekly
    from assistant.report.render import render_html, render_text

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
    if ctx.args.output:
        try:
            Path(ctx.args.output).write_text(text, encoding="utf-8")
        except OSError as e:
            raise FollowupError(f"--output: cannot write {ctx.args.output}: {e.strerror}") from e
        out(str(ctx.args.output))
    else:
        out(text.rstrip("\n"))
    return 0


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
    items: list[dict[str, Any]] = [{"account": r.account, "state": r.state, "last_success_at": _iso(ctx, r.last_success_at),
              "next_run_at": _iso(ctx, r.next_run_at), "last_error": r.last_error,
              "last_error_at": _iso(ctx, r.last_error_at), "worker": r.worker, "tracked": r.open_items,
              "drafts_waiting": r.drafts_waiting} for r in rows]
    if ctx.args.json:
        out(json.dumps(items, indent=2))
        return 0
    for i in items:
        out(f"{i['account']}: {i['state']}, last sync {_local(ctx, _parse(i['last_success_at']))}, "
            f"next {_local(ctx, _parse(i['next_run_at']))}, {i['tracked']} tracked, "
            f"{i['drafts_waiting']} draft(s) waiting" + (f"\n  last error: {i['last_error']}" if i["last_error"] else ""))
    return 0


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def cmd_init(ctx: Context) -> int:
    """Write a starter config for your mailbox, then check it.

    Recognises common providers from the address (Gmail, Google Workspace, Outlook.com, Microsoft 365,
    Fastmail, iCloud, Yahoo; anything else as plain IMAP) from a built-in table, without looking anything
    up on the network, and explains how each one logs in (app passwords, OAuth2). The password never goes
    into the file unless you insist with --store-password.

    example: followup init --email me@gmail.com
    """
    import getpass

    from assistant.onboarding import init

    path = ctx.args.config or default_config_path()
    interactive = ctx.args.email is None and sys.stdin.isatty()

    def ask(prompt: str, default: str | None) -> str:
        if prompt == init.PASSWORD_PROMPT:
            return getpass.getpass(prompt)
        answer = input(f"{prompt}{f' [{default}]' if default else ''}: ").strip()
        return answer or (default or "")

    written = init.run_init(path, ask, out, address=ctx.args.email, provider=ctx.args.provider,
                            name=ctx.args.name, password_env=ctx.args.password_env,
                            password_command=ctx.args.password_command, store_password=ctx.args.store_password,
                            force=ctx.args.force, interactive=interactive, check=not ctx.args.no_check)
    if ctx.args.no_check:
        return 0
    ctx.config = load_config(written)
    ctx.args.json, ctx.args.account = False, None  # `check`'s own options, as if run plainly
    return cmd_check(ctx)


def cmd_completion(ctx: Context) -> int:
    """Print a shell completion script for bash or zsh.

    example: followup completion bash > ~/.local/share/bash-completion/completions/followup
    """
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    cases = "\n".join(
        f'        {name}) opts="{" ".join(o for a in p._actions for o in a.option_strings)}" ;;'
        for name, p in sub.choices.items())
    script = f"""# followup {ctx.args.shell} completion
_followup() {{
    local cur cmd opts
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    cmd=""
    for w in "${{COMP_WORDS[@]:1:COMP_CWORD-1}}"; do
        case "$w" in -*) ;; *) cmd="$w"; break ;; esac
    done
    case "$cmd" in
{cases}
        *) opts="{" ".join(sub.choices)} {" ".join(o for a in parser._actions for o in a.option_strings)}" ;;
    esac
    COMPREPLY=( $(compgen -W "$opts" -f -- "$cur") )
}}
"""
    if ctx.args.shell == "zsh":
        script += "autoload -U +X bashcompinit && bashcompinit\n"
    out(script + "complete -F _followup followup\n")
    return 0


def cmd_people(ctx: Context) -> int:
    """The people who matter: with --suggest, those you write to most and answer fastest, with counts,
    so you can mark them in [[people]] (vip, keep_in_touch).

    example: followup people --suggest
    """
    from dataclasses import asdict

    from assistant.policy.common import list_addresses
    from assistant.report.people import suggest

    if not ctx.args.suggest:
        for p in ctx.config.people:
            out(f"{p.match}: {'VIP' if p.vip else 'not VIP'}"
                + (f", keep in touch every {p.keep_in_touch}" if p.keep_in_touch else ""))
        if not ctx.config.people:
            out("no [[people]] configured (followup people --suggest lists candidates)")
        return 0
    account = ctx.accounts()[0]
    store = ctx.store()
    try:
        followups = FollowupStore(store)
        rows = suggest(followups.mail(account.name), ctx.config.people, frozenset(account.addresses),
                       list_addresses(followups.list_headers(account.name)))
    finally:
        store.close()
    if ctx.args.json:
        out(json.dumps([asdict(r) for r in rows], indent=2))
        return 0
    out(f"{'who':<40} {'sent':>5} {'received':>8}  you answer in  marked")
    for r in rows:
        speed = f"{r.median_reply_hours:g} h" if r.median_reply_hours is not None else "-"
        mark = ", ".join(x for x in ("VIP" if r.vip else "", f"every {r.keep_in_touch}" if r.keep_in_touch else "")
                         if x) or "-"
        who = f"{r.name} <{r.address}>" if r.name else r.address
        out(f"{who[:40]:<40} {r.sent:>5} {r.received:>8}  {speed:>13}  {mark}")
    return 0


COMMANDS: dict[str, Callable[[Context], int]] = {
    "check": cmd_check, "sync": cmd_sync, "poll": cmd_poll, "list": cmd_list, "dismiss": cmd_dismiss,
    "snooze": cmd_snooze, "track": cmd_track, "explain": cmd_explain, "report": cmd_report, "run": cmd_run,
    "status": cmd_status, "people": cmd_people, "demo": cmd_demo, "init": cmd_init, "completion": cmd_completion}
PER_ACCOUNT = ("check", "sync", "poll", "list", "track", "report", "status", "people")


def _arguments(name: str, p: argparse.ArgumentParser) -> None:
    if name in ("check", "sync", "poll", "list", "explain", "demo", "status", "people"):
        p.add_argument("--json", action="store_true", help="print JSON for scripts")
    if name in PER_ACCOUNT:
        p.add_argument("--account", metavar="NAME", help="only this account")
    if name == "poll":
        p.add_argument("--dry-run", action="store_true", help="show what would change in Drafts; change nothing")
    if name == "list":
        p.add_argument("--all", action="store_true", help="include closed items")
    if name in ("dismiss", "snooze"):
        p.add_argument("id", help="the item's id (from followup list)")
    if name == "snooze":
        p.add_argument("--until", required=True, metavar="DATE", help="ISO date or date-time")
    if name == "track":
        p.add_argument("message_id", metavar="MESSAGE-ID")
    if name == "people":
        p.add_argument("--suggest", action="store_true", help="list the correspondents you might mark")
    if name == "completion":
        p.add_argument("shell", choices=("bash", "zsh"))
    if name == "init":
        p.add_argument("--email", metavar="ADDRESS", help="your address (asked for when omitted on a terminal)")
        p.add_argument("--provider", metavar="KEY", help="gmail, google-workspace, outlook, microsoft365, "
                       "fastmail, icloud, yahoo or generic (default: from the address)")
        p.add_argument("--name", metavar="NAME", help="the account's short name")
        secret = p.add_mutually_exclusive_group()
        secret.add_argument("--password-env", metavar="VAR", help="the environment variable with the password")
        secret.add_argument("--password-command", metavar="CMD", help="a command that prints the password")
        p.add_argument("--store-password", action="store_true", help="write the password into the file "
                       "(discouraged)")
        p.add_argument("--force", action="store_true", help="replace an existing config file")
        p.add_argument("--no-check", action="store_true", help="do not run `followup check` afterwards")
    if name == "demo":
        p.add_argument("--keep", action="store_true", help="leave the demo IMAP server running for your client")
    if name == "run":
        p.add_argument("--worker", action="store_true", help="share the accounts with other workers (PostgreSQL)")
    if name == "report":
        p.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
        p.add_argument("--format", choices=("html", "text", "json"), help="default: text (html for *.html)")
        p.add_argument("--deliver", action="store_true", help="deliver it now as [report] deliver says")
    if name == "explain":
        p.add_argument("--as-sent", action="store_true", help="read each message as if you had sent it")
        p.add_argument("sources", nargs="+", metavar="FILE.eml|MESSAGE-ID")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="followup",
        description="Followup watches your mailbox over IMAP, finds sent mail that still awaits a reply, "
                    "and drafts the follow-up into your Drafts folder. It never sends mail.",
        epilog="Config: $FOLLOWUP_CONFIG or ~/.config/followup/config.toml (see config.example.toml).")
    parser.add_argument("--version", action="version", version=f"followup {__version__}")
    parser.add_argument("--config", type=Path, metavar="PATH", help="config file to use")
    parser.add_argument("--now", metavar="ISO8601", help="pretend the current time is this (e.g. 2026-11-23T09:00, in your configured time zone "
                        "unless an offset is given)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging; tracebacks on errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    parser.add_argument("--log-format", choices=("text", "json"), default="text",
                        help="log lines on stderr as text (default) or one JSON object per line")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, fn in COMMANDS.items():
        doc = inspect.cleandoc(fn.__doc__ or "")
        p = sub.add_parser(name, help=doc.splitlines()[0], description=doc,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        _arguments(name, p)
    return parser


def _report(error: FollowupError, verbose: int) -> None:
    # colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)
    red = sys.stderr.isatty() and not os.environ.get("NO_COLOR")
    label = "\033[31merror:\033[0m" if red else "error:"
    print(f"{label} {error.message}", file=sys.stderr)
    if error.hint:
        print(f"  hint: {error.hint}", file=sys.stderr)
    if verbose:
        log.debug("details", exc_info=error)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
                 "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _setup_logging(verbose: int, quiet: bool, log_format: str = "text", command: str = "") -> None:
    # the daemon logs each event at INFO: that is its output
    base = logging.INFO if command == "run" else logging.WARNING
    level = logging.ERROR if quiet else [base, logging.INFO, logging.DEBUG][min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s" if command == "run"
                                           else "%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if verbose < 2:
        logging.getLogger("imapclient").setLevel(logging.WARNING)  # its DEBUG shows protocol lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    _setup_logging(args.verbose, args.quiet, args.log_format, args.command)
    try:
        # `init` writes the config: a missing or broken one must not stop it
        config = parse_config("", None) if args.command in ("init", "completion") else load_config(args.config)
        try:
            clock: Clock = FixedClock(parse_instant(args.now, config.tz)) if args.now else SystemClock()
        except ValueError as e:
            raise ConfigError(f"--now: not an ISO 8601 time: {args.now!r}", "e.g. 2026-11-23T09:00:00+01:00") from e
        ctx = Context(args=args, config=config, clock=clock)
        return COMMANDS[args.command](ctx)
    except FollowupError as e:
        _report(e, args.verbose)
        if args.verbose:
            import traceback

            traceback.print_exception(e, file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130

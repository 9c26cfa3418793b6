"""The commands on tracked items: list them, and give the user's word on one (dismiss, snooze, track)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from assistant.cli.command import ACCOUNT, JSON, Context, Group, arg
from assistant.cli.output import iso, local, out
from assistant.errors import ConfigError, FollowupError
from assistant.model import DRAFT_LIVE, OPEN, DraftState
from assistant.store.items import FollowupStore
from assistant.store.models import Followup

group = Group()

ITEM_ID = arg("id", help="the item's id (from followup list)")


@group.command("list", JSON, ACCOUNT, arg("--all", action="store_true", help="include closed items"))
def cmd_list(ctx: Context) -> int:
    """List tracked items: sent mail awaiting a reply and promises, their state and when they are due.

    --all includes closed items (replied, bounced, dismissed, cold, kept).

    example: followup list --json | jq '.[] | select(.state == "waiting")'
    """
    store = ctx.store()
    try:
        followups = FollowupStore(store)
        names = [ctx.args.account] if ctx.args.account else [a.name for a in ctx.config.accounts]
        states = None if ctx.args.all else OPEN
        rows = [f for name in names for f in followups.followups(name, states)]
        drafts = {d.followup_id: d.message_id for name in names
                  for d in followups.drafts(name, sorted(DRAFT_LIVE | {DraftState.EDITED}))}
    finally:
        store.close()
    items = [_item_json(ctx, f, drafts.get(f.id)) for f in rows]
    if ctx.args.json:
        out(json.dumps(items, indent=2))
        return 0
    if not items:
        out("nothing tracked" + ("" if ctx.args.all else " (--all shows closed items)"))
    for i in items:
        due = local(ctx, datetime.fromisoformat(i["due_at"])) if i["due_at"] else "-"
        out(f"#{i['id']:<4} {i['state']:<9} due {due:<16} {', '.join(i['to'])[:30]:<30} {i['subject'][:50]}")
    return 0


def _item_json(ctx: Context, f: Followup, draft_message_id: str | None) -> dict[str, Any]:
    return {"id": f.id, "account": f.account, "kind": f.kind, "state": f.state, "message_id": f.message_id,
            "subject": f.subject, "to": [a for _, a in json.loads(f.to_json)], "sent_at": iso(ctx, f.sent_at),
            "due_at": iso(ctx, f.due_at) if f.state in OPEN else None, "step": f.step,
            "draft_message_id": draft_message_id, "reason": f.reason, "text": f.text, "what": f.what,
            # a question to several people: who answered, and whose answer is awaited ([followup] group)
            "answered": [a for _, a in json.loads(f.answered_json or "[]")],
            "waiting": [a for _, a in json.loads(f.waiting_json or "[]")] if f.state in OPEN else []}


def _override(ctx: Context, action: str, state: str, until: datetime | None) -> Followup:
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


@group.command("dismiss", ITEM_ID)
def cmd_dismiss(ctx: Context) -> int:
    """Stop following up on an item: no more drafts for it.

    example: followup dismiss 12
    """
    row = _override(ctx, "dismiss", "dismissed", None)
    out(f"#{row.id} dismissed: {row.subject}")
    return 0


@group.command("snooze", ITEM_ID, arg("--until", required=True, metavar="DATE", help="ISO date or date-time"))
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
    out(f"#{row.id} snoozed until {local(ctx, until)}: {row.subject}")
    return 0


@group.command("track", ACCOUNT, arg("message_id", metavar="MESSAGE-ID"))
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

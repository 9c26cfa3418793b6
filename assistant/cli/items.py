"""The commands on tracked items: list them, and give the user's word on one (dismiss, snooze, resume, track).

An item's id is a number: `12` and `#12` are the same id (the shell reads an unquoted `#12` as a comment).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from assistant.cli.command import ACCOUNT, JSON, Context, Group, arg
from assistant.cli.output import iso, local, out
from assistant.errors import ConfigError, FollowupError
from assistant.model import DRAFT_LIVE, OPEN, DraftState

if TYPE_CHECKING:
    from assistant.store.models import Followup

group = Group()

ITEM_ID = arg("id", help="the item's id, from followup list (12 or '#12')")


@group.command("list", JSON, ACCOUNT, arg("--all", action="store_true", help="include closed items"))
def cmd_list(ctx: Context) -> int:
    """List tracked items: sent mail awaiting a reply and promises, their state and when they are due.

    --all includes closed items (replied, bounced, dismissed, cold, kept).

    example: followup list --json | jq '.[] | select(.state == "waiting")'
    """
    from assistant.store.items import FollowupStore

    store = ctx.store()
    try:
        followups = FollowupStore(store)
        names = [a.name for a in ctx.accounts()]
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
    else:
        out(f"{'ID':<5} {'STATE':<9} {'DUE':<20} {'TO':<30} SUBJECT")
    for i in items:
        due = local(ctx, datetime.fromisoformat(i["due_at"]), year=True) if i["due_at"] else "-"
        out(f"{i['id']:<5} {i['state']:<9} {due:<20} {', '.join(i['to'])[:30]:<30} {i['subject'][:50]}")
    return 0


def _item_json(ctx: Context, f: Followup, draft_message_id: str | None) -> dict[str, Any]:
    return {"id": f.id, "account": f.account, "kind": f.kind, "state": f.state, "message_id": f.message_id,
            "subject": f.subject, "to": [a for _, a in json.loads(f.to_json)], "sent_at": iso(ctx, f.sent_at),
            "due_at": iso(ctx, f.due_at) if f.state in OPEN else None, "step": f.step,
            "draft_message_id": draft_message_id, "reason": f.reason, "text": f.text, "what": f.what,
            # a question to several people: who answered, and whose answer is awaited ([followup] group)
            "answered": [a for _, a in json.loads(f.answered_json or "[]")],
            "waiting": [a for _, a in json.loads(f.waiting_json or "[]")] if f.state in OPEN else []}


def item_id(text: str) -> int:
    """ "12" or "#12" → 12; a ConfigError (exit 2) for anything else."""
    ident = text.strip().removeprefix("#").strip()
    if not ident.isdigit():
        raise ConfigError(f"not an item id: {text!r}", "ids are numbers, e.g. 12: see `followup list`")
    return int(ident)


def _override(ctx: Context, action: str | None, state: str | None, until: datetime | None) -> Followup:
    """Record the user's word on one item (by id); the next poll honours it. `action` None: resume it."""
    from assistant.store.items import FollowupStore

    ident = item_id(ctx.args.id)
    store = ctx.store()
    try:
        followups = FollowupStore(store)
        row = followups.followup(ident)
        if row is None or row.account not in {a.name for a in ctx.accounts()}:
            raise FollowupError(f"no tracked item #{ident}", "see `followup list --all` for the ids")
        if action is None:
            if row.manual != "dismiss" and row.snoozed_until is None:
                raise FollowupError(f"#{ident} is neither dismissed nor snoozed ({row.state})",
                                    "resume undoes `followup dismiss` and `followup snooze`")
            followups.resume(row.id, ctx.clock.now())
        else:
            followups.set_override(row.id, action, until, ctx.clock.now())
        if state is not None:
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


@group.command("snooze", ITEM_ID, arg("--until", required=True, metavar="WHEN",
                                       help='when: "monday 9am", "in 5 days", "3 business days", 2026-12-07…'))
def cmd_snooze(ctx: Context) -> int:
    """Hold an item's next follow-up until a moment, in your time zone, moved into working hours.

    WHEN is plain words or a date: tomorrow, monday, "monday 9am", "in 5 days", "in 2 weeks", "next week",
    "3 business days", nov30, 2026-12-07, 2026-12-07T14:00. A moment in the past is refused. The untouched
    draft already in Drafts leaves it at the next poll and comes back when the snooze ends.

    example: followup snooze 12 --until "monday 9am"
    """
    from assistant.service import calendar_for
    from assistant.when import NotAMoment, parse_when

    calendar = calendar_for(ctx.config)
    try:
        until = calendar.into_window(parse_when(ctx.args.until, ctx.clock.now(), calendar))
    except NotAMoment as e:
        raise ConfigError(f"--until: {e}") from e
    row = _override(ctx, "snooze", "snoozed", until)
    out(f"#{row.id} snoozed until {local(ctx, until, year=True)}: {row.subject}")
    return 0


@group.command("resume", ITEM_ID)
def cmd_resume(ctx: Context) -> int:
    """Undo a dismiss or a snooze: the item is followed up again as if you had not said a word.

    The next poll decides its state (waiting, or due at once if its time has passed).

    example: followup resume 12
    """
    row = _override(ctx, None, "waiting", None)
    out(f"#{row.id} resumed: {row.subject} (the next poll decides when it is due)")
    return 0


@group.command("track", ACCOUNT, arg("message_id", metavar="MESSAGE-ID"))
def cmd_track(ctx: Context) -> int:
    """Track a sent message even though Followup did not think it needed a reply.

    Takes the Message-ID (with or without angle brackets); the next poll schedules it.

    example: followup track '<CAH8x@mail.example.com>'
    """
    from assistant.store.items import FollowupStore

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

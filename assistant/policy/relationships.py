"""Relationships: check back after delivering what someone asked for, and keep in touch with the people
the user chose. Pure: handed a PolicyContext (which holds `now`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from assistant.model import Decision, Kind, Mail, State, item_key
from assistant.policy.common import dedupe, person_for
from assistant.policy.context import PolicyContext

ANSWER_THEM = "answer them"  # how a check-in's reason starts when the person waits on the user


def waiting_on_user(address: str, mail: Sequence[Mail]) -> Mail | None:
    """The latest message from `address` that asks the user something and has no later message of the
    user's to them in its thread: they wait on the user, so a generic check-in would be the wrong answer."""
    address = address.lower()
    asked = [m for m in mail if not m.from_user and m.verdict == "human" and m.expects_reply
             and m.folder_role != "drafts" and m.from_addr.lower() == address]
    answered = [m for m in mail if m.from_user and m.folder_role != "drafts"
                and address in {a.lower() for _, a in m.recipients}]
    open_ = [m for m in asked if not any(a.thread_key == m.thread_key and a.date > m.date for a in answered)]
    return max(open_, key=lambda m: m.date, default=None)


def check_back(delivered: Mail, to: tuple[tuple[str, str], ...], cc: tuple[tuple[str, str], ...], what: str | None,
               mail: Sequence[Mail], why: str, ctx: PolicyContext) -> list[Decision]:
    """"Did the revised deck work for you?" [promises] check_back after delivering, unless they already
    wrote back. Nothing when check_back is off."""
    wait = ctx.promises.check_back
    if wait is None or not delivered.message_id:
        return []
    people = {a.lower() for _, a in to + cc}
    base = Decision(delivered.message_id, delivered.thread_key, State.WAITING, 1, None, why, delivered, delivered, False,
                    kind=Kind.CHECK_BACK, draft_from=(delivered.from_name, delivered.from_addr), draft_to=to,
                    draft_cc=cc, what=what)
    answered = [m for m in mail if m.date > delivered.date and m.from_addr.lower() in people and m.verdict == "human"]
    if answered:
        who = answered[0].from_name or answered[0].from_addr
        return [replace(base, state=State.REPLIED, reason=f"{who} wrote back on "
                        f"{answered[0].date.astimezone(ctx.calendar.tz):%a %b %-d}")]
    override = ctx.overrides.get(item_key(Kind.CHECK_BACK, delivered.message_id))
    if override and override.action == "dismiss":
        return [replace(base, state=State.DISMISSED, reason="dismissed by you")]
    due = ctx.calendar.due(delivered.date, wait)
    return [replace(base, due_at=due, draft_due=ctx.now >= due, changes_at=None if ctx.now >= due else due)]


def decide_check_backs(thread: Sequence[Mail], ctx: PolicyContext) -> list[Decision]:
    """Check back after answering someone's request with an attachment (when check_back is on)."""
    if ctx.promises.check_back is None:
        return []
    mail = sorted((m for m in dedupe(thread) if m.folder_role != "drafts"), key=lambda m: (m.date, m.id))
    out = []
    for i, m in enumerate(mail):
        if not (m.from_user and m.attachments and m.folder_role == "sent"):
            continue
        asked = [x for x in mail[:i] if not x.from_user and x.verdict == "human" and x.expects_reply
                 and x.from_addr.lower() in {a.lower() for _, a in m.recipients}]
        if not asked:
            continue
        to = tuple((n, a) for n, a in m.to if a.lower() not in ctx.user_addresses)
        out += check_back(m, to, (), m.attachments[0], mail,
                          f"you answered {asked[-1].from_name or asked[-1].from_addr}'s request with "
                          f"{m.attachments[0]}", ctx)
    return out


def check_in_threads(rows: Iterable[tuple[str, datetime, tuple[str, ...]]], ctx: PolicyContext) -> set[str]:
    """The threads decide_check_ins counts from: each keep-in-touch person's latest mail, out of (thread,
    date, addresses) rows (FollowupStore.mail_with). Threads tied for the latest are all kept."""
    last: dict[str, tuple[datetime, set[str]]] = {}
    for key, date, addresses in rows:
        for address in addresses:
            person = person_for(address, ctx.people)
            if person is None or person.keep_in_touch is None or address in ctx.user_addresses:
                continue
            when, keys = last.get(address, (date, set()))
            if date > when:
                last[address] = (date, {key})
            elif date == when:
                last[address] = (when, keys | {key})
    return {key for _, keys in last.values() for key in keys}


def decide_check_ins(mail: Sequence[Mail], restarts: Mapping[str, datetime], ctx: PolicyContext) -> list[Decision]:
    """A check-in draft when a keep_in_touch person has had no mail either way for the period. Any mail,
    or deleting the check-in draft (`restarts`), starts the clock again."""
    people, calendar = ctx.people, ctx.calendar
    last: dict[str, Mail] = {}
    for m in mail:
        if m.folder_role == "drafts" or m.verdict not in ("human", "list"):
            continue
        for _, address in (*m.recipients, (m.from_name, m.from_addr)):
            address = address.lower()
            person = person_for(address, people)
            if person is None or person.keep_in_touch is None or address in ctx.user_addresses:
                continue
            if address not in last or m.date > last[address].date:
                last[address] = m
    out = []
    for address, m in sorted(last.items()):
        person = person_for(address, people)
        assert person is not None and person.keep_in_touch is not None
        since = max(m.date, restarts.get(address, m.date))
        ident = hashlib.sha256(f"{address}\0{since.isoformat()}".encode()).hexdigest()[:20]
        key = f"<check-in.{ident}@followup.invalid>"
        name = m.from_name if m.from_addr.lower() == address else next(
            (n for n, a in m.recipients if a.lower() == address), "")
        override = ctx.overrides.get(item_key(Kind.CHECK_IN, key))
        due = calendar.due(since, person.keep_in_touch)
        state = State.DISMISSED if override and override.action == "dismiss" else State.WAITING
        reason = (f"keep in touch every {person.keep_in_touch}: last mail either way "
                  f"{m.date.astimezone(calendar.tz):%a %b %-d}")
        asked = waiting_on_user(address, mail)
        if asked is not None:  # no "it's been a while" to someone whose question waits on the user
            reason = (f"{ANSWER_THEM}: {asked.from_name or asked.from_addr} wrote on "
                      f"{asked.date.astimezone(calendar.tz):%a %b %-d} and "
                      f"{asked.expects_reason or 'waits on your answer'}")
        out.append(Decision(key, m.thread_key, state, 1, due, reason, m, m,
                            draft_due=state == State.WAITING and ctx.now >= due and asked is None, kind=Kind.CHECK_IN,
                            changes_at=due if state == State.WAITING and ctx.now < due else None,
                            draft_from=ctx.user,
                            draft_to=((name, address),), new_thread=True))
    return out

"""Promises in a thread: the user's own (a reminder before they fall due) and those made to the user (a
nudge when overdue). Pure: handed a PolicyContext (which holds `now`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from assistant.model import Decision, Kind, Mail, State, item_key
from assistant.policy.common import dedupe, first_seen_late
from assistant.policy.context import PolicyContext
from assistant.policy.relationships import check_back
from assistant.workdays import Duration, WorkCalendar


def decide_promises(thread: Sequence[Mail], ours: frozenset[str], ctx: PolicyContext) -> list[Decision]:
    """The user's promises (a reminder before they fall due) and promises made to the user (a nudge
    when overdue by `grace`). A promise is kept when the promiser writes again in the thread (a follow-up
    draft of ours the user sent as it is, `ours`, does not keep it)."""
    promises, calendar, now, user_addresses = ctx.promises, ctx.calendar, ctx.now, ctx.user_addresses
    mail = sorted((m for m in dedupe(thread) if m.folder_role != "drafts"), key=lambda m: (m.date, m.id))
    name = next((m.from_name for m in reversed(mail) if m.from_user and m.from_name), ctx.user_name)
    out = []
    for m in mail:
        if not m.promises or not m.message_id or m.verdict != "human":
            continue
        sentence, what, due = m.promises[0]
        kind = Kind.MY_PROMISE if m.from_user else Kind.THEIR_PROMISE
        if m.from_user:
            to = tuple((n, a) for n, a in m.to if a.lower() not in user_addresses)
            cc = tuple((n, a) for n, a in m.cc if a.lower() not in user_addresses)
            if not to and not cc:
                continue  # a promise to oneself
            sender, to, cc = (m.from_name, m.from_addr), to or cc, cc if to else ()
            later = [x for x in mail if x.date > m.date and x.from_user and x.message_id not in ours]
            reason = f'you promised: "{sentence}"'
        else:
            me = next((a for _, a in m.recipients if a.lower() in user_addresses), min(user_addresses, default=""))
            sender, to, cc = (name, me), ((m.from_name, m.from_addr),), ()
            later = [x for x in mail if x.date > m.date and x.from_addr.lower() == m.from_addr.lower()
                     and x.verdict in ("human", "list")]
            reason = f'{m.from_name or m.from_addr} promised: "{sentence}"'
        deadline = due or calendar.due(m.date, promises.default_due)
        # the draft replies to the latest message between the two of them (never, say, an internal forward)
        party = (m.from_addr if not m.from_user else "").lower()
        latest = [x for x in mail if x.verdict == "human" and (
            not party or x.from_addr.lower() == party or party in {a.lower() for _, a in x.recipients})][-1]
        override = ctx.overrides.get(item_key(kind, m.message_id))
        common = {"kind": kind, "draft_from": sender, "draft_to": to, "draft_cc": cc, "text": sentence, "what": what}

        def decision(state: State, why: str, draft_due: bool = False, m: Mail = m, deadline: datetime = deadline,
                     latest: Mail = latest, common: Any = common, changes_at: datetime | None = None) -> Decision:
            base = Decision(m.message_id or "", m.thread_key, state, 1, deadline, why, m, latest, draft_due,
                            changes_at=changes_at)
            return replace(base, **common)

        if later:
            who = "you" if m.from_user else (m.from_name or m.from_addr)
            out.append(decision(State.KEPT, f"kept: {who} wrote again on {later[0].date.astimezone(calendar.tz):%a %b %-d}"))
            if m.from_user:
                out += check_back(later[0], to, cc, what, mail, f'you delivered on "{sentence}"', ctx)
            continue
        if override and override.action == "dismiss":
            out.append(decision(State.DISMISSED, "dismissed by you"))
            continue
        draft_at = _remind_at(deadline, m.date, promises.remind, calendar) if m.from_user else \
            calendar.due(deadline, promises.grace)
        state = State.WAITING
        if override and override.until and override.until > draft_at:
            draft_at = calendar.into_window(override.until)
            state = State.SNOOZED if now < override.until else state
        if first_seen_late(m, draft_at, ctx):
            out.append(decision(State.COLD,
                                f"was already overdue by more than {ctx.followup.max_overdue} when Followup saw it"))
            continue
        draft_due = state == State.WAITING and now >= draft_at
        changes_at = override.until if state == State.SNOOZED and override else None if draft_due else draft_at
        out.append(decision(state, reason, draft_due=draft_due, changes_at=changes_at))
    return out


def _remind_at(deadline: datetime, made: datetime, remind: Duration, calendar: WorkCalendar) -> datetime:
    """The start of the working day `remind` before the due day; never before the promise was made
    (then the due day's start, or the moment it was made)."""
    day = deadline.astimezone(calendar.tz).date()
    if remind.unit == "business days":
        for _ in range(remind.amount):
            day = calendar.previous_working_day(day)
        moment = calendar.window_start(day)
    else:
        moment = calendar.into_window(calendar.add(deadline, Duration(-remind.amount, remind.unit)))
    if moment < made:
        moment = max(calendar.into_window(calendar.window_start(deadline.astimezone(calendar.tz).date())), made)
    return moment

"""What every policy reads: who is a person worth chasing, who matters (VIPs), and one copy per message."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from assistant.config import Config, FollowupConfig, Person, PromisesConfig, ReportConfig
from assistant.message.senders import is_noreply as is_noreply  # the one home; policies import it from here
from assistant.model import PROMISE_REACH, Mail
from assistant.policy.context import PolicyContext
from assistant.workdays import WorkCalendar


def is_ignored(address: str, patterns: Iterable[str]) -> bool:
    address = address.lower()
    for pattern in patterns:
        if pattern.startswith("@") and address.endswith(pattern):
            return True
        if address == pattern or fnmatch.fnmatchcase(address, pattern):
            return True
    return False


def others(mail: Mail, user_addresses: frozenset[str]) -> list[tuple[str, str]]:
    return [(n, a) for n, a in mail.recipients if a.lower() not in user_addresses]


def person_for(address: str, people: Sequence[Person]) -> Person | None:
    """The first [[people]] entry whose match (address, @domain or glob) covers `address`."""
    return next((p for p in people if is_ignored(address, [p.match])), None)


def is_vip(mail: Mail, people: Sequence[Person]) -> bool:
    return any((person := person_for(a, people)) is not None and person.vip
               for _, a in (*mail.recipients, (mail.from_name, mail.from_addr)))


def dedupe(thread: Sequence[Mail]) -> list[Mail]:
    """One copy per Message-ID (a message to oneself sits in INBOX and Sent), Sent's preferred."""
    seen: dict[str, Mail] = {}
    out = []
    # Sent's copy first, then a human copy before a list copy of the same message
    for m in sorted(thread, key=lambda m: (m.folder_role != "sent", m.verdict != "human")):
        if m.message_id and m.message_id in seen:
            continue
        if m.message_id:
            seen[m.message_id] = m
        out.append(m)
    return out


def first_seen_late(m: Mail, due: datetime, ctx: PolicyContext) -> bool:
    """Already overdue by more than max_overdue when Followup first stored the message (a first run
    over old mail): no flood of stale drafts. An outage later does not count: drafts then come late."""
    return (m.seen_at or m.date) > ctx.calendar.add(due, ctx.followup.max_overdue)


HORIZON_MARGIN = timedelta(days=14)  # holidays and working-hour rounding, with room to spare


def horizon(followup: FollowupConfig, promises: PromisesConfig, calendar: WorkCalendar, now: datetime) -> datetime:
    """The oldest mail a decision can still turn on: a thread whose every message is older, with no open
    item, none of the user's word and none of our drafts, is decided already and stays so. The longest
    wait (a cadence step, a promise's default deadline and grace, a check-back), plus `max_overdue`
    (older due dates go cold), plus a margin."""
    waits = [*followup.cadence, *followup.vip_cadence, promises.default_due, promises.grace]
    if promises.check_back is not None:
        waits.append(promises.check_back)
    longest = max(calendar.due(now, w) - now for w in waits)
    return now - longest - (calendar.add(now, followup.max_overdue) - now) - HORIZON_MARGIN


def report_since(report: ReportConfig, calendar: WorkCalendar, now: datetime) -> datetime:
    """The oldest mail the weekly report lists: its longest look back (waiting on you, the week's stats)."""
    return now - max(calendar.add(now, report.waiting_on_me_within) - now, timedelta(days=7))


def earliest_reading(config: Config, calendar: WorkCalendar, now: datetime) -> datetime:
    """The earliest date whose reading (what a message asks, what it promises) can matter at `now`: the
    horizon or the report's look back, whichever is older, less the reach of a promise. Sync reads older
    mail's text only when a decision, the report or `explain` comes to need it (a thread that goes on)."""
    return min(horizon(config.followup, config.promises, calendar, now),
               report_since(config.report, calendar, now)) - PROMISE_REACH

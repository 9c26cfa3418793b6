"""Deciding over a horizon, and not deciding when nothing changed, give the decisions a full pass gives.

A seeded two-year mailbox (the scale benchmark's generator, smaller) on Dovecot, with the store on SQLite
and on PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from conftest import Mailbox
from scale_mail import NOW, Awaiting, MailWriter, generate, human_reply

from assistant.clock import FixedClock
from assistant.config import Config
from assistant.model import OPEN, Decision
from assistant.service import calendar_for, decide, poll_account
from assistant.store.items import FollowupStore

pytestmark = pytest.mark.dovecot


def _open(decisions: list[Decision]) -> dict[str, tuple[object, ...]]:
    return {d.key: (d.state, d.step, d.due_at, d.draft_due, d.reason, d.latest.message_id)
            for d in decisions if d.state in OPEN}


def _compare(config: Config, box: Mailbox, now: datetime) -> int:
    store = box.store()
    try:
        followups, account = FollowupStore(store), config.accounts[0]
        calendar = calendar_for(config)
        full, all_mail = decide(config, account, followups, calendar, now, everything=True)
        bounded, some_mail = decide(config, account, followups, calendar, now)
    finally:
        store.close()
    assert len(some_mail) < len(all_mail) / 2  # the horizon leaves most of two years out
    assert _open(bounded) == _open(full)
    return len(_open(full))


def _generated(box: Mailbox, size: int = 1500) -> Config:
    generate(MailWriter(box.server, box.user, size), seed=7)
    return box.config(extra='[sync]\nfirst_sync_days = 0')


def _poll(config: Config, box: Mailbox, now: datetime) -> object:
    store = box.store()
    try:
        return poll_account(config, config.accounts[0], store, FixedClock(now))
    finally:
        store.close()


def test_the_horizon_decides_as_a_full_pass_does(pg_mailbox: Mailbox) -> None:
    config = _generated(pg_mailbox)
    _poll(config, pg_mailbox, NOW - timedelta(days=1))  # a first run: every thread seen once
    counts = [_compare(config, pg_mailbox, NOW + timedelta(days=days)) for days in (0, 3, 10, 40)]
    assert counts[0] > 10  # there is something to decide: the recent band waits on replies


def test_a_quiet_poll_skips_deciding_and_the_items_stay_right(dovecot_mailbox: Mailbox) -> None:
    box = dovecot_mailbox
    config = _generated(box, 800)
    first = _poll(config, box, NOW)
    assert not first.quiet and first.decisions  # type: ignore[attr-defined]
    _poll(config, box, NOW + timedelta(minutes=4))  # syncs the drafts the first poll wrote
    again = _poll(config, box, NOW + timedelta(minutes=5))
    assert again.quiet and not again.actions  # type: ignore[attr-defined]

    store = box.store()
    try:
        followups = FollowupStore(store)
        mark = followups.quiet("work")
        assert mark is not None and mark.until is not None and mark.until > NOW
        until = mark.until
        # the user's word is news: a dismissed item is decided again
        item = next(f for f in followups.followups("work") if f.state == "waiting")
        followups.set_override(item.id, "dismiss", None, NOW + timedelta(minutes=6))
    finally:
        store.close()
    after_dismiss = _poll(config, box, NOW + timedelta(minutes=7))
    assert not after_dismiss.quiet  # type: ignore[attr-defined]
    _poll(config, box, NOW + timedelta(minutes=7, seconds=30))  # syncs the removal of its draft, if any
    assert _poll(config, box, NOW + timedelta(minutes=8)).quiet  # type: ignore[attr-defined]

    # the moment something falls due, it is decided (and drafted) again
    due = _poll(config, box, until)
    assert not due.quiet and any(a.kind == "drafted" for a in due.actions)  # type: ignore[attr-defined]

    # a reply is news
    store = box.store()
    try:
        waiting = [f for f in FollowupStore(store).followups("work")
                   if f.kind == "awaiting_reply" and f.state in OPEN]
    finally:
        store.close()
    _poll(config, box, until + timedelta(seconds=30))  # syncs the new drafts
    assert _poll(config, box, until + timedelta(minutes=1)).quiet  # type: ignore[attr-defined]
    target = waiting[0]
    awaiting = Awaiting(target.message_id, target.subject, json.loads(target.to_json)[0][1], NOW.isoformat(), "")
    box.deliver("INBOX", human_reply(awaiting, box.user, until + timedelta(minutes=2)), flags="")
    replied = _poll(config, box, until + timedelta(minutes=3))
    assert not replied.quiet  # type: ignore[attr-defined]
    states = {d.message_id: d.state for d in replied.decisions}  # type: ignore[attr-defined]
    assert states[target.message_id] == "replied"

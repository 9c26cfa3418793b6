"""A lazy first sync (intent and promises read only for mail that can matter, the rest when it is needed)
decides, reports and explains as a sync that reads everything.

One Dovecot user, two accounts on it in one store: "work" syncs lazily, "full" reads every message at sync.
A seeded two-year mailbox (the scale benchmark's generator), plus an old thread written in the user's own
zone with promises both ways, that comes back to life later. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import Mailbox
from scale_mail import NOW, MailWriter, generate
from servers import make_message
from sqlalchemy import func, select

from assistant.clock import FixedClock
from assistant.config import Config, parse_config
from assistant.explain import explain_stored
from assistant.model import Decision, Mail
from assistant.report import deliver as weekly
from assistant.service import calendar_for, decide, sync_account
from assistant.store.items import FollowupStore
from assistant.store.models import StoredMessage
from assistant.store.repo import Store

pytestmark = pytest.mark.dovecot

NEW_YORK = ZoneInfo("America/New_York")  # the mailbox config's zone
CONTACT = "Lena Berg <lena.berg@northwind.example>"
OLD_ASK = "<old-ask@example.com>"
OLD_ANSWER = "<old-answer@northwind.example>"


def _config(box: Mailbox) -> Config:
    """Two accounts on the same user: "work" (lazy) and "full" (every message read at sync)."""
    text = box.config_text(extra="[sync]\nfirst_sync_days = 0\n\n[promises]\ncheck_back = \"5 days\"\n")
    full = text[text.index("[[accounts]]"):text.index("\n[report]")].replace('name = "work"', 'name = "full"')
    return parse_config(text + "\n" + full)


def _old_thread(box: Mailbox) -> None:
    """Fourteen months ago, in the user's zone: the user asks and promises; the contact answers, asks
    and promises too."""
    asked = datetime(2025, 9, 3, 10, 0, tzinfo=NEW_YORK)
    box.deliver("Sent", make_message(
        from_=f"Dana Reyes <{box.user}>", to=CONTACT, subject="Contract", date=asked, message_id=OLD_ASK,
        body="Hi Lena,\n\nCould you send me the signed contract? I'll send you the invoice by Friday.\n\nDana\n"),
        when=asked, flags="S")
    answered = asked + timedelta(days=1)
    box.deliver("INBOX", make_message(
        from_=CONTACT, to=f"Dana Reyes <{box.user}>", subject="Re: Contract", date=answered,
        message_id=OLD_ANSWER, in_reply_to=OLD_ASK, references=OLD_ASK,
        body="Hi Dana,\n\nCan you confirm the start date first? I will get back to you on the price by "
             "Wednesday.\n\nLena\n"), when=answered, flags="S")


def _unread(store: Store, account: str) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(StoredMessage).where(
            StoredMessage.account == account, StoredMessage.analysed.is_(False))) or 0


def _mail(m: Mail) -> Mail:
    return replace(m, id=0)  # row ids differ between the two accounts; nothing else may


def _decisions(decisions: list[Decision]) -> dict[str, Decision]:
    return {d.key: replace(d, tracked=_mail(d.tracked), latest=_mail(d.latest)) for d in decisions}


def _same_at(config: Config, store: Store, now: datetime) -> int:
    """Decide (over the horizon), save, and build the report for both accounts at `now`: all equal."""
    followups, calendar = FollowupStore(store), calendar_for(config)
    seen = []
    for account in config.accounts:
        decisions, mail = decide(config, account, followups, calendar, now)
        followups.save_decisions(account.name, decisions, now)
        report = weekly.build(config, account, followups, calendar, now).as_json()
        del report["account"]
        seen.append((_decisions(decisions), sorted(map(_mail, mail), key=repr), report))
    (lazy_decisions, lazy_mail, lazy_report), (full_decisions, full_mail, full_report) = seen
    assert lazy_decisions == full_decisions
    assert lazy_mail == full_mail
    assert lazy_report == full_report
    return len(lazy_decisions)


def test_a_lazy_first_sync_decides_and_reports_as_reading_everything(pg_mailbox: Mailbox) -> None:
    box = pg_mailbox
    generate(MailWriter(box.server, box.user, 1500), seed=7)
    _old_thread(box)
    config = _config(box)
    lazy, full = config.accounts
    store = box.store()
    try:
        first = NOW - timedelta(days=1)
        sync_account(config, lazy, store, FixedClock(first))
        sync_account(config, full, store, FixedClock(first), everything=True)
        total = store.count_messages("work")
        left = _unread(store, "work")
        assert total > 1500 and left > total / 2  # most of two years waits unread
        assert _unread(store, "full") == 0

        # now, a while back (mail older than the first sync's reach now matters), and ahead
        counts = [_same_at(config, store, first + timedelta(days=days)) for days in (0, 3, -150, 10, 40)]
        assert counts[0] > 10
        assert _unread(store, "work") < left  # looking back read some of the old mail, not all of it
        assert _unread(store, "work") > total / 3

        # the old thread comes back to life: its old messages are needed again
        later = NOW + timedelta(days=41)
        box.deliver("INBOX", make_message(
            from_=CONTACT, to=f"Dana Reyes <{box.user}>", subject="Re: Contract", date=later - timedelta(hours=2),
            message_id="<old-back@northwind.example>", in_reply_to=OLD_ANSWER, references=f"{OLD_ASK} {OLD_ANSWER}",
            body="Hi Dana,\n\nSorry, this fell through the cracks. Could you resend the invoice?\n\nLena\n"),
            when=later - timedelta(hours=2))
        before = _unread(store, "work")
        sync_account(config, lazy, store, FixedClock(later))
        sync_account(config, full, store, FixedClock(later), everything=True)
        for moment in (later, later + timedelta(days=4), later + timedelta(days=200)):
            _same_at(config, store, moment)
        assert _unread(store, "work") < before
        with store.session() as s:
            assert all(s.scalars(select(StoredMessage.analysed).where(
                StoredMessage.message_id.in_([OLD_ASK, OLD_ANSWER]))))
    finally:
        store.close()


def test_explain_reads_an_old_message_as_a_full_sync_did(pg_mailbox: Mailbox) -> None:
    box = pg_mailbox
    generate(MailWriter(box.server, box.user, 100), seed=3)
    _old_thread(box)
    config = _config(box)
    lazy, full = config.accounts
    store = box.store()
    try:
        sync_account(config, lazy, store, FixedClock(NOW))
        sync_account(config, full, store, FixedClock(NOW), everything=True)
        with store.session() as s:
            assert {a: r for a, r in s.execute(select(StoredMessage.account, StoredMessage.analysed).where(
                StoredMessage.message_id == OLD_ASK))} == {"work": False, "full": True}
        for message_id in (OLD_ASK, OLD_ANSWER):
            shown = explain_stored(store, replace(config, accounts=(lazy,)), message_id, as_sent=False)
            expected = explain_stored(store, replace(config, accounts=(full,)), message_id, as_sent=False)
            assert shown == expected and shown is not None
            assert shown["expects_reply"] and shown["promises"]  # there was something to read
        [promise] = explain_stored(store, config, OLD_ASK, as_sent=False)["promises"]  # type: ignore[index]
        assert promise["due_at"] == "2025-09-05T18:00:00-04:00"  # that Friday's end of day, in the user's zone
        assert _unread(store, "work") > 0  # explain read those two, nothing else
        with store.session() as s:
            assert all(s.scalars(select(StoredMessage.analysed).where(StoredMessage.message_id == OLD_ASK)))
    finally:
        store.close()

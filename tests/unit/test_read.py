"""read(): one reading of a message, the same for sync (what is stored) and explain (what is shown)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant.analysis.automated import classify
from assistant.analysis.read import TextReading, read, read_text
from assistant.config import parse_config
from assistant.explain import explain_file
from assistant.mailbox.client import Fetched
from assistant.mailbox.sync import read_text as stored_text
from assistant.mailbox.sync import to_record
from assistant.message import parse_message
from assistant.policy.common import earliest_reading, horizon, report_since
from assistant.service import calendar_for
from assistant.store.models import StoredMessage
from assistant.store.repo import MessageRecord, TextRecord, unread
from assistant.workdays import WorkCalendar

BERLIN = ZoneInfo("Europe/Berlin")
CONFIG = """
timezone = "Europe/Berlin"

[[accounts]]
name = "work"
host = "imap.example.com"
username = "me@example.com"
password_env = "FOLLOWUP_PW"
addresses = ["me@example.com"]
"""
# Written in Berlin on Friday 27 March 2026 (CET, +01:00); summer time starts on Sunday the 29th.
PROMISE = (b"From: Dana <dana@example.com>\r\nTo: Me <me@example.com>\r\nSubject: Figures\r\n"
           b"Date: Fri, 27 Mar 2026 10:00:00 +0100\r\nMessage-ID: <figures-1@example.com>\r\n\r\n"
           b"Hi,\r\n\r\nI'll send you the figures by Monday.\r\n\r\nDana\r\n")


def test_a_due_date_across_a_dst_change_is_read_in_the_users_zone() -> None:
    reading = read(parse_message(PROMISE), parse_message(PROMISE).date, WorkCalendar(BERLIN))
    [promise] = reading.promises
    assert promise.due == datetime(2026, 3, 30, 18, 0, tzinfo=BERLIN)  # 18:00 CEST, not 18:00 CET (19:00 CEST)
    assert reading.sent is not None and reading.sent.tzinfo == BERLIN


def test_explain_shows_the_due_date_sync_stores(tmp_path: Path) -> None:
    config = parse_config(CONFIG)
    fetched = Fetched(uid=1, flags=(), internal_date=datetime(2026, 3, 27, 9, 1, tzinfo=UTC), size=len(PROMISE),
                      raw=PROMISE, gm_msgid=None, gm_thrid=None)
    stored = to_record(fetched, config.accounts[0], calendar_for(config))
    path = tmp_path / "figures.eml"
    path.write_bytes(PROMISE)
    shown = explain_file(path, config, as_sent=False)

    [stored_promise] = stored.promises
    [shown_promise] = shown["promises"]
    assert datetime.fromisoformat(shown_promise["due_at"]) == datetime.fromisoformat(stored_promise["due"])
    assert shown_promise["due_at"] == "2026-03-30T18:00:00+02:00"
    assert (shown["kind"], shown["reason"], shown["expects_reply"], shown["expects_reply_reason"]) == (
        stored.verdict, stored.verdict_reason, stored.expects_reply, stored.expects_reason)
    json.dumps(shown)  # still plain JSON


def test_no_promises_in_automated_mail_or_without_a_date() -> None:
    auto = PROMISE.replace(b"Subject: Figures", b"Subject: Automatic reply: Figures")
    assert read(parse_message(auto), datetime(2026, 3, 27, 9, tzinfo=UTC), WorkCalendar(BERLIN)).promises == ()
    undated = read(parse_message(PROMISE), None, WorkCalendar(BERLIN))
    assert undated.promises == () and undated.sent is None and undated.kind == "human"


def test_a_date_written_elsewhere_keeps_its_own_offset() -> None:
    new_york = PROMISE.replace(b"+0100", b"-0400")
    reading = read(parse_message(new_york), parse_message(new_york).date, WorkCalendar(BERLIN, end=time(17, 0)))
    [promise] = reading.promises
    assert promise.due is not None and promise.due.isoformat() == "2026-03-30T17:00:00-04:00"


def test_read_is_the_verdict_and_the_reading_of_the_new_text() -> None:
    calendar = WorkCalendar(BERLIN)
    for raw in (PROMISE, PROMISE.replace(b"Subject: Figures", b"Subject: Automatic reply: Figures"),
                PROMISE.replace(b"I'll send", b"Could you send me")):
        parsed = parse_message(raw)
        whole = read(parsed, parsed.date, calendar)
        verdict = classify(parsed)
        text = read_text(parsed.new_text, verdict.kind, parsed.date, calendar)
        assert (whole.kind, whole.reason, whole.return_date) == (verdict.kind, verdict.reason, verdict.return_date)
        assert TextReading(whole.expects_reply, whole.expects_reason, whole.promises, whole.sent) == text
    assert read_text("I'll send you the figures by Monday.", "newsletter", datetime(2026, 3, 27, 9, tzinfo=UTC),
                     calendar).promises == ()


def _fetched(raw: bytes) -> Fetched:
    return Fetched(uid=1, flags=(), internal_date=datetime(2026, 3, 27, 9, 1, tzinfo=UTC), size=len(raw), raw=raw,
                   gm_msgid=None, gm_thrid=None)


def _row(record: MessageRecord) -> StoredMessage:
    """What the store keeps of a record: its date in UTC and the sender's offset beside it."""
    assert record.date is not None and (offset := record.date.utcoffset()) is not None
    return StoredMessage(new_text=record.new_text, verdict=record.verdict, date=record.date.astimezone(UTC),
                         date_offset_minutes=int(offset.total_seconds() // 60))


def test_text_left_unread_at_sync_is_read_later_as_sync_would_have() -> None:
    config = parse_config(CONFIG)
    calendar, account = calendar_for(config), config.accounts[0]
    # in the user's zone (a DST change ahead), in another zone, and a question
    for raw in (PROMISE, PROMISE.replace(b"+0100", b"-0400"), PROMISE.replace(b"I'll send", b"Could you send me")):
        now = to_record(_fetched(raw), account, calendar)
        later = to_record(_fetched(raw), account, calendar, read_since=datetime(2026, 4, 1, tzinfo=UTC))
        assert now.analysed and not later.analysed
        assert (later.expects_reply, later.expects_reason, later.promises) == (None, None, ())
        assert (later.verdict, later.new_text, later.date) == (now.verdict, now.new_text, now.date)
        stored = unread(_row(later))
        assert stored.sent is not None and now.date is not None
        assert stored.sent == now.date and stored.sent.utcoffset() == now.date.utcoffset()
        expected = TextRecord(bool(now.expects_reply), now.expects_reason or "", now.promises)
        assert stored_text(stored, calendar) == expected
    on_the_day = to_record(_fetched(PROMISE), account, calendar, read_since=parse_message(PROMISE).date)
    assert on_the_day.analysed  # the cutoff itself is read


def test_the_earliest_reading_that_matters_reaches_past_the_horizon_and_the_report() -> None:
    config = parse_config(CONFIG)
    calendar, now = calendar_for(config), datetime(2026, 11, 20, 12, tzinfo=UTC)
    earliest = earliest_reading(config, calendar, now)
    assert earliest == min(horizon(config.followup, config.promises, calendar, now),
                           report_since(config.report, calendar, now)) - timedelta(days=90)
    assert earliest < now - timedelta(days=120)
    longer = parse_config(CONFIG + '\n[report]\nwaiting_on_me_within = "400 days"\n')
    assert earliest_reading(longer, calendar, now) == now - timedelta(days=400 + 90)

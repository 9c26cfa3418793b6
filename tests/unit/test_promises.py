"""find_promises: what counts as a promise, each due-date phrase, what was promised, the traps, and quality
floors on the labelled set tests/data/promises.tsv."""

from __future__ import annotations

import dataclasses
import time as clock
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.analysis.promises import Promise, find_promises
from assistant.workdays import WorkCalendar

DATA = Path(__file__).resolve().parent.parent / "data" / "promises.tsv"
CEST = timezone(timedelta(hours=2))
WED = datetime(2025, 5, 14, 10, 15, tzinfo=CEST)  # Wednesday; this week ends Fri 16, next week is 19-23 May
FRI = datetime(2025, 5, 16, 16, 40, tzinfo=CEST)
BERLIN = ZoneInfo("Europe/Berlin")


def may(day: int, hour: int = 18, minute: int = 0) -> datetime:
    return datetime(2025, 5, day, hour, minute, tzinfo=CEST)


def on(year: int, month: int, day: int, hour: int = 18, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CEST)


# --- what counts as a promise ----------------------------------------------------------------------------

PROMISES = [
    "I'll send you the revised deck by Friday.",
    "I will get back to you tomorrow.",
    "Let me check and get back to you next week.",
    "You'll have it by EOD.",
    "I'll call you Monday.",
    "Will do — expect it by the 20th.",
    "We will ship it next Tuesday.",
    "I'll send the signed contract tomorrow.",
    "We'll have the report over to you by end of week.",
    "I'm going to send the figures this afternoon.",
    "I'll be sending the updated figures on Thursday.",
    "We're shipping the replacement on Thursday.",
    "I promise to send the final files by Wednesday.",
    "Will send the updated contract tomorrow.",
    "I'll have Priya send you the access details tomorrow.",
    "You'll hear from me by Monday at the latest.",
    "Sure thing. I'll circulate the minutes by noon.",
    "I won't make Thursday, but I'll send my comments by Wednesday.",
    "I'll be in touch shortly.",
]
NOT_PROMISES = [
    # questions
    "Could I send it Friday?", "Shall I send it Friday?", "Would you like me to send it tomorrow?",
    "Will you be able to send it by Thursday?",
    # conditionals and offers
    "If you like, I can send it Friday.", "I can send it if needed.", "Happy to send it over if useful.",
    "If legal signs off, we'll ship it on Friday.",
    # past tense
    "I sent it yesterday.", "I've sent it.", "I was going to send it on Monday.",
    # negations
    "I won't be able to send it Friday.", "I will not make it.", "We will never share your details.",
    "I'll not be sending the draft this week.",
    # reported speech and third parties
    "He said he'll send it Friday.", "Bob will send it.", "They told us they'll ship it next Tuesday.",
    "The courier will deliver the parts tomorrow.",
    # hedges: not commitments
    "I might send it Friday.", "I'll try to send it by Friday.", "I'll probably send it Monday.",
    "Hopefully we'll ship it next week.", "I should be able to send it Thursday.",
    # quoted text
    'Your email said "I\'ll send the contract by Friday", but nothing came.',
    "As Tom put it, 'we will ship it next Tuesday' - let's hold him to that.",
    # the writer's whereabouts and needs, and requests of the reader
    "I'll be out of the office until Monday.", "I'll need the figures by Thursday.",
    "You'll need to submit the form by next Tuesday.", "You will have to resubmit it by Friday.",
    "Please send me the deck by Friday.", "Let me know by Friday.",
    # traps
    "Thanks for the update.\n\nBest,\nSun Li\nHead of Procurement",
    "We met on Friday.", "We'll be closed on Monday.", "We'll see how it goes next week.",
    "Thanks!\n\nOn Tue, May 13, 2025 at 10:00 AM Alice wrote:\n> I'll send you the revised deck by Friday.",
    "Great, thanks!\n> I will get back to you tomorrow.",
    "Noted.\n\n-----Original Message-----\nFrom: Kai\nSent: Tuesday\n\nI'll send it on Friday.",
    "Call me on 555-0123 if anything comes up.", "v2.10 fixes the export bug.",
    "The meeting is at 3pm Friday.",
]


@pytest.mark.parametrize("text", PROMISES)
def test_finds_the_writers_commitments(text: str) -> None:
    assert len(find_promises(text, WED)) == 1


@pytest.mark.parametrize("text", NOT_PROMISES)
def test_ignores_what_is_no_commitment_of_the_writer(text: str) -> None:
    assert find_promises(text, WED) == []


# --- due dates -------------------------------------------------------------------------------------------

DUE = [
    # weekdays: written on a Friday, "Friday" is next week's
    ("by Friday", WED, may(16)), ("by Friday", FRI, may(23)), ("on Monday", FRI, may(19)),
    ("next Friday", WED, may(23)), ("next Monday", FRI, may(19)), ("Friday week", WED, may(23)),
    ("by Fri", WED, may(16)), ("by Weds", FRI, may(21)),
    # today and its hours
    ("today", WED, may(14)), ("by EOD", WED, may(14)), ("by COB", WED, may(14)),
    ("by close of business", WED, may(14)), ("tonight", WED, may(14, 20)), ("this afternoon", WED, may(14)),
    ("this morning", WED, may(14, 12)), ("by noon", WED, may(14, 12)), ("by 3pm", WED, may(14, 15)),
    ("by 4:30 p.m.", WED, may(14, 16, 30)), ("by 9am", WED, may(15, 9)), ("by 5 o'clock", WED, may(14, 17)),
    # tomorrow, named days with hours
    ("tomorrow", WED, may(15)), ("tomorrow morning", WED, may(15, 10)),
    ("first thing tomorrow", WED, may(15, 10)),
    ("by 16:30 tomorrow", WED, may(15, 16, 30)), ("the day after tomorrow", WED, may(16)),
    ("by COB Thursday", WED, may(15)), ("by noon Monday", WED, may(19, 12)),
    ("Monday at 9am", WED, may(19, 9)),
    ("Monday morning", WED, may(19, 10)),
    # weeks
    ("this week", WED, may(16)), ("by EOW", WED, may(16)), ("by end of week", FRI, may(16)),
    ("next week", WED, may(23)), ("by the end of next week", WED, may(23)), ("early next week", WED, may(19)),
    ("mid next week", WED, may(21)), ("late next week", WED, may(23)), ("before the weekend", WED, may(16)),
    # counted
    ("in 3 days", WED, may(17)), ("in two weeks", WED, may(28)), ("in a fortnight", WED, may(28)),
    ("within 2 business days", WED, may(16)), ("in a couple of days", WED, may(16)),
    ("within 48 hours", WED, WED + timedelta(hours=48)), ("in an hour", WED, WED + timedelta(hours=1)),
    # months
    ("by the end of the month", WED, may(31)), ("by month end", WED, may(31)),
    ("by end of next month", WED, on(2025, 6, 30)),
    # explicit dates: the next one on or after the day sent
    ("by Nov 20", WED, on(2025, 11, 20)), ("by Nov. 20", WED, on(2025, 11, 20)),
    ("by 20 November", WED, on(2025, 11, 20)), ("by the 20th of November", WED, on(2025, 11, 20)),
    ("by 2026-11-20", WED, on(2026, 11, 20)), ("by May 2", WED, on(2026, 5, 2)),
    ("on the 20th", WED, may(20)), ("on the 14th", WED, may(14)), ("by the 10th", WED, on(2025, 6, 10)),
    ("on Wednesday the 21st", WED, may(21)), ("by Friday 23 May", WED, may(23)),
    # numeric: only when the US and European readings agree or one is impossible
    ("by 13/8", WED, on(2025, 8, 13)), ("by 8/13", WED, on(2025, 8, 13)), ("by 6/6", WED, on(2025, 6, 6)),
    ("by 9/8", WED, None), ("by 3/2/2026", WED, None), ("by 20.11.2025", WED, on(2025, 11, 20)),
    # nothing usable
    ("soon", WED, None), ("in a few days", WED, None), ("before the holidays", WED, None),
    ("ASAP", WED, None),
]


@pytest.mark.parametrize(("phrase", "sent", "due"), DUE)
def test_reads_the_deadline_in_the_senders_offset(phrase: str, sent: datetime, due: datetime | None) -> None:
    [promise] = find_promises(f"I'll send you the report {phrase}.", sent)
    assert promise.due == due
    if due is not None:
        assert promise.due is not None and promise.due.utcoffset() == sent.utcoffset()


def test_end_of_month_written_on_the_last_day_is_that_day() -> None:
    sent = datetime(2025, 10, 31, 11, 5, tzinfo=timezone(timedelta(hours=1)))
    [promise] = find_promises("I'll send the expense report by end of month.", sent)
    assert promise.due == datetime(2025, 10, 31, 18, 0, tzinfo=sent.tzinfo)


def test_days_are_the_senders_not_utcs() -> None:
    late = datetime(2025, 5, 14, 23, 30, tzinfo=timezone(timedelta(hours=-7)))  # already the 15th in UTC
    [promise] = find_promises("I'll send it tomorrow.", late)
    assert promise.due == datetime(2025, 5, 15, 18, 0, tzinfo=late.tzinfo)


def test_a_day_without_a_time_ends_with_the_working_day() -> None:
    [promise] = find_promises("I'll send it Friday.", WED, WorkCalendar(BERLIN, end=time(17, 30)))
    assert promise.due == may(16, 17, 30)
    [evening] = find_promises("I'll send it tonight.", WED, WorkCalendar(BERLIN, end=time(21, 0)))
    assert evening.due == may(14, 21)


def test_business_days_are_the_users_working_days() -> None:
    text = "I'll send the contract within 3 business days."
    [plain] = find_promises(text, WED)  # Thu, Fri, Mon
    assert plain.due == may(19)
    holiday_monday = WorkCalendar(BERLIN, is_holiday=lambda day: day == date(2025, 5, 19))
    [holiday] = find_promises(text, WED, holiday_monday)  # Thu, Fri, (Monday a holiday), Tue
    assert holiday.due == may(20)
    four_day_week = WorkCalendar(BERLIN, working_days=frozenset({0, 1, 2, 3}))
    [short] = find_promises(text, WED, four_day_week)  # Thu, Mon, Tue
    assert short.due == may(20)


def test_a_deadline_beats_another_day_in_the_same_sentence() -> None:
    [promise] = find_promises("I'll finish the checklist over the weekend and send it Monday morning.", FRI)
    assert promise.due == may(19, 10)
    [promise] = find_promises("I'll send the notes we took on Monday by Thursday.", WED)
    assert promise.due == may(15)


@pytest.mark.parametrize(("text", "due"), [
    ("I'll send it by 13pm.", None), ("I'll send it by 31/02.", None), ("I'll send it by Feb 30.", None),
    ("I'll send it in 99999999 days.", None), ("I'll send it at 25:99.", None),
])
def test_impossible_dates_give_no_date(text: str, due: datetime | None) -> None:
    [promise] = find_promises(text, WED)
    assert promise.due == due


@pytest.mark.parametrize("text", [
    "", "  \n\n", ">", "'", "\"", "On Tue, May 13, 2025 Alice wrote:\n> I'll send it Friday.",
])
def test_empty_or_all_quoted_text_holds_no_promise(text: str) -> None:
    assert find_promises(text, WED) == []


def test_needs_an_aware_date() -> None:
    with pytest.raises(ValueError, match="aware"):
        find_promises("I'll send it Friday.", WED.replace(tzinfo=None))


# --- what was promised, and the value itself ------------------------------------------------------------

WHAT = [
    ("I'll send you the revised deck by Friday.", "the revised deck"),
    ("I'll send the signed contract tomorrow.", "the signed contract"),
    ("We'll have the report over to you by end of week.", "the report"),
    ("I'll have a first draft of the proposal to you by 3pm.", "a first draft of the proposal"),
    ("I'll get you the headcount numbers by Friday.", "the headcount numbers"),
    ("We'll get the contract countersigned and back to you by Wednesday.", "the contract"),
    ("I'll send v2.10 of the spec by Friday.", "v2.10 of the spec"),
    ("I'll send my availability for June by Friday.", "my availability for June"),
    ("I will circulate the notes and the action items by Friday.", "the notes and the action items"),
    ("Expect my comments on the brief by Monday.", "my comments on the brief"),
    ("I'll send the final invoice the day after tomorrow.", "the final invoice"),
    ("You'll have it by EOD.", None),
    ("I will get back to you tomorrow.", None),
    ("I'll call the client next Monday and let you know.", None),
    ("I'll send it over shortly.", None),
]


@pytest.mark.parametrize(("text", "what"), WHAT)
def test_names_what_was_promised(text: str, what: str | None) -> None:
    [promise] = find_promises(text, WED)
    assert promise.what == what


def test_a_promise_keeps_its_sentence_as_written() -> None:
    text = "Hi Tom,\n\nThanks for the call. I'll send you the revised\ndeck by Friday.\n\nBest,\nSun Li"
    expected = Promise("I'll send you the revised deck by Friday.", "the revised deck", may(16), "sender")
    assert find_promises(text, WED) == [expected]


def test_each_promising_sentence_is_a_promise_and_a_bare_will_do_joins_them() -> None:
    promises = find_promises("Will do. I'll send the deck by Friday. Then I'll call you Monday.", WED)
    assert [(p.what, p.due) for p in promises] == [("the deck", may(16)), (None, may(19))]
    assert find_promises("Will do.", WED) == [Promise("Will do.", None, None)]


def test_traps_give_no_wrong_dates() -> None:
    [signed] = find_promises("I'll send the PO tomorrow.\n\nBest regards,\nSun Li", WED)
    assert signed.due == may(15)  # not a Sunday
    [phone] = find_promises("I'll call you at 555-0123 tomorrow morning.", WED)
    assert phone.due == may(15, 10)
    [quoted] = find_promises("I'll send the agenda Monday.\n\nOn Tue, May 13, 2025 at 10:00 AM Alice wrote:\n"
                             "> Can you send it by the 20th?", WED)
    assert quoted.due == may(19)
    [version] = find_promises("We'll roll out release 3.4.1 on the 21st.", WED)
    assert (version.what, version.due) == ("release 3.4.1", may(21))


def test_the_promise_is_a_frozen_value() -> None:
    [promise] = find_promises("I'll call you Monday.", WED)
    assert promise.by == "sender"
    with pytest.raises(dataclasses.FrozenInstanceError):
        promise.due = None  # type: ignore[misc]


# --- the labelled set ------------------------------------------------------------------------------------

# Measured by benchmarks/promises.py (all 1.000 on the whole file and on each split); floors 0.02 below.
# Honest figures, from rows written after the rules and measured before any change: precision 1.000,
# recall 0.848, due 0.946 (first fresh batch), and 1.000 / 1.000 / 0.920 (second) - see the benchmark.
FLOORS = {"precision": 0.98, "recall": 0.98, "due": 0.98}


def _labelled() -> list[tuple[bool, datetime, datetime | None, str]]:
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines()[1:]:
        label, sent, due, _what, text = line.split("\t")
        expected = datetime.fromisoformat(due) if due else None
        rows.append((label == "promise", datetime.fromisoformat(sent), expected, text.replace("\\n", "\n")))
    return rows


def test_quality_on_the_labelled_set() -> None:
    rows = _labelled()
    assert len(rows) >= 300 and 0.5 < sum(r[0] for r in rows) / len(rows) < 0.65
    tp = fp = fn = due_ok = 0
    for promise, sent, due, text in rows:
        found = find_promises(text, sent)
        tp += promise and bool(found)
        fp += not promise and bool(found)
        fn += promise and not found
        due_ok += promise and bool(found) and found[0].due == due and (
            due is None or found[0].due is not None and found[0].due.utcoffset() == due.utcoffset())
    figures = {"precision": tp / (tp + fp), "recall": tp / (tp + fn), "due": due_ok / tp}
    assert all(figures[k] >= floor for k, floor in FLOORS.items()), figures


def test_fast_enough_for_a_whole_mailbox() -> None:
    rows = _labelled()
    start = clock.perf_counter()
    for _, sent, _, text in rows * 3:
        find_promises(text, sent)
    rate = 3 * len(rows) / (clock.perf_counter() - start)
    assert rate > 2_000, f"{rate:.0f} messages/s"  # ~15,000/s measured; the floor leaves room for slow CI

"""Moments in plain words, read in the user's zone from one `now` (a Thursday afternoon in Paris)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from assistant.when import NotAMoment, parse_when
from assistant.workdays import WorkCalendar

PARIS = ZoneInfo("Europe/Paris")
CAL = WorkCalendar(tz=PARIS, start=time(9), end=time(18))
NOW = datetime(2026, 12, 3, 15, 20, tzinfo=PARIS)  # Thursday


@pytest.mark.parametrize(("words", "expected"), [
    ("tomorrow", datetime(2026, 12, 4, 9, 0)),
    ("Tomorrow 2pm", datetime(2026, 12, 4, 14, 0)),
    ("tomorrow at 14:30", datetime(2026, 12, 4, 14, 30)),
    ("monday", datetime(2026, 12, 7, 9, 0)),
    ("mon", datetime(2026, 12, 7, 9, 0)),
    ("monday 9am", datetime(2026, 12, 7, 9, 0)),
    ("next monday", datetime(2026, 12, 7, 9, 0)),
    ("thursday", datetime(2026, 12, 10, 9, 0)),  # today is Thursday: the next one
    ("friday noon", datetime(2026, 12, 4, 12, 0)),
    ("in 5 days", datetime(2026, 12, 8, 15, 20)),
    ("5 days", datetime(2026, 12, 8, 15, 20)),
    ("3d", datetime(2026, 12, 6, 15, 20)),
    ("in 2 weeks", datetime(2026, 12, 17, 15, 20)),
    ("2w", datetime(2026, 12, 17, 15, 20)),
    ("in 3 hours", datetime(2026, 12, 3, 18, 20)),
    ("3 business days", datetime(2026, 12, 8, 15, 20)),  # Fri, Mon, Tue
    ("in 1 month", datetime(2027, 1, 3, 15, 20)),
    ("next week", datetime(2026, 12, 7, 9, 0)),
    ("today 5pm", datetime(2026, 12, 3, 17, 0)),
    ("nov30", datetime(2027, 11, 30, 9, 0)),  # past this year: next year's
    ("dec 7", datetime(2026, 12, 7, 9, 0)),
    ("7 dec", datetime(2026, 12, 7, 9, 0)),
    ("December 24th", datetime(2026, 12, 24, 9, 0)),
    ("2026-12-07", datetime(2026, 12, 7, 9, 0)),
    ("2026-12-07T14:00", datetime(2026, 12, 7, 14, 0)),
])
def test_words_name_a_moment_in_the_users_zone(words: str, expected: datetime) -> None:
    assert parse_when(words, NOW, CAL) == expected.replace(tzinfo=PARIS)


def test_a_moment_with_its_own_offset_keeps_it() -> None:
    moment = parse_when("2026-12-07T14:00+00:00", NOW, CAL)
    assert moment.utcoffset().total_seconds() == 0 and moment.hour == 14  # type: ignore[union-attr]


@pytest.mark.parametrize("words", ["yesterday", "blah", "", "monday 25:00", "feb 30", "in many days", "13pm"])
def test_words_that_name_no_moment_say_so(words: str) -> None:
    with pytest.raises(NotAMoment, match="not a date|no date given"):
        parse_when(words, NOW, CAL)


@pytest.mark.parametrize("words", ["2026-12-01", "today 9am", "2026-12-03T15:00"])
def test_a_moment_in_the_past_is_refused(words: str) -> None:
    with pytest.raises(NotAMoment, match="in the past"):
        parse_when(words, NOW, CAL)

"""Business-day arithmetic, working hours and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.workdays import Duration, WorkCalendar, make_calendar, parse_duration, parse_hours

NY = ZoneInfo("America/New_York")
CAL = make_calendar(NY, ("mon", "tue", "wed", "thu", "fri"), parse_hours("09:00-18:00"), "US")


@pytest.mark.parametrize(("text", "expected"), [
    ("3 business days", Duration(3, "business days")), ("1 business day", Duration(1, "business days")),
    ("2 working days", Duration(2, "business days")), ("2 days", Duration(2, "days")),
    ("4 hours", Duration(4, "hours")), ("1 week", Duration(1, "weeks")), (" 10 Days ", Duration(10, "days")),
])
def test_parse_duration(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["three days", "3 fortnights", "", "-1 days", "3"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


@pytest.mark.parametrize(("start", "duration", "due"), [
    # Monday 10:00 + 3 business days = Thursday 10:00
    (datetime(2026, 11, 2, 10, 0), "3 business days", datetime(2026, 11, 5, 10, 0)),
    # Friday + 1 business day = Monday
    (datetime(2026, 11, 6, 11, 0), "1 business day", datetime(2026, 11, 9, 11, 0)),
    # Saturday counts from Saturday: Monday is business day 1
    (datetime(2026, 11, 7, 11, 0), "1 business day", datetime(2026, 11, 9, 11, 0)),
    # Thanksgiving (Thu Nov 26) is skipped: Wed + 1 = Fri
    (datetime(2026, 11, 25, 10, 0), "1 business day", datetime(2026, 11, 27, 10, 0)),
    # after hours: moves to the next working window
    (datetime(2026, 11, 2, 19, 0), "3 business days", datetime(2026, 11, 6, 9, 0)),
    # before hours: moves to 09:00 the same day
    (datetime(2026, 11, 2, 7, 0), "1 business day", datetime(2026, 11, 3, 9, 0)),
    # plain days land on a Saturday → Monday 09:00
    (datetime(2026, 11, 5, 10, 0), "2 days", datetime(2026, 11, 9, 9, 0)),
    # hours within the day
    (datetime(2026, 11, 2, 10, 0), "4 hours", datetime(2026, 11, 2, 14, 0)),
    # Christmas and the weekend
    (datetime(2026, 12, 24, 10, 0), "1 business day", datetime(2026, 12, 28, 10, 0)),
])
def test_due(start: datetime, duration: str, due: datetime) -> None:
    assert CAL.due(start.replace(tzinfo=NY), parse_duration(duration)) == due.replace(tzinfo=NY)


def test_due_across_daylight_saving_keeps_local_time() -> None:
    # Fri Oct 30 2026 10:00 EDT + 1 business day = Mon Nov 2 10:00 EST
    due = CAL.due(datetime(2026, 10, 30, 10, 0, tzinfo=NY), parse_duration("1 business day"))
    assert due.hour == 10 and due.utcoffset().total_seconds() == -5 * 3600  # type: ignore[union-attr]


def test_custom_week_and_hours() -> None:
    cal = WorkCalendar(tz=NY, working_days=frozenset({6, 0, 1, 2, 3}), start=parse_hours("08:00-16:00")[0],
                       end=parse_hours("08:00-16:00")[1])
    # Sunday–Thursday week: Thursday 10:00 + 1 business day = Sunday 10:00
    assert cal.due(datetime(2026, 11, 5, 10, tzinfo=NY), Duration(1, "business days")) == datetime(
        2026, 11, 8, 10, tzinfo=NY)
    assert cal.business_days_between(datetime(2026, 11, 5, tzinfo=NY), datetime(2026, 11, 9, tzinfo=NY)) == 2


def test_holidays_and_next_working_day() -> None:
    assert CAL.next_working_day(date(2026, 11, 25)) == date(2026, 11, 27)
    assert not CAL.is_working_day(date(2026, 11, 26)) and CAL.is_working_day(date(2026, 11, 27))


@pytest.mark.parametrize("text", ["9-5", "18:00-09:00", "25:00-26:00"])
def test_bad_hours(text: str) -> None:
    with pytest.raises(ValueError):
        parse_hours(text)


def test_hours_are_elapsed_time_across_daylight_saving() -> None:
    start = datetime(2026, 10, 31, 23, 0, tzinfo=NY)  # DST ends at 02:00 on Nov 1
    later = CAL.add(start, parse_duration("4 hours"))
    # (same-zone subtraction in Python is wall-clock; compare in UTC)
    assert later.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=4) and later.hour == 2

"""Durations ("3 business days") and the user's working calendar. Pure: the calendar is handed `now`.

Business days skip non-working weekdays and public holidays; a moment outside working hours moves to
the start of the next working window.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
UNITS = ("business days", "days", "hours", "weeks", "minutes", "seconds")
_DURATION = re.compile(r"^\s*(\d+)\s*(business\s+days?|working\s+days?|days?|hours?|weeks?|minutes?|seconds?)\s*$",
                       re.IGNORECASE)
_ELAPSED = {"hours": 3600, "minutes": 60, "seconds": 1}


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # one of UNITS

    @property
    def seconds(self) -> float:
        """Length as elapsed time (a business day counts as a day): for timers, not for calendars."""
        per = _ELAPSED.get(self.unit) or (604800 if self.unit == "weeks" else 86400)
        return float(self.amount * per)

    def __str__(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"


def parse_duration(text: str) -> Duration:
    """ "3 business days", "2 days", "4 hours", "1 week" → Duration; ValueError otherwise."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (expected e.g. \"3 business days\", \"2 days\", "
                         "\"4 hours\", \"1 week\")")
    amount, unit = int(match.group(1)), match.group(2).lower()
    if unit.startswith(("business", "working")):
        return Duration(amount, "business days")
    return Duration(amount, unit if unit.endswith("s") else unit + "s")


def parse_hours(text: str) -> tuple[time, time]:
    match = re.match(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$", text)
    if not match:
        raise ValueError(f"not a time range: {text!r} (expected e.g. \"09:00-18:00\")")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = time(h1, m1), time(h2, m2)
    if not start < end:
        raise ValueError(f"the working day must end after it starts: {text!r}")
    return start, end


def _no_holidays(_day: date) -> bool:
    return False


@dataclass(frozen=True)
class WorkCalendar:
    tz: ZoneInfo
    working_days: frozenset[int] = frozenset(range(5))  # Monday = 0
    start: time = time(9, 0)
    end: time = time(18, 0)
    is_holiday: Callable[[date], bool] = _no_holidays

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and not self.is_holiday(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        for _ in range(366 * 2):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no working day within two years: check working_days and holidays")

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before `day`."""
        day -= timedelta(days=1)
        for _ in range(366 * 2):
            if self.is_working_day(day):
                return day
            day -= timedelta(days=1)
        raise ValueError("no working day within two years: check working_days and holidays")

    def window_start(self, day: date) -> datetime:
        return datetime.combine(day, self.start, self.tz)

    def into_window(self, moment: datetime) -> datetime:
        """`moment` if it falls within working hours on a working day, else the next window's start."""
        local = moment.astimezone(self.tz)
        day = local.date()
        if self.is_working_day(day):
            if local.timetz().replace(tzinfo=None) < self.start:
                return self.window_start(day)
            if local.time() < self.end:
                return local
        return self.window_start(self.next_working_day(day))

    def add(self, start: datetime, duration: Duration) -> datetime:
        """`start` plus `duration`; business days keep the time of day and skip days off."""
        local = start.astimezone(self.tz)
        if duration.unit == "business days":
            day = local.date()
            for _ in range(duration.amount):
                day = self.next_working_day(day)
            # a send on Saturday counts from Saturday: Monday is its first business day
            return datetime.combine(day, local.timetz().replace(tzinfo=None), self.tz)
        if duration.unit in _ELAPSED:  # elapsed time: across a DST change too
            return (start.astimezone(timezone.utc) + timedelta(seconds=duration.seconds)).astimezone(self.tz)
        delta = timedelta(weeks=duration.amount) if duration.unit == "weeks" else timedelta(days=duration.amount)
        return datetime.combine(local.date() + delta, local.timetz().replace(tzinfo=None), self.tz)

    def due(self, start: datetime, duration: Duration) -> datetime:
        """When a wait of `duration` from `start` ends, moved into working hours."""
        return self.into_window(self.add(start, duration))

    def business_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after `start`'s day up to and including `end`'s day."""
        day, last, count = start.astimezone(self.tz).date(), end.astimezone(self.tz).date(), 0
        while day < last:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def make_calendar(tz: ZoneInfo, working_days: tuple[str, ...], hours: tuple[time, time],
                  holiday_code: str | None) -> WorkCalendar:
    start, end = hours
    is_holiday: Callable[[date], bool] = _no_holidays
    if holiday_code:
        import holidays

        country, _, subdivision = holiday_code.upper().partition("-")
        table = holidays.country_holidays(country, subdiv=subdivision or None)
        is_holiday = table.__contains__  # the table fills in each year as it is asked
    return WorkCalendar(tz=tz, working_days=frozenset(WEEKDAYS.index(d) for d in working_days),
                        start=start, end=end, is_holiday=is_holiday)

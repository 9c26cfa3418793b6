"""Calendar arithmetic the readers share: a date that may not exist, the next such weekday, the next such day
of the year. Pure: every function is handed the day it counts from. The names of months and weekdays live in
message/vocabulary.py."""

from __future__ import annotations

from datetime import date, timedelta


def safe_date(year: int, month: int, day: int) -> date | None:
    """The date, or None when there is no such day (31 April, month 13)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def next_weekday(after: date, weekday: int) -> date:
    """The first day strictly after `after` that falls on `weekday` (Monday = 0): on a Friday, "Friday" is a
    week later."""
    return after + timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


def next_month_day(start: date, month: int, day: int) -> date | None:
    """The first `month`/`day` on or after `start`: this year's, else next year's; None if neither exists."""
    for year in (start.year, start.year + 1):
        found = safe_date(year, month, day)
        if found is not None and found >= start:
            return found
    return None

"""A moment in plain words: "tomorrow", "monday 9am", "in 5 days", "3 business days", "nov30", "2026-12-07".

What `snooze --until` takes, and the plus-address and subject commands ("+followup-3d"). Pure: the caller
hands in `now` and the user's calendar; the words are read in the user's zone. A day without a time of day
means the start of that day's working hours; a span ("in 5 days") keeps the time of day, as the follow-up
cadence does. The caller moves the moment into working hours (WorkCalendar.into_window).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from assistant.workdays import Duration, WorkCalendar

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
EXAMPLES = '"tomorrow", "monday 9am", "in 5 days", "2 weeks", "3 business days", "next week", "nov30", "2026-12-07"'

_UNITS = {"h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours",
          "d": "days", "day": "days", "days": "days",
          "w": "weeks", "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks",
          "bd": "business days", "business day": "business days", "business days": "business days",
          "working day": "business days", "working days": "business days",
          "m": "months", "mo": "months", "month": "months", "months": "months"}
_SPAN = re.compile(r"^(?:in\s+)?(\d{1,3})\s*(business days?|working days?|bd|hours?|hrs?|hr|h|days?|d|weeks?|wks?|wk|w"
                   r"|months?|mo|m)$")
_AT = re.compile(r"^(?P<day>.*?)\s*(?:\bat\s+)?(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2})\s*(?P<ap1>am|pm)?|\s*(?P<ap2>am|pm))$")
_MONTH_DAY = re.compile(r"^([a-z]{3,9})\.?\s*(\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(\d{4}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s*([a-z]{3,9})\.?(?:\s*(\d{4}))?$")


class NotAMoment(ValueError):
    """The words name no moment, or one in the past; the message says which."""


def parse_when(text: str, now: datetime, calendar: WorkCalendar) -> datetime:
    """The moment `text` names, after `now`, aware in the user's zone; NotAMoment if none (or a past one)."""
    words = " ".join(text.strip().lower().replace("_", " ").split())
    if not words:
        raise NotAMoment(f"no date given (e.g. {EXAMPLES})")
    local = now.astimezone(calendar.tz)
    moment = _iso(text.strip(), calendar) or _relative(words, local, calendar)
    if moment is None:
        raise NotAMoment(f"not a date: {text!r} (e.g. {EXAMPLES})")
    if moment <= now:
        raise NotAMoment(f"{text!r} is in the past ({moment:%a %d %b %Y %H:%M})")
    return moment


def _iso(text: str, calendar: WorkCalendar) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) <= 10:  # a date alone: the start of that working day
        return calendar.window_start(moment.date())
    return moment if moment.tzinfo else moment.replace(tzinfo=calendar.tz)


def _relative(words: str, local: datetime, calendar: WorkCalendar) -> datetime | None:
    span = _SPAN.match(words)
    if span:
        return _after(local, int(span.group(1)), _UNITS[span.group(2)], calendar)
    day_words, at = _split_time(words)
    day = _day(day_words, local.date(), calendar)
    if day is None:
        return None
    return datetime.combine(day, at, calendar.tz) if at is not None else calendar.window_start(day)


def _after(local: datetime, amount: int, unit: str, calendar: WorkCalendar) -> datetime:
    if unit == "months":
        month = local.month - 1 + amount
        year, month = local.year + month // 12, month % 12 + 1
        day = min(local.day, _days_in(year, month))
        return datetime.combine(date(year, month, day), local.timetz().replace(tzinfo=None), calendar.tz)
    return calendar.add(local, Duration(amount, unit))


def _days_in(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def _split_time(words: str) -> tuple[str, time | None]:
    """("monday", 9:00) from "monday 9am" or "monday at 9:00"; the time is None when none is given."""
    if words.endswith("noon"):
        return words.removesuffix("noon").removesuffix(" at").strip(), time(12)
    found = _AT.match(words)
    if not found:
        return words, None
    hour, minute, half = int(found["h"]), int(found["m"] or 0), found["ap1"] or found["ap2"]
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or (half and int(found["h"]) > 12):
        return words, None
    return found["day"].strip(), time(hour, minute)


def _day(words: str, today: date, calendar: WorkCalendar) -> date | None:
    if words in ("", "today"):
        return today
    if words == "tomorrow":
        return today + timedelta(days=1)
    if words in ("next week", "next monday week"):
        return today + timedelta(days=7 - today.weekday())
    if words == "next month":
        return date(today.year + today.month // 12, today.month % 12 + 1, 1)
    weekday = _weekday(words.removeprefix("next ").removeprefix("on ").removeprefix("this "))
    if weekday is not None:
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)  # never today: "friday" on a Friday is next week's
    return _calendar_day(words, today)


def _weekday(word: str) -> int | None:
    for i, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            return i
    return None


def _month(word: str) -> int | None:
    for i, name in enumerate(MONTHS):
        if len(word) >= 3 and name.startswith(word):
            return i + 1
    return None


def _calendar_day(words: str, today: date) -> date | None:
    """"nov30", "nov 30", "30 nov", "december 7th", "dec 7 2027": this year's, or next year's once past."""
    found = _MONTH_DAY.match(words)
    if found:
        month, day, year = _month(found.group(1)), int(found.group(2)), found.group(3)
    else:
        found = _DAY_MONTH.match(words)
        if not found:
            return None
        month, day, year = _month(found.group(2)), int(found.group(1)), found.group(3)
    if month is None:
        return None
    for candidate_year in ((int(year),) if year else (today.year, today.year + 1)):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            return None
        if year or candidate > today:
            return candidate
    return None

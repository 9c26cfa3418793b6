"""One clock for every decision, so `--now` can pretend any moment."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class FixedClock:
    """Always the same moment: one-shot commands with `--now`, and tests."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment


@dataclass
class ShiftedClock:
    """Starts at `start` and runs forward in real time: `followup run --now` for demos."""

    start: datetime
    _origin: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._origin)


def parse_instant(text: str, zone: tzinfo = UTC) -> datetime:
    """ISO 8601 → aware UTC datetime; a value without an offset is read in `zone` (the user's)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)

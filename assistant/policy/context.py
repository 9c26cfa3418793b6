"""What every policy is handed for one poll of one account: the config it reads, the calendar, `now`,
who the user is, and the user's own word on items (overrides). Built once per poll by the service."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from assistant.config import FollowupConfig, Person, PromisesConfig
from assistant.model import Override
from assistant.workdays import WorkCalendar


@dataclass(frozen=True)
class PolicyContext:
    followup: FollowupConfig
    promises: PromisesConfig
    calendar: WorkCalendar
    now: datetime
    user_addresses: frozenset[str]  # lower-case, as the account lists them
    list_addresses: frozenset[str] = frozenset()  # mailing lists the user receives: never chased
    people: tuple[Person, ...] = ()
    user_name: str = ""  # the name the user signs with lately
    user_address: str = ""  # the From of a draft that starts a thread (a check-in)
    overrides: Mapping[str, Override] = field(default_factory=dict)  # by item key: track, dismiss, snooze

    @property
    def user(self) -> tuple[str, str]:
        return self.user_name, self.user_address

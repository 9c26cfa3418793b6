"""Who matters: the correspondents the user writes to most and answers fastest. Pure."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.config import Person
from assistant.model import Mail
from assistant.policy.common import is_noreply, person_for


@dataclass(frozen=True)
class Suggestion:
    address: str
    name: str
    sent: int  # messages the user sent them
    received: int  # human messages from them
    median_reply_hours: float | None  # how fast the user answers them
    vip: bool
    keep_in_touch: str | None


def suggest(mail: Sequence[Mail], people: Sequence[Person], user_addresses: frozenset[str],
            lists: frozenset[str], limit: int = 15) -> list[Suggestion]:
    sent: dict[str, int] = {}
    received: dict[str, int] = {}
    names: dict[str, str] = {}
    by_thread: dict[str, list[Mail]] = {}
    for m in mail:
        if m.folder_role == "drafts":
            continue
        by_thread.setdefault(m.thread_key, []).append(m)
        if m.from_user and m.folder_role == "sent":
            for name, address in m.recipients:
                address = address.lower()
                sent[address] = sent.get(address, 0) + 1
                names.setdefault(address, name)
        elif not m.from_user and m.verdict == "human":
            received[m.from_addr.lower()] = received.get(m.from_addr.lower(), 0) + 1
            if m.from_name:
                names[m.from_addr.lower()] = m.from_name
    hours: dict[str, list[float]] = {}
    for thread in by_thread.values():
        thread.sort(key=lambda m: m.date)
        for i, m in enumerate(thread):
            if m.from_user or m.verdict != "human":
                continue
            answer = next((x for x in thread[i + 1:] if x.from_user and m.from_addr.lower() in
                           {a.lower() for _, a in x.recipients}), None)
            if answer is not None:
                hours.setdefault(m.from_addr.lower(), []).append((answer.date - m.date).total_seconds() / 3600)
    out = []
    for address, count in sent.items():
        if address in user_addresses or address in lists or is_noreply(address):
            continue
        person = person_for(address, people)
        times = hours.get(address)
        out.append(Suggestion(address, names.get(address, ""), count, received.get(address, 0),
                              round(statistics.median(times), 1) if times else None,
                              bool(person and person.vip),
                              str(person.keep_in_touch) if person and person.keep_in_touch else None))
    # most written to first; among equals, those answered fastest
    out.sort(key=lambda s: (-s.sent, s.median_reply_hours if s.median_reply_hours is not None else float("inf")))
    return out[:limit]

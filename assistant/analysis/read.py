"""One message → its whole reading: what sync stores and `followup explain` shows, computed in one place. Pure.

Who wrote it (a person or a machine, and why), whether it asks the reader for a reply (and why), the writer's
promises with their due dates. `sent` is the message's Date (or the moment the caller knows it by); a Date
written in the user's own zone is read there, so "by Monday" across a DST change falls at the end of the
working day the user sees, not an hour off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from assistant.analysis.automated import classify
from assistant.analysis.intent import expects_reply
from assistant.analysis.promises import Promise, find_promises
from assistant.message import ParsedMessage
from assistant.workdays import WorkCalendar


@dataclass(frozen=True)
class Reading:
    kind: str  # human, auto_reply, bounce, ... (analysis.automated.KINDS)
    reason: str  # why that kind: the automation detector that spoke, or "no sign of automation"
    return_date: date | None  # auto_reply only: the first day back, when its text says so plainly
    expects_reply: bool
    expects_reason: str  # the sentence detector that fired, quoting the sentence, or why none did
    promises: tuple[Promise, ...]  # the writer's, in order; only in a person's mail
    sent: datetime | None  # the moment due dates count from, in the user's zone when written there
    quote_rule: str | None  # the rule that found the quoted text (from the parse)
    signature_rule: str | None  # the rule that found the signature (from the parse)


def read(parsed: ParsedMessage, sent: datetime | None, calendar: WorkCalendar) -> Reading:
    """How Followup reads `parsed`: `sent` is an aware datetime (its Date, or a stand-in), or None if unknown.

    `calendar` gives the user's zone, the end of the working day (a due date with no time of day) and the
    working days that "in 3 business days" counts.
    """
    verdict = classify(parsed)
    intent = expects_reply(parsed.new_text)
    sent = in_own_zone(sent, calendar.tz)
    promises: tuple[Promise, ...] = ()
    if verdict.kind == "human" and sent is not None:  # never in auto-replies, lists or bulk mail
        promises = tuple(find_promises(parsed.new_text, sent, calendar))
    return Reading(kind=verdict.kind, reason=verdict.reason, return_date=verdict.return_date,
                   expects_reply=intent.expects_reply, expects_reason=intent.reason, promises=promises,
                   sent=sent, quote_rule=parsed.quote_rule, signature_rule=parsed.signature_rule)


def in_own_zone(sent: datetime | None, zone: tzinfo) -> datetime | None:
    """`sent` in `zone` when it was written there (its offset is the zone's at that moment), else as it is."""
    if sent is not None and sent.utcoffset() == sent.astimezone(zone).utcoffset():
        return sent.astimezone(zone)
    return sent

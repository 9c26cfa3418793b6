"""One message → its whole reading: what sync stores and `followup explain` shows, computed in one place. Pure.

Who wrote it (a person or a machine, and why), whether it asks the reader for a reply (and why), the writer's
promises with their due dates. The reading comes in two parts: the verdict (`classify`, cheap, needs the whole
parsed message) and the reading of the new text (`read_text`: intent and promises, the costly part, needs only
the stored new text, the verdict and `sent`). Sync reads the text of recent mail at once and leaves older
mail's for later; whenever that is, `read_text` gets the same inputs and gives the same answer. `sent` is the message's Date (or the moment the caller knows it by); a Date
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


@dataclass(frozen=True)
class TextReading:
    """The deferred half of a reading: what the new text asks and promises."""

    expects_reply: bool
    expects_reason: str
    promises: tuple[Promise, ...]
    sent: datetime | None  # as in Reading


def read(parsed: ParsedMessage, sent: datetime | None, calendar: WorkCalendar) -> Reading:
    """How Followup reads `parsed`: `sent` is an aware datetime (its Date, or a stand-in), or None if unknown.

    `calendar` gives the user's zone, the end of the working day (a due date with no time of day) and the
    working days that "in 3 business days" counts.
    """
    verdict = classify(parsed)
    text = read_text(parsed.new_text, verdict.kind, sent, calendar)
    return Reading(kind=verdict.kind, reason=verdict.reason, return_date=verdict.return_date,
                   expects_reply=text.expects_reply, expects_reason=text.expects_reason, promises=text.promises,
                   sent=text.sent, quote_rule=parsed.quote_rule, signature_rule=parsed.signature_rule)


def read_text(new_text: str, kind: str, sent: datetime | None, calendar: WorkCalendar) -> TextReading:
    """Intent and promises of a message's new text; `kind` is its verdict, `sent` as for `read` (in the
    sender's own offset: a Date written in the user's zone is read there)."""
    intent = expects_reply(new_text)
    sent = in_own_zone(sent, calendar.tz)
    promises: tuple[Promise, ...] = ()
    if kind == "human" and sent is not None:  # never in auto-replies, lists or bulk mail
        promises = tuple(find_promises(new_text, sent, calendar))
    return TextReading(expects_reply=intent.expects_reply, expects_reason=intent.reason, promises=promises,
                       sent=sent)


def in_own_zone(sent: datetime | None, zone: tzinfo) -> datetime | None:
    """`sent` in `zone` when it was written there (its offset is the zone's at that moment), else as it is."""
    if sent is not None and sent.utcoffset() == sent.astimezone(zone).utcoffset():
        return sent.astimezone(zone)
    return sent

"""The user's commands from the mail client, read: one vocabulary of command words, and where they are found.

A command is a few words: "" or "track" (follow this message), "never" or "dismiss" (never follow up on
this thread), a moment ("3d", "2w", "monday", "tomorrow", "nov30": follow up then if no reply), and for
mail to oneself (issue 16, section 2) "snooze 12 monday", "resume 12", "draft now 12", "dismiss 12". The
words come from a plus address (the part after the control address: me+followup-3d@example.com → "3d")
or from an IMAP keyword (a tag: followup-3d, followup-never, followup-track). Pure: no I/O, no clock;
a moment is read from the time the message was sent (`due_at`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from assistant.config import AccountConfig, Config, control_address
from assistant.when import parse_when
from assistant.workdays import WorkCalendar


class Verb(StrEnum):
    TRACK = "track"  # follow this message even though Followup would not have
    DISMISS = "dismiss"  # never follow up on this thread
    FOLLOW_UP = "follow-up"  # follow up at `when` if no reply, instead of after the cadence's wait
    SNOOZE = "snooze"  # hold the item's next draft until `when`
    RESUME = "resume"  # undo a dismiss or snooze
    DRAFT_NOW = "draft-now"  # write the item's draft now


class NotACommand(ValueError):
    """The words are no command; the message says what was not understood."""


@dataclass(frozen=True)
class Command:
    verb: Verb
    when: str | None = None  # the words naming the moment, as written ("3d", "monday")
    item: int | None = None  # the item the command names ("snooze 12 monday"), when it names one

    def describe(self) -> str:
        """In words, for the item's reason and `explain`: "follow up in 3 days", "never follow up"."""
        if self.verb == Verb.FOLLOW_UP:
            return f"follow up {when_in_words(self.when or '')}"
        if self.verb == Verb.SNOOZE:
            return f"snooze until {when_in_words(self.when or '')}"
        return {Verb.TRACK: "track this message", Verb.DISMISS: "never follow up", Verb.RESUME: "resume",
                Verb.DRAFT_NOW: "draft the follow-up now"}[self.verb]


_VERBS = {"": Verb.TRACK, "track": Verb.TRACK, "never": Verb.DISMISS, "dismiss": Verb.DISMISS,
          "resume": Verb.RESUME, "draft now": Verb.DRAFT_NOW, "now": Verb.DRAFT_NOW}
_ITEM = re.compile(r"^(?P<verb>[a-z]+(?: now)?)\s+#?(?P<item>\d+)\b\s*(?P<rest>.*)$")
_SPAN = re.compile(r"^(?:in\s+)?(\d{1,3})\s*([a-z ]+)$")
_UNIT_WORDS = {"h": "hour", "d": "day", "w": "week", "m": "month", "mo": "month", "bd": "business day",
               "wk": "week"}


def parse_words(text: str) -> Command:
    """The command `text` says, from the words alone (a moment is not checked here: see `due_at`).

    "" · "track" → track; "never" · "dismiss" → dismiss; "resume"; "draft now"; "snooze <when>"; anything
    else names a moment to follow up at. An item number may follow the verb: "snooze 12 monday"."""
    words = " ".join(text.strip().lower().replace("_", " ").split())
    item = None
    numbered = _ITEM.match(words)
    if numbered and (numbered["verb"] in _VERBS or numbered["verb"] == "snooze"):
        words, item = f"{numbered['verb']} {numbered['rest']}".strip(), int(numbered["item"])
    if words in _VERBS:
        return Command(_VERBS[words], item=item)
    if words.startswith("snooze"):
        when = re.sub(r"^until\b", "", words.removeprefix("snooze").strip()).strip()
        if not when:
            raise NotACommand("snooze needs a moment, e.g. \"snooze 12 monday\"")
        return Command(Verb.SNOOZE, when, item)
    if item is not None:
        raise NotACommand(f"not a command: {text!r}")
    return Command(Verb.FOLLOW_UP, words)


def due_at(command: Command, sent: datetime, calendar: WorkCalendar) -> datetime:
    """The moment a command's `when` names, counted from when the message was sent, moved into working
    hours. NotAMoment when the words name none (or one before it was sent)."""
    return calendar.into_window(parse_when(command.when or "", sent, calendar))


def when_in_words(when: str) -> str:
    """ "3d" → "in 3 days", "2w" → "in 2 weeks", "monday" → "on monday", "tomorrow" → "tomorrow"."""
    span = _SPAN.match(when)
    if span:
        amount, unit = int(span.group(1)), span.group(2).strip()
        unit = _UNIT_WORDS.get(unit, unit).removesuffix("s")
        return f"in {amount} {unit}{'s' if amount != 1 else ''}"
    return when if when in ("today", "tomorrow") or when.startswith("next ") else f"on {when}"


# --- where commands are found -------------------------------------------------------------------

@dataclass(frozen=True)
class Controls:
    """One account's control address and tags."""

    address: str  # lower case: "me+followup@example.com"
    tag_prefix: str = "followup-"
    track_tag: str = "followup-track"
    never_tag: str = "followup-never"

    def words_of(self, address: str) -> str | None:
        """The command words a recipient address carries ("3d" for me+followup-3d@…, "" for the control
        address itself), or None if it is not a control address."""
        local, _, domain = address.strip().lower().partition("@")
        own_local, _, own_domain = self.address.partition("@")
        if domain != own_domain or not local.startswith(own_local):
            return None
        rest = local[len(own_local):]
        if rest and not rest.startswith("-"):
            return None  # me+followups@…: another address
        return _spaced(rest[1:])

    def is_control(self, address: str) -> bool:
        return self.words_of(address) is not None

    def words_of_keyword(self, keyword: str) -> str | None:
        """The command words an IMAP keyword carries, or None if it is not one of ours."""
        word = keyword.lower()
        if word == self.track_tag:
            return "track"
        if word == self.never_tag:
            return "never"
        if word.startswith(self.tag_prefix) and len(word) > len(self.tag_prefix):
            return _spaced(word[len(self.tag_prefix):])
        return None


def _spaced(words: str) -> str:
    """An address or a keyword has no spaces: "in-5-days" means "in 5 days" (an ISO date keeps its dashes)."""
    return words if re.fullmatch(r"\d{4}-\d\d-\d\d", words) else words.replace("-", " ")


def controls_for(config: Config, account: AccountConfig) -> Controls | None:
    """The account's controls, or None when commands from the mail client are off for it."""
    address = control_address(config.controls, account)
    if address is None:
        return None
    c = config.controls
    return Controls(address, c.tag_prefix, c.track_tag, c.never_tag)


@dataclass(frozen=True)
class Found:
    """A command read on a message, where it was read ("Bcc me+followup-3d@example.com", "keyword
    followup-1w"), or what could not be understood (`error`)."""

    source: str
    command: Command | None
    error: str | None = None

    def said(self) -> str:
        return f"you asked: {self.command.describe()} ({self.source})" if self.command else ""


_FOLLOW_UPS = (Verb.TRACK, Verb.DISMISS, Verb.FOLLOW_UP)  # what a sent message's command can say


def read_commands(controls: Controls, to: tuple[tuple[str, str], ...], cc: tuple[tuple[str, str], ...],
                  bcc: tuple[tuple[str, str], ...], flags: frozenset[str] | tuple[str, ...]) -> list[Found]:
    """Every command on one sent message, in the order they count (a later one wins): the recipients
    (To, Cc, Bcc), then the keywords, which can be added after sending. Among keywords, a moment, then
    track, then never: the more final word wins when several tags are set at once."""
    found = []
    for header, people in (("To", to), ("Cc", cc), ("Bcc", bcc)):
        for _, address in people:
            words = controls.words_of(address)
            if words is not None:
                found.append(_found(f"{header} {address.lower()}", words))
    keywords = [(k, w) for k in sorted(flags) if (w := controls.words_of_keyword(k)) is not None]
    order = {"track": 1, "never": 2}
    for keyword, words in sorted(keywords, key=lambda kw: order.get(kw[1], 0)):
        found.append(_found(f"keyword {keyword.lower()}", words))
    return found


def _found(source: str, words: str) -> Found:
    try:
        command = parse_words(words)
    except NotACommand as e:
        return Found(source, None, str(e))
    if command.verb not in _FOLLOW_UPS or command.item is not None:
        return Found(source, None, f"{command.describe()!r} is a command for mail to yourself, not for a Bcc")
    return Found(source, command)

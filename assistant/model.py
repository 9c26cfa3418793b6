"""The shared types every stage reads: a stored message, a decision, the user's word, a tracked item, and
the kinds and states of items and drafts. Imports nothing of ours, so every layer can stand on it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """What a tracked item is about. The values are stored and printed (`list --json`)."""

    AWAITING_REPLY = "awaiting_reply"
    MY_PROMISE = "my_promise"
    THEIR_PROMISE = "their_promise"
    CHECK_IN = "check_in"
    CHECK_BACK = "check_back"


class State(StrEnum):
    """Where a tracked item stands. The policy decides all but DRAFTED, which the drafts stage sets when
    our draft for the item's current step is in Drafts."""

    WAITING = "waiting"
    DRAFTED = "drafted"
    SNOOZED = "snoozed"
    REPLIED = "replied"
    BOUNCED = "bounced"
    DISMISSED = "dismissed"
    COLD = "cold"
    KEPT = "kept"  # a promise kept


OPEN: frozenset[str] = frozenset({State.WAITING, State.DRAFTED, State.SNOOZED})
CLOSED: frozenset[str] = frozenset(State) - OPEN
# How far back, past the decision horizon, a promise is still followed (its thread is read for it).
PROMISE_REACH = dt.timedelta(days=90)


class DraftState(StrEnum):
    """One of our drafts, from the intent to APPEND to what the user did with it."""

    PENDING = "pending"  # intent committed, APPEND not yet confirmed
    PRESENT = "present"  # in Drafts as we wrote it
    MISSING = "missing"  # gone from Drafts once; a second look decides
    EDITED = "edited"  # the user changed it: theirs now
    SENT = "sent"
    REMOVED = "removed"  # we removed it, untouched, when no longer needed
    DELETED = "deleted"  # the user deleted it: never appended again
    BY_HAND = "by-hand"  # no longer needed, but the server cannot remove one message safely


DRAFT_LIVE: frozenset[str] = frozenset({DraftState.PENDING, DraftState.PRESENT})
DRAFT_HELD: frozenset[str] = DRAFT_LIVE | {DraftState.MISSING, DraftState.EDITED}  # a step already drafted


def label(kind: str, step: int = 1) -> str:
    """What a draft of this kind is, in a few words ("follow-up 2", "check-in")."""
    labels: dict[str, str] = {Kind.MY_PROMISE: "reminder of your promise", Kind.THEIR_PROMISE: "nudge about their "
                              "promise", Kind.CHECK_IN: "check-in", Kind.CHECK_BACK: "check-back"}
    return labels.get(kind, f"follow-up {step}")


def item_key(kind: str, message_id: str) -> str:
    """Tracked items are told apart by kind and message: one message can ask and promise at once."""
    return message_id if kind == Kind.AWAITING_REPLY else f"{kind}:{message_id}"


@dataclass(frozen=True)
class Mail:
    """A stored message as the policy reads it."""

    id: int
    message_id: str | None
    thread_key: str
    folder_role: str
    from_addr: str
    from_name: str
    to: tuple[tuple[str, str], ...]  # (name, address)
    cc: tuple[tuple[str, str], ...]
    subject: str
    date: datetime
    from_user: bool
    flags: frozenset[str] = frozenset()
    verdict: str = "human"
    verdict_reason: str = ""
    return_date: dt.date | None = None
    expects_reply: bool = False
    expects_reason: str = ""
    original_message_id: str | None = None  # what a bounce or receipt reports on
    original_recipients: tuple[str, ...] = ()
    original_subject: str | None = None
    references: tuple[str, ...] = ()
    text: str = ""  # the new text
    promises: tuple[tuple[str, str | None, datetime | None], ...] = ()  # (sentence, what, due)
    seen_at: datetime | None = None  # when Followup first stored it (None: as of its date)
    attachments: tuple[str, ...] = ()
    bcc: tuple[tuple[str, str], ...] = ()  # the Sent copy's Bcc: read for commands, never written to

    @property
    def recipients(self) -> tuple[tuple[str, str], ...]:
        return self.to + self.cc


@dataclass(frozen=True)
class OwnText:
    """What the user wrote in one sent message, for learning their voice (greeting, sign-off, signature)."""

    to: tuple[tuple[str, str], ...]  # (name, address)
    date: datetime
    text: str  # the new text
    signature: str


@dataclass(frozen=True)
class Override:
    """The user's own word on a tracked message: `track` or `dismiss` (or none), a snooze, and the item's own
    due time. Given at the command line (`followup dismiss/snooze/track`) or from the mail client (a command
    address in the Bcc or a keyword on the Sent copy: analysis.commands); `said` is what the user said, in
    words ("you asked: follow up in 3 days (Bcc me+followup-3d@example.com)")."""

    action: str | None
    until: datetime | None = None  # snoozed until
    due: datetime | None = None  # follow up then, instead of after the cadence's wait
    since: datetime | None = None  # when the word was given: `due` stands for the wait that starts then
    said: str = ""


@dataclass(frozen=True)
class Decision:
    """The policy's verdict on one tracked item at `now`."""

    message_id: str  # the tracked message
    thread_key: str
    state: State  # any but DRAFTED (that one is the drafts stage's)
    step: int  # the user's unanswered messages in the thread, from the tracked one on
    due_at: datetime | None  # when the next follow-up draft is due (None when none will come)
    reason: str  # why it is tracked, or why it closed
    tracked: Mail
    latest: Mail  # the message the draft replies to
    draft_due: bool  # a draft for `step` should exist now
    kind: Kind = Kind.AWAITING_REPLY
    draft_from: tuple[str, str] = ("", "")  # (name, address) the draft is written as
    draft_to: tuple[tuple[str, str], ...] = ()
    draft_cc: tuple[tuple[str, str], ...] = ()
    text: str | None = None  # a promise: its sentence
    what: str | None = None  # a promise: what was promised
    new_thread: bool = False  # a check-in starts a thread of its own
    changes_at: datetime | None = None  # the next moment this decision changes with time alone (None: never)
    # awaiting a reply: who answered (in order), and whose answer is still awaited ([followup] group)
    answered: tuple[tuple[str, str], ...] = ()  # (name, address)
    waiting: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return item_key(self.kind, self.message_id)


@dataclass(frozen=True)
class Tracked:
    """A tracked item as stored (a followup row), as the report and the CLI read it."""

    id: int
    kind: str
    state: str
    message_id: str
    subject: str
    to: list[str]
    sent_at: datetime | None
    due_at: datetime | None
    step: int
    what: str | None
    updated_at: datetime
    draft_waiting: bool
    reason: str = ""  # why the policy tracks it (the sentence that asked, the promise, …)
    text: str | None = None  # a promise: its sentence
    thread_key: str | None = None
    drafted_at: datetime | None = None  # when the draft that waits was drafted (None: no draft waits)
    answered: tuple[tuple[str, str], ...] = ()  # (name, address), as Decision
    waiting: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ThreadInput:
    """What threading reads of one stored message."""

    key: int  # the store's row id
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    date: datetime | None  # aware
    from_addr: str
    participants: frozenset[str]  # From, To, Cc addresses (lowercase); the store fills them for the user's mail only
    from_user: bool
    gm_thrid: int | None = None
    thread_index: str | None = None

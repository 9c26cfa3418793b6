"""Which sent messages await a reply, and when each follow-up is due. Pure: handed `now`, does no I/O.

The n-th wait of the cadence starts at the user's n-th unanswered message in the thread: the tracked
message is the first, every later message of theirs in the thread (a follow-up they sent, or one they
wrote) the next. A human reply from anyone else closes the item; a bounce marks it bounced; an
out-of-office with a return date moves the due time past the return.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from assistant.analysis.threads import base_subject
from assistant.config import FollowupConfig, Person, PromisesConfig
from assistant.workdays import Duration, WorkCalendar

_NOREPLY = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|mailer[-_.]?daemon|postmaster|"
                      r"notifications?|notify|bounces?|auto[-_.]?confirm|alerts?)([-+_.].*)?$", re.IGNORECASE)


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

    @property
    def recipients(self) -> tuple[tuple[str, str], ...]:
        return self.to + self.cc


@dataclass(frozen=True)
class Override:
    """The user's own word on a tracked message: `track` or `dismiss` (or none), and a snooze."""

    action: str | None
    until: datetime | None = None  # snoozed until


@dataclass(frozen=True)
class Decision:
    message_id: str  # the tracked message
    thread_key: str
    state: str  # waiting | replied | bounced | snoozed | dismissed | cold
    step: int  # the user's unanswered messages in the thread, from the tracked one on
    due_at: datetime | None  # when the next follow-up draft is due (None when none will come)
    reason: str  # why it is tracked, or why it closed
    tracked: Mail
    latest: Mail  # the message the draft replies to
    draft_due: bool  # a draft for `step` should exist now
    kind: str = "awaiting_reply"  # or my_promise / their_promise
    draft_from: tuple[str, str] = ("", "")  # (name, address) the draft is written as
    draft_to: tuple[tuple[str, str], ...] = ()
    draft_cc: tuple[tuple[str, str], ...] = ()
    text: str | None = None  # a promise: its sentence
    what: str | None = None  # a promise: what was promised
    new_thread: bool = False  # a check-in starts a thread of its own

    @property
    def key(self) -> str:
        return item_key(self.kind, self.message_id)


def item_key(kind: str, message_id: str) -> str:
    """Tracked items are told apart by kind and message: one message can ask and promise at once."""
    return message_id if kind == "awaiting_reply" else f"{kind}:{message_id}"


def list_addresses_of(headers: dict[str, str]) -> set[str]:
    """A list's posting address from List-Post (mailto:) and its List-Id ("<dev.lists.example.org>")."""
    out = {a.lower() for a in re.findall(r"mailto:([^>?\s,]+)", headers.get("List-Post", ""))}
    list_id = re.search(r"<([^<>@\s]+)>", headers.get("List-Id", ""))
    if list_id and "." in list_id.group(1):
        local, _, domain = list_id.group(1).partition(".")
        out.add(f"{local}@{domain}".lower())
    return out


def is_noreply(address: str) -> bool:
    return bool(_NOREPLY.match(address.partition("@")[0]))


def is_ignored(address: str, patterns: Iterable[str]) -> bool:
    address = address.lower()
    for pattern in patterns:
        if pattern.startswith("@") and address.endswith(pattern):
            return True
        if address == pattern or fnmatch.fnmatchcase(address, pattern):
            return True
    return False


def others(mail: Mail, user_addresses: frozenset[str]) -> list[tuple[str, str]]:
    return [(n, a) for n, a in mail.recipients if a.lower() not in user_addresses]


def why_tracked(mail: Mail, config: FollowupConfig, override: Override | None,
                user_addresses: frozenset[str], list_addresses: frozenset[str]) -> str | None:
    """The reason this sent message is tracked, or None. Pure."""
    people = others(mail, user_addresses)
    if not people:
        return None  # a note to self
    if override and override.action == "track":
        return "tracked by you (followup track)"
    real = [a for _, a in people if a not in list_addresses and not is_noreply(a)
            and not is_ignored(a, config.ignore)]
    if not real:
        return None  # only lists, no-reply addresses and ignored correspondents
    if "\\Flagged" in mail.flags:
        return "you starred it (\\Flagged)"
    if mail.expects_reply:
        return mail.expects_reason or "asks a question or makes a request"
    if config.track == "all":
        return 'track = "all"'
    return None


def _bounce_for(chain: Sequence[Mail], bounces: Sequence[Mail]) -> Mail | None:
    """A bounce that reports on a message of the chain: by Message-ID, else by recipient and subject."""
    ids = {m.message_id for m in chain if m.message_id}
    first = chain[0]
    recipients = {a.lower() for m in chain for _, a in m.recipients}
    for bounce in bounces:
        if bounce.date < first.date:
            continue
        if bounce.original_message_id and bounce.original_message_id in ids:
            return bounce
        if (not bounce.original_message_id and recipients & set(bounce.original_recipients)
                and bounce.original_subject is not None
                and base_subject(bounce.original_subject) == base_subject(first.subject)):
            return bounce
    return None


def person_for(address: str, people: Sequence[Person]) -> Person | None:
    """The first [[people]] entry whose match (address, @domain or glob) covers `address`."""
    return next((p for p in people if is_ignored(address, [p.match])), None)


def is_vip(mail: Mail, people: Sequence[Person]) -> bool:
    return any((person := person_for(a, people)) is not None and person.vip
               for _, a in (*mail.recipients, (mail.from_name, mail.from_addr)))


def decide_thread(thread: Sequence[Mail], bounces: Sequence[Mail], overrides: dict[str, Override],
                  config: FollowupConfig, calendar: WorkCalendar, now: datetime,
                  user_addresses: frozenset[str], list_addresses: frozenset[str],
                  people: Sequence[Person] = ()) -> list[Decision]:
    """Decisions for every tracked message of one thread (earlier ones are usually replied)."""
    mail = sorted(_dedupe(thread), key=lambda m: (m.date, m.id))
    mine = [m for m in mail if m.from_user and m.folder_role != "drafts"]
    decisions: list[Decision] = []
    covered: set[str] = set()
    for index, sent in enumerate(mine):
        if not sent.message_id or sent.message_id in covered:
            continue
        override = overrides.get(sent.message_id)
        reason = why_tracked(sent, config, override, user_addresses, list_addresses)
        if reason is None:
            continue
        party = {a.lower() for m in mine[index:] for _, a in m.recipients}
        replies = [m for m in mail if not m.from_user and m.date > sent.date and m.folder_role != "drafts"
                   and _is_reply(m, party)]
        chain = [m for m in mine[index:] if not replies or m.date < replies[0].date]
        covered.update(m.message_id for m in chain if m.message_id)
        vip = is_vip(sent, people)
        cadence = config.vip_cadence if vip else config.cadence
        decisions.append(_decide_one(sent, chain, replies, mail, bounces, override,
                                     reason + ("; a VIP: the shorter cadence" if vip else ""),
                                     replace(config, cadence=cadence), calendar, now))
    return decisions


def _is_reply(m: Mail, people: set[str]) -> bool:
    """Written by a human: a person of the thread answering through a list (reply-all to a Google
    Group in Cc) counts too."""
    if m.verdict == "human":
        return True
    return m.verdict == "list" and m.from_addr.lower() in people and not is_noreply(m.from_addr)


def _decide_one(sent: Mail, chain: list[Mail], replies: list[Mail], mail: list[Mail], bounces: Sequence[Mail],
                override: Override | None, reason: str, config: FollowupConfig, calendar: WorkCalendar,
                now: datetime) -> Decision:
    step, latest = len(chain), chain[-1]
    assert sent.message_id is not None

    mine = {a.lower() for a in (sent.from_addr,)}
    to = tuple((n, a) for n, a in sent.to if a.lower() not in mine)
    cc = tuple((n, a) for n, a in sent.cc if a.lower() not in mine)
    people = {"draft_from": (sent.from_name, sent.from_addr), "draft_to": to or cc, "draft_cc": cc if to else ()}

    def closed(state: str, why: str) -> Decision:
        base = Decision(sent.message_id or "", sent.thread_key, state, step, None, why, sent, latest, False)
        return replace(base, **people)  # type: ignore[arg-type]

    if replies:
        who = replies[0].from_name or replies[0].from_addr
        return closed("replied", f"{who} replied on {replies[0].date.astimezone(calendar.tz):%a %b %-d}")
    bounce = _bounce_for(chain, bounces)
    if bounce is not None:
        return closed("bounced", f"delivery failed: {bounce.verdict_reason or bounce.subject}")
    if override and override.action == "dismiss":
        return closed("dismissed", "dismissed by you")
    if step > len(config.cadence):
        return closed("cold", f"no reply after {step - 1} follow-up{'s' if step > 2 else ''}: gone cold")
    due = calendar.due(latest.date, config.cadence[step - 1])
    away = [m.return_date for m in mail
            if m.verdict == "auto_reply" and m.return_date is not None and m.date > sent.date]
    if away:
        back = max(away)  # the first day they are back
        due = max(due, calendar.into_window(calendar.window_start(back)))
        reason += f"; out of office, back {back:%a %b %-d}"
    state = "waiting"
    snoozed = bool(override and override.until and override.until > due)
    if override and override.until and snoozed:
        due = calendar.into_window(override.until)
        if now < override.until:
            state = "snoozed"
    if _first_seen_late(latest, due, config, calendar) and not (override and override.action == "track"):
        # Not a flood of drafts for mail long overdue when Followup first sees it (or after an outage).
        return closed("cold", f"was already overdue by more than {config.max_overdue} when Followup saw it")
    base = Decision(sent.message_id, sent.thread_key, state, step, due, reason, sent, latest,
                    draft_due=state == "waiting" and now >= due)
    return replace(base, **people)  # type: ignore[arg-type]


def _first_seen_late(m: Mail, due: datetime, config: FollowupConfig, calendar: WorkCalendar) -> bool:
    """Already overdue by more than max_overdue when Followup first stored the message (a first run
    over old mail): no flood of stale drafts. An outage later does not count: drafts then come late."""
    return (m.seen_at or m.date) > calendar.add(due, config.max_overdue)


def _dedupe(thread: Sequence[Mail]) -> list[Mail]:
    """One copy per Message-ID (a message to oneself sits in INBOX and Sent), Sent's preferred."""
    seen: dict[str, Mail] = {}
    out = []
    # Sent's copy first, then a human copy before a list copy of the same message
    for m in sorted(thread, key=lambda m: (m.folder_role != "sent", m.verdict != "human")):
        if m.message_id and m.message_id in seen:
            continue
        if m.message_id:
            seen[m.message_id] = m
        out.append(m)
    return out


def decide(threads: dict[str, list[Mail]], bounces: Sequence[Mail], overrides: dict[str, Override],
           config: FollowupConfig, calendar: WorkCalendar, now: datetime, user_addresses: frozenset[str],
           list_addresses: frozenset[str], people: Sequence[Person] = ()) -> list[Decision]:
    out: list[Decision] = []
    for thread in threads.values():
        out += decide_thread(thread, bounces, overrides, config, calendar, now, user_addresses, list_addresses,
                             people)
    return out


# --- promises -------------------------------------------------------------------------------------

def decide_promises(thread: Sequence[Mail], overrides: dict[str, Override], promises: PromisesConfig,
                    followup: FollowupConfig, calendar: WorkCalendar, now: datetime,
                    user_addresses: frozenset[str], ours: frozenset[str] = frozenset(),
                    user_name: str = "") -> list[Decision]:
    """The user's promises (a reminder before they fall due) and promises made to the user (a nudge
    when overdue by `grace`). A promise is kept when the promiser writes again in the thread (a follow-up
    draft of ours the user sent as it is, `ours`, does not keep it)."""
    mail = sorted((m for m in _dedupe(thread) if m.folder_role != "drafts"), key=lambda m: (m.date, m.id))
    name = next((m.from_name for m in reversed(mail) if m.from_user and m.from_name), user_name)
    out = []
    for m in mail:
        if not m.promises or not m.message_id or m.verdict != "human":
            continue
        sentence, what, due = m.promises[0]
        kind = "my_promise" if m.from_user else "their_promise"
        if m.from_user:
            to = tuple((n, a) for n, a in m.to if a.lower() not in user_addresses)
            cc = tuple((n, a) for n, a in m.cc if a.lower() not in user_addresses)
            if not to and not cc:
                continue  # a promise to oneself
            sender, to, cc = (m.from_name, m.from_addr), to or cc, cc if to else ()
            later = [x for x in mail if x.date > m.date and x.from_user and x.message_id not in ours]
            reason = f'you promised: "{sentence}"'
        else:
            me = next((a for _, a in m.recipients if a.lower() in user_addresses), min(user_addresses, default=""))
            sender, to, cc = (name, me), ((m.from_name, m.from_addr),), ()
            later = [x for x in mail if x.date > m.date and x.from_addr.lower() == m.from_addr.lower()
                     and x.verdict in ("human", "list")]
            reason = f'{m.from_name or m.from_addr} promised: "{sentence}"'
        deadline = due or calendar.due(m.date, promises.default_due)
        # the draft replies to the latest message between the two of them (never, say, an internal forward)
        party = (m.from_addr if not m.from_user else "").lower()
        latest = [x for x in mail if x.verdict == "human" and (
            not party or x.from_addr.lower() == party or party in {a.lower() for _, a in x.recipients})][-1]
        override = overrides.get(item_key(kind, m.message_id))
        common = {"kind": kind, "draft_from": sender, "draft_to": to, "draft_cc": cc, "text": sentence, "what": what}

        def decision(state: str, why: str, draft_due: bool = False, m: Mail = m, deadline: datetime = deadline,
                     latest: Mail = latest, common: Any = common) -> Decision:
            base = Decision(m.message_id or "", m.thread_key, state, 1, deadline, why, m, latest, draft_due)
            return replace(base, **common)

        if later:
            who = "you" if m.from_user else (m.from_name or m.from_addr)
            out.append(decision("kept", f"kept: {who} wrote again on {later[0].date.astimezone(calendar.tz):%a %b %-d}"))
            if m.from_user and promises.check_back is not None:
                out += _check_back(later[0], to, cc, what, mail, overrides, promises.check_back, calendar, now,
                                   f'you delivered on "{sentence}"')
            continue
        if override and override.action == "dismiss":
            out.append(decision("dismissed", "dismissed by you"))
            continue
        draft_at = _remind_at(deadline, m.date, promises.remind, calendar) if m.from_user else \
            calendar.due(deadline, promises.grace)
        state = "waiting"
        if override and override.until and override.until > draft_at:
            draft_at = calendar.into_window(override.until)
            state = "snoozed" if now < override.until else state
        if _first_seen_late(m, draft_at, followup, calendar):
            out.append(decision("cold", f"was already overdue by more than {followup.max_overdue} when Followup saw it"))
            continue
        out.append(decision(state, reason, draft_due=state == "waiting" and now >= draft_at))
    return out


def _remind_at(deadline: datetime, made: datetime, remind: Duration, calendar: WorkCalendar) -> datetime:
    """The start of the working day `remind` before the due day; never before the promise was made
    (then the due day's start, or the moment it was made)."""
    day = deadline.astimezone(calendar.tz).date()
    if remind.unit == "business days":
        for _ in range(remind.amount):
            day = calendar.previous_working_day(day)
        moment = calendar.window_start(day)
    else:
        moment = calendar.into_window(calendar.add(deadline, Duration(-remind.amount, remind.unit)))
    if moment < made:
        moment = max(calendar.into_window(calendar.window_start(deadline.astimezone(calendar.tz).date())), made)
    return moment


# --- relationships: check back after delivering, keep in touch ------------------------------------

def _check_back(delivered: Mail, to: tuple[tuple[str, str], ...], cc: tuple[tuple[str, str], ...], what: str | None,
                mail: Sequence[Mail], overrides: dict[str, Override], wait: Duration, calendar: WorkCalendar,
                now: datetime, why: str) -> list[Decision]:
    """"Did the revised deck work for you?" `wait` after delivering, unless they already wrote back."""
    if not delivered.message_id:
        return []
    people = {a.lower() for _, a in to + cc}
    base = Decision(delivered.message_id, delivered.thread_key, "waiting", 1, None, why, delivered, delivered, False,
                    kind="check_back", draft_from=(delivered.from_name, delivered.from_addr), draft_to=to,
                    draft_cc=cc, what=what)
    answered = [m for m in mail if m.date > delivered.date and m.from_addr.lower() in people and m.verdict == "human"]
    if answered:
        who = answered[0].from_name or answered[0].from_addr
        return [replace(base, state="replied", reason=f"{who} wrote back on "
                        f"{answered[0].date.astimezone(calendar.tz):%a %b %-d}")]
    override = overrides.get(item_key("check_back", delivered.message_id))
    if override and override.action == "dismiss":
        return [replace(base, state="dismissed", reason="dismissed by you")]
    due = calendar.due(delivered.date, wait)
    return [replace(base, due_at=due, draft_due=now >= due)]


def decide_check_backs(thread: Sequence[Mail], overrides: dict[str, Override], wait: Duration,
                       calendar: WorkCalendar, now: datetime, user_addresses: frozenset[str]) -> list[Decision]:
    """Check back after answering someone's request with an attachment."""
    mail = sorted((m for m in _dedupe(thread) if m.folder_role != "drafts"), key=lambda m: (m.date, m.id))
    out = []
    for i, m in enumerate(mail):
        if not (m.from_user and m.attachments and m.folder_role == "sent"):
            continue
        asked = [x for x in mail[:i] if not x.from_user and x.verdict == "human" and x.expects_reply
                 and x.from_addr.lower() in {a.lower() for _, a in m.recipients}]
        if not asked:
            continue
        to = tuple((n, a) for n, a in m.to if a.lower() not in user_addresses)
        out += _check_back(m, to, (), m.attachments[0], mail, overrides, wait, calendar, now,
                           f"you answered {asked[-1].from_name or asked[-1].from_addr}'s request with "
                           f"{m.attachments[0]}")
    return out


def decide_check_ins(mail: Sequence[Mail], people: Sequence[Person], restarts: dict[str, datetime],
                     overrides: dict[str, Override], calendar: WorkCalendar, now: datetime,
                     user_addresses: frozenset[str], user: tuple[str, str]) -> list[Decision]:
    """A check-in draft when a keep_in_touch person has had no mail either way for the period. Any mail,
    or deleting the check-in draft (`restarts`), starts the clock again."""
    last: dict[str, Mail] = {}
    for m in mail:
        if m.folder_role == "drafts" or m.verdict not in ("human", "list"):
            continue
        for _, address in (*m.recipients, (m.from_name, m.from_addr)):
            address = address.lower()
            person = person_for(address, people)
            if person is None or person.keep_in_touch is None or address in user_addresses:
                continue
            if address not in last or m.date > last[address].date:
                last[address] = m
    out = []
    for address, m in sorted(last.items()):
        person = person_for(address, people)
        assert person is not None and person.keep_in_touch is not None
        since = max(m.date, restarts.get(address, m.date))
        ident = hashlib.sha256(f"{address}\0{since.isoformat()}".encode()).hexdigest()[:20]
        key = f"<check-in.{ident}@followup.invalid>"
        name = m.from_name if m.from_addr.lower() == address else next(
            (n for n, a in m.recipients if a.lower() == address), "")
        override = overrides.get(item_key("check_in", key))
        due = calendar.due(since, person.keep_in_touch)
        state = "dismissed" if override and override.action == "dismiss" else "waiting"
        out.append(Decision(key, m.thread_key, state, 1, due,
                            f"keep in touch every {person.keep_in_touch}: last mail either way "
                            f"{m.date.astimezone(calendar.tz):%a %b %-d}", m, m,
                            draft_due=state == "waiting" and now >= due, kind="check_in", draft_from=user,
                            draft_to=((name, address),), new_thread=True))
    return out

"""Which sent messages await a reply, and when each follow-up is due. Pure: handed a PolicyContext
(which holds `now`), does no I/O.

The n-th wait of the cadence starts at the user's n-th unanswered message in the thread: the tracked
message is the first, every later message of theirs in the thread (a follow-up they sent, or one they
wrote) the next. A human reply from anyone else closes the item; a bounce marks it bounced; an
out-of-office with a return date moves the due time past the return.

A question to several people ([followup] group, or `group` on a [[people]] entry): "any" (the default)
is answered by anyone's reply; "each" needs that person's own. Only the people in To are asked (those
in Cc are informed; with no To, the Cc are asked). The item stays open while someone's answer is still
awaited, and its draft goes to them alone, the others in Cc. A reply-all answers only its sender; an
out-of-office or a bounce answers nobody.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from assistant.analysis.threads import base_subject
from assistant.model import Decision, Mail, Override, State
from assistant.policy.common import (
    dedupe,
    first_seen_late,
    is_ignored,
    is_noreply,
    is_vip,
    others,
    person_for,
)
from assistant.policy.context import PolicyContext
from assistant.workdays import Duration


def why_tracked(mail: Mail, override: Override | None, ctx: PolicyContext) -> str | None:
    """The reason this sent message is tracked, or None. Pure."""
    people = others(mail, ctx.user_addresses)
    if not people:
        return None  # a note to self
    if override and override.action == "track":
        return override.said or "tracked by you (followup track)"
    real = [a for _, a in people if a not in ctx.list_addresses and not is_noreply(a)
            and not is_ignored(a, ctx.followup.ignore)]
    if not real:
        return None  # only lists, no-reply addresses and ignored correspondents
    if "\\Flagged" in mail.flags:
        return "you starred it (\\Flagged)"
    if mail.expects_reply:
        return mail.expects_reason or "asks a question or makes a request"
    if ctx.followup.track == "all":
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


def decide_thread(thread: Sequence[Mail], bounces: Sequence[Mail], ctx: PolicyContext) -> list[Decision]:
    """Decisions for every tracked message of one thread (earlier ones are usually replied)."""
    mail = sorted(dedupe(thread), key=lambda m: (m.date, m.id))
    mine = [m for m in mail if m.from_user and m.folder_role != "drafts"]
    decisions: list[Decision] = []
    covered: set[str] = set()
    for index, sent in enumerate(mine):
        if not sent.message_id or sent.message_id in covered:
            continue
        override = ctx.overrides.get(sent.message_id)
        reason = why_tracked(sent, override, ctx)
        if reason is None:
            continue
        party = {a.lower() for m in mine[index:] for _, a in m.recipients}
        replies = [m for m in mail if not m.from_user and m.date > sent.date and m.folder_role != "drafts"
                   and _is_reply(m, party)]
        answers = answers_to(sent, replies, ctx)
        chain = [m for m in mine[index:] if answers.closing is None or m.date < answers.closing.date]
        covered.update(m.message_id for m in chain if m.message_id)
        vip = is_vip(sent, ctx.people)
        cadence = ctx.followup.vip_cadence if vip else ctx.followup.cadence
        decisions.append(_decide_one(sent, chain, answers, mail, bounces, override,
                                     reason + ("; a VIP: the shorter cadence" if vip else ""), cadence, ctx))
    return decisions


@dataclass(frozen=True)
class Answers:
    """Who answered a question to several people, and whose answer is still awaited."""

    answered: tuple[tuple[str, str], ...]  # (name, address) of each human who replied, first reply first
    waiting: tuple[tuple[str, str], ...]  # the asked whose answer is still awaited (every one, before any reply)
    closing: Mail | None  # the reply after which no one is awaited (None: still open)


def asked(sent: Mail, user_addresses: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """Whom a message asks: its To (Cc'd people are informed), or its Cc when it has no To."""
    mine = user_addresses | {sent.from_addr.lower()}
    to = tuple((n, a) for n, a in sent.to if a.lower() not in mine)
    return to or tuple((n, a) for n, a in sent.cc if a.lower() not in mine)


def group_of(address: str, ctx: PolicyContext) -> str:
    """"each" when this person's own answer is needed ([[people]] group, else [followup] group)."""
    person = person_for(address, ctx.people)
    return person.group if person is not None and person.group else ctx.followup.group


def answers_to(sent: Mail, replies: Sequence[Mail], ctx: PolicyContext) -> Answers:
    """Walk the replies in order: an "each" person is answered by their own reply, anyone else by any
    human reply. The reply that leaves no one awaited closes the item. Pure."""
    people = asked(sent, ctx.user_addresses)
    each = {a.lower() for _, a in people if group_of(a, ctx) == "each"}
    repliers: dict[str, tuple[str, str]] = {}

    def awaited() -> tuple[tuple[str, str], ...]:
        return tuple((n, a) for n, a in people if (a.lower() not in repliers if a.lower() in each else not repliers))

    for m in replies:
        repliers.setdefault(m.from_addr.lower(), (m.from_name, m.from_addr))
        if not awaited():
            return Answers(tuple(repliers.values()), (), m)
    return Answers(tuple(repliers.values()), awaited(), None)


def _is_reply(m: Mail, people: set[str]) -> bool:
    """Written by a human: a person of the thread answering through a list (reply-all to a Google
    Group in Cc) counts too."""
    if m.verdict == "human":
        return True
    return m.verdict == "list" and m.from_addr.lower() in people and not is_noreply(m.from_addr)


def _recipients(sent: Mail, answers: Answers) -> dict[str, object]:
    """The draft's From, To and Cc: the tracked message's, but once some have answered, To only those
    still awaited and the others in Cc."""
    mine = {sent.from_addr.lower()}
    to = tuple((n, a) for n, a in sent.to if a.lower() not in mine)
    cc = tuple((n, a) for n, a in sent.cc if a.lower() not in mine)
    people: dict[str, object] = {"draft_from": (sent.from_name, sent.from_addr), "draft_to": to or cc,
                                 "draft_cc": cc if to else (), "answered": answers.answered,
                                 "waiting": answers.waiting}
    if answers.answered and answers.waiting:  # some have answered: the draft asks the others
        awaited = {a.lower() for _, a in answers.waiting}
        people["draft_to"] = answers.waiting
        people["draft_cc"] = tuple(p for p in (*to, *cc) if p[1].lower() not in awaited)
    return people


def names(people: Sequence[tuple[str, str]]) -> str:
    return ", ".join(n or a for n, a in people)


def _decide_one(sent: Mail, chain: list[Mail], answers: Answers, mail: list[Mail], bounces: Sequence[Mail],
                override: Override | None, reason: str, cadence: tuple[Duration, ...],
                ctx: PolicyContext) -> Decision:
    step, latest, calendar, now = len(chain), chain[-1], ctx.calendar, ctx.now
    assert sent.message_id is not None
    people = _recipients(sent, answers)

    def closed(state: State, why: str) -> Decision:
        base = Decision(sent.message_id or "", sent.thread_key, state, step, None, why, sent, latest, False)
        return replace(base, **{**people, "waiting": ()})  # type: ignore[arg-type]

    if answers.closing is not None:
        last = answers.closing
        who = last.from_name or last.from_addr
        return closed(State.REPLIED, f"{who} replied on {last.date.astimezone(calendar.tz):%a %b %-d}")
    bounce = _bounce_for(chain, bounces)
    if bounce is not None:
        return closed(State.BOUNCED, f"delivery failed: {bounce.verdict_reason or bounce.subject}")
    if override and override.action == "dismiss":
        return closed(State.DISMISSED, override.said or "dismissed by you")
    asked = override is not None and override.due is not None and (override.since or sent.date) >= latest.date
    if step > len(cadence) and not asked:
        return closed(State.COLD, f"no reply after {step - 1} follow-up{'s' if step > 2 else ''}: gone cold")
    # the user's own time for this wait (a command on the latest message), or the cadence's
    due = override.due if asked and override and override.due else calendar.due(latest.date, cadence[step - 1])
    answered = {a.lower() for _, a in answers.answered}
    if answers.answered:
        reason += f"; answered: {names(answers.answered)}, waiting on {names(answers.waiting)}"
    # an out-of-office from someone who has answered already delays nothing
    away = [m.return_date for m in mail if m.verdict == "auto_reply" and m.return_date is not None
            and m.date > sent.date and m.from_addr.lower() not in answered]
    if away:
        back = max(away)  # the first day they are back
        due = max(due, calendar.into_window(calendar.window_start(back)))
        reason += f"; out of office, back {back:%a %b %-d}"
    state = State.WAITING
    snoozed = bool(override and override.until and override.until > due)
    if override and override.until and snoozed:
        due = calendar.into_window(override.until)
        if now < override.until:
            state = State.SNOOZED
    if first_seen_late(latest, due, ctx) and not (override and override.action == "track"):
        # Not a flood of drafts for mail long overdue when Followup first sees it (or after an outage).
        return closed(State.COLD,
                      f"was already overdue by more than {ctx.followup.max_overdue} when Followup saw it")
    draft_due = state == State.WAITING and now >= due
    changes_at = override.until if state == State.SNOOZED and override else None if draft_due else due
    base = Decision(sent.message_id, sent.thread_key, state, step, due, reason, sent, latest, draft_due,
                    changes_at=changes_at)
    return replace(base, **people)  # type: ignore[arg-type]


def decide(threads: Mapping[str, Sequence[Mail]], bounces: Sequence[Mail], ctx: PolicyContext) -> list[Decision]:
    out: list[Decision] = []
    for thread in threads.values():
        out += decide_thread(thread, bounces, ctx)
    return out

"""Which sent messages await a reply, and when each follow-up is due. Pure: handed a PolicyContext
(which holds `now`), does no I/O.

The n-th wait of the cadence starts at the user's n-th unanswered message in the thread: the tracked
message is the first, every later message of theirs in the thread (a follow-up they sent, or one they
wrote) the next. A human reply from anyone else closes the item; a bounce marks it bounced; an
out-of-office with a return date moves the due time past the return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from assistant.analysis.threads import base_subject
from assistant.model import Decision, Mail, Override, State
from assistant.policy.common import dedupe, first_seen_late, is_ignored, is_noreply, is_vip, others
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
        chain = [m for m in mine[index:] if not replies or m.date < replies[0].date]
        covered.update(m.message_id for m in chain if m.message_id)
        vip = is_vip(sent, ctx.people)
        cadence = ctx.followup.vip_cadence if vip else ctx.followup.cadence
        decisions.append(_decide_one(sent, chain, replies, mail, bounces, override,
                                     reason + ("; a VIP: the shorter cadence" if vip else ""), cadence, ctx))
    return decisions


def _is_reply(m: Mail, people: set[str]) -> bool:
    """Written by a human: a person of the thread answering through a list (reply-all to a Google
    Group in Cc) counts too."""
    if m.verdict == "human":
        return True
    return m.verdict == "list" and m.from_addr.lower() in people and not is_noreply(m.from_addr)


def _decide_one(sent: Mail, chain: list[Mail], replies: list[Mail], mail: list[Mail], bounces: Sequence[Mail],
                override: Override | None, reason: str, cadence: tuple[Duration, ...],
                ctx: PolicyContext) -> Decision:
    step, latest, calendar, now = len(chain), chain[-1], ctx.calendar, ctx.now
    assert sent.message_id is not None

    mine = {a.lower() for a in (sent.from_addr,)}
    to = tuple((n, a) for n, a in sent.to if a.lower() not in mine)
    cc = tuple((n, a) for n, a in sent.cc if a.lower() not in mine)
    people = {"draft_from": (sent.from_name, sent.from_addr), "draft_to": to or cc, "draft_cc": cc if to else ()}

    def closed(state: State, why: str) -> Decision:
        base = Decision(sent.message_id or "", sent.thread_key, state, step, None, why, sent, latest, False)
        return replace(base, **people)  # type: ignore[arg-type]

    if replies:
        who = replies[0].from_name or replies[0].from_addr
        return closed(State.REPLIED, f"{who} replied on {replies[0].date.astimezone(calendar.tz):%a %b %-d}")
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
    away = [m.return_date for m in mail
            if m.verdict == "auto_reply" and m.return_date is not None and m.date > sent.date]
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

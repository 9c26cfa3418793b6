"""The weekly report: where every conversation stands. A pure build from stored items, then templates.

build_report() gathers sections from the store as plain data (also the --json output); render_* turn it
into HTML (autoescaped, inline CSS, no external images or scripts) and text.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from assistant.config import Person
from assistant.model import OPEN, Mail, Tracked, label
from assistant.policy.common import person_for
from assistant.policy.relationships import ANSWER_THEM
from assistant.report.links import gmail_url, mid_url
from assistant.workdays import Duration, WorkCalendar

URGENT = re.compile(r"\b(unacceptable|disappointed|disappointing|urgent(ly)?|asap|refund|damaged|broken|"
                    r"complain(t|ed|ing)?|furious|frustrat(ed|ing)|immediately|escalat(e|ed|ion)|cancel my|"
                    r"still (not|haven't|hasn't)|no one (has )?(replied|answered|responded)|lawyer|legal action)\b",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Item:
    subject: str
    message_id: str
    who: list[str]  # the other people: recipients of your mail, or the sender of theirs
    at: str  # ISO 8601 in the user's zone: sent, received, or due
    days: int  # days waiting, or days overdue (negative: days left)
    note: str = ""  # follow-ups sent, draft waiting, why urgent, what was promised
    group: str = ""  # the sub-heading it falls under
    draft_waiting: bool = False
    urgent: bool = False
    why: str = ""  # why it is in the report: the sentence that asked, the promise, "no reply for 9 days"
    away_until: str | None = None  # ISO date: their latest auto-reply in the thread says they are back then
    link: str = ""  # mid: URL (RFC 2392) of the message, for desktop clients
    web_link: str = ""  # the same message in a webmail (Gmail accounts), or ""
    answered: list[str] = field(default_factory=list)  # awaiting a reply from several: who answered (names)
    waiting: list[str] = field(default_factory=list)  # and whose answer is still awaited


# Age groups of mail awaiting a reply, in whole days since it was sent: the list's sub-headings and the
# chart's bars both come from here, so one item is never in two groups.
AGE_GROUPS: tuple[tuple[str, int | None], ...] = (
    ("< 3 days", 3), ("3–6 days", 7), ("1–2 weeks", 14), ("2–4 weeks", 28), ("older", None))


def age_group(days: int) -> str:
    return next(label for label, below in AGE_GROUPS if below is None or days < below)


@dataclass
class Stats:
    sent: int = 0
    tracked: int = 0
    replied: int = 0
    reply_rate: float | None = None  # replied / tracked (tracked this week)
    median_reply_hours: float | None = None
    slowest: list[dict[str, Any]] = field(default_factory=list)  # [{who, hours}] slowest to reply
    waiting_ages: list[dict[str, Any]] = field(default_factory=list)  # chart: [{label, count}]


@dataclass
class Report:
    account: str
    week_of: str  # the Monday of the report's week, ISO date
    generated_at: str
    awaiting_reply: list[Item] = field(default_factory=list)
    my_promises: list[Item] = field(default_factory=list)
    their_promises: list[Item] = field(default_factory=list)
    waiting_on_me: list[Item] = field(default_factory=list)
    drafts: list[Item] = field(default_factory=list)
    bounced: list[Item] = field(default_factory=list)
    check_in: list[Item] = field(default_factory=list)  # keep-in-touch people due this week
    stats: Stats = field(default_factory=Stats)
    more: dict[str, int] = field(default_factory=dict)  # section → items left out past [report] max_items

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def empty(self) -> bool:
        return not any((self.awaiting_reply, self.my_promises, self.their_promises, self.waiting_on_me,
                        self.drafts, self.bounced))




def week_start(now: datetime, calendar: WorkCalendar) -> datetime:
    local = now.astimezone(calendar.tz)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, datetime.min.time(), calendar.tz)


@dataclass(frozen=True)
class Bounds:
    """How much a report lists: a report is read in a minute, whatever the mailbox's size."""

    waiting_on_me_after: Duration = Duration(1, "business days")
    waiting_on_me_within: timedelta = timedelta(days=30)
    overdue_within: timedelta = timedelta(days=14)  # an older overdue promise is history ([followup] max_overdue)
    max_items: int = 50


@dataclass(frozen=True)
class History:
    """What the report needs of mail older than it reads: everyone the user has written to, and when each
    sender first wrote (to tell a first contact). Computed from the mail it is given when absent."""

    known: frozenset[str]
    first_seen: Mapping[str, datetime]


def build_report(account: str, tracked: Sequence[Tracked], mail: Sequence[Mail], now: datetime,
                 calendar: WorkCalendar, bounds: Bounds, user_addresses: frozenset[str],
                 people: Sequence[Person] = (), history: History | None = None, gmail: bool = False) -> Report:
    start = week_start(now, calendar)

    def iso(moment: datetime) -> str:
        return moment.astimezone(calendar.tz).isoformat(timespec="minutes")
    report = Report(account=account, week_of=start.date().isoformat(), generated_at=iso(now))
    since = now - timedelta(days=7)  # "this week" for what happened: the seven days up to the report
    today = now.astimezone(calendar.tz).date()

    def days_past(moment: datetime) -> int:
        """Whole days from `moment`'s date to today, in the user's zone (negative: days to go)."""
        return (today - moment.astimezone(calendar.tz).date()).days

    away = _away(mail, today)

    def item(t: Tracked, at: datetime, days: int, note: str, group: str = "", draft_waiting: bool = False,
             urgent: bool = False, why: str = "") -> Item:
        """The report's line for `t`, with its reason, the out-of-office it met and links to its message."""
        real = t.kind != "check_in"  # a check-in's key names no message
        return Item(t.subject, t.message_id, t.to, iso(at), days, note, group, draft_waiting, urgent,
                    why or t.reason, away(t.thread_key, t.sent_at),
                    mid_url(t.message_id) if real else "", gmail_url(t.message_id) if real and gmail else "")

    for t in tracked:
        open_ = t.state in OPEN
        recent = t.updated_at >= since  # its state changed within the week
        if t.kind == "awaiting_reply" and t.sent_at and (open_ or (t.state == "cold" and recent)):
            days = days_past(t.sent_at)
            sent = t.step - 1
            note = f"{sent} follow-up{'s' if sent != 1 else ''} sent" + ("; a draft is waiting" if t.draft_waiting else "")
            if any((p := person_for(a, people)) is not None and p.vip for a in t.to):
                note = "VIP · " + note
            why = f"no reply for {_days(days)}" + (f"; {t.reason}" if t.reason else "")
            report.awaiting_reply.append(replace(
                item(t, t.sent_at, days, note, "gone cold" if t.state == "cold" else age_group(days),
                     t.draft_waiting, why=why),
                answered=[n or a for n, a in t.answered], waiting=[n or a for n, a in t.waiting]))
        elif t.kind == "awaiting_reply" and t.state == "bounced" and recent:
            report.bounced.append(item(t, t.sent_at or t.updated_at, 0, "delivery failed"))
        elif t.kind == "my_promise" and t.due_at:
            overdue = days_past(t.due_at)
            if t.state == "kept" and recent:
                report.my_promises.append(item(t, t.due_at, overdue, t.what or "", "kept this week"))
            elif (open_ or t.state == "cold") and now - bounds.overdue_within <= t.due_at < now:
                report.my_promises.append(item(t, t.due_at, overdue, t.what or "", "overdue", t.draft_waiting, True))
            elif open_ and t.due_at < start + timedelta(days=7):
                report.my_promises.append(item(t, t.due_at, overdue, t.what or "", "due this week", t.draft_waiting))
        elif (t.kind == "their_promise" and t.due_at and (open_ or t.state == "cold")
              and now - bounds.overdue_within <= t.due_at < now):
            report.their_promises.append(item(t, t.due_at, days_past(t.due_at), t.what or "", "overdue",
                                              t.draft_waiting))
        elif t.kind == "check_in" and open_ and t.due_at and t.due_at < now + timedelta(days=7):
            note = ANSWER_THEM if t.reason.startswith(ANSWER_THEM) else "no mail either way for a while"
            report.check_in.append(replace(item(t, t.due_at, days_past(t.due_at), note, "", t.draft_waiting),
                                           subject=f"Check in with {', '.join(t.to)}"))
        if t.draft_waiting:
            # when it was drafted: the draft's own time (updated_at moves with every poll)
            report.drafts.append(item(t, t.drafted_at or t.updated_at, 0, label(t.kind, t.step)))
    report.awaiting_reply.sort(key=lambda i: -i.days)
    report.waiting_on_me = waiting_on_me(mail, now, calendar, bounds, user_addresses, iso, people,
                                         history or _history(mail), gmail)
    report.stats = stats(mail, tracked, now, since, days_past)
    _cap(report, bounds.max_items)
    return report


def _days(days: int) -> str:
    return f"{days} day{'s' if days != 1 else ''}"


def _away(mail: Sequence[Mail], today: date) -> Callable[[str | None, datetime | None], str | None]:
    """thread, sent → the return date (ISO) of the latest auto-reply in the thread after `sent`, while
    it is still ahead; None otherwise."""
    replies: dict[str, list[Mail]] = {}
    for m in mail:
        if m.verdict == "auto_reply" and m.return_date is not None:
            replies.setdefault(m.thread_key, []).append(m)

    def away(thread_key: str | None, sent: datetime | None) -> str | None:
        later = [m for m in replies.get(thread_key or "", []) if sent is None or m.date > sent]
        back = max(later, key=lambda m: m.date).return_date if later else None
        return back.isoformat() if back is not None and back > today else None
    return away


def _history(mail: Sequence[Mail]) -> History:
    first_seen: dict[str, datetime] = {}
    for m in sorted(mail, key=lambda m: m.date):
        first_seen.setdefault(m.from_addr.lower(), m.date)
    return History(frozenset(a.lower() for m in mail if m.from_user for _, a in m.recipients), first_seen)


def _cap(report: Report, limit: int) -> None:
    """Each section keeps its first `limit` items (they come most pressing first) and counts the rest."""
    for key in ("awaiting_reply", "my_promises", "their_promises", "waiting_on_me", "drafts", "bounced",
                "check_in"):
        items: list[Item] = getattr(report, key)
        if len(items) > limit:
            report.more[key] = len(items) - limit
            setattr(report, key, items[:limit])


def waiting_on_me(mail: Sequence[Mail], now: datetime, calendar: WorkCalendar, bounds: Bounds,
                  user_addresses: frozenset[str], iso: Callable[[datetime], str],
                  people: Sequence[Person], history: History, gmail: bool = False) -> list[Item]:
    """Human mail to the user that asks something (or complains) and has no later message of theirs in
    the thread. A VIP first, then complaints and urgency, then first contact from a new correspondent
    (worth showing early, but not urgent by itself), then the longest waiting."""
    by_thread: dict[str, list[Mail]] = {}
    for m in mail:
        if m.folder_role != "drafts":
            by_thread.setdefault(m.thread_key, []).append(m)
    known, first_seen = history.known, history.first_seen
    out: list[tuple[tuple[bool, bool, bool, int], Item]] = []
    for thread in by_thread.values():
        theirs = [m for m in thread if not m.from_user and m.verdict == "human" and m.folder_role == "inbox"]
        if not theirs:
            continue
        last = max(theirs, key=lambda m: m.date)
        # answered: a later message of the user's to that person (a forward to a colleague is not an answer)
        answered = any(m.from_user and m.date > last.date and last.from_addr.lower() in
                       {a.lower() for _, a in m.recipients} for m in thread)
        urgent_words = URGENT.search(last.text) or URGENT.search(last.subject)
        complaint = urgent_words is not None
        if answered or not (last.expects_reply or complaint):
            continue
        if now < calendar.due(last.date, bounds.waiting_on_me_after) or last.date < now - bounds.waiting_on_me_within:
            continue
        new = last.from_addr.lower() not in known and first_seen.get(last.from_addr.lower()) == last.date
        person = person_for(last.from_addr, people)
        vip = person is not None and person.vip
        why = "complaint or urgent" if complaint else ("first contact: a new correspondent" if new else "asks you")
        if vip:
            why = f"VIP · {why}"
        reasons = [last.expects_reason] if last.expects_reply and last.expects_reason else []
        if urgent_words is not None:
            reasons.append(f'says "{urgent_words.group(0)}"')
        days = (now - last.date).days
        mid = last.message_id or ""
        item = Item(last.subject, mid, [last.from_name or last.from_addr], iso(last.date), days, why, "", False,
                    complaint or vip, "; ".join(reasons) or "asks you something", None, mid_url(mid),
                    gmail_url(mid) if gmail else "")
        out.append(((not vip, not complaint, not new, -days), item))
    return [i for _, i in sorted(out, key=lambda pair: pair[0])]


def stats(mail: Sequence[Mail], tracked: Sequence[Tracked], now: datetime, since: datetime,
          days_past: Callable[[datetime], int] | None = None) -> Stats:
    """The seven days up to `now`: what was sent, tracked and answered, and how fast. The chart counts
    what still awaits a reply by `age_group`, of `days_past` (calendar days in the user's zone) like the list."""
    sent_week = [m for m in mail if m.from_user and m.folder_role == "sent" and since <= m.date <= now]
    asked = [(t, t.sent_at) for t in tracked if t.kind == "awaiting_reply" and t.sent_at is not None]
    mine = [t for t, sent_at in asked if since <= sent_at <= now]
    replied = [t for t in mine if t.state == "replied"]
    by_id = {m.message_id: m for m in mail if m.message_id}
    answers: dict[str, list[Mail]] = {}  # thread → human replies by date: one pass, not one per item
    for m in sorted(mail, key=lambda m: m.date):
        if not m.from_user and m.verdict == "human":
            answers.setdefault(m.thread_key, []).append(m)
    slowest: dict[str, float] = {}
    hours: list[float] = []
    for t in replied:
        sent = by_id.get(t.message_id)
        first = next((m for m in answers.get(sent.thread_key, []) if m.date > sent.date), None) if sent else None
        if sent is None or first is None:
            continue
        waited = (first.date - sent.date).total_seconds() / 3600
        hours.append(waited)
        who = first.from_name or first.from_addr
        slowest[who] = max(slowest.get(who, 0.0), waited)
    age = days_past or (lambda moment: (now - moment).days)
    groups = [age_group(age(sent_at)) for t, sent_at in asked if t.state in OPEN]
    ages = [{"label": label, "count": groups.count(label)} for label, _ in AGE_GROUPS]
    top = sorted(slowest.items(), key=lambda kv: -kv[1])[:3]
    return Stats(sent=len(sent_week), tracked=len(mine), replied=len(replied),
                 reply_rate=round(len(replied) / len(mine), 2) if mine else None,
                 median_reply_hours=round(statistics.median(hours), 1) if hours else None,
                 slowest=[{"who": who, "hours": round(h, 1)} for who, h in top], waiting_ages=ages)

"""The weekly report as people read it: a Report → HTML (for mail clients) and plain text.

The templates get a ready-made view: sections in reading order, items grouped, dates and durations already
in words. That keeps the templates to layout, so a user's own template cannot get the arithmetic wrong.
HTML is autoescaped (a subject is text, never markup); both render in Jinja2's sandbox with StrictUndefined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from assistant.report.build import AGE_GROUPS, Item, Report, Stats
from assistant.templates import render, sandbox, shipped_templates

HTML_TEMPLATE = "report.html.j2"
TEXT_TEMPLATE = "report.txt.j2"


@dataclass(frozen=True)
class Section:
    key: str  # the Report attribute, and the --json key
    title: str
    when: str  # what an item's date is: "received", "sent", "due"
    groups: tuple[str, ...] = ()  # sub-headings in reading order; others follow as they come


SECTIONS = (
    Section("waiting_on_me", "Waiting on you", "received"),
    Section("awaiting_reply", "Awaiting a reply", "sent", (*(label for label, _ in AGE_GROUPS), "gone cold")),
    Section("my_promises", "Promises you made", "due", ("overdue", "due this week", "kept this week")),
    Section("their_promises", "Promises made to you", "due"),
    Section("drafts", "Drafts to review", "drafted"),
    Section("bounced", "Bounced", "sent"),
    Section("check_in", "People to check in with", "due"),
)


@dataclass(frozen=True)
class ItemView:
    subject: str
    who: str
    when: str  # "sent Mon Nov 2"
    age: str  # "21 days", "2 days overdue", "due in 3 days", or ""
    note: str
    urgent: bool
    draft_waiting: bool
    overdue: bool
    why: str = ""  # why it is listed
    away: str = ""  # "away until Mon Dec 7", or ""
    link: str = ""  # the subject's link: the webmail's when there is one, else mid:
    app_link: str = ""  # mid: beside a webmail link, for a desktop client
    answers: str = ""  # a question to several, some answered: "answered: Alice · waiting: Bob"


@dataclass(frozen=True)
class GroupView:
    title: str  # "" when the section has no sub-headings
    items: list[ItemView]


@dataclass(frozen=True)
class SectionView:
    key: str
    title: str
    count: int  # every item, listed or not
    groups: list[GroupView] = field(default_factory=list)
    more: int = 0  # items not listed ([report] max_items)


def render_html(report: Report, template_dir: str | None = None) -> str:
    return render(_environment(template_dir, html=True), [HTML_TEMPLATE], context(report))


def render_text(report: Report, template_dir: str | None = None) -> str:
    return render(_environment(template_dir, html=False), [TEXT_TEMPLATE], context(report))


def report_from_json(data: dict[str, Any]) -> Report:
    """The inverse of Report.as_json(): a report saved with --format json renders again."""
    lists = {s.key: [Item(**{**i, "who": list(i.get("who", []))}) for i in data.get(s.key, [])]
             for s in SECTIONS}
    report = Report(account=data["account"], week_of=data["week_of"], generated_at=data["generated_at"],
                    stats=Stats(**data.get("stats", {})), more={k: int(v) for k, v in data.get("more", {}).items()})
    for key, items in lists.items():
        setattr(report, key, items)
    return report


def _environment(template_dir: str | None, html: bool) -> SandboxedEnvironment:
    paths = [str(Path(template_dir).expanduser())] if template_dir else []
    paths.append(str(shipped_templates()))
    return sandbox([Path(p) for p in paths], html=html, trim_blocks=True, lstrip_blocks=True)


def context(report: Report) -> dict[str, object]:
    """What a report template can use (see the README): plain values, nothing that reaches the store."""
    sections = [_section(s, getattr(report, s.key), report.more.get(s.key, 0)) for s in SECTIONS]
    counts = {s.key: s.count for s in sections}
    return {
        "account": report.account,
        "week_of": _day(report.week_of),
        "generated_at": _moment(report.generated_at),
        "empty": report.empty,
        "summary": _summary(report),
        "sections": sections,
        "counts": counts,
        "stats": _stats(report.stats),
        "report": report.as_json(),
    }


def _section(section: Section, items: list[Item], more: int = 0) -> SectionView:
    if section.key == "waiting_on_me":
        items = sorted(items, key=lambda i: not i.urgent)  # stable: the build's order within each kind
    views = [(i.group, _item(section, i)) for i in items]
    if not section.groups:
        groups = [GroupView("", [v for _, v in views])] if views else []
        return SectionView(section.key, section.title, len(items) + more, groups, more)
    order = [*section.groups, *dict.fromkeys(g for g, _ in views if g not in section.groups)]
    groups = [GroupView(g, [v for group, v in views if group == g]) for g in order]
    return SectionView(section.key, section.title, len(items) + more, [g for g in groups if g.items], more)


def _item(section: Section, item: Item) -> ItemView:
    note, age, overdue = item.note, _days(item.days), False
    if section.key == "my_promises":
        note = f"you promised {item.note}" if item.note else ""
        kept = item.group.startswith("kept")
        overdue = not kept and item.days > 0
        age = "kept" if kept else _due(item.days)
    elif section.key == "their_promises":
        note = f"they promised {item.note}" if item.note else ""
        overdue = item.days > 0
        age = _due(item.days)
    elif section.key in ("drafts", "bounced", "check_in"):
        age = ""
    return ItemView(subject=item.subject or "(no subject)", who=", ".join(item.who),
                    when=f"{section.when} {_day(item.at)}", age=age, note=note,
                    urgent=item.urgent and not overdue,  # an overdue promise says so in red already
                    draft_waiting=item.draft_waiting, overdue=overdue, why=item.why,
                    away=f"away until {_day(item.away_until)}" if item.away_until else "",
                    link=item.web_link or item.link, app_link=item.link if item.web_link else "",
                    answers=_answers(item))


def _answers(item: Item) -> str:
    """Only while some have answered and others not: before any answer everyone is awaited, after all
    the item is closed."""
    if not (item.answered and item.waiting):
        return ""
    return f"answered: {', '.join(item.answered)} · waiting: {', '.join(item.waiting)}"


def _summary(report: Report) -> list[str]:
    """The line under the title: what needs the user, most pressing first."""
    parts = [(len(report.waiting_on_me), "waiting on you", "waiting on you"),
             (sum(1 for i in report.my_promises if i.group == "overdue"), "promise overdue",
              "promises overdue"),
             (len(report.awaiting_reply), "awaiting a reply", "awaiting a reply"),
             (len(report.drafts), "draft to review", "drafts to review"),
             (len(report.bounced), "bounced", "bounced")]
    return [f"{n} {one if n == 1 else many}" for n, one, many in parts if n]


def _stats(stats: Stats) -> dict[str, object]:
    ages = [(str(a.get("label", "")), int(a.get("count", 0))) for a in stats.waiting_ages]
    top = max((n for _, n in ages), default=0)
    # bar widths in % of the longest, so the chart fills its column; a single item stays visible
    chart = [{"label": label, "count": n, "width": max(3, round(100 * n / top)) if n else 0}
             for label, n in ages]
    slowest = [{"who": str(s.get("who", "")), "time": _hours(float(s.get("hours", 0)))}
               for s in stats.slowest]
    return {
        "sent": stats.sent, "tracked": stats.tracked, "replied": stats.replied,
        "reply_rate": f"{round(stats.reply_rate * 100)}%" if stats.reply_rate is not None else "—",
        "median_reply": _hours(stats.median_reply_hours) if stats.median_reply_hours is not None else "—",
        "slowest": slowest,
        "slowest_text": ", ".join(f"{s['who']} ({s['time']})" for s in slowest) or "—",
        "waiting_ages": chart,
        "waiting_total": sum(n for _, n in ages),
    }


def _hours(hours: float) -> str:
    """5.5 h up to two days; then days, which is how people think of a slow reply."""
    return f"{hours:g} h" if hours <= 48 else f"{hours / 24:.1f} days"


def _days(days: int) -> str:
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''}"


def _due(days: int) -> str:
    """`days` counts past the due date: 2 → "2 days overdue", -3 → "due in 3 days"."""
    if days == 0:
        return "due today"
    return f"{_days(days)} overdue" if days > 0 else f"due in {_days(-days)}"


def _day(iso: str) -> str:
    """ "Mon Nov 2" from an ISO date or date-time; anything else is shown as it came."""
    try:
        day = date.fromisoformat(iso) if len(iso) == 10 else datetime.fromisoformat(iso).date()
    except ValueError:
        return iso
    return f"{day:%a %b} {day.day}"


def _moment(iso: str) -> str:
    """ "Mon Nov 23, 8:00 AM" in the zone it was written in."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{moment:%a %b} {moment.day}, {moment.year} at {moment:%I:%M %p}".replace(" at 0", " at ")

"""Follow-up drafts: sandboxed Jinja2 → EmailMessage with safe headers and a deterministic Message-ID.

Header values taken from mail are stripped of CR/LF and set through email.headerregistry, so nothing in
a name or subject can add a header. Templates render in Jinja2's sandbox with StrictUndefined: a
mistake in a template is an error naming its file and line, never raw template syntax in a draft.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time
from babel.lists import format_list
from jinja2.sandbox import SandboxedEnvironment

from assistant.message import clean_header
from assistant.message.vocabulary import REPLY_PREFIX as _REPLY_PREFIX
from assistant.model import Decision, Kind
from assistant.templates import exists, render


def first_name(display: str, address: str) -> str | None:
    """A first name from a display name ("Wong, Alice" too), else from a first.last address; else None."""
    display = clean_header(display).strip("\"' ")
    if display and "@" not in display:
        if "," in display:
            display = display.split(",", 1)[1]
        token = display.split()[0] if display.split() else ""
        if token.isalpha() or "-" in token:
            return token[:1].upper() + token[1:]
    parts = [p for p in re.split(r"[._-]", address.partition("@")[0]) if p.isalpha()]
    if len(parts) >= 2 and len(parts[0]) > 1:
        return parts[0].capitalize()
    return None


def greeting(names: list[str | None]) -> str:
    """The readers' first names in English ("Frank and Ana"), or "there" / "all" when one is unknown."""
    known = [n for n in names if n]
    if not known or len(known) != len(names):
        return known[0] if len(known) == 1 and len(names) == 1 else ("all" if len(names) > 2 else "there")
    if len(known) == 1:
        return known[0]
    return ", ".join(known[:-1]) + " and " + known[-1]


def _days(later: date, earlier: date) -> int:
    return (later - earlier).days


def when_in_words(sent: datetime, now: datetime, tz: ZoneInfo) -> str:
    """English: "earlier today", "yesterday", "on Monday", "on Monday, November 23" (dates through Babel)."""
    day, ago = sent.astimezone(tz).date(), _days(now.astimezone(tz).date(), sent.astimezone(tz).date())
    if ago == 0:
        return "earlier today"
    if ago == 1:
        return "yesterday"
    return "on " + format_date(day, "EEEE" if 0 < ago < 7 else "EEEE, MMMM d", locale="en")


def due_in_words(due: datetime, now: datetime, tz: ZoneInfo) -> str:
    """English: "by today", "by tomorrow", "by Thursday", "by Thursday, November 19" (seen from `now`)."""
    day, ahead = due.astimezone(tz).date(), _days(due.astimezone(tz).date(), now.astimezone(tz).date())
    if ahead == 0:
        return "by today"
    if ahead == 1:
        return "by tomorrow"
    return "by " + format_date(day, "EEEE" if abs(ahead) < 7 else "EEEE, MMMM d", locale="en")


def thread_prefix(subjects: Iterable[str]) -> str:
    """The reply prefix the thread uses ("AW:", "RE:", "Re:"), from its newest subject that has one; "Re:"."""
    for subject in subjects:
        m = _REPLY_PREFIX.match(clean_header(subject))
        if m:
            first = re.match(r"\s*([^\s:：\[(]+)", m.group(0))
            if first:
                return first.group(1) + ":"
    return "Re:"


def reply_subject(subject: str, prefix: str = "Re:") -> str:
    """One reply prefix, never two: "AW: Angebot", whatever the subject had in front."""
    return f"{prefix} " + _REPLY_PREFIX.sub("", clean_header(subject))


def draft_message_id(account: str, tracked_id: str, step: int, domain: str) -> str:
    """Derived from (thread, step), so a retry after a crash finds the same draft; looks like any other id."""
    digest = hashlib.sha256(f"{account}\0{tracked_id}\0{step}".encode()).hexdigest()
    return f"<{digest[:16]}.{digest[16:28]}@{domain}>"


def quote(attribution: str, text: str) -> str:
    return attribution + "\n" + "\n".join(">" + (" " + line if line else "") for line in text.splitlines())


class Formats:
    """Babel's date and time formats in the draft's language and the user's zone, for templates:
    `format_date(sent_at, "EEEE")` → "Dienstag", `format_skeleton("MMMMd", due_at)` → "24. November"."""

    def __init__(self, language: str, tz: ZoneInfo) -> None:
        try:
            self.locale = Locale.parse(language.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            self.locale = Locale.parse("en")
        self.tz = tz

    def date(self, value: datetime, format: str = "medium") -> str:
        return format_date(value.astimezone(self.tz).date(), format, locale=self.locale)

    def time(self, value: datetime, format: str = "short") -> str:
        return format_time(value.astimezone(self.tz), format, tzinfo=self.tz, locale=self.locale)

    def skeleton(self, skeleton: str, value: datetime) -> str:
        return format_skeleton(skeleton, value.astimezone(self.tz), tzinfo=self.tz, locale=self.locale)


# Headers some servers add to a message they hand back (GNU Mailutils, mbox-backed servers): not the user's.
_SERVER_HEADERS = (b"x-imapbase:", b"x-uid:", b"status:", b"x-status:", b"x-keywords:", b"content-length:",
                   b"lines:")


def message_digest(raw: bytes) -> str:
    """Of the whole message as a server may hand it back (line endings and trailing space normalised, and
    the bookkeeping headers some servers add left out): any change the user makes (text, recipients,
    subject, an attachment) changes it."""
    text = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").strip()
    head, sep, body = text.partition(b"\n\n")
    kept: list[bytes] = []
    skipping = False
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        skipping = line.lower().startswith(_SERVER_HEADERS)
        if not skipping:
            kept.append(line)
    text = b"\n".join(kept) + sep + body
    return hashlib.sha256(b"\n".join(line.rstrip() for line in text.split(b"\n"))).hexdigest()


@dataclass(frozen=True)
class DraftInput:
    account: str
    step: int
    tracked_id: str
    tracked_subject: str
    tracked_sent: datetime
    reply_to_id: str  # the user's latest message in the thread
    reply_to_references: tuple[str, ...]
    reply_to_text: str
    reply_to_sent: datetime
    from_name: str
    from_addr: str
    recipients: tuple[tuple[str, str], ...]  # (name, address), To
    cc: tuple[tuple[str, str], ...]
    business_days_waiting: int
    reply_to_author: str = ""  # who wrote the quoted message (default: the user)
    templates: tuple[str, ...] = ()  # tried first; then followup/stepN and followup/default
    promise_text: str | None = None
    promise_what: str | None = None
    promise_due: datetime | None = None
    new_thread: bool = False  # a check-in: no In-Reply-To, no quote, a subject of its own
    languages: tuple[str, ...] = ("en",)  # wanted, best first (the thread's, the config's): the first with templates
    formal: bool | None = None  # the user's register in the thread (None: nothing tells; formal)
    greeting: str = ""  # the user's own, learned or set ("" : the template's)
    signoff: str = ""
    signature: str = ""
    asked: str = ""  # the question the tracked message asked, as a clause ("" : not clear)
    reply_prefix: str = "Re:"  # as the thread has it


# Each kind's own template, tried first; an awaiting-reply item falls back to followup/stepN and default.
TEMPLATES: dict[str, tuple[str, ...]] = {
    Kind.MY_PROMISE: ("promise/mine.txt.j2",), Kind.THEIR_PROMISE: ("promise/theirs.txt.j2",),
    Kind.CHECK_IN: ("checkin.txt.j2",), Kind.CHECK_BACK: ("checkback.txt.j2",)}


def draft_input(account: str, d: Decision, reply_to_text: str, business_days_waiting: int,
                **personal: Any) -> DraftInput:
    """What the draft for a decision's step is made of; `reply_to_text` is the stored text it quotes;
    `personal`: the language, register, voice, question and prefix (drafts/apply.py finds them)."""
    latest = d.latest
    return DraftInput(**personal,
        account=account, step=d.step, tracked_id=d.key, tracked_subject=d.tracked.subject,
        tracked_sent=d.tracked.date, reply_to_id=latest.message_id or d.message_id,
        reply_to_references=latest.references, reply_to_text=reply_to_text,
        reply_to_sent=latest.date, reply_to_author=latest.from_name or latest.from_addr,
        from_name=d.draft_from[0], from_addr=d.draft_from[1], recipients=d.draft_to, cc=d.draft_cc,
        business_days_waiting=business_days_waiting, templates=TEMPLATES.get(d.kind, ()),
        promise_text=d.text, promise_what=d.what, promise_due=d.due_at, new_thread=d.new_thread,
    )


@dataclass(frozen=True)
class RenderedDraft:
    message_id: str
    raw: bytes
    body_sha256: str


def _address(name: str, addr: str) -> Address | None:
    try:
        return Address(display_name=clean_header(name), addr_spec=clean_header(addr))
    except (ValueError, IndexError, TypeError, HeaderParseError):
        return None  # an address we cannot write safely is left out rather than mangled


def _localised(base: str, language: str) -> list[str]:
    """`followup/step1.txt.j2` in German is `followup/step1.de.txt.j2`; a name without a language is English."""
    stem = base.removesuffix(".txt.j2")
    return [f"{stem}.{language}.txt.j2"] + ([base] if language == "en" else [])


def _piece(env: SandboxedEnvironment, base: str, language: str, context: dict[str, object], tz: ZoneInfo) -> str:
    """A small piece (the attribution line, a check-in's subject): in the language if there is a template
    for it, else in English, dates and all."""
    names = _localised(base, language)
    if not any(exists(env, n) for n in names):
        fmt = Formats("en", tz)
        names, context = [base], context | {"language": "en", "format_date": fmt.date, "format_time": fmt.time,
                                            "format_skeleton": fmt.skeleton}
    return render(env, names, context).strip()


def _language(env: SandboxedEnvironment, bases: list[str], wanted: tuple[str, ...]) -> str:
    """The first wanted language that has a template for this draft (the user's directory or ours)."""
    for language in dict.fromkeys([*wanted, "en"]):
        if any(exists(env, name) for base in bases for name in _localised(base, language)):
            return language
    return "en"


def draft_context(d: DraftInput, language: str, now: datetime, tz: ZoneInfo) -> dict[str, object]:
    """What a draft template reads (the README lists it)."""
    fmt = Formats(language, tz)
    today = now.astimezone(tz).date()
    user_first = first_name(d.from_name, d.from_addr) or clean_header(d.from_name) or d.from_addr.partition("@")[0]
    firsts = [first_name(n, a) for n, a in d.recipients]
    return {
        "language": language,
        "formal": d.formal is not False,
        "greeting": d.greeting,
        "signoff": d.signoff,
        "signature": d.signature,
        "names": greeting(firsts) if language == "en" else (
            format_list([n for n in firsts if n], locale=fmt.locale) if firsts and all(firsts) else ""),
        "first_names": [n or "" for n in firsts],
        "full_names": (format_list([clean_header(n) for n, _ in d.recipients], locale=fmt.locale)
                       if d.recipients and all(clean_header(n) and "@" not in n for n, _ in d.recipients) else ""),
        "recipients": [{"name": clean_header(n), "address": a} for n, a in d.recipients],
        "subject": _REPLY_PREFIX.sub("", clean_header(d.tracked_subject)),
        "asked": d.asked,
        "sent_when": when_in_words(d.tracked_sent, now, tz),
        "sent_at": d.tracked_sent.astimezone(tz),
        "sent_days_ago": _days(today, d.tracked_sent.astimezone(tz).date()),
        "business_days_waiting": d.business_days_waiting,
        "step": d.step,
        "user_name": clean_header(d.from_name) or d.from_addr,
        "user_first_name": user_first,
        "promise_text": d.promise_text or "",
        "what": d.promise_what or "",
        "due_at": d.promise_due.astimezone(tz) if d.promise_due else None,
        "due_when": due_in_words(d.promise_due, now, tz) if d.promise_due else "",
        "due_in_days": _days(d.promise_due.astimezone(tz).date(), today) if d.promise_due else None,
        "format_date": fmt.date, "format_time": fmt.time, "format_skeleton": fmt.skeleton,
    }


def build_draft(d: DraftInput, env: SandboxedEnvironment, now: datetime, tz: ZoneInfo) -> RenderedDraft:
    domain = d.from_addr.partition("@")[2] or "followup.invalid"
    message_id = draft_message_id(d.account, d.tracked_id, d.step, domain)
    bases = [*d.templates] if d.templates else [f"followup/step{d.step}.txt.j2", "followup/default.txt.j2"]
    language = _language(env, bases, d.languages)
    context = draft_context(d, language, now, tz)
    text = render(env, [n for b in bases for n in _localised(b, language)], context).rstrip() + "\n"
    if not d.new_thread:
        author = clean_header(d.reply_to_author) or clean_header(d.from_name) or d.from_addr
        context |= {"author": author, "at": d.reply_to_sent.astimezone(tz)}
        attribution = _piece(env, "attribution.txt.j2", language, context, tz)
        text += "\n" + quote(attribution, d.reply_to_text) + "\n"
    body = text
    msg = EmailMessage(policy=SMTP)
    msg["From"] = _address(d.from_name, d.from_addr) or d.from_addr
    msg["To"] = [a for a in (_address(n, x) for n, x in d.recipients) if a]
    cc = [a for a in (_address(n, x) for n, x in d.cc) if a]
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = (_piece(env, "checkin-subject.txt.j2", language, context, tz) if d.new_thread
                      else reply_subject(d.tracked_subject, d.reply_prefix))
    msg["Date"] = format_datetime(now.astimezone(tz))
    msg["Message-ID"] = message_id
    if not d.new_thread:
        msg["In-Reply-To"] = d.reply_to_id
        msg["References"] = " ".join([*[r for r in d.reply_to_references if r != d.reply_to_id], d.reply_to_id])
    # 8bit keeps the draft readable in any client's source view; QP only for absurdly long lines
    msg.set_content(body, cte="8bit" if max(map(len, body.splitlines()), default=0) < 900 else "quoted-printable")
    raw = msg.as_bytes()
    return RenderedDraft(message_id=message_id, raw=raw, body_sha256=message_digest(raw))

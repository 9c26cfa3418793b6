"""Promises the writer makes in a message's new text, and when they fall due. Pure: handed `sent`.

A promise is a clause in which the writer (first person, future, affirmative) commits to a deliverable or
to coming back: "I'll send you the revised deck by Friday", "You'll have it by EOD", "Expect it by the
20th", "Let me check and get back to you", "Will send it Monday", "I'll have Priya send it tomorrow".
Questions, conditionals and offers ("if you like, I can…"), past tense, negations, hedges ("I might",
"I'll try to", "probably": a hedge is not a commitment), reported speech, third parties, text in quotation
marks, quoted lines and everything below an attribution line or a signature separator are not promises.
"I'll be out until Monday" or "I'll need it by Friday" state a fact or a need, not a deliverable, so only
verbs of delivering and of coming back count. One promise per sentence; a bare "Will do." only when
nothing else in the message promises.

Due dates are read in the sender's own offset (that of `sent`) by rules. dateparser and parsedatetime
were measured on the same spans (benchmarks/promises.py --compare) and got fewer dates right ("next
Friday", "the 2nd", business days), more slowly, so the rules stand alone. Readings, where not literal:
  no time of day → `workday_end`; EOD / COB / end of day / this afternoon → `workday_end`;
  tonight / this evening → 20:00 (or `workday_end` if later); <day> morning / first thing → 10:00;
  this morning → 12:00; noon / lunchtime → 12:00; "5 o'clock" → within working hours (17:00);
  a clock time alone that is already past → tomorrow; "in N hours" → exactly that.
  "Friday" → the next Friday after the day sent (on a Friday: next week's); "next Friday" → Friday of
  next week; "Friday week" → a week after "Friday"; "this week" / EOW / end of week / before the weekend
  → this week's Friday; over the weekend → Sunday; "next week" / end of or late next week → next week's
  Friday; early / mid next week → its Monday / Wednesday; end of (next) month → its last day;
  "in N days / weeks / a fortnight" → calendar days after the day sent; "N business days" count the
  user's working days (the WorkCalendar's: its working weekdays, less public holidays).
  "the 20th" → the next 20th on or after the day sent; a month and day without a year → the next one on
  or after the day sent. "before X" reads as "by X".
  With several day phrases in a clause, an explicit date beats a relative day, a deadline ("by Friday")
  beats a mere day, and a later phrase an earlier one ("finish it over the weekend and send it Monday").
  A numeric date that reads differently in the US and in Europe (9/8) gives due=None: no date is better
  than a wrong one. Vague deadlines ("soon", "in a few days", "before the holidays") give due=None too.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.analysis.cues import cue
from assistant.analysis.dates import next_month_day, next_weekday, safe_date
from assistant.analysis.sentences import sentences, unwrap
from assistant.message import vocabulary as vocab
from assistant.workdays import WorkCalendar

MORNING = time(10, 0)
NOON = time(12, 0)
EVENING = time(20, 0)
DEFAULT_CALENDAR = WorkCalendar(tz=ZoneInfo("UTC"))  # Monday to Friday, no holidays, the day ends at 18:00


@dataclass(frozen=True)
class Promise:
    text: str  # the sentence that holds the promise, as written (whitespace collapsed)
    what: str | None  # what was promised ("the revised deck"), None when not named ("I'll get back to you")
    due: datetime | None  # aware, in the offset of `sent`; None when the sentence names no usable deadline
    by: str = "sender"  # who promised: the message's sender (the only case detected)


@dataclass(frozen=True)
class DateSpan:
    """A phrase naming a day, read by rule_day; `kind` says which pattern found it."""

    kind: str
    match: re.Match[str]


AMBIGUOUS = date.min  # what rule_day returns for a day that cannot be told (9/8)


def find_promises(new_text: str, sent: datetime, calendar: WorkCalendar = DEFAULT_CALENDAR) -> list[Promise]:
    """The writer's promises in `new_text`, one per sentence, in order. `sent` must be aware.

    `calendar` gives the end of the working day (a deadline without a time of day) and the working days that
    "in 3 business days" counts; due dates are read in the offset of `sent`, not in the calendar's zone.
    """
    if sent.tzinfo is None:
        raise ValueError("find_promises: `sent` must be an aware datetime (the message's Date header)")
    own = _own_text(new_text)
    # Sentences are masked copies of `own` (quoted phrases blanked, curly apostrophes made straight), and
    # blanking cannot make a cue word (none starts or ends with a space): a text without one cannot promise.
    if not _COMMITTING(own.replace("’", "'")):
        return []
    promises = []
    for sentence in sentences(own):
        if not _COMMITTING(sentence.masked):
            continue
        found = []
        for clause in _clauses(sentence.masked):
            commitment = _commitment(clause) if _COMMITTING(clause) else None
            if commitment is not None:
                what, start = commitment
                rest = clause[start:]
                due = due_in(rest if _has_date(rest) else clause, sent, calendar)
                found.append(Promise(_SPACE.sub(" ", sentence.text).strip(), what, due))
        if found:  # "Will do — expect it by the 20th": the clause with the deadline speaks for the sentence
            promises.append(next((p for p in found if p.due is not None), found[0]))
    if len(promises) > 1:  # a bare "Will do." acknowledges what the other sentences promise
        promises = [p for p in promises if not _WILL_DO_ALONE.match(p.text)] or promises
    return promises


# --- the writer's own text, in sentences -----------------------------------------------------------------

_ATTRIBUTION = re.compile(r"^[ \t]*(?:On\b[^\n]{0,300}?(?:\n[^\n>]{0,120})?\bwrote:"
                          r"|-{2,}\s*Original Message\s*-{2,}"
                          r"|From:[^\n]*\n(?:[^\n]+\n){0,3}?(?:Sent|Date):)", re.MULTILINE | re.IGNORECASE)
_SIGNATURE = re.compile(r"^-- ?$|^__+$|^Sent from my ", re.MULTILINE)
_SPACE = re.compile(r"\s+")


def _own_text(text: str) -> str:
    """The text above any attribution or signature, without quoted lines, wrapped lines joined."""
    for cut in (_ATTRIBUTION, _SIGNATURE):
        match = cut.search(text)
        if match:
            text = text[:match.start()]
    return unwrap("\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">")))


_CLAUSE_BREAK = re.compile(r";|\s+[—–-]+\s+|\s*—\s*|,?\s+but\s+", re.IGNORECASE)


def _clauses(sentence: str) -> list[str]:
    return [part.strip() for part in _CLAUSE_BREAK.split(sentence) if part.strip()]


# --- commitments -----------------------------------------------------------------------------------------

def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Verbs of delivering something; their object is what was promised.
_DELIVER = ("send|resend|forward|share|circulate|e-?mail|mail|post|upload|submit|deliver|ship|dispatch|"
            "return|provide|prepare|draft|write up|type up|draw up|write|finish|complete|finali[sz]e|review|"
            "check|confirm|sign|countersign|pay|wire|transfer|process|approve|book|schedule|reschedule|arrange|"
            "organi[sz]e|set up|sort out|sort|fix|update|put together|pull together|roll out|release|deploy|"
            "publish|invoice|refund|reimburse|credit|issue|raise|cancel|extend|amend|correct|revise|rework|"
            "migrate|install|configure|enable|activate|reset|restore|unlock|grant|test|verify|validate|"
            "investigate|research|dig into|dig out|find out|look up|chase|escalate|compile|calculate|quote|"
            "estimate|summari[sz]e|outline|map out|record|log|file|register|renew|order|collect|pick up|"
            "drop off|drop|courier|print|scan|attach|introduce|connect you|put you in touch|loop in|invite|"
            "take care of|handle|deal with|give|bring|turn around|make sure|"
            "make (?=(?:the|those|these|any|all) (?:changes|edits|corrections|amendments|updates|fixes)\\b)|"
            "get|have a look at|have a look|take a look at|take a look|look into|look at|look over|"
            "go through|go over|have")
# Verbs of coming back to the reader; they name no deliverable.
_CONTACT = ("call|ring|phone|contact|reach out|follow up|get back|come back|circle back|revert|respond|reply|"
            "touch base|be in touch|get in touch|let you know|keep you posted|ping|text|check with|check in|"
            "talk to|speak to|speak with|walk you through|fill you in|brief you|update you")
_VERB = rf"(?P<verb>{_CONTACT}|{_DELIVER})\b"
_ADVERBS = (r"(?:(?:also|then|definitely|certainly|just|personally|now|first|still|absolutely|gladly|quickly|"
            r"make sure to|be sure to|make sure that)\s+)*")
_I_WILL = (r"\b(?:i|we)\s*(?:'ll|will|shall|'m going to|am going to|'re going to|are going to|promise to)\s+"
           r"(?!not\b|never\b)")
_WILL_ALONE = r"^\W*(?:will|shall)\s+(?!not\b|never\b)"  # "Will send it Monday"
_WILL = _rx(rf"(?:{_I_WILL}|{_WILL_ALONE}){_ADVERBS}{_VERB}")
_WILL_BE = _rx(rf"{_I_WILL}{_ADVERBS}be\s+(?P<verb>\w+ing)\b")  # "I'll be sending the figures on Thursday"
_LET_ME = _rx(rf"\blet me\s+(?:just\s+|quickly\s+|first\s+)?{_VERB}")
_YOU_WILL = _rx(r"\byou\s*(?:'ll|will)\s+(?:(?:soon|also)\s+)?"
                r"(?P<verb>have|get|receive|be receiving|be getting|hear from (?:me|us))\b(?!\s+to\b)")
_EXPECT = _rx(r"(?:^|\byou can\s+|\bplease\s+)expect\s+"
              r"(?=(?:it|them|this|that|the|my|our|an?|your|these|those)\b)")
_WILL_DO = _rx(r"^\W*will do\b")
_WILL_DO_ALONE = _rx(r"^\W*will do\W*$")
_PROGRESSIVE = _rx(r"\b(?:i'm|i am|we're|we are)\s+(?:also\s+)?(?P<verb>\w+ing)\b")

_QUESTION = _rx(r"\?\W*$|^\W*(?:(?:so|and|but|also|ok|okay)\W+)?"
                r"(?:(?:shall|should|could|can|may|might|would|will|do|did|does|is|are|am|was|were)\s+"
                r"(?:i|we|you|it|that|this|they|he|she)\b|(?:when|what|who|why|how|where|which|whether)\b)")
_CONDITIONAL = _rx(r"(?<!even )(?<!as )\b(?:if|unless|in case|provided (?:that|you|we|it)|assuming|"
                   r"as long as|should you)\b")
_HEDGE = _rx(r"\b(?:might|maybe|perhaps|possibly|probably|hopefully|try(?:ing)? (?:to|and)|hope to|aim to|"
             r"aiming to|do (?:my|our) best|(?:should|may|could|might) be able|would like|'d like|attempt to|"
             r"no promises|ideally|tentatively|(?:i|we) may)\b")
_REPORTED = _rx(r"(?<!as )\b(?:said|says|say|told|tells|tell|mentioned|mentions|promised|claimed|claims|"
                r"wrote|writes|think|thinks|thought|hopes|hoped|believes|wonder|wondered|according to)\b")
# "have" promises only with something showing delivery: "I'll have the report over to you by Friday".
_HAVE_DELIVERY = _rx(r"\b(?:to you|over|ready|done|for you|back|finished|sorted|by|\w+ed\s+by)\b")
# ... or someone to do it: "I'll have Priya send you the access details".
_HAVE_SOMEONE = re.compile(rf"^\s*(?:[A-Z][a-z]+|(?i:someone|somebody|(?:my|our|the) \w+))\s+(?i:{_VERB})")


def _commitment(clause: str) -> tuple[str | None, int] | None:
    """(what was promised, where the commitment starts) when the clause is the writer's commitment."""
    if _QUESTION.search(clause) or _CONDITIONAL.search(clause) or _HEDGE.search(clause):
        return None
    if _WILL_DO.search(clause):
        return None, 0
    expect = _EXPECT.search(clause)
    if expect:
        return _object(clause[expect.end():]), expect.start()
    you = _YOU_WILL.search(clause)
    if you:
        return _object(clause[you.end():]), you.start()
    for pattern in (_WILL, _LET_ME):
        match = pattern.search(clause)
        if match and not _REPORTED.search(clause[:match.start()]):
            rest = clause[match.end():]
            verb = match.group("verb").lower()
            if verb == "have":
                someone = _HAVE_SOMEONE.match(rest)
                if someone:
                    verb, rest = someone.group("verb").lower(), rest[someone.end():]
                elif not _HAVE_DELIVERY.search(rest):
                    continue
            return (None if _CONTACT_VERB.fullmatch(verb) else _object(rest)), match.start()
    for pattern in (_WILL_BE, _PROGRESSIVE):  # "we're shipping it" promises only with a date
        match = pattern.search(clause)
        if match and _base(match.group("verb")) and (pattern is _WILL_BE or _has_date(clause[match.end():])):
            return _object(clause[match.end():]), match.start()
    return None


# Words no commitment goes without ("will", "'ll", "let me", "expect", "I'm"...), read from the patterns that
# find one: a clause without any is no commitment, and _commitment's costly searches are skipped.
_COMMITTING = cue(_WILL_DO, _EXPECT, _YOU_WILL, _WILL, _LET_ME, _WILL_BE, _PROGRESSIVE) or (lambda text: True)
_CONTACT_VERB = _rx(_CONTACT)
_DELIVER_VERB = _rx(_DELIVER)


def _base(ing: str) -> bool:
    """Whether an -ing form is one of the delivering verbs: sending, shipping, circulating."""
    stem = ing.lower()[:-3]
    return any(_DELIVER_VERB.fullmatch(form) for form in (stem, stem + "e", stem[:-1]) if form)


_WORD = re.compile(r"\w+(?:[.'/-]\w+)*|[^\w\s]")
_INDIRECT = {"you", "him", "her", "us", "me", "them", "everyone", "over", "across", "out", "along", "at",
             "into", "through", "round", "around"}
_PRONOUN = {"it", "them", "something", "everything", "anything", "one"}
_DEMONSTRATIVE = {"this", "that", "these", "those"}  # a pronoun unless a noun follows
_DETERMINER = {"the", "a", "an", "my", "our", "your"}
_LINKING = {"of", "on", "about", "for", "and"}  # "v2.10 of the spec", "comments on the brief"
_OBJECT_PRONOUN = {"you", "me", "us", "him", "her", "them", "it"}
_STOP = {"by", "before", "until", "till", "to", "in", "within", "at", "from", "after", "once", "when",
         "while", "as", "with", "over", "across", "back", "or", "but", "so", "then", "tomorrow", "today",
         "tonight", "this", "next", "later", "early", "mid", "late", "asap", "shortly", "soon", "if", "are",
         "is", "will", "ready", "done", "now", "right", "via", "through", "together", "around", "myself",
         "ourselves", "eod", "cob", "eow", "noon", "midday", "end", "straight", "again", "off", "separately",
         "directly", "properly", "personally", "quickly", "immediately", "promptly"}
_DONE = {"paid", "sent", "done", "ready", "written", "signed", "sorted", "finished", "back"}
_WEEKDAY_WORD = re.compile(vocab.alternation(vocab.ENGLISH_WEEKDAYS), re.IGNORECASE)
_DAY_WORD = re.compile(rf"(?:{vocab.alternation(vocab.ENGLISH_WEEKDAYS)}|the \d+(?:st|nd|rd|th)?|\d+|"
                       rf"{vocab.alternation(vocab.ENGLISH_MONTHS)})\b", re.IGNORECASE)
_MAX_WHAT = 8


def _object(rest: str) -> str | None:
    """The noun phrase right after the verb: "you the revised deck by Friday" → "the revised deck"."""
    words = _WORD.findall(rest)
    while words and words[0].lower() in _INDIRECT:
        words = words[1:]
    if not words or words[0].lower() in _PRONOUN or (
            words[0].lower() in _DEMONSTRATIVE
            and (len(words) == 1 or words[1].lower() in _STOP or not words[1][0].isalnum())):
        return None
    taken: list[str] = []
    for i, word in enumerate(words):
        low = word.lower()
        if not word[0].isalnum() or low in _STOP or _WEEKDAY_WORD.fullmatch(low) or len(taken) == _MAX_WHAT:
            break
        if low == "first" and i + 1 < len(words) and words[i + 1].lower() == "thing":
            break
        if low == "on" and _DAY_WORD.match(" ".join(words[i + 1:i + 3])):
            break
        following = words[i + 1].lower() if i + 1 < len(words) else ""
        # "for you", "for Friday", but "my availability for May"; "and send it", but "the notes and the items"
        dated = _WEEKDAY_WORD.fullmatch(following) or following == "the" or following[:1].isdigit()
        if (low == "for" and (following in _OBJECT_PRONOUN or dated)
                or low == "and" and following not in _DETERMINER):
            break
        if low in _DETERMINER and taken and taken[-1].lower() not in _LINKING:  # "the invoice the day after"
            break
        taken.append(word)
    while len(taken) > 2 and (taken[-1].lower() in _DONE or taken[-1].lower().endswith("ed")):
        taken.pop()
    return " ".join(taken) if taken and taken[-1].lower() not in _DETERMINER | _LINKING else None


# --- due dates -------------------------------------------------------------------------------------------

_MONTHS = rf"(?P<mon>{vocab.alternation(vocab.ENGLISH_MONTHS)})\.?"
_WEEKDAYS = {**vocab.ENGLISH_WEEKDAYS, **vocab.WEEKDAY_ABBREVIATIONS}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "couple": 2, "a couple": 2, "a couple of": 2, "couple of": 2}

# Day phrases, most specific first; rule_day turns each kind into a date.
_DAY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", _rx(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")),
    ("numeric", _rx(r"(?<![\w./:+-])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\w/])"
                    r"(?<!24/7)")),
    ("dotted", _rx(r"(?<![\w.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?!\w|\.\d)")),
    ("month_day", _rx(rf"\b{_MONTHS}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}}))?")),
    ("day_month", _rx(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?![a-z])"
                      rf"(?:,?\s+(?P<y>\d{{4}}))?")),
    ("ordinal", _rx(r"\b(?:the|by|on|until|before)\s+(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)\b")),
    ("after_tomorrow", _rx(r"\bday after tomorrow\b")),
    ("tomorrow", _rx(r"\b(?:tomorrow|tmrw|tmr)\b")),
    ("weekday", _rx(r"\b(?:(?P<mod>next|this|this coming|coming)\s+)?"
                    rf"(?P<wd>{vocab.alternation(vocab.ENGLISH_WEEKDAYS)})\b(?!s)"
                    r"(?P<nw>\s+(?:of\s+)?next week)?(?P<wk>\s+week\b)?")),  # "Friday week"
    ("weekday", _rx(r"\b(?:by|on|until|till|before|eod|cob|(?P<mod>next|this))\s+"
                    rf"(?P<wd>{vocab.alternation(vocab.WEEKDAY_ABBREVIATIONS)})\b\.?")),
    ("early_next_week", _rx(r"\b(?:early|beginning of|start of)\s+next week\b")),
    ("mid_next_week", _rx(r"\b(?:mid|middle of)[- ]?next week\b")),
    ("next_week", _rx(r"\bnext week\b")),
    ("this_week", _rx(r"\b(?:end of (?:the |this )?week|eow|this week|later this week|"
                      r"(?:by|before) the weekend|within the week)\b")),
    ("weekend", _rx(r"\b(?:over|during) the weekend|\bthis weekend\b")),
    ("next_month", _rx(r"\bnext month\b")),
    ("this_month", _rx(r"\b(?:end of (?:the |this )?month|this month|later this month|"
                       r"(?:by|before|until|at|for) (?:the )?(?:month[- ]end|eom))\b")),
    ("in_days", _rx(r"\b(?:in|within)\s+(?:the next\s+)?"
                    r"(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|"
                    r"(?:a )?couple(?: of)?)\s+"
                    r"(?P<unit>business days?|working days?|days?|weeks?|fortnights?)\b")),
    ("today", _rx(r"\b(?:today|tonight|this (?:morning|afternoon|evening)|later today|eod|cob|"
                  r"end of (?:the )?(?:day|business)|close of (?:business|play)|end of play)\b")),
)
_DEADLINE = _rx(r"\b(?:by|before|until|till|no later than)\s+(?:the\s+)?(?:end of\s+)?$")
_EXPLICIT = {"iso", "numeric", "dotted", "month_day", "day_month", "ordinal"}
_IN_HOURS = _rx(r"\b(?:in|within)\s+(?:the next\s+)?"
                r"(?P<n>\d{1,3}|an?|one|two|three|four|five|six|a couple of)\s+"
                r"(?P<unit>hours?|hrs?|minutes?|mins?)\b")
_CLOCK = _rx(r"(?<![\d:.-])(?P<h>1[0-2]|0?[1-9])(?::(?P<m>[0-5]\d))?\s*(?P<ap>a\.?m\b\.?|p\.?m\b\.?)"
             r"|(?<![\d:.-])(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)(?![\d:])"
             r"|\b(?P<oc>[1-9]|1[0-2])\s*o'?clock\b")
_NOON = _rx(r"\b(?:noon|midday|(?:by|before|at|until) (?:lunch|lunchtime|lunch time)|lunchtime)\b")
_THIS_MORNING = _rx(r"\b(?:this|later this) morning\b")
_MORNING = _rx(r"\b(?:morning|first thing)\b")
_EVENING = _rx(r"\b(?:tonight|evening|night)\b")


def _has_date(text: str) -> bool:
    if _CLOCK.search(text) or _IN_HOURS.search(text):
        return True
    return any(p.search(text) for _, p in _DAY_PATTERNS)


def date_spans(clause: str) -> list[DateSpan]:
    """Every day phrase in the clause, earliest first, without overlaps (the longer, more specific wins)."""
    spans: list[DateSpan] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _DAY_PATTERNS:
        for match in pattern.finditer(clause):
            if all(match.end() <= s or match.start() >= e for s, e in taken):
                spans.append(DateSpan(kind, match))
                taken.append(match.span())
    return sorted(spans, key=lambda span: span.match.start())


def due_in(clause: str, sent: datetime, calendar: WorkCalendar = DEFAULT_CALENDAR) -> datetime | None:
    """The deadline a clause names, in the offset of `sent`; None when it names none that can be trusted."""
    workday_end = calendar.end
    hours = _IN_HOURS.search(clause)
    if hours:
        amount = _number(hours.group("n"))
        unit = hours.group("unit").lower()
        return sent + (timedelta(hours=amount) if unit.startswith("h") else timedelta(minutes=amount))
    spans = date_spans(clause)
    clock = _clock(clause, workday_end)
    # An explicit date beats a relative day, which beats the "today" of "EOD" or "tonight"; among equals a
    # deadline ("by Friday") beats a mere day, and a later phrase an earlier one: "finish it over the
    # weekend and send it Monday" delivers on Monday.
    ranked = sorted(enumerate(spans), key=lambda pair: (
        0 if pair[1].kind in _EXPLICIT else 2 if pair[1].kind == "today" else 1,
        not _DEADLINE.search(clause, 0, pair[1].match.start()), -pair[0]))
    chosen = ranked[0][1] if ranked else None
    if chosen is None:
        if clock is None:
            return None
        due = datetime.combine(sent.date(), clock, sent.tzinfo)
        return due + timedelta(days=1) if due < sent and _CLOCK.search(clause) else due
    if chosen.kind == "weekday" and any(s.kind == "next_week" for s in spans):
        chosen = DateSpan("weekday_next_week", chosen.match)
    day = rule_day(chosen, sent, calendar)
    if day is None or day == AMBIGUOUS:
        return None
    if clock is None:
        clock = NOON if day == sent.date() and _THIS_MORNING.search(clause) else workday_end
    return datetime.combine(day, clock, sent.tzinfo)


def _clock(clause: str, workday_end: time) -> time | None:
    """The time of day a clause names, if any: a clock time, then noon, morning, evening."""
    match = _CLOCK.search(clause)
    if match:
        if match.group("h24"):
            return time(int(match.group("h24")), int(match.group("m24")))
        if match.group("oc"):  # "5 o'clock" is read in working hours: 8-11 in the morning, 12-7 after noon
            hour = int(match.group("oc"))
            return time(hour + 12 if hour < 8 else hour, 0)
        hour = int(match.group("h")) % 12 + (12 if match.group("ap").lower().startswith("p") else 0)
        return time(hour, int(match.group("m") or 0))
    if _NOON.search(clause) or _THIS_MORNING.search(clause):
        return NOON
    if _MORNING.search(clause):
        return MORNING
    if _EVENING.search(clause):
        return max(EVENING, workday_end)
    return None


def rule_day(span: DateSpan, sent: datetime, calendar: WorkCalendar = DEFAULT_CALENDAR) -> date | None:
    """The day a phrase names, relative to the day sent; AMBIGUOUS for 9/8. Business days are `calendar`'s."""
    today, match, kind = sent.date(), span.match, span.kind
    weekday = today.weekday()
    next_monday = today + timedelta(days=7 - weekday)
    if kind == "iso":
        return safe_date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    if kind == "numeric":
        return _numeric(int(match.group("a")), int(match.group("b")), match.group("y"), today)
    if kind == "dotted":
        return safe_date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    if kind in ("month_day", "day_month"):
        month = _month(match.group("mon"))
        year = match.group("y")
        if year:
            return safe_date(int(year), month, int(match.group("d")))
        return next_month_day(today, month, int(match.group("d")))
    if kind == "ordinal":
        return _next_day_of_month(today, int(match.group("d")))
    if kind in ("tomorrow", "after_tomorrow"):
        return today + timedelta(days=1 if kind == "tomorrow" else 2)
    if kind in ("weekday", "weekday_next_week"):
        target = _weekday(match.group("wd"))
        if kind == "weekday_next_week" or (match.group("mod") or "").lower() == "next":
            return next_monday + timedelta(days=target)
        week_later = 7 if match.groupdict().get("wk") else 0
        return next_weekday(today, target) + timedelta(days=week_later)
    if kind == "early_next_week":
        return next_monday
    if kind == "mid_next_week":
        return next_monday + timedelta(days=2)
    if kind == "next_week":
        return next_monday + timedelta(days=4)
    if kind == "this_week":
        return today + timedelta(days=(4 - weekday) % 7)
    if kind == "weekend":
        return today + timedelta(days=6 - weekday)
    if kind == "this_month":
        return _month_end(today.year, today.month)
    if kind == "next_month":
        return _month_end(today.year + today.month // 12, today.month % 12 + 1)
    if kind == "in_days":
        return _in_days(today, _number(match.group("n")), match.group("unit").lower(), calendar)
    if kind == "today":
        return today
    return None


def _number(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else _NUMBERS[word]


def _weekday(name: str) -> int:
    return _WEEKDAYS[name.lower()]


def _month(name: str) -> int:
    return vocab.ENGLISH_MONTHS[name.lower()]


def _next_day_of_month(today: date, day: int) -> date | None:
    year, month = today.year, today.month
    for _ in range(12):
        found = safe_date(year, month, day)
        if found is not None and found >= today:
            return found
        year, month = year + month // 12, month % 12 + 1
    return None


def _numeric(a: int, b: int, year: str | None, today: date) -> date | None:
    """9/15 and 15/9 are the 15th of September; 9/8 may be either day, so it is AMBIGUOUS."""
    if a <= 12 and b <= 12 and a != b:
        return AMBIGUOUS
    month, day = (a, b) if a <= 12 else (b, a)
    if year:
        return safe_date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    return next_month_day(today, month, day)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _in_days(today: date, amount: int, unit: str, calendar: WorkCalendar) -> date:
    if unit.startswith(("week", "fortnight")):
        return today + timedelta(weeks=amount * (2 if unit.startswith("fortnight") else 1))
    if unit.startswith(("business", "working")):
        day = today
        for _ in range(amount):
            day = calendar.next_working_day(day)
        return day
    return today + timedelta(days=amount)

"""The first day the writer of an out-of-office reply is back, read from its text. Pure.

Two readers: a precise one for English, German, French, Spanish, Italian and Dutch phrasing ("back on
Monday 16 November", "until 20 November", "bis 20.11."), and a wide one for every other language, which
finds a date (month names in some thirty languages, day-first numbers, 11月30日, 11월 30일) and reads the
words of its sentence: a return word anywhere in it ("Вернусь", "palaan", "復帰", "부터") makes it the day
back; an until word ("до", "līdz", "t.o.m.", "まで") makes it the last day away. Either gives None rather than
a guess when it is not plain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from assistant.analysis.dates import next_month_day, next_weekday, safe_date
from assistant.message import vocabulary as vocab

_MONTHS = vocab.MONTHS
_WEEKDAYS = vocab.WEEKDAYS
_M = vocab.alternation(_MONTHS)
_SFX = r"(?:st|nd|rd|th|er|\.)?"  # 16th, 1er, 16.
_DATE = re.compile(
    rf"(?<![\w./-])(?:(?:{vocab.alternation(_WEEKDAYS)}|{vocab.alternation(vocab.WEEKDAY_ABBREVIATIONS)})\b\.?,?\s+"
    r"(?:(?:the|den|le|el)\s+)?)?"
    r"(?:(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})"
    r"|(?P<dot_d>\d{1,2})\.(?P<dot_m>\d{1,2})\.(?P<dot_y>\d{4}|\d{2}(?!\d))?"  # 16.11. / 13.11.2026
    r"|(?P<sl_a>\d{1,2})/(?P<sl_b>\d{1,2})(?:/(?P<sl_y>\d{4}|\d{2}))?"
    rf"|(?P<md_m>{_M})\b\.?\s+(?P<md_d>\d{{1,2}}){_SFX}"  # November 16th, Nov 2-13, 2026
    rf"(?:\s*(?:-|–|—|to|through|until|till)\s*(?P<md_e>\d{{1,2}}){_SFX}(?!\s*(?:{_M})\b))?"
    r"(?:,?\s+(?P<md_y>\d{4}))?"
    rf"|(?:(?P<dm_s>\d{{1,2}}){_SFX}\s*(?:-|–|—|to|au|al|bis)\s*)?"  # 16 November, du 2 au 13 novembre
    rf"(?P<dm_d>\d{{1,2}}){_SFX}\s*(?:of\s+|de\s+)?(?P<dm_m>{_M})\b\.?(?:,?\s+(?P<dm_y>\d{{4}}))?"
    rf"|(?P<wd>{vocab.alternation(_WEEKDAYS)})\b"
    r")(?![\d/])",
    re.IGNORECASE,
)
# Words between "back"/"until" and the date that do not change its meaning.
_FILLER = (r"(?:\s+(?:in|at|to|into|the|office|work|my|desk|on|from|starting|again|by|im|büro|buero|am|ab|"
           r"dem|den|au|bureau|le|el|la|oficina|op|kantoor|prévu|prevu|previsto))*")
_BACK = re.compile(
    r"(?:\b(?:not|won't)\s+(?:be\s+)?(?:back|return(?:ing)?|in the office|available)\s+(?:until|till|before)"
    r"|\bback|\breturn(?:ing|s)?|\bavailable again|\bwieder|\bzurück|\bzurueck|\bde retour|\bretour|"
    rf"\bde vuelta|\bregreso|\bvuelvo|\brientro|\bterug){_FILLER}[\s,:]*$",
    re.IGNORECASE,
)
_UNTIL = re.compile(
    r"(?:\buntil|\btill|['’]til|\bthrough|\bthru|\bup to and including|\bbis|\bjusqu['’]\s*(?:au|à|a)|"
    r"\bhasta|\bfino\s+al|\btot\s+en\s+met|\bt/m)"
    r"(?:\s+(?:and including|including|inclusive|the|le|el|dem|den|zum|einschließlich|einschliesslich|"
    r"inklusive|inkl\.))*[\s,:]*$",
    re.IGNORECASE,
)
_RANGE_GAP = re.compile(r"\s*(?:to|till|until|through|thru|-|–|—|bis|au|al|tot)\s*", re.IGNORECASE)
_FROM = re.compile(r"\b(?:ab|am|from|on|à partir du)(?:\s+(?:dem|den|the))?\s*$", re.IGNORECASE)
_STALE = timedelta(days=183)  # a year-less date this far behind the reply's date is read as past, not next year
_THEN_BACK = re.compile(r"[\s,]*(?:(?:bin|ist|sind)\s+(?:ich|er|sie|wir)\s+|I'?m\s+|I am\s+|I'll be\s+)?"
                        r"(?:wieder|zurück|back)\b", re.IGNORECASE)


def return_date(text: str, sent: datetime) -> date | None:
    """The first day the writer of an out-of-office text is back, or None when it does not say plainly.

    "back on X" / "returning X" give X; "until X" / "through X" / "from W to X" / "bis X" / "jusqu'au X"
    mean away through X, so the day after. Dates without a year are the first such date on or after
    `sent` (the reply's own date, in the writer's offset). Numeric dates like 11/12 that read both ways
    give None; dotted dates are day first. Return phrases win over until-phrases, the precise reader's over
    the wide one's; disagreeing ones give None.
    """
    try:
        precise_back, precise_until = _precise(text, sent)
        wide_back, wide_through = _wide(text, sent)
    except OverflowError:  # a Date near the year 9999: no day after it to return on
        return None
    try:
        after_wide = {d + timedelta(days=1) for d in wide_through}
    except OverflowError:
        after_wide = set()
    for days in (precise_back, wide_back, precise_until, after_wide):
        if days:
            return days.pop() if len(days) == 1 else None
    return None


def _precise(text: str, sent: datetime) -> tuple[set[date], set[date]]:
    """(days back by a return phrase, days back by an until phrase) in the languages it knows well."""
    start = sent.date()
    found: tuple[set[date], set[date]] = (set(), set())
    prev_end: int | None = None
    for m in _DATE.finditer(text):
        day = _resolve(m, start)
        before = text[max(prev_end or 0, m.start() - 60):m.start()]
        gap = text[prev_end:m.start()] if prev_end is not None else None
        prev_end = m.end()
        if day is None:
            continue
        if _BACK.search(before) or (_FROM.search(before) and _THEN_BACK.match(text, m.end())):
            found[0].add(day)
        elif (m.group("md_e") or m.group("dm_s") or _UNTIL.search(before)
              or (gap is not None and _RANGE_GAP.fullmatch(gap))):
            found[1].add(day + timedelta(days=1))
    return found


def _resolve(m: re.Match[str], start: date) -> date | None:
    g = m.groupdict()
    if g["iso_y"]:
        return _dated(int(g["iso_m"]), int(g["iso_d"]), g["iso_y"], start)
    if g["dot_d"]:
        return _dated(int(g["dot_m"]), int(g["dot_d"]), g["dot_y"], start)
    if g["sl_a"]:
        a, b = int(g["sl_a"]), int(g["sl_b"])
        if a > 12 >= b:
            return _dated(b, a, g["sl_y"], start)
        if b > 12 >= a or a == b:
            return _dated(a, b, g["sl_y"], start)
        return None  # 11/12 is November 12 in Boston and 11 December in Berlin
    if g["md_m"]:
        month = _MONTHS.get(g["md_m"].lower())  # "Auguſt" matches case-blind yet lowers to no key
        return _dated(month, int(g["md_e"] or g["md_d"]), g["md_y"], start) if month else None
    if g["dm_m"]:
        month = _MONTHS.get(g["dm_m"].lower())
        return _dated(month, int(g["dm_d"]), g["dm_y"], start) if month else None
    weekday = _WEEKDAYS.get(g["wd"].lower())
    if weekday is None:
        return None
    return next_weekday(start, weekday)  # the next one, never today


def _dated(month: int, day: int, year: str | None, start: date) -> date | None:
    if year:
        return safe_date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    this_year = safe_date(start.year, month, day)
    if this_year is not None and this_year < start and start - this_year <= _STALE:
        return None  # a date that just passed: a responder left on, not a return a year from now
    return next_month_day(start, month, day)


# --- the wide reader: every other language ------------------------------------------------------------


_MONTH_WORD = rf"(?P<{{g}}>(?:{vocab.alternation(vocab.MONTH_STEMS)})[^\W\d_]*)"
_WIDE_DATE = re.compile(
    r"(?P<cjk_m>\d{1,2})\s*[月월]\s*(?P<cjk_d>\d{1,2})\s*[日일]"  # 11月30日, 11월 30일
    r"|(?<![\d月월])(?P<cjk_day>\d{1,2})\s*[日일](?!\w*[月월])"  # 27일, after a full date in its clause
    r"|(?<![\d.])(?P<num_d>\d{1,2})[./](?P<num_m>\d{1,2})(?:[./](?P<num_y>\d{4}|\d{2}))?\.?(?![\d/])"  # 30.11.2026
    r"|(?<!\d)(?P<dm_d>\d{1,2})\.?(?:-?(?:án|én|a|e|de|d\.|th|st|nd|rd|er|ª|º))?\s*(?:de\s+|d\.\s*)?"
    + _MONTH_WORD.format(g="dm_m")
    + rf"|{_MONTH_WORD.format(g='md_m')}\s+(?P<md_d>\d{{1,2}})(?!\d)",
    re.IGNORECASE)
def _words(words: Iterable[str]) -> re.Pattern[str]:
    """Words that start at a word start, except in scripts written without spaces (CJK)."""
    spaced = [w.strip() for w in words if not re.match(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", w)]
    unspaced = [w for w in words if w.strip() not in spaced]
    short = [w for w in spaced if len(w) <= 4]  # "to", "tom", "al", "с": whole words only ("Total", "Tom")
    stems = [w for w in spaced if len(w) > 4]
    pattern = (rf"(?<![^\W_])(?:{vocab.alternation(short)})(?![^\W_])|(?<![^\W_])(?:{vocab.alternation(stems)})"
               + (f"|{vocab.alternation(unspaced)}" if unspaced else ""))
    return re.compile(pattern, re.IGNORECASE)


_RETURN_WORD = _words(vocab.RETURN_WORDS)
_UNTIL_WORD = _words(vocab.UNTIL_WORDS)
_ABBREVIATION = re.compile(r"(?<![^\W\d_])(?:[^\W\d_]\.){2,}")
_CLAUSE = re.compile(r"(?<=[!?。！？])|(?<=[^\d\s.]\.)\s+|\n\s*\n|;")
_UNTIL_AFTER = re.compile(r"\S{0,4}\s*(?:まで|까지|kadar|asti|-ig|\)?\s*まで)")
_RANGE_START = re.compile(r"\s*(?:\([^)]{0,12}\))?\s*(?:부터|から|より|от|from|von|du|dal|del|de|od|từ|dari|"
                          r"[-–—~〜至到]|to|au|al|bis|tot|do|до|и|a|até|and|und|et|y|e|ja|och|og)?\s*")
_RANGE = re.compile(r"(?:[-–—~〜至到]|\bto\b|\bau\b|\bal\b|\bbis\b|\btot\b|\bdo\b|\bдо\b|\bи\b)\s*$")


def _month_of(word: str) -> int | None:
    word = word.lower()
    for size in range(len(word), 2, -1):
        month = vocab.MONTH_STEMS.get(word[:size])
        if month is not None:
            return month
    return None


def _wide_day(m: re.Match[str], start: date, month: int | None = None) -> date | None:
    g = m.groupdict()
    if g["cjk_day"]:
        return _dated(month, int(g["cjk_day"]), None, start) if month else None
    if g["cjk_m"]:
        return _dated(int(g["cjk_m"]), int(g["cjk_d"]), None, start)
    if g["num_d"]:  # day first everywhere the wide reader is needed; "3/4" with a slash reads both ways
        day, month = int(g["num_d"]), int(g["num_m"])
        if "/" in m.group(0) and month <= 12 and day <= 12 and day != month:
            return None
        return _dated(month, day, g["num_y"], start)
    named = _month_of(g["dm_m"] or g["md_m"])
    return _dated(named, int(g["dm_d"] or g["md_d"]), None, start) if named else None


def _wide(text: str, sent: datetime) -> tuple[set[date], set[date]]:
    """(days back, last days away) from a text in any language, each date read with the words around it in
    its clause. The first date of a range ("23일부터 27일까지", "from 16 to 20") is neither."""
    start = sent.date()
    back: set[date] = set()
    through: set[date] = set()
    text = _ABBREVIATION.sub(lambda a: a.group(0).replace(".", ""), text)  # "t.o.m." ends no sentence
    for clause in _CLAUSE.split(text):
        found: list[tuple[re.Match[str], date]] = []
        for m in _WIDE_DATE.finditer(clause):
            d = _wide_day(m, start, found[-1][1].month if found else None)
            if d is not None:
                found.append((m, d))
        for k, (m, day) in enumerate(found):
            if k + 1 < len(found) and _RANGE_START.fullmatch(clause[m.end():found[k + 1][0].start()]):
                continue  # "16 – 20 November": the range's end says what matters
            before = clause[max(0, m.start() - 16):m.start()]
            after = clause[m.end():m.end() + 12]
            ranged = k > 0 and bool(_RANGE.search(before[-6:]))
            near = clause[max(0, m.start() - 60):m.end() + 40]
            if _UNTIL_WORD.search(before) or _UNTIL_AFTER.match(after) or ranged:
                through.add(day)
            elif _RETURN_WORD.search(near):
                back.add(day)
    return back, through

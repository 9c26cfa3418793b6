"""Plain text → the writer's new text, the quoted earlier message, and the signature. Pure.

The quote starts at the first line that one of the detectors below recognises, in this order: a separator
("-----Original Message-----", "----- Forwarded by … -----" and their translations), a block of known header
names in any language ("From:/Sent:/To:/Subject:", "Von:/Gesendet:/An:/Betreff:"), a Lotus Notes header
(a name, a date line, then "To:"), a GroupWise ">>> Name DATE >>>" line, an attribution line read by its
shape ("On … wrote:", "Erlend … schrieb am …:", "2017-02-05 13:29 GMT+02:00 Name <addr>:", wrapped over up to
four lines), and quote-prefixed lines (">", "|", "JD>"). Every cut has a guard, because a naive rule cuts real
own text short: a weak sign (a bare "… wrote:", a rule of dashes) counts only when what follows looks like a
quoted message - a header block, prefixed lines, or text repeated from the message being replied to, when the
caller has it. Prefixed lines with the writer's text below or between them (bottom-posting, inline answers)
are quoted line by line and the rest stays new text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.message import vocabulary as vocab
from assistant.message.signatures import signature_start

TEXT_CAP = 20_000  # characters kept of new text, and of quoted text; enough for any real reply
_LOOKAHEAD = 4  # lines an attribution may be wrapped over, or a header block may start after a separator


@dataclass(frozen=True)
class Split:
    new_text: str
    quoted_text: str
    signature: str
    quote_rule: str | None = None  # which detector found the start of the quote, for `explain`
    signature_rule: str | None = None


def split_text(text: str, parent: str | None = None) -> tuple[str, str, str]:
    s = split(text, parent)
    return s.new_text, s.quoted_text, s.signature


def tidy(text: str) -> str:
    text = "\n".join(line.rstrip(" \t\u00a0") for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()[:TEXT_CAP]


_BLANKS = re.compile(r"[ \t\u00a0]{2,}")
_READ = 400  # characters of a line the detectors read


# --- the shapes ------------------------------------------------------------------------------------------


_QUOTE_PREFIX = re.compile(r"^[ \t]*(?:>|[A-Za-z]{1,3}>(?=[ \t>]|$))")
_PIPE = re.compile(r"^[ \t]*\|(?!.*\|[ \t]*$)")  # "| text", but not a table row "| a | b |"
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+|\[mailto:|\bmailto:")
_TIME = re.compile(r"\b\d{1,2}[:.h]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?|uhr|h)?\b|\d{1,2}\s*[ap]\.?m\.?\b"
                   r"|[午时時]\s*\d|\d{1,2}時|\d{1,2}:\d{2}", re.IGNORECASE)
_DATE = re.compile(
    r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\d{4}\s*[年년]|\b\d{1,2}\.?\s+[A-Za-zÀ-ÿ]{3,}\.?"
    r"\s+\d{4}\b|\b[A-Za-zÀ-ÿ]{3,}\.?\s+\d{1,2},?\s+\d{4}\b|\b(?:19|20)\d{2}\b", re.IGNORECASE)
_WROTE = re.compile(r"(?:^|[\s,(])(?:" + vocab.alternation(vocab.WROTE) + r")\b", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(r"(?:[:：]|\bwrote|\bwrites|-{2,}|>>>|\bsaid)\s*$", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"^[ \t]*[*_]*[ \t]*(?:[-=_~*]{2,}[ \t]*)?(?:" + vocab.alternation(vocab.ORIGINAL_MESSAGE) + r")(?![^\W_]).*$",
    re.IGNORECASE)
_SEPARATOR_DASHED = re.compile(r"[-=_*]{2,}")
_RULE = re.compile(r"^[ \t]*(?:[-_=*~]\s?){8,}[ \t]*$")
_KEY_LINE = re.compile(r"^[ \t]*[*_]{0,2}([^\W\d_][^:：\n]{0,24}?)[ \t]*[*_]{0,2}[ \t]*[:：][*_]{0,2}(?:[ \t]+(.*)|$)")
_NOTES_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b.*\b\d{1,2}:\d{2}", re.IGNORECASE)
_GROUPWISE = re.compile(r"^[ \t]*>>>[ \t]*\S.*(?:\d{1,2}:\d{2}|\d{1,2}/\d{1,2}/\d{2,4}).*?(?:>>>)?[ \t]*$")
_FORWARDED_BY = re.compile(r"^[ \t]*-{3,}[ \t]*Forwarded by\b", re.IGNORECASE)


def _is_prefixed(lines: list[str], i: int) -> bool:
    line = lines[i]
    if _QUOTE_PREFIX.match(line):
        return True
    if _PIPE.match(line):  # "|" quotes come in runs; a lone "|" line is something else
        return any(_PIPE.match(lines[j]) for j in (i - 1, i + 1) if 0 <= j < len(lines))
    return False


def _header_key(line: str) -> str | None:
    m = _KEY_LINE.match(line)
    if not m:
        return None
    return vocab.HEADER_KEYS.get(re.sub(r"\s+", " ", m.group(1).strip().lower()))


def header_block(lines: list[str], i: int) -> int:
    """How many lines from i form a quoted message's header block ("From: … / Sent: … / Subject: …"); 0 if none.

    Short "Key: value" lines whose keys are header names in some language, a From-like key among them and a
    Date-, To- or Subject-like one; a wrapped value may continue on the next line.
    """
    roles: set[str] = set()
    j, keys, since_key = i, 0, 0
    while j < len(lines) and j - i < 14:
        line = lines[j]
        role = _header_key(line)
        if role is not None:
            roles.add(role)
            keys, since_key = keys + 1, 0
        elif not line.strip() or since_key >= 2 or keys == 0 or len(line) > 100:
            break
        else:
            since_key += 1  # a To: or Subject: value wrapped onto the next line
        j += 1
    block = " ".join(lines[i:j])
    # "Da: Roma / A: Milano / Data: 12 maggio" is a trip, not a message: a real block names an address or
    # a subject
    if keys >= 2 and "from" in roles and roles & {"date", "to", "subject"} and (
            "@" in block or "/" in block or ("subject" in roles and keys >= 3)):
        return j - i
    return 0


def _header_soon(lines: list[str], i: int) -> bool:
    """A header block starts within a few non-blank lines after line i."""
    seen = 0
    for j in range(i + 1, len(lines)):
        if not lines[j].strip():
            continue
        if header_block(lines, j):
            return True
        seen += 1
        if seen >= 3:
            return False
    return False


def _next_content(lines: list[str], i: int) -> int | None:
    for j in range(i + 1, len(lines)):
        if lines[j].strip():
            return j
    return None


# --- the detectors: each is given the lines and a position, and answers (rule, lines it spans) or None -----

Found = tuple[str, int]
Detector = Callable[[list[str], int, "_Context"], "Found | None"]


@dataclass
class _Context:
    repeated: list[bool]  # line i reproduces the text of the message replied to (always False without one)
    own_after_unrepeated: list[bool]  # some non-blank line after i is not found in the parent
    own_after: list[bool]  # some non-blank, non-prefixed line follows line i


def _separator(lines: list[str], i: int, ctx: _Context) -> Found | None:
    line = lines[i]
    if len(line) > 160 or not _SEPARATOR.match(line):
        return None
    stripped = line.strip().strip("*_ ").lower()
    dashed = bool(_SEPARATOR_DASHED.search(line))
    begin = stripped.startswith(("begin forwarded", "anfang der", "beginn der", "début du", "inicio del", "inizio",
                                 "início da"))
    if dashed or begin or (stripped.endswith(":") and _header_soon(lines, i)):
        return f"separator line: {line.strip()[:60]!r}", 1
    return None


def _forwarded_by(lines: list[str], i: int, ctx: _Context) -> Found | None:
    """Lotus Notes: "----- Forwarded by Name/Org on 05/04/2001 09:12 AM -----", often wrapped."""
    if _FORWARDED_BY.match(lines[i]):
        return "Lotus Notes forward line", 1
    return None


def _header_block(lines: list[str], i: int, ctx: _Context) -> Found | None:
    if _header_key(lines[i]) is None:
        return None  # the cheap test first: most lines are no "Key: value" at all
    if i > 0 and lines[i - 1].strip() and _header_key(lines[i - 1]) is None and not _RULE.match(lines[i - 1]):
        # the block must start a paragraph, or follow a rule line; mid-paragraph "From:" is prose
        prev = lines[i - 1].strip()
        if not (_SEPARATOR.match(prev) or _DATE.search(prev) or len(prev) < 40):
            return None
    n = header_block(lines, i)
    if n:
        return f"header block ({lines[i].strip().split(':')[0].strip('*_ ')}: …)", n
    return None


def _rule_then_headers(lines: list[str], i: int, ctx: _Context) -> Found | None:
    if _RULE.match(lines[i]) and _header_soon(lines, i):
        return "rule line above a header block", 1
    return None


def _notes_header(lines: list[str], i: int, ctx: _Context) -> Found | None:
    """Lotus Notes: 'Name' / 'Name@ORG' / '"Name" <addr> on DATE', then a date line, then To:/cc: lines."""
    if i > 0 and lines[i - 1].strip():
        return None  # the name starts a paragraph
    for j in range(i, min(i + 4, len(lines))):  # the name, "Sent by:", the date: a short paragraph
        text = lines[j].strip()
        if (not text or len(text) > 90 or text.endswith((".", "?", "!")) or "?" in text
                or _header_key(lines[j]) in ("to", "cc") or _FORWARDED_BY.match(text) or _RULE.match(text)):
            return None
        if _NOTES_DATE.search(text):
            k: int | None = j
            for _ in range(3):
                k = _next_content(lines, k) if k is not None else None
                if k is None:
                    return None
                if _header_key(lines[k]) in ("to", "cc"):
                    return "Lotus Notes header (name, date, To:)", 1
            return None
    return None


def _groupwise(lines: list[str], i: int, ctx: _Context) -> Found | None:
    if _GROUPWISE.match(lines[i]):
        return "GroupWise header (>>> Name DATE >>>)", 1
    return None


def _attribution(lines: list[str], i: int, ctx: _Context) -> Found | None:
    """An attribution line read by its shape, rejoined when wrapped: it ends in ":" (or "wrote", "----"),
    and holds an address, or a date and a time, or an attribution verb. Weak forms need a quote after them."""
    if i > 0 and lines[i - 1].strip() and not _is_prefixed(lines, i - 1) and not _SENTENCE_END.search(
            lines[i - 1]):
        return None  # mid-paragraph: an attribution starts its own line after a blank or a finished sentence
    joined = ""
    for k in range(_LOOKAHEAD):
        j = i + k
        if j >= len(lines) or not lines[j].strip() or (k and _is_prefixed(lines, j)):
            return None
        if k and (_SEPARATOR.match(lines[j]) or _FORWARDED_BY.match(lines[j]) or _RULE.match(lines[j])
                  or _SENTENCE_END.search(lines[j - 1])):
            return None  # a finished sentence above a separator is the writer's, not an attribution
        joined = (joined + " " + _QUOTE_PREFIX.sub("", lines[j]).strip()).strip()
        if len(joined) > 320:
            return None
        if _ATTRIBUTION_END.search(joined):
            return _judge_attribution(lines, j, joined, k + 1, ctx)
    return None


_SENTENCE_END = re.compile(r"[.!?。！？]\s*$")


def _judge_attribution(lines: list[str], last: int, joined: str, span: int, ctx: _Context) -> Found | None:
    address = bool(_ADDRESS.search(joined))
    dated = bool(_DATE.search(joined)) and bool(_TIME.search(joined))
    verb = bool(_WROTE.search(joined))
    nxt = _next_content(lines, last)
    quote_follows = nxt is not None and (_is_prefixed(lines, nxt) or ctx.repeated[nxt]
                                          or bool(header_block(lines, nxt)))
    words = len(joined.split())
    if nxt is None or words < 2:
        return None
    framed = joined.startswith("-") and joined.rstrip().endswith("--")  # Zoho: "---- On … wrote ----"
    strong = (verb and (address or dated)) or (address and dated) or (framed and (verb or address or dated))
    if strong or (verb and quote_follows and words <= 12) or (address and quote_follows and words <= 10):
        return f"attribution line: {joined[:70]!r}", span
    return None


def _repeats_parent(lines: list[str], i: int, ctx: _Context) -> Found | None:
    """From here on the text mostly reproduces the message replied to: an unmarked quote."""
    if not ctx.repeated[i]:
        return None
    # Every line from here on repeats the parent (short ones too): an inline answer ("Yes, attached.") below
    # a repeated line keeps the whole rest as the writer's.
    if ctx.own_after_unrepeated[i]:
        return None
    start = i  # take in an unrecognised attribution or header paragraph just above
    while start > 0 and i - start < _LOOKAHEAD and lines[start - 1].strip() and len(lines[start - 1]) <= 100 \
            and (_DATE.search(lines[start - 1]) or _ADDRESS.search(lines[start - 1])
                 or lines[start - 1].rstrip().endswith(":")):
        start -= 1
    return "repeats the message it replies to", 1 - (i - start)


DETECTORS: tuple[tuple[str, Detector], ...] = (
    ("separator", _separator), ("forwarded by", _forwarded_by), ("rule", _rule_then_headers),
    ("header block", _header_block), ("notes", _notes_header), ("groupwise", _groupwise),
    ("attribution", _attribution), ("parent", _repeats_parent),
)


# --- the split -------------------------------------------------------------------------------------------

_WS = re.compile(r"\s+")
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _repeated(lines: list[str], parent: str | None) -> tuple[list[bool], list[bool]]:
    """(line i repeats the parent, some later non-blank line does not): both in one pass, linear."""
    n = len(lines)
    if not parent:
        return [False] * n, [True] * n
    whole = _WS.sub(" ", parent).strip().lower()
    found = [_WS.sub(" ", _QUOTE_PREFIX.sub("", line)).strip().lower() for line in lines]
    repeated = [len(c) >= 20 and c in whole for c in found]
    in_parent = [not c or c in whole for c in found]  # blank lines and short repeats ("Thanks,") too
    later = [False] * n
    for k in range(n - 2, -1, -1):
        later[k] = later[k + 1] or not in_parent[k + 1]
    return repeated, later


def split(text: str, parent: str | None = None) -> Split:
    """Plain text → Split. `parent` is the text of the message this one replies to, when known."""
    text = _BIDI.sub("", text)  # direction marks around addresses in Arabic and Hebrew attributions
    originals = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # The detectors read each line with runs of blanks folded and at most _READ characters: no pattern can
    # then take long on a hostile line ("Thanks" + 2,000 spaces + "?"). The output keeps the lines as written.
    lines = [_BLANKS.sub(" ", line[:_READ]) for line in originals]
    n = len(lines)
    quoted_line = [_is_prefixed(lines, i) for i in range(n)]
    for i in range(1, n):  # a quoted line wrapped by a client that lost its ">": "> … metatag.date" / "by me."
        if (not quoted_line[i] and lines[i].strip() and quoted_line[i - 1] and len(lines[i - 1]) >= 60
                and len(lines[i]) < 60 and (i + 1 >= n or quoted_line[i + 1] or not lines[i + 1].strip())):
            quoted_line[i] = True
    own_after = [False] * (n + 1)
    for i in range(n - 1, -1, -1):
        nxt = i + 1
        own_after[i] = own_after[nxt] or (nxt < n and bool(lines[nxt].strip()) and not quoted_line[nxt])
    ctx = _Context(*_repeated(lines, parent), own_after)
    cut, rule, inline = n, None, set[int]()
    for i in range(n):
        if _GROUPWISE.match(lines[i]):  # ">>> Name DATE >>>" starts an unprefixed quote below it
            cut, rule = i, "GroupWise header (>>> Name DATE >>>)"
            break
        if quoted_line[i]:
            if not own_after[i]:
                cut, rule = i, "quoted lines (>)"
                break
            continue
        found = _first(lines, i, ctx)
        if found is None:
            continue
        name, span = found
        if span <= 0:  # the parent detector moved the start up
            cut, rule = i + span - 1, name
            break
        last = i + span - 1
        if name.startswith("attribution") and own_after[last] and _quote_follows(lines, last):
            inline.update(range(i, last + 1))  # an inline or bottom-posted reply: keep reading
            rule = rule or "quoted lines (>) with answers between them"
            continue
        cut, rule = i, name
        break
    quoted = [originals[k] for k in range(cut) if quoted_line[k] or k in inline] + originals[cut:]
    if any(quoted_line[:cut]) and rule is None:
        rule = "quoted lines (>) with answers between them"
    kept = [k for k in range(cut) if not quoted_line[k] and k not in inline]
    start, signature_rule = signature_start([lines[k] for k in kept])
    own = [originals[k] for k in kept[:start]]
    signature = [originals[k] for k in kept[start:]]
    return Split(tidy("\n".join(own)), tidy("\n".join(quoted)), tidy("\n".join(signature)), rule, signature_rule)


def _first(lines: list[str], i: int, ctx: _Context) -> Found | None:
    for _, detect in DETECTORS:
        found = detect(lines, i, ctx)
        if found is not None:
            return found
    return None


def _quote_follows(lines: list[str], i: int) -> bool:
    nxt = _next_content(lines, i)
    return nxt is not None and _is_prefixed(lines, nxt)

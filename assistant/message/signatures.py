"""The writer's own lines → (own lines, signature lines, the rule that found the signature). Pure.

The sign-off ("Best regards,") and a first name or initials under it are the writer's own words, as people
annotate mail; the signature is what follows: the full name with a job title, company, phone, address, web
and legal lines, an app's "Sent from my iPhone", a disclaimer or a footer under a rule, or anything under a
"-- " line. A block counts as a signature only when it looks like one (contact lines, titles, names, short
lines): a plain "Regards, Sun" leaves every line where it was, and a last short sentence ("Call me at
555-0100 after 3.") stays own text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.message import vocabulary as vocab

_DELIMITER = re.compile(r"^(?:-- ?|--|__|—)\s*$")
_DEVICE = re.compile(r"^\s*(?:" + vocab.alternation(vocab.DEVICE_SIGNATURES) + r")", re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"^\s*(?:" + vocab.alternation(vocab.SIGN_OFFS) + r")\s*[,.!:;–-]*(?:\s+[\w.'’-]+){0,3}\s*[,.!]?\s*$", re.IGNORECASE)
_PHONE = re.compile(r"(?:\+?\(?\d[\d ().\-/]{6,}\d)")
_CONTACT_LABEL = re.compile(
    r"^\s*(?:tel|tél|phone|ph|fon|telefon|teléfono|telefone|telefono|mobile|mob|cell|cellular|handy|móvil|"
    r"fax|facsimile|direct|office|main|e-?mail|mail|web|website|site|blog|www|skype|linkedin|twitter|github|"
    r"address|adresse|"
    r"home|pager|m|t|f|e|w|o|d)\b\.?\s*(?:address|no\.?|number)?\s*[:.\-–]?\s", re.IGNORECASE)
_URL = re.compile(r"https?://|\bwww\.|\b[\w-]+\.(?:com|org|net|io|co|de|fr|uk|es|it|nl)\b", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_TITLE = re.compile(
    r"\b(?:manager|director|president|vice president|vp|ceo|cfo|cto|coo|counsel|attorney|analyst|"
    r"engineer|specialist|assistant|associate|coordinator|consultant|officer|head of|partner|"
    r"administrator|representative|executive|supervisor|trader|scheduler|developer|architect|founder|"
    r"co-founder|chair|chairman|secretary|paralegal|advisor|adviser|principal|professor|dr\.|ph\.?d|cfa|cpa|"
    r"committer|pmc|geschäftsführer|leiter|leiterin|directeur|directrice|gerente|responsable|direttore|"
    r"department|dept\.?|legal|government affairs|customer support|desk)\b", re.IGNORECASE)
_COMPANY = re.compile(
    r"\b(?:inc|corp|corporation|company|llc|llp|ltd|limited|gmbh|ag|sa|s\.a|srl|bv|b\.v|plc|group|"
    r"associates|university|institute|foundation|pty|oy|kg)\b\.?", re.IGNORECASE)
_STREET = re.compile(
    r"\b\d+\s+[\w .'-]+\b(?:street|st|avenue|ave|road|rd|blvd|boulevard|drive|dr|lane|way|suite|floor|"
    r"straße|strasse|str|rue|calle|via|plaza|place|pl)\b\.?|\b(?:suite|ste|floor|eb)\s*\d|"
    r"\b[A-Z]{2},?\s+\d{5}(?:-\d{4})?\b|,\s*\d{4,5}(?:-\d{4})?\b|\b\d{5}\s+[A-Z][a-zà-ÿ]+", re.IGNORECASE)
_DISCLAIMER = re.compile(
    r"\b(?:confidential|intended (?:solely )?for|intended recipient|privileged|disclaimer|if you (?:have )?"
    r"received this (?:e-?mail|message|communication) in error|vertraulich|confidentiel|"
    r"destinataire|destinatario|addressee)", re.IGNORECASE)
_KEY_VALUE = re.compile(r"^\s*([\w /&-]{2,30}?)\s*:\s*\S")
_DISCLAIMER_START = re.compile(
    r"^\W*(?:confidentiality|confidential|disclaimer|privileged|notice|important|legal|this (?:e-?mail|message|"
    r"communication|transmission)|the information (?:contained|in|transmitted)|if you are not|any (?:views|"
    r"opinions)|ce message|cet e-?mail|diese (?:e-?mail|nachricht)|dieser e-?mail|questo messaggio|"
    r"este (?:mensaje|correo)|esta mensagem|dit bericht|this message and any)", re.IGNORECASE)
_RULE = re.compile(r"^\s*(?:[-_=*~]\s?){8,}\s*$")
_LIST_FOOTER = re.compile(r"view this message in context|mailing list archive|^sent from: https?://|nabble\.com|"
                          r"unsubscribe", re.IGNORECASE)
_SENTENCE = re.compile(r"[.!?]\s*$")
_NAME = re.compile(r"^[\"']?(?:[A-ZÀ-Þ][\w'’.-]*|[A-ZÀ-Þ]\.)(?:[ \t]+(?:[A-ZÀ-Þ][\w'’.-]*|[A-ZÀ-Þ]\.|de|van|von|"
                   r"der|da|di|del|la|le)){1,4}[\"']?,?(?:[ \t]+(?:CFA|CPA|PhD|MBA|Jr\.?|Sr\.?))?\s*$")
_CJK_PROSE = re.compile(r"[，。、；！？]|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{12,}")
_MAX_BLOCK = 14  # lines a signature block holds at most, blank lines apart

Rule = Callable[[list[str]], "tuple[int, str] | None"]


def signature_start(lines: list[str]) -> tuple[int, str | None]:
    """Where the signature starts among the writer's lines (len(lines) when there is none), and why."""
    for rule in RULES:
        found = rule(lines)
        if found is not None:
            return found
    return len(lines), None



def _content(lines: list[str]) -> list[int]:
    return [i for i, x in enumerate(lines) if x.strip()]


def _delimiter(lines: list[str]) -> tuple[int, str] | None:
    content = _content(lines)
    for i in content:
        if _DELIMITER.match(lines[i]) and any(j > i for j in content):
            tail = [lines[j] for j in content if j > i]
            if all(_LIST_FOOTER.search(x) for x in tail):
                return None  # a list archive's footer ("View this message in context"): no one's signature
            return i, 'a "-- " line'
    return None


def _device(lines: list[str]) -> tuple[int, str] | None:
    content = _content(lines)
    for i in content[-6:]:
        if _DEVICE.match(lines[i]) and len(lines[i].strip()) <= 80 and i != content[0]:
            return i, f"an app's line: {lines[i].strip()[:40]!r}"
    return None


def _disclaimer(lines: list[str]) -> tuple[int, str] | None:
    """A legal disclaimer that starts a paragraph near the end (with the rule line above it, if any)."""
    content = _content(lines)
    for i in content[max(1, len(content) - 40):]:  # a disclaimer sits at the end
        paragraph_start = i == 0 or not lines[i - 1].strip() or _RULE.match(lines[i - 1])
        if not (paragraph_start and _DISCLAIMER_START.match(lines[i])):
            continue
        paragraph = " ".join(x.strip() for x in lines[i:i + 8])
        if _DISCLAIMER.search(paragraph):
            start = i - 1 if i > 0 and _RULE.match(lines[i - 1]) else i
            return start, "a legal disclaimer"
    return None


def _footer(lines: list[str]) -> tuple[int, str] | None:
    """A rule line near the end with a few lines under it that carry a link: an advertiser's or a firm's footer."""
    content = _content(lines)
    for pos in range(max(1, len(content) - 6), len(content)):
        i, after = content[pos], content[pos + 1:]
        if (_RULE.match(lines[i]) and 0 < len(after) <= 4 and any(_URL.search(lines[j]) for j in after)
                and all(len(lines[j].split()) <= 12 for j in after)):
            return i, "a footer under a rule line"
    return None


def _signature_like(line: str) -> int:
    """How strongly a line reads as a signature line: 2 contact detail, 1 name/title/company, 0 prose."""
    text = line.strip()
    if not text:
        return 1
    if _DISCLAIMER.search(text):
        return 2
    words = text.split()
    if (len(text) > 80 or "?" in text or len(words) > 10 or _SIGN_OFF.match(text) or _CJK_PROSE.search(text)
            or (_SENTENCE.search(text) and (sum(w.islower() for w in words) >= 3 or len(words) >= 5))):
        return 0  # prose ("Maria's phone number is (607) 762-7688."), or a sign-off, which is the writer's own
    key = _KEY_VALUE.match(text)
    if key and not (_CONTACT_LABEL.match(text) or _EMAIL.search(text) or _URL.search(text) or _PHONE.search(text)):
        return 0  # "TRANS_DATE: 10/19/01", "Request ID : 7593": data, not a signature
    if (_CONTACT_LABEL.match(text) or _EMAIL.search(text) or _URL.search(text)
            or (_PHONE.search(text) and len(text) <= 50) or _STREET.search(text)):
        return 2
    if len(words) > 8 or (_SENTENCE.search(text) and len(words) > 5):
        return 0
    if _TITLE.search(text) or _COMPANY.search(text):
        return 1
    if len(words) <= 5 and all(w[:1].isupper() or not w[:1].isalpha() for w in words):
        return 1  # a name, a place: "Kay C. Young", "Houston, Texas"
    if sum(ch.isalpha() for ch in text) < 0.3 * len(text):
        return 1  # coordinates, codes: "42° 29' 7\" N"
    return 0


def _block_from(lines: list[str], start: int) -> bool:
    """Lines from start to the end read as a signature block: no prose, and some contact detail, a title
    or a company."""
    body = [x for x in lines[start:] if x.strip()]
    if not body or len(body) > _MAX_BLOCK:
        return False
    strength = [_signature_like(x) for x in body]
    if 0 in strength:
        return False
    identity = any(_NAME.match(x.strip()) or _TITLE.search(x) or _COMPANY.search(x) or _EMAIL.search(x)
                   or _CONTACT_LABEL.match(x) or (_PHONE.search(x) and len(x.strip()) <= 50) for x in body)
    return identity and (2 in strength or any(_TITLE.search(x) or _COMPANY.search(x) for x in body))


def _after_sign_off(lines: list[str]) -> tuple[int, str] | None:
    """"Regards,\\nDana\\n\\nDana Reyes\\nSales Director": the signature starts under a first name, or at a full
    name, under the last sign-off."""
    content = _content(lines)
    for pos in range(len(content) - 1, 0, -1):  # the last sign-off with something above it
        i = content[pos]
        if not _SIGN_OFF.match(lines[i]):
            continue
        after = content[pos + 1:]
        if not after or len(content) - pos > _MAX_BLOCK + 2:
            return None
        first = lines[after[0]].strip()
        if _NAME.match(first) and len(after) == 1:
            return after[0], "the full name under the sign-off"
        start = after[0] if _NAME.match(first) else (after[1] if len(after) > 1 else None)
        if start is not None and _block_from(lines, start):
            return start, "the lines under the sign-off"
        return None
    return None


def _contact_block(lines: list[str]) -> tuple[int, str] | None:
    """A last block of contact lines with no sign-off above it ("Kay C. Young / Legal Specialist / 713-…"):
    the earliest line of the last paragraphs from which everything reads as a signature."""
    content = _content(lines)
    if len(content) < 2:
        return None
    paragraphs = [content[0]] + [b for a, b in zip(content, content[1:], strict=False) if b > a + 1]
    first_line = content[0]
    whole = [lines[i] for i in content]
    alone = 3 <= len(whole) <= _MAX_BLOCK and sum(_signature_like(x) == 2 for x in whole) >= 2  # all signature
    window = content[-(_MAX_BLOCK + 1):]  # a block is at most _MAX_BLOCK lines: look no further up
    candidates = [i for i in window if i >= paragraphs[-min(3, len(paragraphs))] and (i != first_line or alone)]
    for i in candidates:
        body = [x for x in lines[i:] if x.strip()]
        bare_link = _URL.search(lines[i]) and not (_CONTACT_LABEL.match(lines[i]) or _EMAIL.search(lines[i]))
        starts_well = not bare_link and (_NAME.match(lines[i].strip()) or _signature_like(lines[i]) == 2
                                         or i in paragraphs)
        if starts_well and _block_from(lines, i) and (len(body) >= 2 or _lone_company(body)):
            return i, "a block of contact lines"
    return None


def _lone_company(body: list[str]) -> bool:
    """One last line that is a company's name ("Enron North America Corp.")."""
    return len(body) == 1 and bool(_COMPANY.search(body[0])) and len(body[0].split()) <= 6


RULES: tuple[Rule, ...] = (_delimiter, _device, _disclaimer, _footer, _after_sign_off, _contact_block)

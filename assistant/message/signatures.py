"""The writer's own lines → (own lines, signature lines, the rule that found the signature). Pure.

The sign-off ("Best regards,") and the name under it are the writer's own words, as people annotate mail;
the signature is what follows: the full name with a job title, company, phone, address, web and legal
lines, an app's "Sent from my iPhone", or anything under a "-- " line. A block counts as a signature only
when it looks like one (contact lines, titles, short lines): a plain "Regards, Name" leaves every line of
the writer's text where it was, and a last short sentence ("Call me at 555-0100 after 3.") stays own text.
"""

from __future__ import annotations

import re

from assistant.message import vocabulary as vocab


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(sorted((re.escape(w) for w in set(words)), key=len, reverse=True))


_DELIMITER = re.compile(r"^(?:-- ?|--|__|—)\s*$")
_DEVICE = re.compile(r"^\s*(?:" + _alternation(vocab.DEVICE_SIGNATURES) + r")", re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"^\s*(?:" + _alternation(vocab.SIGN_OFFS) + r")\s*[,.!:;–-]*(?:\s+[\w.'’-]+){0,3}\s*[,.!]?\s*$", re.IGNORECASE)
_PHONE = re.compile(r"(?:\+?\(?\d[\d ().\-/]{6,}\d)")
_CONTACT_LABEL = re.compile(
    r"^\s*(?:tel|tél|phone|ph|fon|telefon|teléfono|telefone|telefono|mobile|mob|cell|cellular|handy|móvil|"
    r"fax|facsimile|direct|office|main|e-?mail|mail|web|www|skype|linkedin|twitter|address|adresse|"
    r"home|pager|m|t|f|e|w|o|d)\b\.?\s*[:.]?\s", re.IGNORECASE)
_URL = re.compile(r"https?://|\bwww\.|\b[\w-]+\.(?:com|org|net|io|co|de|fr|uk|es|it|nl)\b", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_TITLE = re.compile(
    r"\b(?:manager|director|president|vice president|vp|ceo|cfo|cto|coo|counsel|attorney|analyst|"
    r"engineer|specialist|assistant|associate|coordinator|consultant|officer|head of|lead|partner|"
    r"administrator|representative|executive|supervisor|trader|scheduler|developer|architect|founder|"
    r"co-founder|chair|chairman|secretary|paralegal|advisor|adviser|principal|professor|dr\.|ph\.?d|"
    r"committer|pmc|geschäftsführer|leiter|directeur|directrice|gerente|responsable|direttore|"
    r"department|dept\.?|legal|government affairs|services|team)\b", re.IGNORECASE)
_COMPANY = re.compile(
    r"\b(?:inc|corp|corporation|co|company|llc|llp|ltd|limited|gmbh|ag|sa|s\.a|srl|bv|b\.v|plc|group|"
    r"associates|partners|enron|university|institute|foundation|pty|oy|ab|as|kg)\b\.?", re.IGNORECASE)
_STREET = re.compile(
    r"\b\d+\s+[\w .'-]+\b(?:street|st|avenue|ave|road|rd|blvd|boulevard|drive|dr|lane|way|suite|floor|"
    r"straße|strasse|str|rue|calle|via|plaza|place|pl)\b\.?|\b(?:suite|ste|floor|eb)\s*\d|"
    r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|\b\d{5}\b", re.IGNORECASE)
_DISCLAIMER = re.compile(
    r"\b(?:confidential|intended (?:solely )?for|intended recipient|privileged|disclaimer|if you (?:have )?"
    r"received this (?:e-?mail|message|communication) in error|vertraulich|confidentiel|virus)\b",
    re.IGNORECASE)
_SENTENCE = re.compile(r"[.!?]\s*$")
_LIST_FOOTER = re.compile(r"view this message in context|mailing list archive|^sent from: https?://|nabble\.com|"
                          r"unsubscribe", re.IGNORECASE)
_MAX_BLOCK = 12  # lines a signature block holds at most, blank lines apart


def split_signature(lines: list[str]) -> tuple[list[str], list[str], str | None]:
    for rule in (_delimiter, _device, _after_sign_off, _contact_block):
        found = rule(lines)
        if found is not None:
            start, name = found
            return lines[:start], lines[start:], name
    return lines, [], None


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


def _signature_like(line: str) -> int:
    """How strongly a line reads as a signature line: 2 contact detail, 1 name/title/company, 0 prose."""
    text = line.strip()
    if not text:
        return 1
    if _DISCLAIMER.search(text):
        return 2
    words = text.split()
    if len(text) > 80 or "?" in text or (_SENTENCE.search(text) and sum(w.islower() for w in words) >= 3):
        return 0  # prose: "Maria's phone number is (607) 762-7688."
    if (_CONTACT_LABEL.match(text) or _EMAIL.search(text) or _URL.search(text)
            or (_PHONE.search(text) and len(text) <= 50) or _STREET.search(text)):
        return 2
    if len(words) > 8 or (_SENTENCE.search(text) and len(words) > 5):
        return 0
    if _TITLE.search(text) or _COMPANY.search(text):
        return 1
    if len(words) <= 4 and all(w[:1].isupper() or not w[:1].isalpha() for w in words):
        return 1  # a name, a place: "Kay C. Young", "Houston, Texas"
    return 0


def _block_from(lines: list[str], start: int) -> bool:
    """Lines from start to the end read as a signature block: no prose, and some contact detail."""
    body = [x for x in lines[start:] if x.strip()]
    if not body or len(body) > _MAX_BLOCK:
        return False
    strength = [_signature_like(x) for x in body]
    if 0 in strength:
        return False
    return 2 in strength or (len(body) >= 3 and sum(bool(_TITLE.search(x) or _COMPANY.search(x)) for x in body) >= 1)


def _after_sign_off(lines: list[str]) -> tuple[int, str] | None:
    """"Regards,\\nDana\\n\\nDana Reyes\\nSales Director\\n+1 555 0100": the signature starts under the name."""
    content = _content(lines)
    for pos in range(len(content) - 1, 0, -1):  # the last sign-off with something above it
        i = content[pos]
        if not _SIGN_OFF.match(lines[i]):
            continue
        after = content[pos + 1:]
        if not after:
            return None
        start = after[0]
        name_only = len(lines[start].split()) <= 3 and _signature_like(lines[start]) != 2
        if name_only and len(after) > 1:
            start = after[1]  # the name under the sign-off is the writer's own
        elif name_only:
            return None
        if _block_from(lines, start):
            return start, "the lines under the sign-off"
        return None
    return None


def _contact_block(lines: list[str]) -> tuple[int, str] | None:
    """A last block of contact lines with no sign-off above it ("Kay C. Young / Legal Specialist / 713-…")."""
    content = _content(lines)
    if len(content) < 3:
        return None
    # the last paragraph, or two when a blank line splits the block (name and title, then phone lines)
    paragraphs: list[int] = [content[0]]
    for a, b in zip(content, content[1:], strict=False):
        if b > a + 1:
            paragraphs.append(b)
    for start in reversed(paragraphs[-2:]):
        if start == content[0]:
            continue
        if _block_from(lines, start) and len([x for x in lines[start:] if x.strip()]) >= 2:
            earlier = paragraphs[paragraphs.index(start) - 1] if paragraphs.index(start) > 0 else None
            if earlier is not None and earlier != content[0] and _block_from(lines, earlier):
                return earlier, "a block of contact lines"
            return start, "a block of contact lines"
    return None

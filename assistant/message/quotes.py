"""Plain text → new text, quoted text and signature; HTML → visible text and quoted blocks. Pure."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

TEXT_CAP = 20_000  # characters kept of new text, and of quoted text; enough for any real reply

_ATTRIBUTION = re.compile(
    r"^\s*(On\s.{4,200}\bwrote:|Le\s.{4,200}\ba écrit\s?:|Am\s.{4,200}\bschrieb\s.{0,80}:|"
    r"El\s.{4,200}\bescribió:|Il\s.{4,200}\bha scritto:|Op\s.{4,200}\bschreef\s.{0,80}:)\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(r"^\s*(On|Le|Am|El|Il|Op)\s.{4,200}$")
_ORIGINAL = re.compile(
    r"^\s*(-{2,}\s*(Original Message|Forwarded message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}"
    r"|_{20,}|Begin forwarded message:)\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(From|De|Von|Van|Da)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(Sent|Date|Envoyé|Gesendet|Enviado|To|Subject)\s*:", re.IGNORECASE)
_VALEDICTION = re.compile(
    r"^\s*(best( regards| wishes)?|kind regards|warm regards|regards|cheers|thanks( again| so much)?|"
    r"thank you|many thanks|sincerely|yours( truly| sincerely)?|all the best|talk soon|br|"
    r"sent from my \w+.*|get outlook for \w+.*)\s*[,.!]?\s*$",
    re.IGNORECASE,
)
_SIG_LINES = 6  # a sign-off followed by at most this many short lines is a signature


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


def split_text(text: str) -> tuple[str, str, str]:
    """Plain text → (new text, quoted text, signature).

    Top-posted replies cut at the attribution or separator; ">" lines anywhere are quoted, and text
    written below or between them (bottom-posting, inline answers) stays new text.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # own_after[i]: some non-quoted, non-blank line follows line i (one pass, not a rescan per line)
    own_after = [False] * (len(lines) + 1)
    for i in range(len(lines) - 1, -1, -1):
        own_after[i] = own_after[i + 1] or bool(lines[i + 1:i + 2] and lines[i + 1].strip()
                                                  and not _is_quote(lines[i + 1]))
    cut, attributions = len(lines), set()
    for i, line in enumerate(lines):
        two = line + " " + lines[i + 1] if i + 1 < len(lines) else line
        wrapped = _ATTRIBUTION_START.match(line) and _ATTRIBUTION.match(two)
        if _ATTRIBUTION.match(line) or wrapped:
            span = {i, i + 1} if wrapped and not _ATTRIBUTION.match(line) else {i}
            after = max(span)
            if own_after[after] and _quote_follows(lines, after):
                attributions |= span  # an inline or bottom-posted reply: keep reading
                continue
            cut = i
            break
        if _ORIGINAL.match(line) or (_OUTLOOK_FROM.match(line)
                                     and any(_OUTLOOK_NEXT.match(n) for n in lines[i + 1:i + 4])):
            cut = i
            break
        if _is_quote(line) and not own_after[i]:
            cut = i
            break
    head, tail = lines[:cut], lines[cut:]
    quoted = [x for n, x in enumerate(head) if _is_quote(x) or n in attributions] + tail
    new_lines = [x for n, x in enumerate(head) if not _is_quote(x) and n not in attributions]
    new_lines, signature = _split_signature(new_lines)
    return tidy("\n".join(new_lines)), tidy("\n".join(quoted)), tidy("\n".join(signature))


def _quote_follows(lines: list[str], i: int) -> bool:
    """The next non-blank line after i is a ">" line."""
    for line in lines[i + 1:]:
        if line.strip():
            return _is_quote(line)
    return False


def _split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    for i, line in enumerate(lines):
        if line.rstrip() in ("--", "-- ", "__"):
            return lines[:i], lines[i:]
    content = [i for i, x in enumerate(lines) if x.strip()]
    for i in content[1:]:  # a sign-off needs something above it: an opening "Thanks!" is not one
        if _VALEDICTION.match(lines[i]):
            tail = [x for x in lines[i + 1:] if x.strip()]
            if len(tail) <= _SIG_LINES and all(len(x.strip()) <= 60 for x in tail):
                return lines[:i], lines[i:]
    return lines, []


def tidy(text: str) -> str:
    text = re.sub(r"[ \t\u00a0]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()[:TEXT_CAP]


_QUOTE_SELECTORS = (
    "blockquote", "div.gmail_quote", "div.gmail_extra", "div.yahoo_quoted", "div#appendonsend",
    "div#divRplyFwdMsg", "div.moz-cite-prefix", "div#mail-editor-reference-message-container",
)


def html_to_text(html: str) -> tuple[str, str]:
    """HTML → (visible text, text of quoted blocks), block elements on their own lines."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title"]):
        tag.decompose()
    quoted_parts = []
    for selector in _QUOTE_SELECTORS:
        for tag in soup.select(selector):
            quoted_parts.append(tag.get_text("\n"))
            # Outlook puts everything after #appendonsend / #divRplyFwdMsg in siblings
            if selector in ("div#appendonsend", "div#divRplyFwdMsg"):
                for sibling in list(tag.find_next_siblings()):
                    quoted_parts.append(sibling.get_text("\n"))
                    sibling.decompose()
            tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(["p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table"]):
        block.insert_after("\n")
    text = soup.get_text()
    return text, "\n".join(quoted_parts)

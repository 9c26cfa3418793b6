"""Raw message bytes → ParsedMessage: ids, references, addresses, dates, and new text vs quoted text.

Pure: no I/O, no clock. Malformed input never raises; what could not be read is noted in `defects`.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from bs4 import BeautifulSoup

TEXT_CAP = 20_000  # characters kept of new text, and of quoted text; enough for any real reply

# Headers the later stages read (automation, lists, threading fallbacks), stored verbatim.
KEPT_HEADERS = (
    "Auto-Submitted", "Precedence", "List-Id", "List-Post", "List-Unsubscribe", "X-Autoreply",
    "X-Autorespond", "X-Auto-Response-Suppress", "X-MS-Exchange-Generated-Message-Source",
    "Thread-Index", "Thread-Topic", "Content-Type", "Return-Path", "X-Failed-Recipients",
    "Disposition-Notification-To",
)

_ID = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True)
class Address:
    name: str
    email: str


@dataclass(frozen=True)
class ParsedMessage:
    message_id: str | None  # with angle brackets, as on the wire
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    from_: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    date: datetime | None  # aware, in the sender's own offset
    headers: dict[str, str]
    content_type: str
    report_type: str | None
    new_text: str
    quoted_text: str
    signature: str
    attachments: tuple[str, ...] = ()
    defects: tuple[str, ...] = field(default=())


def clean_header(value: str) -> str:
    """One line, no control characters: a header value taken from mail cannot smuggle in another header."""
    value = re.sub(r"\r?\n(?=[ \t])", "", value)  # RFC 5322 unfolding keeps the folding white space
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", value).strip()


def parse_ids(value: str | None) -> tuple[str, ...]:
    """Message-IDs from References / In-Reply-To, tolerating commas (Exchange, iOS) and missing brackets."""
    if not value:
        return ()
    found = _ID.findall(value)
    if not found:
        found = [tok for tok in re.split(r"[\s,]+", value) if "@" in tok]
    out: list[str] = []
    for tok in found:
        ident = f"<{tok.strip('<>')}>"
        if ident not in out:
            out.append(ident)
    return tuple(out)


def _unsurrogate(value: str) -> str:
    """Raw 8-bit header bytes (kept as surrogates by the parser) → text: UTF-8, else Latin-1."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    data = value.encode("ascii", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _raw_headers(msg: Message) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        out.setdefault(name.lower(), []).append(_unsurrogate(str(value)))
    return out


def _addresses(values: list[str], defects: list[str]) -> tuple[Address, ...]:
    out = []
    for display, addr in getaddresses([clean_header(v) for v in values]):
        addr = clean_header(addr).lower()
        if addr:
            out.append(Address(name=decode_words(display, defects), email=addr))
    return tuple(out)


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # "-0000" means unknown offset: RFC 5322 says treat as UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _payload(part: Message, defects: list[str]) -> bytes:
    if (part.get("Content-Transfer-Encoding") or "").strip().lower() == "base64":
        # A body cut at `body_bytes` ends mid-base64: decode the whole quanta we have.
        raw = re.sub(rb"[^A-Za-z0-9+/]", b"", _raw_bytes(part))
        whole = raw[: len(raw) - len(raw) % 4]
        if len(whole) != len(raw):
            defects.append("truncated base64 body")
        try:
            return base64.b64decode(whole)
        except (binascii.Error, ValueError):
            defects.append("undecodable base64 body")
            return b""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _raw_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("ascii", "surrogateescape")
    return b""


def _decode_part(part: Message, defects: list[str]) -> str:
    payload = _payload(part, defects)
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset)
    except LookupError:
        defects.append(f"unknown charset {charset!r}")
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("latin-1")
    except UnicodeDecodeError:
        defects.append(f"bytes that are not valid {charset}")
        return payload.decode(charset, errors="replace")


def _leaf_parts(msg: Message) -> Iterator[Message]:
    """Leaves of the MIME tree; an attached message is one leaf, never read as our own body."""
    if msg.is_multipart() and msg.get_content_type() != "message/rfc822":
        for part in msg.get_payload():
            if isinstance(part, Message):
                yield from _leaf_parts(part)
    else:
        yield msg


def _body_parts(msg: Message, defects: list[str]) -> tuple[str, str, list[str]]:
    """(plain text, html, attachment names) from the first text parts; attachments are never decoded."""
    plain, html, attachments = "", "", []
    for part in _leaf_parts(msg):
        filename = part.get_filename()
        disposition = (part.get_content_disposition() or "").lower()
        ctype = part.get_content_type()
        if filename or disposition == "attachment" or ctype == "message/rfc822":
            name = decode_words(_unsurrogate(str(filename)), defects) if filename else ctype
            attachments.append(clean_header(name))
            continue
        if ctype == "text/plain" and not plain:
            plain = _decode_part(part, defects)
        elif ctype == "text/html" and not html:
            html = _decode_part(part, defects)
    return plain, html, attachments


# --- new text vs quoted text vs signature ------------------------------------------------------

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
    return _tidy("\n".join(new_lines)), _tidy("\n".join(quoted)), _tidy("\n".join(signature))


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


def _tidy(text: str) -> str:
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


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse a whole message or a header block plus a truncated body; never raises on bad input."""
    defects: list[str] = []
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    for defect in getattr(msg, "defects", []):
        defects.append(defect.__class__.__name__)
    hdrs = _raw_headers(msg)

    def first(name: str) -> str:
        values = hdrs.get(name.lower())
        return clean_header(values[0]) if values else ""

    headers = {name: first(name) for name in KEPT_HEADERS if name.lower() in hdrs}
    ctype = msg.get_content_type()
    report_type = msg.get_param("report-type")
    try:
        plain, html, attachments = _body_parts(msg, defects)
    except Exception as e:  # noqa: BLE001 - a broken MIME tree still yields its headers
        defects.append(f"unreadable body: {e.__class__.__name__}")
        plain, html, attachments = "", "", []
    html_quoted = ""
    if not plain and html:
        plain, html_quoted = html_to_text(html)
    new_text, quoted, signature = split_text(plain)
    if html_quoted.strip():
        quoted = _tidy(html_quoted + "\n" + quoted)
    in_reply_to = parse_ids(first("In-Reply-To"))
    message_ids = parse_ids(first("Message-ID"))
    subject = decode_words(first("Subject"), defects)
    from_ = _addresses(hdrs.get("from", []), defects)
    return ParsedMessage(
        message_id=message_ids[0] if message_ids else None,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=parse_ids(" ".join(hdrs.get("references", []))),
        subject=subject,
        from_=from_[0] if from_ else None,
        to=_addresses(hdrs.get("to", []), defects),
        cc=_addresses(hdrs.get("cc", []), defects),
        reply_to=_addresses(hdrs.get("reply-to", []), defects),
        date=_date(first("Date")),
        headers=headers,
        content_type=ctype,
        report_type=str(report_type).lower() if isinstance(report_type, str) else None,
        new_text=new_text,
        quoted_text=quoted,
        signature=signature,
        attachments=tuple(attachments),
        defects=tuple(defects),
    )


def decode_words(value: str, defects: list[str]) -> str:
    """RFC 2047 encoded words → text; an undecodable charset keeps the raw words and notes it."""
    if "=?" not in value:
        return clean_header(value)
    try:
        return clean_header(str(make_header(decode_header(value))))
    except (LookupError, ValueError, UnicodeDecodeError, binascii.Error):
        defects.append(f"undecodable encoded words: {value[:60]!r}")
        return clean_header(value)

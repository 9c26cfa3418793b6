"""MIME and header plumbing: raw header values, addresses, dates, body parts and their decoding. Pure.

Malformed input never raises here; what could not be read is noted in the caller's `defects` list.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.policy import default as _default_policy
from email.utils import getaddresses, parsedate_to_datetime

_ADDRESS_HEADER = _default_policy.header_factory

_ID = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True)
class Address:
    name: str
    email: str


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


_SURROGATE = re.compile("[\udc80-\udcff]")


def unsurrogate(value: str) -> str:
    """Raw 8-bit header bytes (kept as surrogates by the parser) → text: UTF-8, else Latin-1."""
    if value.isascii() or not _SURROGATE.search(value):  # the usual case, told without a loop per character
        return value
    data = value.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def raw_headers(msg: Message) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        out.setdefault(name.lower(), []).append(unsurrogate(str(value)))
    return out


_ADDR_SPEC = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+")


def addresses(values: list[str], defects: list[str]) -> tuple[Address, ...]:
    """The (name, address) pairs of address headers, read by RFC 5322's grammar with encoded words as whole
    tokens: "=?us-ascii?q?x:evil9@attacker.example;?= <kim@corp.example>" is Kim, never a second recipient.
    An address that is not one ("<Undisclosed-Recipient:@corp.example;>") is left out and noted."""
    out = []
    for value in values:
        value = clean_header(value)
        parsed: list[tuple[str, str]] = []
        try:  # the strict grammar: encoded words are tokens, "a@x)<b@y>" is one address (CVE-2023-27043)
            parsed = [(a.display_name, a.addr_spec) for a in _ADDRESS_HEADER("to", value).addresses]
        except Exception:  # noqa: BLE001 - the strict parser gave up: the lenient one below
            parsed = []
        if not parsed:
            parsed = [(decode_words(n, defects), a) for n, a in getaddresses([value])]
        for display, addr in parsed:
            addr = clean_header(unsurrogate(addr)).lower()
            if _ADDR_SPEC.fullmatch(addr):
                out.append(Address(name=clean_header(unsurrogate(display)), email=addr))
            elif addr or display:
                defects.append(f"unusable address left out: {clean_header(display or addr)[:60]!r}")
    return tuple(out)


def parse_date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # "Date: Wed, 4 Jun 2077777777…"
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


def decode_part(part: Message, defects: list[str]) -> str:
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


def body_parts(msg: Message, defects: list[str]) -> tuple[str, str, list[str], str | None]:
    """(plain text, html, attachment names, calendar method) from the first text parts.

    Attachments are never decoded.
    """
    plain, html, attachments, calendar = "", "", [], None
    for part in _leaf_parts(msg):
        filename = part.get_filename()
        disposition = (part.get_content_disposition() or "").lower()
        ctype = part.get_content_type()
        attached = bool(filename) or disposition == "attachment"
        if ctype in _CALENDAR_TYPES and calendar is None:
            calendar = _itip_method(part, attached, defects)
        if attached or ctype == "message/rfc822":
            name = decode_words(unsurrogate(str(filename)), defects) if filename else ctype
            attachments.append(clean_header(name))
            continue
        if ctype == "text/plain" and not plain:
            plain = decode_part(part, defects)
        elif ctype == "text/html" and not html:
            html = decode_part(part, defects)
    return plain, html, attachments, calendar


_CALENDAR_TYPES = ("text/calendar", "application/ics")
_METHOD = re.compile(r"^METHOD:[ \t]*([A-Za-z-]+)", re.MULTILINE)


def _itip_method(part: Message, attached: bool, defects: list[str]) -> str | None:
    """The iTIP method (REQUEST, REPLY, ...) of a calendar part: its Content-Type parameter, else the
    METHOD line of an inline part (an attached .ics file is never decoded)."""
    param = part.get_param("method")
    if isinstance(param, str) and param.strip():
        return param.strip().upper()
    if attached:
        return None
    found = _METHOD.search(decode_part(part, defects)[:4096])
    return found.group(1).upper() if found else None


def decode_words(value: str, defects: list[str]) -> str:
    """RFC 2047 encoded words → text; an undecodable charset keeps the raw words and notes it."""
    if "=?" not in value:
        return clean_header(value)
    try:
        return clean_header(str(make_header(decode_header(value))))
    except (LookupError, ValueError, UnicodeDecodeError, binascii.Error, HeaderParseError):
        defects.append(f"undecodable encoded words: {value[:60]!r}")
        return clean_header(value)

"""Delivery, disposition and feedback reports: RFC 3464 DSNs, RFC 8098 MDNs, RFC 5965 ARF complaints, and
plain-text bounces. Pure; tolerates a body cut short by the fetch limit."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses

from assistant.message.mime import (
    addresses,
    clean_header,
    decode_part,
    decode_words,
    parse_ids,
    raw_headers,
    unsurrogate,
)
from assistant.message.senders import is_mailer_daemon


@dataclass(frozen=True)
class Report:
    """What a bounce, a delay warning or a read receipt says about a message the user sent."""

    kind: str  # "delivery-status" (DSN: bounce, delay), "disposition-notification" (MDN: read receipt) or
    # "feedback-report" (ARF: an abuse complaint about the message)
    action: str | None  # DSN: failed / delayed / delivered / ...; MDN: displayed / deleted / ...; ARF: abuse / ...
    recipients: tuple[str, ...]  # Original- and Final-Recipient addresses, lowercase
    status: str | None  # DSN status code, e.g. "5.1.1"
    original_message_id: str | None  # with angle brackets
    original_subject: str | None
    original_to: tuple[str, ...] = ()
    attached: bool = False  # found inside an attached message, not in the message itself
    from_text: bool = False  # read from a plain-text bounce's wording, not from a report part


_STATUS_PARTS = {
    "message/delivery-status": "delivery-status",
    "message/global-delivery-status": "delivery-status",
    "message/disposition-notification": "disposition-notification",
    "message/global-disposition-notification": "disposition-notification",
    "message/feedback-report": "feedback-report",
}
_ORIGINAL_PARTS = ("message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers")
_DSN_CODE = re.compile(r"(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)")
_ACTION_OF_CLASS = {"2": "delivered", "4": "delayed", "5": "failed"}
_WORST_FIRST = ("failed", "delayed")  # a report about several recipients is summed up by its worst one
# Wording of plain-text bounces (qmail, Yahoo, Exim, old Sendmail, Courier, generic gateways).
_BOUNCE_TEXT = re.compile(
    r"This is the qmail-send program|created automatically by mail delivery software|"
    r"unable to deliver your message to the following|The original message was received at|"
    r"following addresses? had permanent fatal errors|Delivery to the following recipients? failed|"
    r"could not be delivered to one or more|has not yet been delivered to one or more|"
    r"could not send message for past|Delivery has failed to these recipients|"
    r"your message could not be delivered",
    re.IGNORECASE,
)
_DELAY_TEXT = re.compile(
    r"not (?:yet )?been delivered|not delivered yet|THIS IS A WARNING|warning only|could not send message for "
    r"past|will (?:continue to |be )?retr|delivery attempts will continue|still being retried|"
    r"temporary (?:problem|failure|error)",
    re.IGNORECASE,
)
_FAILED_TEXT = re.compile(
    r"permanent(?:ly)? (?:error|failure|fatal)|failed permanently|couldn't be delivered|wasn't delivered|"
    r"could not be delivered|undeliverable|address not found|unable to deliver|address(?:\(es\))? failed",
    re.IGNORECASE,
)
# The line after which a plain-text bounce quotes the returned message.
_COPY_LINE = re.compile(
    r"^[ \t]*-{2,}[ \t]*(?:Below this line is a copy of the message|This is a copy of the message|"
    r"(?:Original|Unsent|Returned) message|Message headers? follows?|Original message headers?)\b.*$",
    re.IGNORECASE | re.MULTILINE,
)
_ADDRESS_LINE = re.compile(r"^[ \t]*<?([^\s<>@\"(),;:]+@[\w.-]+\.[A-Za-z]{2,})>?:?[ \t]*$", re.MULTILINE)
_MESSAGE_ID_LINE = re.compile(r"^[ \t]*Message-ID:[ \t]*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)


def extract_report(msg: Message, plain: str, sender: str, headers: dict[str, str],
                   defects: list[str]) -> Report | None:
    """The report a multipart/report carries (at the top, or nested anywhere below it), or what a plain-text
    bounce from a mail system says.

    Tolerates a body cut short by the fetch limit: whatever parts arrived are read.
    """
    plain = plain.replace("\r\n", "\n")
    found = _report_container(msg, attached=False)
    if found is not None:
        container, attached = found
        report = _mime_report(container, plain, headers, defects)
        return dataclasses.replace(report, attached=True) if report is not None and attached else report
    if is_mailer_daemon(sender) or headers.get("Return-Path", "").replace(" ", "") == "<>":
        return _text_report(plain, headers, defects)
    return _attached_text_bounce(msg, defects)


def _attached_text_bounce(msg: Message, defects: list[str]) -> Report | None:
    """A plain-text bounce from a mail system, attached whole to this message (a relay or help desk
    forwarding it)."""
    for part in msg.walk():
        if part.get_content_type() not in ("message/rfc822", "message/global"):
            continue
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload and isinstance(payload[0], Message) else None
        if inner is None:
            continue
        found = addresses([str(v) for v in inner.get_all("From", [])], defects)
        null = (inner.get("Return-Path") or "").replace(" ", "") == "<>"
        if not (found and is_mailer_daemon(found[0].email)) and not null:
            continue
        text = next((decode_part(p, defects) for p in inner.walk() if p.get_content_type() == "text/plain"), "")
        report = _text_report(text.replace("\r\n", "\n"), {}, defects)
        if report is not None:
            return dataclasses.replace(report, attached=True)
    return None


def _report_container(part: Message, attached: bool) -> tuple[Message, bool] | None:
    """The first multipart/report, or multipart holding a report part, depth first; and whether it sits
    inside an attached message."""
    ctype = part.get_content_type()
    if ctype == "multipart/report":
        return part, attached
    payload = part.get_payload()
    if not part.is_multipart() or not isinstance(payload, list):
        return None
    if ctype.startswith("multipart/") and any(
            isinstance(p, Message) and p.get_content_type() in _STATUS_PARTS for p in payload):
        return part, attached
    inside = attached or ctype in ("message/rfc822", "message/global")
    for sub in payload:
        if isinstance(sub, Message):
            found = _report_container(sub, inside)
            if found is not None:
                return found
    return None


def _mime_report(msg: Message, plain: str, headers: dict[str, str], defects: list[str]) -> Report | None:
    param = msg.get_param("report-type")
    kind = str(param).lower() if isinstance(param, str) else ""
    blocks: list[dict[str, str]] = []
    original: Message | None = None
    payload = msg.get_payload()
    for part in payload if isinstance(payload, list) else []:
        if not isinstance(part, Message):
            continue
        ctype = part.get_content_type()
        if ctype in _STATUS_PARTS and not blocks:
            kind = kind if kind in _STATUS_PARTS.values() else _STATUS_PARTS[ctype]
            blocks = _field_blocks(part, defects)
        elif ctype in _ORIGINAL_PARTS and original is None:
            original = _original(part, defects)
    if kind not in _STATUS_PARTS.values():
        return None
    message_id, subject, to = _about(original, defects)
    fields: dict[str, str] = {}
    for block in blocks:
        for name, value in block.items():
            fields.setdefault(name, value)
    if kind == "feedback-report":  # RFC 5965: Feedback-Type abuse, fraud, virus, auth-failure, not-spam...
        feedback = (fields.get("feedback-type", "").split() or ["abuse"])[0].lower()
        recipients = tuple(a.email for a in addresses([fields.get("original-rcpt-to", "")], defects))
        return Report(kind, feedback, recipients, None, message_id, subject, to)
    if kind == "disposition-notification":
        disposition = fields.get("disposition", "").rsplit(";", 1)[-1]
        action = disposition.split("/", 1)[0].strip().lower() or None
        ids = parse_ids(fields.get("original-message-id"))
        return Report(kind, action, _recipients(blocks), None, ids[0] if ids else message_id, subject, to)
    per_recipient = [b for b in blocks if "action" in b or "final-recipient" in b]
    if per_recipient:
        worst = min(per_recipient, key=_severity)
        action = (worst.get("action", "").split() or [""])[0].lower() or None
        code = _DSN_CODE.search(worst.get("status", ""))
        status = code.group(1) if code else None
        recipients = _recipients(per_recipient)
    else:  # cut off by the fetch limit, or a gateway's home-made report: read its text, if it is clear
        head = _COPY_LINE.split(plain, maxsplit=1)[0]
        action, status, recipients = _text_outcome(head, headers)
        action = action if action == "delayed" or _FAILED_TEXT.search(head) else None
    if message_id is None:
        ids = parse_ids(fields.get("x-original-message-id"))
        message_id = ids[0] if ids else None
    action = action or (_ACTION_OF_CLASS.get(status[0]) if status else None)
    return Report(kind, action, recipients, status, message_id, subject, to)


def _text_report(plain: str, headers: dict[str, str], defects: list[str]) -> Report | None:
    found = _COPY_LINE.search(plain)
    head, tail = (plain[:found.start()], plain[found.end():]) if found else (plain, "")
    if not _BOUNCE_TEXT.search(head):
        return None
    action, status, recipients = _text_outcome(head, headers)
    original = email.message_from_string(tail.lstrip("\r\n"), policy=email.policy.compat32) if tail else None
    message_id, subject, to = _about(original, defects)
    if message_id is None:
        line = _MESSAGE_ID_LINE.search(tail or plain)
        message_id = f"<{line.group(1).strip('<>')}>" if line else None
    return Report("delivery-status", action, recipients, status, message_id, subject, to, from_text=True)


def _text_outcome(head: str, headers: dict[str, str]) -> tuple[str, str | None, tuple[str, ...]]:
    """(action, status, recipients) from the human-readable part of a bounce."""
    action = "delayed" if _DELAY_TEXT.search(head) else "failed"
    code = _DSN_CODE.search(head)
    failed = [addr.lower() for _, addr in getaddresses([headers.get("X-Failed-Recipients", "")]) if "@" in addr]
    listed = [addr.lower() for addr in _ADDRESS_LINE.findall(head)]
    return action, code.group(1) if code else None, tuple(dict.fromkeys(failed + listed))


def _severity(block: dict[str, str]) -> int:
    action = (block.get("action", "").split() or [""])[0].lower()
    return _WORST_FIRST.index(action) if action in _WORST_FIRST else len(_WORST_FIRST)


def _recipients(blocks: list[dict[str, str]]) -> tuple[str, ...]:
    out: list[str] = []
    for block in blocks:
        for name in ("original-recipient", "final-recipient"):
            addr = block.get(name, "").rsplit(";", 1)[-1].strip().strip("<>").strip().lower()
            if "@" in addr and " " not in addr and addr not in out:
                out.append(addr)
    return tuple(out)


def _field_blocks(part: Message, defects: list[str]) -> list[dict[str, str]]:
    """The field groups of a delivery-status or disposition-notification part, names lowercased."""
    payload = part.get_payload()
    if not isinstance(payload, list):  # encoded, or not split by the parser
        return _text_blocks(decode_part(part, defects))
    blocks: list[dict[str, str]] = []
    for sub in payload:
        if isinstance(sub, Message):
            blocks.append(_fields(sub))
            rest = sub.get_payload()
            if isinstance(rest, str) and rest.strip():  # parsed as one message: its body holds the rest
                blocks.extend(_text_blocks(rest))
    return [b for b in blocks if b]


def _text_blocks(text: str) -> list[dict[str, str]]:
    chunks = re.split(r"\r?\n[ \t]*\r?\n", text)
    parsed = (email.message_from_string(c.strip("\r\n") + "\n", policy=email.policy.compat32) for c in chunks)
    return [fields for fields in map(_fields, parsed) if fields]


def _fields(block: Message) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in block.items():
        out.setdefault(name.lower(), clean_header(unsurrogate(str(value))))
    return out


def _original(part: Message, defects: list[str]) -> Message | None:
    """The returned message, or just its headers, from a message/rfc822 or text/rfc822-headers part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return payload[0] if payload and isinstance(payload[0], Message) else None
    text = decode_part(part, defects).lstrip("\r\n")
    return email.message_from_string(text, policy=email.policy.compat32) if text.strip() else None


def _about(original: Message | None, defects: list[str]) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(Message-ID, Subject, To addresses) of the message a report is about."""
    if original is None:
        return None, None, ()
    hdrs = raw_headers(original)
    ids = parse_ids(clean_header(hdrs["message-id"][0])) if "message-id" in hdrs else ()
    subject = decode_words(clean_header(hdrs["subject"][0]), defects) if "subject" in hdrs else None
    to = tuple(a.email for a in addresses(hdrs.get("to", []), defects))
    return ids[0] if ids else None, subject, to

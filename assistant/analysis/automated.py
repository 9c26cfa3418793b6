"""Did a person write this, or a machine? ParsedMessage → Verdict(kind, reason[, return date]). Pure.

Small detectors in a fixed order, each recognising one kind of automated mail and saying why; the first
that speaks wins. Structure beats wording: a delivery or read report is believed before any header, and
headers before subjects. Subjects count only as exact prefixes ("Automatic reply:"), never as words
inside a human's "Re: Out of office plans". X-Auto-Response-Suppress is not a sign: Outlook users send it.
For an auto-reply, `return_date` reads the stated return date from its text, preferring None to a guess.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from assistant.analysis.return_date import return_date
from assistant.message import ParsedMessage, Report, is_mailer_daemon, is_noreply
from assistant.message import vocabulary as vocab
from assistant.message.senders import is_postmaster

log = logging.getLogger(__name__)

KINDS = ("human", "auto_reply", "bounce", "delivery_delay", "receipt", "complaint", "list", "bulk", "calendar",
         "notification")


@dataclass(frozen=True)
class Verdict:
    kind: str  # one of KINDS
    reason: str  # one sentence a user can read
    return_date: date | None = None  # auto_reply only: the first day back, when the text says so plainly


Detector = Callable[[ParsedMessage], Verdict | None]


def classify(msg: ParsedMessage) -> Verdict:
    """Never raises: a detector that fails on some odd message is logged and skipped, the others decide."""
    for detect in DETECTORS:
        try:
            verdict = detect(msg)
        except Exception:  # noqa: BLE001 - a bug in one detector must not stop a sync
            log.exception("automation detector %s failed on %s", detect.__name__, msg.message_id)
            continue
        if verdict is not None:
            return verdict
    return Verdict("human", "no sign of automation")


# --- what the detectors look at ------------------------------------------------------------------


_BOUNCE_SUBJECT = re.compile(r"^\s*(?:\[[^\]]{1,30}\]\s*)?(" + vocab.alternation(vocab.BOUNCE_SUBJECTS) + r")(?![\w-])",
                             re.IGNORECASE)
_DELAY_SUBJECT = re.compile(r"^\s*(" + vocab.alternation(vocab.DELAY_SUBJECTS) + r")(?![\w-])", re.IGNORECASE)
# Auto-reply subject prefixes in the languages Exchange, Gmail, Notes, Zimbra and others use: "<prefix>:".
# "Vacation: dates for July" is a person's subject: ordinary words count only with another sign
_DISTINCT_AUTO_REPLY = tuple(w for w in vocab.AUTO_REPLY_SUBJECTS if w not in ("vacation", "on vacation", "away"))
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]{1,30}\]\s*)?((?:" + vocab.alternation(_DISTINCT_AUTO_REPLY) + r")(?:\s*\([^)]{1,40}\))?)\s*[:：]"
    r"|^\s*(auto[- ]?(?:reply|response)\b|out of (?:the )?office(?: auto[- ]?reply)?\s*$)",
    re.IGNORECASE,
)
_AUTO_REPLY_WHOLE = re.compile(
    r"^\s*\[?(" + vocab.alternation(tuple(w for w in vocab.AUTO_REPLY_SUBJECTS if w not in vocab.AUTO_REPLY_ORDINARY))
    + r")\]?\s*[.!]?\s*$|^\s*\[(" + vocab.alternation(vocab.AUTO_REPLY_SUBJECTS) + r")\]|("
    + vocab.alternation(vocab.AUTO_REPLY_SUBJECT_SENTENCES) + r")\b", re.IGNORECASE)
_OFFICE = re.compile(r"office|büro|bureau|oficina|ufficio|kantoor|kontor|automat|auto-|vacation|holiday|leave|"
                     r"urlaub|vacances|vacaciones|ferie|semester|lomalla|urlop|dovolen|отпуск|休", re.IGNORECASE)
_CONTRAST = re.compile(r"(?<!\w)(?:" + vocab.alternation(vocab.CONTRAST_WORDS) + r")(?!\w)", re.IGNORECASE)
class _Phrases:
    """Plain phrases found by substring search in lowercased text: much faster than one long alternation."""

    def __init__(self, phrases: tuple[str, ...]) -> None:
        self.phrases = tuple(sorted({p.lower() for p in phrases}, key=len, reverse=True))

    def search(self, text: str) -> re.Match[str] | None:
        lowered = text.lower()
        for phrase in self.phrases:
            at = lowered.find(phrase)
            if at >= 0:
                return re.compile(re.escape(phrase)).search(lowered, at)  # the reason quotes it lowercased
        return None


_AUTO_ACK_TEXT = _Phrases(vocab.AUTO_ACK_TEXT)
_RECEIPT_SUBJECT = re.compile(r"^\s*(" + vocab.alternation(vocab.RECEIPT_SUBJECTS) + r")", re.IGNORECASE)
_RECEIPT_TEXT = re.compile(vocab.alternation(vocab.RECEIPT_TEXT), re.IGNORECASE)
_OOO_TEXT = re.compile(r"^\W{0,3}(?:[^\n.!]{0,80}[,.!]\s*)?(" + vocab.alternation(vocab.OUT_OF_OFFICE_TEXT) + r")", re.IGNORECASE)
_REPLY_PREFIX = vocab.REPLY_OR_FORWARD_PREFIX
_FORWARD_PREFIX = vocab.FORWARD_PREFIX
_LIST_MANAGER_TEXT = _Phrases(vocab.LIST_MANAGER_TEXT)
_CHALLENGE_TEXT = _Phrases(vocab.CHALLENGE_TEXT)
_COMPLAINT_SUBJECT = re.compile(
    r"^\s*(complaint about message from|\[spamcop|spam complaint|abuse report|spam report|"
    r"report of (?:spam|abuse)|abuse complaint|email abuse report|unsolicited (?:commercial )?e-?mail report)",
    re.IGNORECASE)
_SMTP_STATUS = re.compile(r"(?:^|\s)[45]\d\d[ -](?:[45]\.\d{1,3}\.\d{1,3}\b|[^\n]{0,20}(?:user|mailbox|recipient|"
                          r"address|rejected|denied|unknown|not found|unavailable|relay))", re.IGNORECASE | re.MULTILINE)
_FAILURE_TEXT = re.compile(
    r"could not be delivered|couldn't be delivered|delivery (?:has )?failed|delivery failure|undeliverable|"
    r"undelivered|permanent(?:ly)? (?:error|failure|fatal)|failed permanently|was rejected|has been rejected|"
    r"message rejected|unable to deliver|no such user|user unknown|mailbox unavailable|returned to sender|"
    r"non-delivery|not delivered", re.IGNORECASE)
_DELAY_TEXT = re.compile(r"delay|not (?:yet )?been delivered|will (?:continue to |be )?retr|still trying|"
                         r"still being retried|verzögert|retard", re.IGNORECASE)
_LIST_MANAGER_HEADERS = ("X-Mailman-Version", "X-Sympa-To", "X-Loop", "X-ML-Name", "X-MLServer", "Mailing-List",
                         "X-Listserver", "X-LISTSERV", "X-Ezmlm", "X-Google-Group-Id")
_HEADER_COPY = re.compile(r"^[ \t>]*(?:Received|Message-ID|Return-Path|X-Mailer|MIME-Version):", re.IGNORECASE | re.MULTILINE)
_ORIGINAL_HEADER = re.compile(r"^[ \t>]*(?:From|To|Subject|Date):", re.IGNORECASE | re.MULTILINE)
_ITIP = ("REQUEST", "REPLY", "CANCEL", "COUNTER", "DECLINECOUNTER", "ADD", "REFRESH")
_INVITATION_SUBJECT = re.compile(
    r"^\s*(Invitation|Updated invitation|Accepted|Declined|Tentative(?:ly accepted)?|Canceled event|"
    r"Cancelled event|Einladung|Zugesagt|Abgesagt|Invitation mise à jour|Accepté|Refusé)\s*[:：]",
    re.IGNORECASE,
)


def _short(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _sender(msg: ParsedMessage) -> str:
    return msg.from_.email if msg.from_ else ""


def _noreply(msg: ParsedMessage) -> bool:
    """A no-reply or mail-system sender, save a postmaster answering as a person."""
    return is_noreply(_sender(msg)) and not _postmaster_person(msg)


def _null_return_path(msg: ParsedMessage) -> bool:
    return msg.headers.get("Return-Path", "").replace(" ", "") == "<>"


def _precedence(msg: ParsedMessage) -> str:
    value = msg.headers.get("Precedence") or msg.headers.get("X-Precedence") or ""
    return value.strip().lower()


def _auto_submitted(msg: ParsedMessage) -> str | None:
    """The RFC 3834 keyword, comments and parameters removed: "auto-replied (zimbra; vacation)" → "auto-replied"."""
    value = msg.headers.get("Auto-Submitted")
    if value is None:
        return None
    while True:
        stripped = re.sub(r"\([^()]*\)", " ", value)
        if stripped == value:
            break
        value = stripped
    keyword = re.split(r"[\s;(]", value.strip(), maxsplit=1)[0].lower()
    return keyword or None


def _whom(recipients: tuple[str, ...]) -> str:
    if not recipients:
        return "an unnamed recipient"
    return ", ".join(recipients[:3]) + (f" and {len(recipients) - 3} more" if len(recipients) > 3 else "")


# --- detectors, in order ---------------------------------------------------------------------------

def _mail_system(msg: ParsedMessage) -> str | None:
    """The sender is a mail system (MAILER-DAEMON, postmaster, "Mail Delivery System"), by address or name."""
    sender = _sender(msg)
    if is_mailer_daemon(sender):
        return sender
    name = (msg.from_.name if msg.from_ else "").strip().strip('"').lower()
    if name in vocab.MAIL_SYSTEM_NAMES:
        return f'"{msg.from_.name if msg.from_ else name}"'
    return None


def _null_sender(msg: ParsedMessage) -> str | None:
    """RFC 5321's null reverse-path, "<>", in Return-Path or as the From address: never a person."""
    if _null_return_path(msg):
        return "an empty Return-Path (<>)"
    if msg.null_sender:
        return "an empty sender (<>)"
    return None


def _postmaster_person(msg: ParsedMessage) -> bool:
    """postmaster@ is also a person's role mailbox: one answering in a thread, quoting it, is a person."""
    return (is_postmaster(_sender(msg))
            and bool(_REPLY_PREFIX.match(msg.subject)) and msg.report is None and not _null_sender(msg)
            and not _BOUNCE_SUBJECT.search(msg.subject) and not _FAILURE_TEXT.search(msg.new_text[:2000]))


def _forwarded_by_person(msg: ParsedMessage) -> bool:
    """A person forwarding mail ("Fwd: Undeliverable …") with words of their own: a human message. A help
    desk's no-reply address forwarding a bounce is no person."""
    return (bool(_FORWARD_PREFIX.match(msg.subject)) and bool(msg.new_text.strip()) and _mail_system(msg) is None
            and not _noreply(msg) and _auto_submitted(msg) in (None, "no"))


# --- detectors, in order ---------------------------------------------------------------------------

def _delivery_status(msg: ParsedMessage) -> Report | None:
    """The message's delivery report, unless a person forwarded it with words of their own."""
    report = msg.report
    if report is None or report.kind != "delivery-status" or (report.attached and _forwarded_by_person(msg)):
        return None
    return report


def _delivery_report(msg: ParsedMessage) -> Verdict | None:
    """A delivery status report, MIME (at the top or nested) or plain text: the surest sign of a bounce."""
    report = _delivery_status(msg)
    if report is None:
        return None
    head = msg.subject + "\n" + msg.new_text[:3000]
    if report.from_text and (_CHALLENGE_TEXT.search(head) or _LIST_MANAGER_TEXT.search(head)):
        return None  # a challenge-response filter's or list manager's text reads like a bounce; it is not one
    source = f"bounce text from {_sender(msg) or 'the mail system'}" if report.from_text else \
        "delivery report" + (" (inside an attached message)" if report.attached else "")
    status = f" (status {report.status})" if report.status else ""
    action = report.action or ""
    if action == "failed":
        return Verdict("bounce", f"{source}: delivery failed for {_whom(report.recipients)}{status}")
    if action == "delayed":
        return Verdict("delivery_delay", f"{source}: delivery delayed for {_whom(report.recipients)}{status}; "
                                         "the server is still trying")
    if action in ("delivered", "relayed", "expanded"):
        return Verdict("receipt", f"{source}: {action} to {_whom(report.recipients)} (a delivery receipt)")
    return None  # no outcome yet (cut short by the fetch limit): the subject and sender may still tell


def _report_without_outcome(msg: ParsedMessage) -> Verdict | None:
    """A delivery report whose outcome could not be read is still a mail system's report, never a person."""
    report = _delivery_status(msg)
    if report is None:
        return None
    return Verdict("bounce", f"a delivery report about {_whom(report.recipients)} (outcome not readable)")


def _read_receipt(msg: ParsedMessage) -> Verdict | None:
    report = msg.report
    if msg.report_type != "disposition-notification" and (report is None
                                                          or report.kind != "disposition-notification"):
        return None
    if report is not None and report.attached and _forwarded_by_person(msg):
        return None
    action = report.action if report and report.action else "a disposition"
    return Verdict("receipt", f"read receipt (disposition-notification): {action}")


def _receipt_text(msg: ParsedMessage) -> Verdict | None:
    """A read or return receipt written as text (Lotus Notes "Return Receipt"): subject and wording agree."""
    found = _RECEIPT_SUBJECT.match(msg.subject)
    if found and _RECEIPT_TEXT.search(msg.new_text[:1000]) and "?" not in msg.new_text[:1000]:
        return Verdict("receipt", f'subject "{found.group(1)}" and the text says it was received or read')
    return None


def _null_sender_failure(msg: ParsedMessage) -> Verdict | None:
    """A null sender that says delivery failed or is delayed is a mail system's report, even when it is
    marked auto-replied (Postfix and MDaemon mark their bounces so)."""
    why = _null_sender(msg)
    if why is None:
        return None
    head = msg.subject + "\n" + msg.new_text[:1500]
    if _DELAY_SUBJECT.match(msg.subject) or (_DELAY_TEXT.search(msg.subject)):
        return Verdict("delivery_delay", f"sent with {why} and says delivery is delayed")
    if _BOUNCE_SUBJECT.match(msg.subject) or _FAILURE_TEXT.search(head):
        return Verdict("bounce", f"sent with {why} and says delivery failed")
    return None


def _complaint(msg: ParsedMessage) -> Verdict | None:
    """An abuse or feedback report (RFC 5965 ARF, anywhere in the message), or a complaint loop's own format
    (Hotmail's "complaint about message from …", SpamCop): about mail the user sent, never a reply."""
    report = msg.report
    if (report is not None and report.kind == "feedback-report") or msg.report_type == "feedback-report":
        feedback = report.action if report and report.action else "abuse"
        return Verdict("complaint", f"feedback report (ARF, Feedback-Type: {feedback}): a complaint about "
                                    "a message, not a reply")
    found = _COMPLAINT_SUBJECT.match(msg.subject)
    if found and not _REPLY_PREFIX.match(msg.subject):
        return Verdict("complaint", f'subject starts with "{found.group(1).strip()}": a complaint report')
    return None


def _delay_signs(msg: ParsedMessage) -> Verdict | None:
    """A delay warning is checked before the bounce signs: it too comes from MAILER-DAEMON."""
    found = _DELAY_SUBJECT.match(msg.subject)
    machine = _mail_system(msg) or _null_sender(msg) or msg.report_type == "delivery-status"
    if found and machine:
        return Verdict("delivery_delay", f'subject starts with "{found.group(1)}", from the mail system')
    return None


def _bounce_signs(msg: ParsedMessage) -> Verdict | None:
    """X-Failed-Recipients, or a mail-system sender, believed whatever the subject says."""
    failed = msg.headers.get("X-Failed-Recipients")
    if failed:
        return Verdict("bounce", f"X-Failed-Recipients: {_short(failed)}")
    system = _mail_system(msg)
    if system and not _postmaster_person(msg):
        found = _BOUNCE_SUBJECT.match(msg.subject)
        why = f'subject starts with "{found.group(1)}", ' if found else ""
        return Verdict("bounce", f"{why}sent by the mail system ({system})")
    return None


def _auto_reply(msg: ParsedMessage) -> Verdict | None:
    reason = _auto_reply_reason(msg)
    if reason is None:
        return None
    return Verdict("auto_reply", reason, _stated_return(msg))


def _auto_reply_reason(msg: ParsedMessage) -> str | None:
    keyword = _auto_submitted(msg)
    if keyword == "auto-replied":
        return "Auto-Submitted: auto-replied (RFC 3834)"
    found = _AUTO_REPLY_SUBJECT.match(msg.subject)
    if found:
        prefix = f"{found.group(1).strip()}:" if found.group(1) else found.group(2).strip()
        return f'subject starts with "{prefix}"'
    whole = _AUTO_REPLY_WHOLE.search(msg.subject) if not _REPLY_PREFIX.match(msg.subject) else None
    if whole:
        return f'subject says so: "{_short(msg.subject, 60)}"'
    for name in ("X-Autoreply", "X-Autorespond"):
        value = msg.headers.get(name)
        if value is not None and value.strip().lower() not in ("no", "false", "0"):
            return f"{name}: {_short(value) or '(empty)'}"
    if msg.headers.get("X-Autogenerated", "").strip().lower() == "reply":
        return "X-Autogenerated: Reply"
    if _precedence(msg) == "auto_reply":
        return "Precedence: auto_reply"
    if "mailbox rules agent" in msg.headers.get("X-MS-Exchange-Generated-Message-Source", "").lower():
        return "sent by an Exchange inbox rule (X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent)"
    if keyword == "auto-generated":
        # RFC 3834: auto-generated answers nothing; as a reply in a thread it is an auto-reply. A list's or a
        # no-reply sender's is left to the list and notification detectors.
        replying = msg.in_reply_to is not None or bool(msg.references)
        listed = "List-Id" in msg.headers or "List-Post" in msg.headers
        if replying and not listed and not _noreply(msg):
            return "Auto-Submitted: auto-generated in reply to a message (RFC 3834)"
        return None
    if keyword not in (None, "no", "auto-notified"):
        return f"Auto-Submitted: {keyword} (RFC 3834)"
    return _out_of_office_text(msg)


def _out_of_office_text(msg: ParsedMessage) -> str | None:
    """An out-of-office text or a help desk's acknowledgement with no header sign: it opens by saying so and
    asks nothing (a person who writes "I'm out until Friday, but can you send it?" is answering). A quote
    below it is allowed only under a short text (Apple Mail's rules quote the message they answer)."""
    text = msg.new_text.strip()
    if not text or len(text) > 1200 or "?" in text or "？" in text:
        return None
    if msg.quoted_text.strip() and len(text) > 300:
        return None
    found = _OOO_TEXT.match(text)
    if found and _CONTRAST.search(text[found.end():found.end() + 120].split(".")[0]):
        return None  # "I'll be away next week, but you're registered": a person answering
    # "I'm away today. Attaching the slides now." is a person: the text must name a day back or an office
    if found and (return_date(text, msg.date or datetime.now(UTC)) is not None or _OFFICE.search(found.group(1))):
        return f'the text says so: "{_short(found.group(1), 50)}…"'
    ack = _AUTO_ACK_TEXT.search(text[:600])
    if ack and not msg.quoted_text.strip():
        return f'an automatic acknowledgement: "{_short(ack.group(0), 50)}…"'
    return None


def _null_sender_bounce(msg: ParsedMessage) -> Verdict | None:
    """A null sender that is not an auto-reply (those are checked first): a mail system's notice."""
    why = _null_sender(msg)
    if why is None:
        return None
    if _DELAY_TEXT.search(msg.subject + "\n" + msg.new_text[:2000]):
        return Verdict("delivery_delay", f"sent with {why} and says delivery is delayed")
    return Verdict("bounce", f"sent with {why}: a mail system's notice, never a person")


def _gateway_bounce(msg: ParsedMessage) -> Verdict | None:
    """A bounce from an ordinary-looking address (an SMS or fax gateway, an appliance): an SMTP status line,
    failure wording and a copy of the original message's headers, all three."""
    if _forwarded_by_person(msg):
        return None
    body = "\n".join((msg.new_text, msg.signature, msg.quoted_text))
    status = _SMTP_STATUS.search(body)
    if (status and _FAILURE_TEXT.search(body) and _HEADER_COPY.search(body)
            and len(_ORIGINAL_HEADER.findall(body)) >= 2):
        return Verdict("bounce", f'a gateway\'s bounce: SMTP status "{_short(status.group(0).strip(), 40)}", '
                                 "failure wording and the original's headers")
    return None


def _list_manager(msg: ParsedMessage) -> Verdict | None:
    """A mailing-list manager's own answer (Mailman, Sympa, ezmlm, LISTSERV, fml): not a member, held for
    moderation, denied."""
    local = _sender(msg).split("@", 1)[0].lower()
    bounce_to = msg.headers.get("Return-Path", "").strip("<> ").split("@", 1)[0].lower()
    by_address = local in vocab.LIST_MANAGER_LOCALS or bounce_to.startswith("owner-") or local.endswith(
        tuple(x for x in vocab.LIST_MANAGER_SUFFIXES if x.startswith("-"))) or local.startswith("owner-")
    manager_header = next((h for h in _LIST_MANAGER_HEADERS if h in msg.headers), None)
    wording = _LIST_MANAGER_TEXT.search(msg.subject + "\n" + msg.new_text[:3000])
    if by_address and (wording or manager_header):
        return Verdict("notification", f"a mailing-list manager's reply (from {_sender(msg)})")
    if wording and manager_header:
        return Verdict("notification", f'a mailing-list manager\'s reply ({manager_header}; "{wording.group(0)}")')
    return None


def _challenge(msg: ParsedMessage) -> Verdict | None:
    """Challenge-response filters ("please confirm you are human") answer every stranger's mail."""
    found = _CHALLENGE_TEXT.search(msg.subject + "\n" + msg.new_text[:3000])
    if found and not msg.quoted_text.strip() and "?" not in msg.new_text.split("\n", 1)[0][:200]:
        return Verdict("notification", f'challenge-response: "{_short(found.group(0), 50)}"')
    if found and _auto_submitted(msg) not in (None, "no"):
        return Verdict("notification", f'challenge-response: "{_short(found.group(0), 50)}"')
    return None


def _calendar(msg: ParsedMessage) -> Verdict | None:
    """An iTIP calendar part: an invitation, update, cancellation or answer to one.

    A bare .ics (METHOD:PUBLISH, or an attachment without a method) is just an attachment, unless the
    subject is a calendar's own ("Invitation: ...").
    """
    method = msg.calendar_method
    if method in _ITIP or msg.content_type == "text/calendar":
        return Verdict("calendar", f"calendar {(method or 'text/calendar').lower()} (text/calendar part)")
    has_ics = method is not None or any(a.lower().endswith((".ics", ".vcs")) for a in msg.attachments)
    found = _INVITATION_SUBJECT.match(msg.subject)
    if has_ics and found:
        return Verdict("calendar", f'subject starts with "{found.group(1)}:" and a calendar file is attached')
    return None


def _announcements(msg: ParsedMessage) -> Verdict | None:
    """A newsletter sent through a list manager (Mailchimp, Substack): List-Id but nowhere to post (no
    List-Post, RFC 2369), marked bulk or one-click unsubscribable. Discussion lists have List-Post."""
    if "List-Id" not in msg.headers or msg.headers.get("List-Post", "").strip().upper() not in ("", "NO"):
        return None
    if _precedence(msg) == "list":
        return None
    if _precedence(msg) in ("bulk", "junk") or "List-Unsubscribe-Post" in msg.headers:
        return Verdict("bulk", "List-Id with nowhere to post (no List-Post): an announcement list or newsletter")
    return None


def _mailing_list(msg: ParsedMessage) -> Verdict | None:
    for name in ("List-Id", "List-Post"):
        value = msg.headers.get(name)
        if value:
            return Verdict("list", f"{name}: {_short(value)}")
    if _precedence(msg) == "list":
        return Verdict("list", "Precedence: list")
    return None


def _auto_generated(msg: ParsedMessage) -> Verdict | None:
    keyword = _auto_submitted(msg)
    if keyword not in ("auto-generated", "auto-notified"):
        return None
    whence = f"from a no-reply sender ({_sender(msg)})" if _noreply(msg) else "not a reply to anything"
    return Verdict("notification", f"Auto-Submitted: {keyword} (RFC 3834), {whence}")


def _bulk(msg: ParsedMessage) -> Verdict | None:
    # Feedback-ID alone is not enough: Amazon SES stamps it on transactional and personal mail too.
    precedence = _precedence(msg)
    if precedence in ("bulk", "junk"):
        return Verdict("bulk", f"Precedence: {precedence}")
    if "List-Unsubscribe-Post" in msg.headers:
        return Verdict("bulk", "List-Unsubscribe-Post: one-click unsubscribe (RFC 8058), as bulk senders use")
    if "List-Unsubscribe" in msg.headers:
        return Verdict("bulk", "List-Unsubscribe without List-Id: a newsletter or marketing mail")
    for name in ("X-Campaign", "X-CampaignID"):
        if name in msg.headers:
            return Verdict("bulk", f"{name}: an email campaign")
    return None


def _noreply_sender(msg: ParsedMessage) -> Verdict | None:
    if _noreply(msg):
        return Verdict("notification", f"sent from a no-reply address ({_sender(msg)})")
    return None


# Structure first (report parts, a null or mail-system sender), then headers, then wording.
DETECTORS: tuple[Detector, ...] = (
    _delivery_report, _read_receipt, _receipt_text, _complaint, _delay_signs, _bounce_signs, _list_manager,
    _challenge, _null_sender_failure, _auto_reply, _null_sender_bounce, _report_without_outcome, _gateway_bounce,
    _calendar, _announcements, _mailing_list, _auto_generated, _bulk, _noreply_sender,
)


# --- return date of an out-of-office reply ---------------------------------------------------------

def _stated_return(msg: ParsedMessage) -> date | None:
    """From the reply's text; from its subject only when that is the sender's own (not "Re: <ours>")."""
    if msg.date is None:
        return None
    found = return_date(msg.new_text, msg.date)
    own_subject = not _AUTO_REPLY_SUBJECT.match(msg.subject) and not _REPLY_PREFIX.match(msg.subject)
    if found is None and own_subject:
        found = return_date(msg.subject, msg.date)
    return found

"""ParsedMessage → Verdict: every fixture in tests/data/automated, the rules one by one, report extraction
from cut-off bodies, and the return-date reader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from assistant.analysis.automated import KINDS, classify, return_date
from assistant.message import ParsedMessage, parse_message

DATA = Path(__file__).resolve().parent.parent / "data" / "automated"


@dataclass(frozen=True)
class Expect:
    kind: str
    reason: str  # a substring of the verdict's reason
    return_date: date | None = None
    original: str | None = None  # report.original_message_id, for bounces, delays and receipts
    recipients: tuple[str, ...] = ()
    status: str | None = None


def bounce(n: int, who: str, reason: str, status: str | None = "5.1.1") -> Expect:
    return Expect("bounce", reason, None, f"<orig-{n}@example.com>", (who,), status)


NOV = 11
EXPECTED = {
    # bounces: multipart/report DSNs, and plain-text ones read from their wording
    "postfix-bounce.eml": bounce(1, "nobody@example.net", "delivery report: delivery failed for nobody@example.net"),
    "sendmail-bounce.eml": bounce(2, "marta@example.org", "delivery report: delivery failed for marta@example.org"),
    "exim-bounce.eml": bounce(3, "jonas@example.org", "bounce text from mailer-daemon@mx.example.com"),
    "qmail-bounce.eml": bounce(4, "sun@example.net", "bounce text from mailer-daemon@mx.example.net"),
    "exchange-online-ndr.eml": bounce(5, "lena@example.net", "(status 5.1.10)", "5.1.10"),
    "gmail-bounce.eml": bounce(6, "kim@example.net", "delivery failed for kim@example.net (status 5.1.1)"),
    "yahoo-bounce.eml": bounce(7, "priya@example.net", "bounce text from mailer-daemon@yahoo.com", None),
    "amazon-ses-bounce.eml": bounce(8, "omar@example.net", "delivery failed for omar@example.net", "5.0.0"),
    # delays are warnings, not failures
    "postfix-delay.eml": Expect("delivery_delay", "delivery delayed for tom@example.org (status 4.4.1)", None,
                                "<orig-9@example.com>", ("tom@example.org",), "4.4.1"),
    "gmail-delay.eml": Expect("delivery_delay", "still trying", None, "<orig-10@example.com>",
                              ("lee@example.org",), "4.4.1"),
    # auto-replies, with the first day back
    "exchange-ooo.eml": Expect("auto_reply", 'subject starts with "Automatic reply:"', date(2026, NOV, 16)),
    "exchange-ooo-no-auto-submitted.eml": Expect("auto_reply", '"Out of Office:"', date(2026, NOV, 16)),
    "gmail-vacation.eml": Expect("auto_reply", "Auto-Submitted: auto-replied (RFC 3834)", date(2026, NOV, 21)),
    "icloud-vacation.eml": Expect("auto_reply", "Auto-Submitted: auto-replied", date(2026, NOV, 23)),
    "zimbra-ooo.eml": Expect("auto_reply", "Auto-Submitted: auto-replied", date(2026, NOV, 21)),
    "german-abwesenheitsnotiz.eml": Expect("auto_reply", '"Abwesenheitsnotiz:"', date(2026, NOV, 17)),
    "french-ooo.eml": Expect("auto_reply", '"Réponse automatique', date(2026, NOV, 21)),
    "notes-auto.eml": Expect("auto_reply", '"AUTO:"', date(2026, NOV, 16)),
    # receipts
    "thunderbird-read-receipt.eml": Expect("receipt", "read receipt (disposition-notification): displayed", None,
                                           "<orig-17@example.com>", ("marta@example.org",)),
    "outlook-read-receipt.eml": Expect("receipt", "read receipt", None, "<orig-18@example.com>",
                                       ("kim@example.net",)),
    # lists, bulk, calendar, notifications
    "mailing-list.eml": Expect("list", "List-Id: Developers <dev.lists.example.org>"),
    "newsletter.eml": Expect("bulk", "Precedence: bulk"),
    "marketing-list-unsubscribe.eml": Expect("bulk", "List-Unsubscribe without List-Id"),
    "google-calendar-invitation.eml": Expect("calendar", "calendar request"),
    "outlook-meeting-accepted.eml": Expect("calendar", "calendar reply"),
    "noreply-notification.eml": Expect("notification", "no-reply address (noreply@github.example.com)"),
    "cron-output.eml": Expect("notification", "Auto-Submitted: auto-generated (RFC 3834), not a reply"),
    # people
    "human-reply.eml": Expect("human", "no sign of automation"),
    "human-outlook-suppress.eml": Expect("human", "no sign of automation"),
    "human-re-out-of-office.eml": Expect("human", "no sign of automation"),
}


def test_every_fixture_has_an_expectation() -> None:
    assert sorted(p.name for p in DATA.glob("*.eml")) == sorted(EXPECTED)
    assert {e.kind for e in EXPECTED.values()} == set(KINDS) - {"complaint"}  # complaints: tests/data/judgement


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(name: str) -> None:
    raw = (DATA / name).read_bytes()
    assert b"\n" not in raw.replace(b"\r\n", b""), "fixtures are stored as on the wire, CRLF"
    msg = parse_message(raw)
    verdict = classify(msg)
    expected = EXPECTED[name]
    assert verdict.kind == expected.kind
    assert expected.reason in verdict.reason
    assert verdict.return_date == expected.return_date
    if expected.original is None:
        return
    assert msg.report is not None
    assert msg.report.original_message_id == expected.original
    assert msg.report.recipients == expected.recipients
    assert msg.report.status == expected.status


def test_reports_carry_the_original_subject_and_recipients() -> None:
    report = parse_message((DATA / "sendmail-bounce.eml").read_bytes()).report  # from text/rfc822-headers
    assert report is not None
    assert (report.kind, report.action) == ("delivery-status", "failed")
    assert (report.original_subject, report.original_to) == ("Lisbon invoices", ("marta@example.org",))
    mdn = parse_message((DATA / "thunderbird-read-receipt.eml").read_bytes()).report
    assert mdn is not None
    assert (mdn.kind, mdn.action, mdn.original_subject) == ("disposition-notification", "displayed",
                                                            "Lisbon invoices")


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if e.original or e.kind == "auto_reply"))
def test_a_body_cut_anywhere_never_raises_and_keeps_the_kind(name: str) -> None:
    """The store fetches only a prefix of each body: reports and auto-replies are recognised from any cut."""
    raw = (DATA / name).read_bytes()
    for cut in range(raw.index(b"\r\n\r\n") + 4, len(raw), 41):
        assert classify(parse_message(raw[:cut])).kind == EXPECTED[name].kind, cut


def test_a_dsn_cut_before_the_returned_message_falls_back_to_x_original_message_id() -> None:
    raw = (DATA / "gmail-bounce.eml").read_bytes()
    msg = parse_message(raw[: raw.index(b"Content-Type: message/rfc822")])
    assert msg.report is not None
    assert msg.report.original_message_id == "<orig-6@example.com>"
    assert msg.report.original_subject is None
    assert classify(msg).kind == "bounce"


# --- the rules one by one, on hand-made messages -----------------------------------------------------

def mail(*headers: str, subject: str = "Re: Budget", sender: str = "Sun Li <sun@example.com>",
         body: str = "Thursday works for me.\n") -> ParsedMessage:
    lines = [f"From: {sender}", "To: Ana Ruiz <ana@example.com>", f"Subject: {subject}",
             "Date: Mon, 9 Nov 2026 10:00:00 +0100", "Message-ID: <m-1@example.com>", *headers]
    if not any(h.lower().startswith("content-type:") for h in headers):
        lines.append("Content-Type: text/plain; charset=utf-8")
    return parse_message(("\r\n".join(lines) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode())


@pytest.mark.parametrize("value", ["All", "OOF", "DR, RN, NRN, OOF, AutoReply", "None"])
def test_x_auto_response_suppress_alone_is_not_automation(value: str) -> None:
    # Outlook stamps it on mail people write; it asks others not to auto-reply, it is not an auto-reply
    verdict = classify(mail(f"X-Auto-Response-Suppress: {value}", "In-Reply-To: <orig-1@example.com>"))
    assert (verdict.kind, verdict.reason) == ("human", "no sign of automation")


def test_x_auto_response_suppress_does_not_hide_a_real_auto_reply() -> None:
    verdict = classify(mail("X-Auto-Response-Suppress: All", "Auto-Submitted: auto-replied"))
    assert verdict.kind == "auto_reply"


REPLYING = "In-Reply-To: <orig-1@example.com>"


@pytest.mark.parametrize(
    ("headers", "sender", "kind", "reason"),
    [
        (["Auto-Submitted: no"], "Sun Li <sun@example.com>", "human", "no sign"),
        (["Auto-Submitted: (vacation) auto-replied"], "sun@example.com", "auto_reply", "auto-replied"),
        (["Auto-Submitted: Auto-Replied; owner-email=\"sun@example.com\""], "sun@example.com", "auto_reply",
         "auto-replied"),
        (["Auto-Submitted: auto-generated", REPLYING], "sun@example.com", "auto_reply",
         "auto-generated in reply to a message"),
        (["Auto-Submitted: auto-generated"], "sun@example.com", "notification", "not a reply to anything"),
        (["Auto-Submitted: auto-generated", REPLYING, "List-Id: <team.lists.example.com>"], "sun@example.com",
         "list", "List-Id"),
        (["Auto-Submitted: auto-generated", REPLYING], "no-reply@example.com", "notification",
         "no-reply sender"),
        (["Auto-Submitted: auto-notified"], "sun@example.com", "notification", "auto-notified"),
        (["X-Autoreply: yes"], "sun@example.com", "auto_reply", "X-Autoreply: yes"),
        (["X-Autorespond: Out of office"], "sun@example.com", "auto_reply", "X-Autorespond"),
        (["X-Autogenerated: Reply"], "sun@example.com", "auto_reply", "X-Autogenerated"),
        (["Precedence: auto_reply"], "sun@example.com", "auto_reply", "Precedence: auto_reply"),
        (["X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent"], "sun@example.com", "auto_reply",
         "Exchange inbox rule"),
        (["List-Post: <mailto:team@lists.example.com>"], "sun@example.com", "list", "List-Post"),
        (["Precedence: list"], "sun@example.com", "list", "Precedence: list"),
        (["Precedence: junk"], "sun@example.com", "bulk", "Precedence: junk"),
        (["List-Unsubscribe: <https://example.com/u/1>"], "sun@example.com", "bulk", "without List-Id"),
        (["X-CampaignID: mailchimp4f2a.9b"], "sun@example.com", "bulk", "X-CampaignID"),
        (["Feedback-ID: 1.eu-west-1.abc:AmazonSES"], "sun@example.com", "human", "no sign"),
        ([], "DoNotReply@billing.example.com", "notification", "no-reply address"),
        ([], "notifications@tracker.example.com", "notification", "no-reply address"),
        ([], "Sun Li <sun.noreply.fan@example.com>", "human", "no sign"),
        (["X-Failed-Recipients: tom@example.org"], "sun@example.com", "bounce", "X-Failed-Recipients"),
    ],
)
def test_header_rules(headers: list[str], sender: str, kind: str, reason: str) -> None:
    verdict = classify(mail(*headers, sender=sender))
    assert verdict.kind == kind
    assert reason in verdict.reason


@pytest.mark.parametrize(
    "subject",
    ["Automatic reply: Budget", "Auto Reply: Budget", "AutoReply from Sun", "Out of Office: Budget",
     "Out of office", "Out of Office AutoReply: Budget", "Auto: Budget", "Autoreply: Budget",
     "Abwesenheitsnotiz: Budget", "Automatische Antwort: Budget", "R\u00e9ponse automatique\u00a0: Budget",
     "Absence : Budget", "Respuesta autom\u00e1tica: Budget", "Risposta automatica: Budget",
     "Automatisch antwoord: Budget", "Autosvar: Budget", "Automaattinen vastaus: Budget"],
)
def test_auto_reply_subject_prefixes(subject: str) -> None:
    assert classify(mail(subject=subject)).kind == "auto_reply"


@pytest.mark.parametrize(
    "subject",
    ["Re: Out of office plans", "Re: Automatic reply: Budget", "Fwd: Out of Office: Budget",
     "Out of office coverage for December", "Absence policy draft", "AW: Abwesenheitsnotiz: Budget",
     "Accepted: your offer", "Delivery delayed: your parcel", "Undeliverable: the sofa we ordered"],
)
def test_words_in_a_persons_subject_are_not_automation(subject: str) -> None:
    assert classify(mail(subject=subject)).kind == "human"


@pytest.mark.parametrize(
    ("headers", "sender", "subject", "kind"),
    [
        ([], "MAILER-DAEMON@mx.example.com", "Warning: message 1vKx2P-00071r-Qm delayed 24 hours",
         "delivery_delay"),
        ([], "Mail Delivery Subsystem <mailer-daemon@googlemail.com>", "Delivery Status Notification (Delay)",
         "delivery_delay"),
        (["Return-Path: <>"], "Microsoft Outlook <ops@example.com>", "Delivery delayed:Budget",
         "delivery_delay"),
        (["Return-Path: <>"], "Mail System <ops@example.com>", "Undeliverable: Budget", "bounce"),
        ([], "postmaster@example.com", "Returned mail: see transcript for details", "bounce"),
        ([], "postmaster@example.com", "Re: your question about the mail server", "human"),
        ([], "MAILER-DAEMON@mx.example.com", "Message from the mail system", "bounce"),
    ],
)
def test_bounce_and_delay_subjects_need_a_mail_system_sender(headers: list[str], sender: str, subject: str,
                                                             kind: str) -> None:
    assert classify(mail(*headers, sender=sender, subject=subject)).kind == kind


EXIM_DELAY = """This message was created automatically by mail delivery software.
A message that you sent has not yet been delivered to one or more of its
recipients after more than 24 hours on the queue on mx.example.com.

The message identifier is:     1vKx2P-00071r-Qm
The subject of the message is: Contract draft

The address to which the message has not yet been delivered is:

  jonas@example.org
    host mx.example.org [198.51.100.7]
    Connection timed out

No action is required on your part. Delivery attempts will continue for
some time, and this warning may be repeated at intervals if the message
remains undelivered. Eventually the mail delivery software will give up,
and when that happens, the message will be returned to you.
"""


def test_plain_text_delay_warning_is_a_delay_not_a_bounce() -> None:
    msg = mail(subject="Warning: message 1vKx2P-00071r-Qm delayed 24 hours", body=EXIM_DELAY,
               sender="Mail Delivery System <Mailer-Daemon@mx.example.com>")
    assert msg.report is not None
    assert (msg.report.action, msg.report.recipients) == ("delayed", ("jonas@example.org",))
    assert classify(msg).kind == "delivery_delay"


def test_a_person_forwarding_bounce_text_is_not_a_bounce() -> None:
    msg = mail(subject="Fwd: I got this, what does it mean?", body="Hi,\n\n" + EXIM_DELAY)
    assert msg.report is None
    assert classify(msg).kind == "human"


def dsn(*recipient_blocks: str, report_type: str = "delivery-status") -> ParsedMessage:
    body = (
        "--b1\nContent-Type: text/plain\n\nThis is the mail system.\n"
        f"--b1\nContent-Type: message/{report_type}\n\nReporting-MTA: dns; mail.example.com\n\n"
        + "\n\n".join(recipient_blocks) + "\n\n--b1--\n"
    )
    ctype = f'Content-Type: multipart/report; report-type={report_type}; boundary="b1"'
    return mail(ctype, sender="MAILER-DAEMON@mail.example.com", subject="Delivery report", body=body)


def test_a_dsn_is_summed_up_by_its_worst_recipient() -> None:
    msg = dsn("Final-Recipient: rfc822; a@example.net\nAction: delivered\nStatus: 2.0.0",
              "Final-Recipient: rfc822; <B@Example.net>\nAction: failed\nStatus: 5.2.2 (mailbox full)")
    assert msg.report is not None
    assert (msg.report.action, msg.report.status) == ("failed", "5.2.2")
    assert msg.report.recipients == ("a@example.net", "b@example.net")
    assert classify(msg).kind == "bounce"


def test_a_success_dsn_is_a_delivery_receipt() -> None:
    verdict = classify(dsn("Final-Recipient: rfc822; a@example.net\nAction: delivered\nStatus: 2.0.0"))
    assert (verdict.kind, verdict.reason) == ("receipt", "delivery report: delivered to a@example.net "
                                                         "(a delivery receipt)")


def test_action_missing_is_read_from_the_status_class() -> None:
    msg = dsn("Final-Recipient: rfc822; a@example.net\nStatus: 4.2.2")
    assert msg.report is not None and msg.report.action == "delayed"


def test_an_abuse_report_is_a_complaint_not_a_delivery_report() -> None:
    msg = dsn("Feedback-Type: abuse\nUser-Agent: ExampleFBL/1.0", report_type="feedback-report")
    assert msg.report is not None and (msg.report.kind, msg.report.action) == ("feedback-report", "abuse")
    assert classify(msg).kind == "complaint"


def test_a_persons_ics_attachment_is_not_a_calendar_message() -> None:
    body = (
        "--m\nContent-Type: text/plain\n\nHere is the file for your calendar.\n"
        "--m\nContent-Type: text/calendar; name=\"concert.ics\"\nContent-Disposition: attachment; "
        "filename=\"concert.ics\"\n\nBEGIN:VCALENDAR\nMETHOD:PUBLISH\nEND:VCALENDAR\n--m--\n"
    )
    assert classify(mail('Content-Type: multipart/mixed; boundary="m"', body=body)).kind == "human"


def test_an_inline_calendar_part_without_a_method_parameter_is_read_for_its_method() -> None:
    body = ("--a\nContent-Type: text/plain\n\nCancelled.\n--a\nContent-Type: text/calendar; charset=utf-8\n\n"
            "BEGIN:VCALENDAR\nMETHOD:CANCEL\nEND:VCALENDAR\n--a--\n")
    msg = mail('Content-Type: multipart/alternative; boundary="a"', subject="Canceled: Budget review", body=body)
    assert msg.calendar_method == "CANCEL"
    assert classify(msg).kind == "calendar"


# --- return dates ------------------------------------------------------------------------------------

MONDAY = datetime(2026, 11, 9, 9, 30, tzinfo=timezone(timedelta(hours=1)))  # the auto-reply's own Date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "until X" / "through X" / "to X": away through X, back the day after
        ("I am out of the office until Monday, November 16.", date(2026, 11, 17)),
        ("Out of the office through Friday, November 13.", date(2026, 11, 14)),
        ("I am out of the office from Nov 2 to Nov 13.", date(2026, 11, 14)),
        ("Out of office November 9-13, limited access to email.", date(2026, 11, 14)),
        ("Away until 2026-11-20.", date(2026, 11, 21)),
        ("Ich bin bis 16.11. nicht im B\u00fcro.", date(2026, 11, 17)),
        ("Ich bin bis einschlie\u00dflich Freitag, 13.11.2026 abwesend.", date(2026, 11, 14)),
        ("Je suis absente jusqu'au 16 novembre.", date(2026, 11, 17)),
        ("Estar\u00e9 fuera de la oficina hasta el 20 de noviembre.", date(2026, 11, 21)),
        # "back on X" / "returning X" / "return on X": X
        ("I will be back on 11/16.", date(2026, 11, 16)),
        ("Back on 16/11.", date(2026, 11, 16)),
        ("I'm returning 16 November.", date(2026, 11, 16)),
        ("I will return on Nov 16th.", date(2026, 11, 16)),
        ("I will be back in the office on Monday, 16th of November.", date(2026, 11, 16)),
        ("I am back on 13.11.2026.", date(2026, 11, 13)),
        ("I will not return until 16/11/2026.", date(2026, 11, 16)),
        ("Ab dem 17.11. bin ich wieder im B\u00fcro.", date(2026, 11, 17)),
        ("Je serai de retour le lundi 23 novembre.", date(2026, 11, 23)),
        # a return phrase beats an until-phrase in the same text
        ("Out from Nov 9 to Nov 13, back in the office on Monday, November 16.", date(2026, 11, 16)),
        # weekdays: the next one after the reply's date, never the same day
        ("I'm out until Wednesday.", date(2026, 11, 12)),
        ("Back on Monday.", date(2026, 11, 16)),
        # ambiguous, absent, contradictory or impossible: None
        ("Back on 11/12.", None),
        ("Out until 3/4/2027.", None),
        ("I am out of the office with limited access to email.", None),
        ("Please return the signed form by November 20.", None),
        ("The invoice is due on November 20.", None),
        ("Back on November 16. Jan is back on November 18.", None),
        ("Back on 31.11.", None),
        ("", None),
    ],
)
def test_return_date(text: str, expected: date | None) -> None:
    assert return_date(text, MONDAY) == expected


DECEMBER_20 = datetime(2026, 12, 20, 17, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Back on January 4.", date(2027, 1, 4)),
        ("Out of the office until 2 January.", date(2027, 1, 3)),
        ("Away until 31 December.", date(2027, 1, 1)),
        ("Back on 28 December.", date(2026, 12, 28)),
        ("Back on 04.01.", date(2027, 1, 4)),
    ],
)
def test_return_date_rolls_into_next_year(text: str, expected: date) -> None:
    assert return_date(text, DECEMBER_20) == expected


@pytest.mark.parametrize(
    ("sent", "text", "expected"),
    [
        (datetime(2026, 11, 13, 16, 0, tzinfo=timezone.utc), "until Monday", date(2026, 11, 17)),  # a Friday
        (datetime(2026, 11, 13, 16, 0, tzinfo=timezone.utc), "back on Monday", date(2026, 11, 16)),
        (datetime(2026, 11, 16, 8, 0, tzinfo=timezone.utc), "back on Monday", date(2026, 11, 23)),  # a Monday
        # Sunday 23:30 in California is Monday in UTC: the writer's own calendar counts
        (datetime(2026, 11, 15, 23, 30, tzinfo=timezone(timedelta(hours=-8))), "back Monday", date(2026, 11, 16)),
    ],
)
def test_return_date_weekdays_roll_over(sent: datetime, text: str, expected: date) -> None:
    assert return_date(text, sent) == expected


def test_a_date_that_just_passed_is_a_stale_responder_not_next_year() -> None:
    assert return_date("I am out of the office until Nov 13.", datetime(2026, 11, 20, tzinfo=timezone.utc)) is None


def test_return_date_comes_from_the_body_and_only_from_the_senders_own_subject() -> None:
    own = mail("Auto-Submitted: auto-replied", subject="Out of office until November 20", body="Thanks!\n")
    assert classify(own).return_date == date(2026, 11, 21)
    # "Automatic reply: <our subject>": the date in it is ours, not a return date
    ours = mail(subject="Automatic reply: Report due until November 20", body="I am away.\n")
    assert classify(ours).kind == "auto_reply"
    assert classify(ours).return_date is None

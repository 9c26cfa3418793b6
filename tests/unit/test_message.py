"""Raw bytes → ParsedMessage: ids, addresses, dates, and new text vs quoted text vs signature."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.message import TEXT_CAP, Address, ParsedMessage, clean_header, parse_ids, parse_message
from assistant.message.lists import list_addresses_of


def crlf(raw: bytes) -> bytes:
    """The messages below are written with \\n for readability; on the wire every line ends in CRLF."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


HEAD = (
    b"From: Sun Li <sun@example.com>\n"
    b"To: Ana Ruiz <ana@example.org>\n"
    b"Subject: Re: Budget\n"
    b"Message-ID: <reply-1@mail.example.com>\n"
    b"Date: Tue, 3 Sep 2024 10:15:00 +0200\n"
    b"MIME-Version: 1.0\n"
)


def plain(body: bytes, charset: bytes = b"utf-8") -> bytes:
    return crlf(HEAD + b"Content-Type: text/plain; charset=" + charset + b"\n\n" + body)


def html(body: bytes) -> bytes:
    return crlf(HEAD + b"Content-Type: text/html; charset=utf-8\n\n" + body)


SUN = Address(name="Sun Li", email="sun@example.com")
QUESTION = "Can you send the budget by Friday?"


# --- headers ---------------------------------------------------------------------------------------

def test_reply_headers_give_ids_addresses_and_date() -> None:
    raw = crlf(
        b"Return-Path: <sun@example.com>\n"
        b"From: \"Li, Sun\" <Sun@Example.COM>\n"
        b"To: Ana Ruiz <ana@example.org>, finance@example.org\n"
        b"Cc: Marta Silva <marta@example.org>\n"
        b"Reply-To: Finance Desk <desk@example.com>\n"
        b"Subject: Re: Budget\n"
        b"Message-ID: <reply-1@mail.example.com>\n"
        b"In-Reply-To: <root-1@mail.example.org>\n"
        b"References: <root-1@mail.example.org>\n"
        b" <mid-1@mail.example.com>\n"
        b"Date: Tue, 3 Sep 2024 10:15:00 +0200\n"
        b"Content-Type: text/plain; charset=utf-8\n"
        b"\n"
        b"Friday works for me.\n"
    )
    p = parse_message(raw)
    assert p.message_id == "<reply-1@mail.example.com>"
    assert p.in_reply_to == "<root-1@mail.example.org>"
    assert p.references == ("<root-1@mail.example.org>", "<mid-1@mail.example.com>")
    assert p.subject == "Re: Budget"
    assert p.from_ == Address(name="Li, Sun", email="sun@example.com")
    assert p.to == (Address("Ana Ruiz", "ana@example.org"), Address("", "finance@example.org"))
    assert p.cc == (Address("Marta Silva", "marta@example.org"),)
    assert p.reply_to == (Address("Finance Desk", "desk@example.com"),)
    assert p.date == datetime(2024, 9, 3, 8, 15, tzinfo=UTC)
    assert p.date is not None and p.date.utcoffset() == timedelta(hours=2)
    assert p.content_type == "text/plain"
    assert p.new_text == "Friday works for me."
    assert p.defects == ()
    assert p.bcc == ()


def test_bcc_of_a_sent_copy_is_read() -> None:
    raw = crlf(b"From: Me <me@example.com>\nTo: ana@example.org\n"
               b"Bcc: Me <ME+followup-3d@example.com>, other@example.org\nSubject: Hi\n\nHello?\n")
    assert parse_message(raw).bcc == (Address("Me", "me+followup-3d@example.com"), Address("", "other@example.org"))


def test_only_the_kept_headers_are_stored_each_on_one_line() -> None:
    raw = crlf(
        b"From: MAILER-DAEMON@example.com\n"
        b"Subject: Undelivered Mail Returned to Sender\n"
        b"Auto-Submitted: auto-replied\n"
        b"List-Id: Finance team\n"
        b"\t<finance.lists.example.com>\n"
        b"X-Mailer: Postfix\n"
        b"Content-Type: multipart/report; report-type=Delivery-Status; boundary=\"b1\"\n"
        b"\n"
        b"--b1\n"
        b"Content-Type: text/plain\n"
        b"\n"
        b"Delivery to ana@example.org failed.\n"
        b"--b1--\n"
    )
    p = parse_message(raw)
    assert p.headers == {
        "Auto-Submitted": "auto-replied",
        "List-Id": "Finance team <finance.lists.example.com>",
        "Content-Type": 'multipart/report; report-type=Delivery-Status; boundary="b1"',
    }
    assert p.content_type == "multipart/report"
    assert p.report_type == "delivery-status"
    assert p.new_text == "Delivery to ana@example.org failed."


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        (b"=?UTF-8?B?Q2Fmw6kgcGxhbnM=?=", "Caf\u00e9 plans"),
        (b"=?ISO-8859-1?Q?Caf=E9_plans?=", "Caf\u00e9 plans"),
        (b"Re: =?UTF-8?Q?Caf=C3=A9?= plans", "Re: Caf\u00e9 plans"),
        (b"=?UTF-8?Q?Quarterly_budget_review?=\n =?UTF-8?Q?_for_finance?=", "Quarterly budget review for finance"),
        (b"=?UTF-8?Q?Hello=0D=0ABcc:_evil@example.net?=", "Hello Bcc: evil@example.net"),
        (b"Plain ASCII subject", "Plain ASCII subject"),
    ],
    ids=["base64", "latin1-q", "mixed", "folded-words", "encoded-crlf", "ascii"],
)
def test_subject_encoded_words_are_decoded_to_one_line(encoded: bytes, expected: str) -> None:
    p = parse_message(crlf(b"From: Sun Li <sun@example.com>\nSubject: " + encoded + b"\n\nHi\n"))
    assert p.subject == expected


def test_encoded_display_name_is_decoded() -> None:
    p = parse_message(crlf(b"From: =?UTF-8?Q?Zo=C3=AB_Martin?= <zoe@example.com>\nSubject: Hi\n\nHi\n"))
    assert p.from_ == Address(name="Zo\u00eb Martin", email="zoe@example.com")


def test_raw_utf8_headers_are_read_as_utf8() -> None:
    raw = crlf("From: Zo\u00eb Martin <zoe@example.com>\nSubject: Caf\u00e9 plans\n\nHi\n".encode())
    p = parse_message(raw)
    assert p.subject == "Caf\u00e9 plans"
    assert p.from_ == Address(name="Zo\u00eb Martin", email="zoe@example.com")


def test_folded_subject_unfolds_to_single_spaces() -> None:
    p = parse_message(crlf(b"From: sun@example.com\nSubject: Quarterly budget review for the\n finance team\n\nHi\n"))
    assert p.subject == "Quarterly budget review for the finance team"


def test_unknown_charset_in_subject_keeps_raw_words_and_notes_defect() -> None:
    p = parse_message(crlf(b"From: Sun Li <sun@example.com>\nSubject: =?x-klingon?Q?Caf=E9?=\n\nHi\n"))
    assert p.subject == "=?x-klingon?Q?Caf=E9?="
    assert p.from_ == SUN
    assert any("x-klingon" in d for d in p.defects)


@pytest.mark.parametrize(
    ("header", "expected", "offset"),
    [
        (b"Tue, 3 Sep 2024 10:15:00 +0200", datetime(2024, 9, 3, 8, 15, tzinfo=UTC), timedelta(hours=2)),
        (b"Tue, 3 Sep 2024 10:15:00", datetime(2024, 9, 3, 10, 15, tzinfo=UTC), timedelta(0)),
        (b"Tue, 3 Sep 2024 10:15:00 -0000", datetime(2024, 9, 3, 10, 15, tzinfo=UTC), timedelta(0)),
        (b"3 Sep 24 10:15 EDT", datetime(2024, 9, 3, 14, 15, tzinfo=UTC), timedelta(hours=-4)),
        (b"Tue, 3 Sep 2024 10:15:00 +0530 (IST)", datetime(2024, 9, 3, 4, 45, tzinfo=UTC),
         timedelta(hours=5, minutes=30)),
        (b"next Tuesday-ish", None, None),
        (b"Sat, 31 Feb 2024 10:00:00 +0000", None, None),
        (b"Tue, 3 Sep 2024 10:15:00 +9999", None, None),
        (None, None, None),
    ],
    ids=["offset", "no-zone", "minus-zero", "zone-name", "comment", "garbage", "no-such-day", "bad-offset",
         "missing"],
)
def test_date_header(header: bytes | None, expected: datetime | None, offset: timedelta | None) -> None:
    date_line = b"Date: " + header + b"\n" if header is not None else b""
    p = parse_message(crlf(b"From: Sun Li <sun@example.com>\nSubject: Hi\n" + date_line + b"\nHi\n"))
    assert p.date == expected
    if expected is not None:
        assert p.date is not None and p.date.utcoffset() == offset
    assert p.from_ == SUN


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<a@x.example> <b@x.example>", ("<a@x.example>", "<b@x.example>")),
        ("<a@x.example>,<b@x.example>, <c@x.example>", ("<a@x.example>", "<b@x.example>", "<c@x.example>")),
        ("<a@x.example>\r\n\t<b@x.example>", ("<a@x.example>", "<b@x.example>")),
        ("a@x.example b@x.example", ("<a@x.example>", "<b@x.example>")),
        ("a@x.example,b@x.example", ("<a@x.example>", "<b@x.example>")),
        ("<a@x.example> <b@x.example> <a@x.example>", ("<a@x.example>", "<b@x.example>")),
        ('<a@x.example> (Ana Ruiz\'s message of "Mon, 2 Sep 2024")', ("<a@x.example>",)),
        ("no ids here", ()),
        ("", ()),
        (None, ()),
    ],
    ids=["spaces", "commas", "folded", "no-brackets", "no-brackets-commas", "duplicates", "comment",
         "junk", "empty", "none"],
)
def test_parse_ids(value: str | None, expected: tuple[str, ...]) -> None:
    assert parse_ids(value) == expected


@pytest.mark.parametrize(
    "references",
    [b"<root-1@x.example>,<mid-1@x.example>", b"root-1@x.example mid-1@x.example",
     b"<root-1@x.example>,\n <mid-1@x.example>"],
    ids=["commas", "no-brackets", "folded-commas"],
)
def test_references_header_forms(references: bytes) -> None:
    raw = crlf(b"From: sun@example.com\nSubject: Re: Budget\nReferences: " + references + b"\n\nOk\n")
    assert parse_message(raw).references == ("<root-1@x.example>", "<mid-1@x.example>")


def test_message_id_without_brackets_gets_them() -> None:
    p = parse_message(crlf(b"From: sun@example.com\nMessage-ID: reply-1@mail.example.com\n\nOk\n"))
    assert p.message_id == "<reply-1@mail.example.com>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Budget\r\nBcc: evil@example.net", "Budget Bcc: evil@example.net"),
        ("Budget\nBcc: evil@example.net", "Budget Bcc: evil@example.net"),
        ("Budget\rBcc: evil@example.net", "Budget Bcc: evil@example.net"),
        ("Bud\x00get", "Bud get"),
        ("Budget\x7f", "Budget"),
        ("  Budget review\t", "Budget review"),
        ("Caf\u00e9 plans", "Caf\u00e9 plans"),
    ],
    ids=["crlf", "lf", "cr", "nul", "del", "outer-space", "unicode-kept"],
)
def test_clean_header(value: str, expected: str) -> None:
    out = clean_header(value)
    assert out == expected
    assert not any(ord(c) < 0x20 for c in out)


def test_clean_header_removes_c1_controls() -> None:
    out = clean_header("Budget\x85Bcc: evil@example.net")
    assert out == "Budget Bcc: evil@example.net"
    assert len(out.splitlines()) == 1


# --- new text vs quoted text -------------------------------------------------------------------

REPLY = b"Friday works for me.\n\n"
ORIGINAL = b"\n> Can you send the budget by Friday?\n> Ana\n"


@pytest.mark.parametrize(
    ("separator", "first_quoted_line"),
    [
        (b"On Mon, 2 Sep 2024 at 09:00, Ana Ruiz <ana@example.org> wrote:",
         "On Mon, 2 Sep 2024 at 09:00, Ana Ruiz <ana@example.org> wrote:"),
        (b"On Mon, Sep 2, 2024 at 9:00\xe2\x80\xafAM Ana Ruiz <\nana@example.org> wrote:",
         "On Mon, Sep 2, 2024 at 9:00\u202fAM Ana Ruiz <"),
        (b"On Mon, 2 Sep 2024 at 09:00, Ana Ruiz\n<ana@example.org> wrote:", "On Mon, 2 Sep 2024 at 09:00, Ana Ruiz"),
        (b"Le lun. 2 sept. 2024 \xc3\xa0 09:00, Ana Ruiz <ana@example.org> a \xc3\xa9crit :",
         "Le lun. 2 sept. 2024 \u00e0 09:00, Ana Ruiz <ana@example.org> a \u00e9crit :"),
        (b"Am 02.09.2024 um 09:00 schrieb Ana Ruiz <ana@example.org>:",
         "Am 02.09.2024 um 09:00 schrieb Ana Ruiz <ana@example.org>:"),
        (b"-----Original Message-----\nFrom: Ana Ruiz\nSent: Monday, September 2, 2024 9:00 AM",
         "-----Original Message-----"),
        (b"From: Ana Ruiz <ana@example.org>\nSent: Monday, September 2, 2024 9:00 AM\n"
         b"To: Sun Li <sun@example.com>\nSubject: Budget", "From: Ana Ruiz <ana@example.org>"),
        (b"________________________________\nFrom: Ana Ruiz <ana@example.org>\nSent: Monday, 2 September",
         "________________________________"),
        (b"---------- Forwarded message ---------\nFrom: Ana Ruiz <ana@example.org>",
         "---------- Forwarded message ---------"),
    ],
    ids=["attribution", "attribution-wrapped-gmail", "attribution-wrapped-name", "attribution-fr",
         "attribution-de", "original-message", "outlook-from-sent", "outlook-rule", "forwarded"],
)
def test_text_after_a_reply_separator_is_quoted(separator: bytes, first_quoted_line: str) -> None:
    p = parse_message(plain(REPLY + separator + b"\n" + ORIGINAL))
    assert p.new_text == "Friday works for me."
    assert p.quoted_text.splitlines()[0] == first_quoted_line
    assert QUESTION in p.quoted_text
    assert p.signature == ""


def test_trailing_quoted_lines_without_attribution_are_quoted() -> None:
    p = parse_message(plain(b"Sounds good.\n\n> Can you send the budget by Friday?\n>\n> Ana\n"))
    assert p.new_text == "Sounds good."
    assert p.quoted_text == "> Can you send the budget by Friday?\n>\n> Ana"


def test_interleaved_reply_keeps_answers_and_quotes_questions() -> None:
    body = b"> Can you send the budget by Friday?\nYes, on Thursday.\n> And the slides?\nThose too.\n\nSun\n"
    p = parse_message(plain(body))
    assert p.new_text == "Yes, on Thursday.\nThose too.\n\nSun"
    assert p.quoted_text == "> Can you send the budget by Friday?\n> And the slides?"


@pytest.mark.parametrize(
    "body",
    [
        b"On Mon, 2 Sep 2024 at 09:00, Ana Ruiz <ana@example.org> wrote:\n"
        b"> Can you send the budget by Friday?\n\nYes, on Thursday.\n\n> And the slides?\n\nThose too.\n",
        b"On Mon, 2 Sep 2024 at 09:00, Ana Ruiz <ana@example.org> wrote:\n"
        b"> Can you send the budget by Friday?\n\nYes, on Thursday. Those too.\n",
    ],
    ids=["interleaved", "bottom-posted"],
)
def test_answers_below_an_attribution_are_new_text(body: bytes) -> None:
    p = parse_message(plain(body))
    assert "Yes, on Thursday." in p.new_text
    assert QUESTION in p.quoted_text


GMAIL_HTML = (
    b'<div dir="ltr">Friday works for me.<br><br>Sun</div><br>\n'
    b'<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Sep 2, 2024 at 9:00 AM Ana Ruiz '
    b"&lt;ana@example.org&gt; wrote:<br></div>"
    b'<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">'
    b'<div dir="ltr">Can you send the budget by Friday?</div></blockquote></div>\n'
)

OUTLOOK_HTML = (
    b"<html><head><style>p {margin:0}</style></head><body>\n"
    b'<div style="font-family: Calibri">Attached is the revised budget.</div>\n'
    b'<div id="appendonsend"></div>\n'
    b'<hr style="display:inline-block;width:98%">\n'
    b'<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Ana Ruiz &lt;ana@example.org&gt;<br>'
    b"<b>Sent:</b> Monday, September 2, 2024 9:00 AM<br><b>To:</b> Sun Li &lt;sun@example.com&gt;<br>"
    b"<b>Subject:</b> Budget</font><div>&nbsp;</div></div>\n"
    b"<div><p>Can you send the budget by Friday?</p></div>\n"
    b"</body></html>\n"
)


def test_gmail_html_quote_goes_to_quoted_text() -> None:
    p = parse_message(html(GMAIL_HTML))
    assert p.new_text == "Friday works for me.\n\nSun"
    assert QUESTION in p.quoted_text
    assert "Ana Ruiz <ana@example.org> wrote:" in p.quoted_text


@pytest.mark.parametrize(
    "body",
    [OUTLOOK_HTML, OUTLOOK_HTML.replace(b'<div id="appendonsend"></div>\n', b"")],
    ids=["appendonsend", "divRplyFwdMsg-only"],
)
def test_outlook_html_quote_goes_to_quoted_text(body: bytes) -> None:
    assert b"divRplyFwdMsg" in body
    p = parse_message(html(body))
    assert p.new_text == "Attached is the revised budget."
    assert QUESTION in p.quoted_text
    assert "Monday, September 2, 2024 9:00 AM" in p.quoted_text
    assert "margin" not in p.new_text + p.quoted_text


def test_html_only_mail_becomes_text_with_line_breaks_and_no_code() -> None:
    body = (
        b"<html><head><title>Weekly numbers</title><style>.x {color: red}</style>"
        b"<script>var tracking = 1;</script></head><body>"
        b"<p>First paragraph.</p><p>Second line one<br>Second line two</p>"
        b"<div>Third&nbsp;block</div><script>track('open');</script></body></html>"
    )
    p = parse_message(html(body))
    assert p.new_text.splitlines() == ["First paragraph.", "Second line one", "Second line two", "Third\u00a0block"]
    for hidden in ("Weekly numbers", "color", "tracking", "track("):
        assert hidden not in p.new_text
    assert p.quoted_text == ""


# --- signature -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("body", "new_text", "signature"),
    [
        (b"Friday works for me.\n-- \nSun Li\nAcme Finance\n", "Friday works for me.", "--\nSun Li\nAcme Finance"),
        # the sign-off and a first name under it are the writer's own words (as people annotate mail); a full
        # name begins the signature
        (b"Friday works for me.\n\nBest,\nSun Li\n", "Friday works for me.\n\nBest,", "Sun Li"),
        (b"Friday works for me.\n\nBest,\nSun\n", "Friday works for me.\n\nBest,\nSun", ""),
        (b"Friday works for me.\n\nKind regards,\nSun Li\nHead of Finance\nAcme Corp\n+1 555 0100\n"
         b"www.acme.example\nLisbon\n", "Friday works for me.\n\nKind regards,",
         "Sun Li\nHead of Finance\nAcme Corp\n+1 555 0100\nwww.acme.example\nLisbon"),
        (b"Friday works for me.\n\nSent from my iPhone\n", "Friday works for me.", "Sent from my iPhone"),
        (b"Friday works for me.\n\nCheers!\nSun\n", "Friday works for me.\n\nCheers!\nSun", ""),
        (b"Friday works for me.\n\nSun Li\nSenior Counsel\nAcme Corp.\n713-853-6794\n",
         "Friday works for me.", "Sun Li\nSenior Counsel\nAcme Corp.\n713-853-6794"),
        (b"Friday works for me.\nCall me at 555-0100 after 3.\n\nRegards,\nSun\n",
         "Friday works for me.\nCall me at 555-0100 after 3.\n\nRegards,\nSun", ""),
        (b"Passt, danke.\n\nGesendet von Outlook f\xc3\xbcr Android\n", "Passt, danke.",
         "Gesendet von Outlook f\u00fcr Android"),
    ],
    ids=["dash-dash-space", "best-full-name", "best-first-name", "kind-regards-contact-lines", "sent-from", "cheers", "contact-block",
         "short-last-lines-stay", "outlook-android-german"],
)
def test_signature_is_split_off(body: bytes, new_text: str, signature: str) -> None:
    p = parse_message(plain(body))
    assert p.new_text == new_text
    assert p.signature == signature


def test_signature_comes_before_the_quote() -> None:
    body = b"Friday works for me.\n\nBest,\nSun Li\n\nOn Mon, 2 Sep 2024 at 09:00, Ana wrote:\n> Budget?\n"
    p = parse_message(plain(body))
    assert (p.new_text, p.signature) == ("Friday works for me.\n\nBest,", "Sun Li")
    assert p.quoted_text == "On Mon, 2 Sep 2024 at 09:00, Ana wrote:\n> Budget?"


SEVEN_SHORT_LINES = (
    b"the figures you sent match ours for July and August.\n"
    b"September is still open because the invoices from\n"
    b"the Lisbon office have not arrived yet.\n"
    b"I asked Marta to chase them this week.\n"
    b"Once they are in I will update the sheet\n"
    b"and send you the final version,\n"
    b"probably on Thursday.\n"
)
TWO_LONG_LINES = (
    b"I went through the whole sheet and the July numbers match ours to the cent, which is great.\n"
    b"The only open point is the Lisbon invoices; I will chase them and send the final version.\n"
)


@pytest.mark.parametrize("paragraph", [SEVEN_SHORT_LINES, TWO_LONG_LINES], ids=["seven-lines", "long-lines"])
def test_paragraph_after_thanks_is_not_a_signature(paragraph: bytes) -> None:
    p = parse_message(plain(b"Hi Ana,\n\nThanks,\n" + paragraph))
    assert p.signature == ""
    assert p.new_text == "Hi Ana,\n\nThanks,\n" + paragraph.decode().rstrip("\n")


def test_contact_lines_after_a_long_paragraph_after_thanks_are_the_signature() -> None:
    p = parse_message(plain(b"Thanks,\n" + SEVEN_SHORT_LINES + b"\nBest,\nSun\n\nSun Li\nAcme Corp\n+1 555 0100\n"))
    assert p.signature == "Sun Li\nAcme Corp\n+1 555 0100"
    assert p.new_text.startswith("Thanks,\nthe figures you sent")
    assert p.new_text.endswith("probably on Thursday.\n\nBest,\nSun")


def test_opening_thanks_does_not_swallow_the_reply() -> None:
    p = parse_message(plain(b"Thanks!\n\nI'll send the signed contract by Friday.\n\nSun\n"))
    assert "I'll send the signed contract by Friday." in p.new_text


# --- MIME structure ------------------------------------------------------------------------------

ALT_PLAIN = (
    b"--alt\n"
    b"Content-Type: text/plain; charset=utf-8\n\n"
    b"Friday works for me.\n\nOn Mon, 2 Sep 2024 at 09:00, Ana Ruiz <ana@example.org> wrote:\n"
    b"> Can you send the budget by Friday?\n"
)
ALT_HTML = b"--alt\nContent-Type: text/html; charset=utf-8\n\n<div>HTML version only</div>\n"


@pytest.mark.parametrize("parts", [ALT_PLAIN + ALT_HTML, ALT_HTML + ALT_PLAIN], ids=["plain-first", "html-first"])
def test_multipart_alternative_prefers_text_plain(parts: bytes) -> None:
    raw = crlf(HEAD + b'Content-Type: multipart/alternative; boundary="alt"\n\n' + parts + b"--alt--\n")
    p = parse_message(raw)
    assert p.new_text == "Friday works for me."
    assert p.quoted_text.endswith("> " + QUESTION)
    assert "HTML version" not in p.new_text + p.quoted_text


def test_attachments_are_listed_by_name_and_never_decoded() -> None:
    raw = crlf(
        HEAD
        + b'Content-Type: multipart/mixed; boundary="mix"\n\n'
        b"--mix\nContent-Type: text/plain; charset=utf-8\n\nThe budget is attached.\n"
        b'--mix\nContent-Type: application/pdf; name="budget-2024.pdf"\n'
        b'Content-Disposition: attachment; filename="budget-2024.pdf"\n'
        b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"
        b'--mix\nContent-Type: text/plain; charset="x-klingon"\n'
        b'Content-Disposition: attachment; filename="notes.txt"\n\nATTACHED-NOTES-TEXT\n'
        b"--mix\nContent-Type: text/csv\nContent-Disposition: attachment\n\na,b\n1,2\n"
        b"--mix\nContent-Type: application/pdf\n"
        b"Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\n"
        b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"
        b"--mix--\n"
    )
    p = parse_message(raw)
    assert p.attachments == ("budget-2024.pdf", "notes.txt", "text/csv", "r\u00e9sum\u00e9.pdf")
    assert p.new_text == "The budget is attached."
    assert "ATTACHED-NOTES-TEXT" not in p.new_text + p.quoted_text
    assert p.defects == ()  # the attachment's unknown charset was never looked at


def test_rfc2047_attachment_filename_is_decoded() -> None:
    raw = crlf(
        HEAD
        + b'Content-Type: multipart/mixed; boundary="mix"\n\n'
        b"--mix\nContent-Type: text/plain; charset=utf-8\n\nAttached.\n"
        b'--mix\nContent-Type: application/pdf; name="=?UTF-8?B?UmFwcG9ydMOpLnBkZg==?="\n'
        b'Content-Disposition: attachment; filename="=?UTF-8?B?UmFwcG9ydMOpLnBkZg==?="\n'
        b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"
        b"--mix--\n"
    )
    assert parse_message(raw).attachments == ("Rapport\u00e9.pdf",)


def test_attached_message_is_an_attachment_not_the_body() -> None:
    raw = crlf(
        HEAD
        + b'Content-Type: multipart/mixed; boundary="mix"\n\n'
        b"--mix\nContent-Type: text/html; charset=utf-8\n\n<p>See the attached thread.</p>\n"
        b'--mix\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename="original.eml"\n\n'
        b"From: Marta Silva <marta@example.org>\nSubject: Invoices\n\nThe Lisbon invoices are late.\n"
        b"--mix--\n"
    )
    p = parse_message(raw)
    assert p.new_text == "See the attached thread."
    assert p.attachments == ("original.eml",)


# --- broken input never raises ---------------------------------------------------------------------

BROKEN_HEAD = b"From: Sun Li <sun@example.com>\nSubject: Status report\nMIME-Version: 1.0\n"


@pytest.mark.parametrize(
    ("rest", "defect", "new_text"),
    [
        (b"Content-Type: multipart/mixed\n\nHello there.\n", "NoBoundaryInMultipartDefect", ""),
        (b'Content-Type: multipart/alternative; boundary="b1"\n\nHello, no parts at all.\n',
         "StartBoundaryNotFoundDefect", ""),
        (b'Content-Type: multipart/alternative; boundary="b1"\n\n--b1\nContent-Type: text/plain; charset=utf-8\n'
         b"\nHello there, the first half of", "CloseBoundaryNotFoundDefect", "Hello there, the first half of"),
        (b"Content-Type: text/plain; charset=x-klingon\n\nCaf\xe9 at noon\n", "unknown charset 'x-klingon'",
         "Caf\u00e9 at noon"),
        (b"Content-Type: text/plain; charset=x-klingon\n\nCaf\xc3\xa9 at noon\n", "unknown charset 'x-klingon'",
         "Caf\u00e9 at noon"),
    ],
    ids=["multipart-no-boundary", "boundary-never-seen", "truncated-part", "unknown-charset-latin1",
         "unknown-charset-utf8"],
)
def test_broken_mime_keeps_what_could_be_read(rest: bytes, defect: str, new_text: str) -> None:
    p = parse_message(crlf(BROKEN_HEAD + rest))
    assert p.subject == "Status report"
    assert p.from_ == SUN
    assert defect in p.defects
    assert p.new_text == new_text


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00\xff\xfe\x80 not a message", b"Subject: no line end", b"From:\r\n\r\n", b"\r\n\r\n\r\n",
     b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--\r\n"],
    ids=["empty", "binary", "no-newline", "empty-from", "blank-lines", "empty-boundary"],
)
def test_garbage_never_raises(raw: bytes) -> None:
    p = parse_message(raw)
    assert isinstance(p, ParsedMessage)
    assert p.from_ is None


def test_undecodable_body_keeps_the_rest_and_notes_defect() -> None:
    p = parse_message(crlf(BROKEN_HEAD + b"Content-Type: text/plain; charset=utf-8\n\nCaf\xe9 at noon\n"))
    assert p.new_text == "Caf\ufffd at noon"
    assert p.from_ == SUN
    assert p.defects != ()


def test_truncated_base64_body_is_decoded_as_far_as_it_goes() -> None:
    # base64 of "Hello there, how are you doing this week?", cut after 53 characters (IMAP partial fetch)
    raw = crlf(BROKEN_HEAD + b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
               b"SGVsbG8gdGhlcmUsIGhvdyBhcmUgeW91IGRvaW5nIHRoaXMgd2Vla")
    p = parse_message(raw)
    assert p.new_text.startswith("Hello there, how are you doing")
    assert p.defects != ()


# --- size bound ------------------------------------------------------------------------------------

def test_text_cap_bounds_new_and_quoted_text() -> None:
    line = "All the July numbers match; the Lisbon invoices are still open."
    new = "\n".join(f"{i:05d} {line}" for i in range(TEXT_CAP // len(line) + 50))
    quoted = "\n".join(f"> {i:05d} {line}" for i in range(TEXT_CAP // len(line) + 50))
    assert len(new) > TEXT_CAP and len(quoted) > TEXT_CAP
    p = parse_message(plain(new.encode() + b"\n\nOn Mon, 2 Sep 2024 at 09:00, Ana wrote:\n" + quoted.encode()))
    assert p.new_text == new[:TEXT_CAP]
    assert len(p.quoted_text) == TEXT_CAP
    assert p.quoted_text.startswith("On Mon, 2 Sep 2024 at 09:00, Ana wrote:\n> 00000 ")


def test_an_encoded_word_with_a_colon_never_adds_a_recipient() -> None:
    p = parse_message(crlf(b"From: Me <me@example.com>\nTo: =?us-ascii?q?x:evil9@attacker.example;?= "
                           b"<kim@corp.example>\nSubject: Q\n\nHi\n"))
    assert [a.email for a in p.to] == ["kim@corp.example"]
    assert p.to[0].name == "x:evil9@attacker.example;"


def test_an_unusable_recipient_is_left_out_and_noted() -> None:
    p = parse_message(crlf(b"From: Me <me@example.com>\nTo: <Undisclosed-Recipient:@corp.example;>, "
                           b"Lee <lee@corp.example>\nSubject: Q\n\nHi\n"))
    assert [a.email for a in p.to] == ["lee@corp.example"]
    assert any("unusable address" in d for d in p.defects)


def test_an_out_of_range_date_is_no_date_and_no_crash() -> None:
    p = parse_message(crlf(b"From: Me <me@example.com>\nDate: Wed, 4 Jun 207777777777777777777714 10:00:00 +0000\n"
                           b"Subject: Q\n\nHi\n"))
    assert p.date is None and p.new_text == "Hi"


@pytest.mark.parametrize(("headers", "expected"), [
    ({"List-Post": "<mailto:dev@lists.example.org>", "List-Id": "<dev.lists.example.org>"}, {"dev@lists.example.org"}),
    ({"List-Id": "Developers <Dev.Lists.Example.org>"}, {"dev@lists.example.org"}),
    ({"List-Post": "<mailto:Dev@Lists.Example.org?subject=help>"}, {"dev@lists.example.org"}),
    ({"List-Post": "<mailto:a@x.example>, <mailto:b@x.example>"}, {"a@x.example", "b@x.example"}),
    ({"List-Post": "<mailto:post@x.example>", "List-Id": "<announce.x.example>"}, {"post@x.example", "announce@x.example"}),
    ({"List-Post": "NO", "List-Id": "<localhost>"}, set()),  # a list that takes no posts; an id with no dot
    ({"List-Unsubscribe": "<mailto:leave@x.example>"}, set()),
    ({}, set()),
])
def test_list_addresses_of(headers: dict[str, str], expected: set[str]) -> None:
    assert list_addresses_of(headers) == expected


def test_list_addresses_from_a_parsed_message() -> None:
    raw = crlf(HEAD + b"List-Id: Dev <dev.lists.example.org>\nList-Post: <mailto:dev@lists.example.org>\n"
               b"Content-Type: text/plain\n\nHello\n")
    assert list_addresses_of(parse_message(raw).headers) == {"dev@lists.example.org"}

"""The weekly report on a scenario mailbox: every section populated, delivered into INBOX once a week."""

from __future__ import annotations

import email
import json
from datetime import datetime, timedelta
from email.policy import default as default_policy
from pathlib import Path

import pytest
from conftest import Mailbox
from test_followups import NY, Scene

from assistant.cli import main

MON = datetime(2026, 11, 16, 10, 0, tzinfo=NY)
REPORT_AT = datetime(2026, 11, 23, 8, 0, tzinfo=NY)  # the next Monday, 08:00


def week_of_mail(scene: Scene) -> None:
    """A week with something in every section of the report."""
    scene.send("Budget", "Could you send the Q4 budget?", at=MON, message_id="<budget@example.com>")
    old = MON - timedelta(days=9)
    scene.send("Vendor list", "Can you review the vendor list?", at=old, message_id="<vendors@example.com>",
               to="Dan Ito <dan@adatum.example>")
    scene.send("Quick one", "Can we talk tomorrow?", at=MON, message_id="<quick@example.com>",
               to="Carol <carol@client.example>")
    scene.receive("Re: Quick one", "Sure, 10am works.", MON + timedelta(hours=2), frm="Carol <carol@client.example>",
                  in_reply_to="<quick@example.com>", references="<quick@example.com>")
    scene.send("Deck", "Thanks! I'll send you the revised deck by Wednesday.", at=MON,
               message_id="<deck@example.com>", to="Eve Park <eve@example.org>")
    scene.receive("Re: Budget numbers", "I'll send the signed contract tomorrow.", MON + timedelta(hours=1),
                  frm="Bob Stone <bob@contoso.example>", message_id="<bobpromise@contoso.example>")
    scene.receive("Order arrived damaged", "The order arrived damaged. I want a refund. Can you help?",
                  MON + timedelta(days=1), frm="Pat Lee <pat@customer.example>")
    scene.receive("Partnership", "Would you be open to a partnership call next week?", MON + timedelta(days=2),
                  frm="Sam Ortiz <sam@lead.example>")
    scene.send("Intro", "Could we set up a call?", at=MON, to="ghost@client.example",
               message_id="<intro@example.com>")
    boundary = "b1"
    dsn = (f"--{boundary}\nContent-Type: text/plain\n\nDelivery failed.\n--{boundary}\n"
           "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.client.example\n\n"
           "Final-Recipient: rfc822; ghost@client.example\nAction: failed\nStatus: 5.1.1\n\n"
           f"--{boundary}\nContent-Type: text/rfc822-headers\n\nMessage-ID: <intro@example.com>\n\n--{boundary}--\n")
    scene.receive("Undelivered Mail Returned to Sender", dsn, MON + timedelta(minutes=3),
                  frm="MAILER-DAEMON@mx.client.example",
                  content_type=f'multipart/report; report-type=delivery-status; boundary="{boundary}"')


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_report_sections_and_delivery_into_inbox(dovecot_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox, config_extra="")
    week_of_mail(scene)
    config = str(dovecot_mailbox.write_config(extra='[report]\nday = "monday"\ntime = "08:00"\n'))
    scene.poll(datetime(2026, 11, 19, 10, tzinfo=NY))  # Thursday: drafts due for the budget and the deck
    code, out, err = run(capsys, "--config", config, "--now", "2026-11-20T17:00", "report", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert set(report) >= {"awaiting_reply", "my_promises", "their_promises", "waiting_on_me", "drafts", "bounced",
                           "stats"}
    subjects = {k: [i["subject"] for i in report[k]] for k in report if isinstance(report[k], list)}
    assert "Budget" in subjects["awaiting_reply"] and "Vendor list" in subjects["awaiting_reply"]
    assert "Quick one" not in subjects["awaiting_reply"]
    assert subjects["my_promises"] == ["Deck"] and subjects["their_promises"] == ["Re: Budget numbers"]
    assert subjects["waiting_on_me"][0] == "Order arrived damaged"  # a complaint comes first
    assert "Partnership" in subjects["waiting_on_me"]
    assert subjects["bounced"] == ["Intro"] and subjects["drafts"]
    assert all("message_id" in i and "subject" in i for k in subjects for i in report[k])
    assert report["stats"]["sent"] >= 4 and report["stats"]["replied"] == 1
    # poll on Monday morning delivers it into INBOX, once
    code, out, _ = run(capsys, "--config", config, "--now", REPORT_AT.isoformat(), "poll")
    assert "report" in out and "delivered to work/INBOX" in out
    code, out, _ = run(capsys, "--config", config, "--now", (REPORT_AT + timedelta(hours=2)).isoformat(), "poll")
    assert "delivered" not in out
    client = scene.imap()
    client.select_folder("INBOX")
    uids = client.search(["HEADER", "X-Followup-Report", "2026-11-23"])
    assert len(uids) == 1
    data = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"])[uids[0]]
    client.logout()
    assert b"\\Seen" not in data[b"FLAGS"]  # unread, so it stands out
    msg = email.message_from_bytes(data[b"BODY[]"], policy=default_policy)
    # from the user's own address: a reply to the report never reaches anyone else
    assert msg["From"] == f"Followup <{scene.me}>" and msg.get_content_type() == "multipart/alternative"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    # on Monday morning "the week in numbers" covers the seven days before, not the eight hours of Monday
    code, out, _ = run(capsys, "--config", config, "--now", REPORT_AT.isoformat(), "report", "--format", "json")
    assert json.loads(out)["stats"]["sent"] >= 4
    # the report never shows up as mail waiting on the user
    run(capsys, "--config", config, "--now", (REPORT_AT + timedelta(days=2)).isoformat(), "poll")
    code, out, _ = run(capsys, "--config", config, "--now", (REPORT_AT + timedelta(days=2)).isoformat(), "report",
                       "--format", "json")
    assert all(not i["subject"].startswith("Your week in mail") for i in json.loads(out)["waiting_on_me"])


def test_report_to_a_file_and_html_output(dovecot_mailbox: Mailbox, capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    scene = Scene(dovecot_mailbox)
    week_of_mail(scene)
    target = tmp_path / "reports" / "week-{week}.html"
    config = str(dovecot_mailbox.write_config(extra=f'[report]\ndeliver = "file:{target}"\n'))
    code, out, _ = run(capsys, "--config", config, "--now", REPORT_AT.isoformat(), "poll")
    written = tmp_path / "reports" / "week-2026-11-23.html"
    assert written.exists() and "Order arrived damaged" in written.read_text()
    code, out, _ = run(capsys, "--config", config, "--now", REPORT_AT.isoformat(), "report", "--output",
                       str(tmp_path / "now.html"))
    assert code == 0 and (tmp_path / "now.html").read_text().lstrip().lower().startswith("<!doctype html")

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


def test_a_report_that_is_right(dovecot_mailbox: Mailbox, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Issue 15 §5: draft dates, first contact, reasons, out-of-office, one age grouping, links, formats."""
    scene = Scene(dovecot_mailbox)
    week_of_mail(scene)
    scene.receive("Automatic reply: Budget", "I am out of the office until Sunday, December 6, 2026 and will "
                  "reply when I am back.", MON + timedelta(minutes=5), in_reply_to="<budget@example.com>",
                  references="<budget@example.com>", extra={"Auto-Submitted": "auto-replied"})  # type: ignore[arg-type]
    config = str(dovecot_mailbox.write_config())
    thursday = datetime(2026, 11, 19, 10, tzinfo=NY)
    scene.poll(thursday)  # the deck's reminder is drafted
    scene.receive("Re: Deck", "Any news on the deck?", thursday + timedelta(hours=5), frm="Eve Park <eve@example.org>",
                  in_reply_to="<deck@example.com>", references="<deck@example.com>")
    scene.poll(thursday + timedelta(days=1))  # a later poll touches the deck's item again
    out_file = tmp_path / "week.json"
    code, out, err = run(capsys, "--config", config, "--now", "2026-11-20T17:00", "report", "--output", str(out_file))
    assert code == 0 and out == f"{out_file}\n", err
    report = json.loads(out_file.read_text())  # the format follows the extension
    [deck] = [d for d in report["drafts"] if d["subject"] == "Deck"]
    assert deck["at"] == "2026-11-19T10:00-05:00"  # when it was drafted, not when a poll last looked
    waiting = {i["subject"]: i for i in report["waiting_on_me"]}
    assert waiting["Order arrived damaged"]["urgent"] and not waiting["Partnership"]["urgent"]
    assert waiting["Partnership"]["note"] == "first contact: a new correspondent"
    assert list(waiting).index("Partnership") < list(waiting).index("Re: Deck")  # first contact: shown early
    assert 'asks a question: "Would you be open to a partnership call next week?"' in waiting["Partnership"]["why"]
    listed = [i for k in ("awaiting_reply", "my_promises", "their_promises", "waiting_on_me", "drafts", "bounced")
              for i in report[k]]
    assert all(i["why"] for i in listed)
    budget = next(i for i in report["awaiting_reply"] if i["subject"] == "Budget")
    assert budget["away_until"] == "2026-12-07" and budget["why"].startswith("no reply for 4 days; ")
    assert budget["link"] == "mid:budget@example.com" and budget["web_link"] == ""  # not a Gmail account
    assert waiting["Partnership"]["link"].startswith("mid:") and "%" not in waiting["Partnership"]["link"]
    # the list's groups and the chart's bars count the same items
    chart = {a["label"]: a["count"] for a in report["stats"]["waiting_ages"]}
    groups = [i["group"] for i in report["awaiting_reply"]]
    assert chart == {label: groups.count(label) for label in chart} and groups.count("1–2 weeks") == 1
    code, out, _ = run(capsys, "--config", config, "--now", "2026-11-20T17:00", "report", "--output",
                       str(tmp_path / "week.txt"))
    text = (tmp_path / "week.txt").read_text()
    assert text.startswith("YOUR WEEK IN MAIL") and "      away until Mon Dec 7\n" in text
    code, out, _ = run(capsys, "--config", config, "--now", "2026-11-20T17:00", "report", "--format", "html",
                       "--output", str(tmp_path / "week.json"))
    html = (tmp_path / "week.json").read_text()
    assert html.startswith("<!DOCTYPE html>") and '<a href="mid:budget@example.com"' in html


def test_report_deliver_says_why_it_did_not(dovecot_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    week_of_mail(scene)
    off = str(dovecot_mailbox.write_config(extra='[report]\ndeliver = "none"\n'))
    code, out, _ = run(capsys, "--config", off, "--now", "2026-11-20T17:00", "report", "--deliver")
    assert (code, out) == (0, 'not delivered: delivery is off ([report] deliver = "none"; set it to "inbox" or '
                              '"file:PATH")\n')
    on = str(dovecot_mailbox.write_config(extra='[report]\ndeliver = "inbox"\n'))
    code, out, _ = run(capsys, "--config", on, "--now", "2026-11-20T17:00", "report", "--deliver")
    assert (code, out) == (0, "delivered to work/INBOX\n")
    code, out, _ = run(capsys, "--config", on, "--now", "2026-11-20T18:00", "report", "--deliver")
    assert (code, out) == (0, "not delivered: already delivered this week (week of 2026-11-16); a week's report "
                              "goes out once\n")

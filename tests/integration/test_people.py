"""Relationships on Dovecot with time travel: VIP cadence, keep-in-touch check-ins, checking back."""

from __future__ import annotations

from datetime import datetime, timedelta

from conftest import Mailbox
from test_followups import MON, NY, Scene, text_of

from assistant.store.items import FollowupStore

PEOPLE = '''
[promises]
check_back = "5 business days"

[[people]]
match = "boss@corp.example"
vip = true

[[people]]
match = "mentor@old.example"
keep_in_touch = "2 weeks"

[[people]]
match = "@friends.example"
keep_in_touch = "1 week"
'''


def items(box: Mailbox) -> dict[tuple[str, str], object]:
    store = box.store()
    try:
        return {(f.kind, f.message_id): f for f in FollowupStore(store).followups("work")}
    finally:
        store.close()


def by_kind(box: Mailbox, kind: str) -> list:
    return [f for (k, _), f in items(box).items() if k == kind]


def test_a_vip_thread_uses_the_short_cadence(dovecot_mailbox: Mailbox) -> None:
    scene = Scene(dovecot_mailbox, config_extra=PEOPLE)
    vip = scene.send("Board deck", "Can you approve the board deck?", to="Boss <boss@corp.example>",
                     message_id="<vip@example.com>")
    other = scene.send("Venue", "Can you confirm the venue?", message_id="<other@example.com>")
    scene.poll(MON + timedelta(days=1))  # Tuesday 10:00: one business day later
    assert items(dovecot_mailbox)[("awaiting_reply", vip)].state == "drafted"  # type: ignore[attr-defined]
    assert items(dovecot_mailbox)[("awaiting_reply", other)].state == "waiting"  # type: ignore[attr-defined]
    assert "VIP" in items(dovecot_mailbox)[("awaiting_reply", vip)].reason  # type: ignore[attr-defined]


def test_keep_in_touch_check_in_and_a_deleted_check_in_restarts_the_clock(dovecot_mailbox: Mailbox) -> None:
    scene = Scene(dovecot_mailbox, config_extra=PEOPLE)
    scene.receive("Coffee?", "Great to see you last month.", MON - timedelta(days=20), frm="Mentor <mentor@old.example>")
    scene.receive("Hi", "Hello from Ana.", MON - timedelta(days=3), frm="Ana <ana@friends.example>")
    result = scene.poll(MON)
    # the mentor: 20 days of silence > 2 weeks → a check-in; Ana wrote 3 days ago (< 1 week) → none yet
    drafted = [a for a in result.actions if a.kind == "drafted"]
    assert [a.detail for a in drafted] == ["check-in to mentor@old.example"]
    [draft] = scene.drafts()
    assert draft["Subject"] == "Checking in" and draft["In-Reply-To"] is None
    assert text_of(draft).startswith("Hi Mentor,\n\nIt's been a little while")
    # the user deletes it: no nagging; the clock starts again from then
    client = scene.imap()
    client.select_folder("Drafts")
    client.delete_messages(client.search(["ALL"]))
    client.expunge()
    client.logout()
    scene.poll(MON + timedelta(hours=1))
    scene.poll(MON + timedelta(hours=1, minutes=15))  # a second look: deleted → dismissed
    week = scene.poll(MON + timedelta(days=7))  # a week after deleting: the mentor is left alone
    assert all("mentor" not in a.detail for a in week.actions)
    assert "check-in to ana@friends.example" in [a.detail for a in week.actions]  # a week of silence: due
    again = scene.poll(MON + timedelta(days=15))
    assert "check-in to mentor@old.example" in [a.detail for a in again.actions]


def test_check_back_after_delivering_unless_they_already_replied(dovecot_mailbox: Mailbox) -> None:
    scene = Scene(dovecot_mailbox, config_extra=PEOPLE)
    deck = scene.send("Deck", "Thanks! I'll send you the revised deck by Wednesday.", message_id="<deck@example.com>")
    specs = scene.send("Specs", "I'll send you the specs by Wednesday.", message_id="<specs@example.com>",
                       to="Dan <dan@client.example>")
    scene.poll(MON + timedelta(hours=1))
    tue = MON + timedelta(days=1)
    scene.send("Re: Deck", "Here is the revised deck.", at=tue, in_reply_to=deck, references=deck,
               message_id="<deck2@example.com>")
    scene.send("Re: Specs", "Specs attached.", at=tue, in_reply_to=specs, references=specs,
               message_id="<specs2@example.com>", to="Dan <dan@client.example>")
    scene.receive("Re: Specs", "Got them, they work. Thanks!", tue + timedelta(hours=2), frm="Dan <dan@client.example>",
                  in_reply_to="<specs2@example.com>", references=f"{specs} <specs2@example.com>")
    scene.poll(tue + timedelta(hours=3))
    kinds = {(k, f.state) for (k, _), f in items(dovecot_mailbox).items()}  # type: ignore[attr-defined]
    assert ("my_promise", "kept") in kinds
    # five business days after delivering (Tue Nov 3 10:00 → Tue Nov 10 10:00)
    result = scene.poll(datetime(2026, 11, 10, 10, 0, tzinfo=NY))
    assert [a.detail for a in result.actions if a.kind == "drafted"] == ["check-back to alice@client.example"]
    backs = {f.message_id: f.state for f in by_kind(dovecot_mailbox, "check_back")}  # type: ignore[attr-defined]
    assert backs == {"<deck2@example.com>": "drafted", "<specs2@example.com>": "replied"}
    draft = [d for d in scene.drafts() if d["In-Reply-To"] == "<deck2@example.com>"][0]
    assert text_of(draft).startswith("Hi Alice,\n\nDid the revised deck work for you? Happy to adjust anything.")


def test_people_suggest_and_the_report_marks_vips_and_check_ins(dovecot_mailbox: Mailbox,
                                                                capsys: object) -> None:
    import json

    from assistant.cli import main

    scene = Scene(dovecot_mailbox, config_extra=PEOPLE)
    for n in range(3):
        scene.send(f"Plan {n}", "Can you review it?", to="Boss <boss@corp.example>", at=MON + timedelta(hours=n))
    scene.send("Lunch", "Lunch Friday?", to="Carol <carol@client.example>")
    scene.receive("Question", "Could you send the numbers?", MON - timedelta(days=1), frm="Carol <carol@client.example>",
                  message_id="<cq@client.example>")
    scene.send("Re: Question", "Here they are.", at=MON - timedelta(hours=20), to="Carol <carol@client.example>",
               in_reply_to="<cq@client.example>", references="<cq@client.example>")
    scene.receive("Urgent: budget", "Can you call me?", MON, frm="Boss <boss@corp.example>")
    scene.receive("Complaint", "This is unacceptable, I want a refund. Can you fix it?", MON,
                  frm="Pat <pat@customer.example>")
    scene.receive("Old friend", "Hi!", MON - timedelta(days=20), frm="Mentor <mentor@old.example>")
    config = str(dovecot_mailbox.write_config(extra=PEOPLE))
    assert main(["--config", config, "--now", (MON + timedelta(days=2)).isoformat(), "sync"]) == 0
    capsys.readouterr()  # type: ignore[attr-defined]
    assert main(["--config", config, "people", "--suggest", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert [(r["address"], r["sent"], r["vip"]) for r in rows[:2]] == [("boss@corp.example", 3, True),
                                                                       ("carol@client.example", 2, False)]
    assert rows[1]["median_reply_hours"] == 4.0  # Carol asked at 10:00 and got her answer at 14:00
    assert main(["--config", config, "--now", (MON + timedelta(days=2)).isoformat(), "poll"]) == 0
    capsys.readouterr()  # type: ignore[attr-defined]
    assert main(["--config", config, "--now", (MON + timedelta(days=2)).isoformat(), "report", "--format",
                 "json"]) == 0
    report = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert [i["subject"] for i in report["waiting_on_me"]][:2] == ["Urgent: budget", "Complaint"]  # VIP first
    assert report["waiting_on_me"][0]["note"].startswith("VIP")
    assert any(i["note"].startswith("VIP") for i in report["awaiting_reply"])
    assert [i["who"] for i in report["check_in"]] == [["mentor@old.example"]]


def test_no_check_in_to_someone_whose_question_waits_on_the_user(dovecot_mailbox: Mailbox,
                                                                capsys: object) -> None:
    import json

    from assistant.cli import main

    scene = Scene(dovecot_mailbox, config_extra=PEOPLE)
    asked = scene.receive("Reference letter", "Could you write me a reference letter?", MON - timedelta(days=27),
                          frm="Mentor <mentor@old.example>")
    result = scene.poll(MON)
    # 27 days of silence > 2 weeks, but the silence is the user's: answer them, no "it's been a while"
    assert [a for a in result.actions if a.kind == "drafted"] == [] and scene.drafts() == []
    [check_in] = by_kind(dovecot_mailbox, "check_in")
    assert check_in.reason.startswith("answer them: Mentor wrote on Tue Oct 6 and asks")
    config = str(dovecot_mailbox.write_config(extra=PEOPLE))
    assert main(["--config", config, "--now", MON.isoformat(), "report", "--format", "json"]) == 0
    [item] = json.loads(capsys.readouterr().out)["check_in"]  # type: ignore[attr-defined]
    assert item["note"] == "answer them" and "Could you write me a reference letter?" in item["why"]
    # once the user has answered, keeping in touch is a check-in again, two weeks on
    scene.send("Re: Reference letter", "Here it is.", to="Mentor <mentor@old.example>", at=MON + timedelta(hours=1),
               in_reply_to=asked, references=asked)
    result = scene.poll(MON + timedelta(days=15))
    assert [a.detail for a in result.actions if a.kind == "drafted"] == ["check-in to mentor@old.example"]

"""Per-person answers in group threads ([followup] group = "each") on Dovecot, with --now time travel, and
the schema step that stores who answered."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from conftest import Mailbox
from sqlalchemy import text
from test_cli_followups import run
from test_followups import MON, Scene, text_of

from assistant.store.repo import Store

EACH = '[followup]\ngroup = "each"\n'
ALICE, BOB = "Alice <alice@client.example>", "Bob <bob@client.example>"
THU = MON + timedelta(days=3)  # three business days on: the first follow-up is due


def test_each_drafts_only_to_the_one_who_has_not_answered(pg_mailbox: Mailbox,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(pg_mailbox, config_extra=EACH)
    config = str(pg_mailbox.write_config(extra=EACH))
    mid = scene.send("Venue", "Hi both,\n\nCan you each confirm you can make Thursday?\n\nMe", to=f"{ALICE}, {BOB}",
                     message_id="<venue@example.com>")
    # Alice answers all; Bob's out-of-office answers nobody
    scene.receive("Re: Venue", "Thursday works for me.", MON + timedelta(hours=2), frm=ALICE, cc=BOB,
                  in_reply_to=mid, references=mid)
    scene.receive("Automatic reply: Venue", "I am out of the office until Tuesday.", MON + timedelta(hours=3),
                  frm=BOB, extra={"Auto-Submitted": "auto-replied"}, in_reply_to=mid, references=mid)
    assert scene.poll(THU - timedelta(minutes=6)).actions == []
    assert scene.state(mid) == "waiting"
    code, out, err = run(capsys, "--config", config, "--now", THU.isoformat(), "poll")
    assert code == 0 and "drafted" in out, err
    [draft] = scene.drafts()
    assert (draft["To"], draft["Cc"]) == (BOB, ALICE)
    assert text_of(draft).startswith("Hi Bob,")
    assert scene.state(mid) == "drafted"

    code, out, _ = run(capsys, "--config", config, "--now", THU.isoformat(), "list", "--json")
    [item] = json.loads(out)
    assert (item["answered"], item["waiting"]) == (["alice@client.example"], ["bob@client.example"])
    assert item["to"] == ["alice@client.example", "bob@client.example"]  # every field as before
    for fmt in ("text", "html"):
        code, out, _ = run(capsys, "--config", config, "--now", THU.isoformat(), "report", "--format", fmt)
        assert "answered: Alice · waiting: Bob" in out, fmt
    code, out, _ = run(capsys, "--config", config, "--now", THU.isoformat(), "report", "--format", "json")
    [listed] = json.loads(out)["awaiting_reply"]
    assert (listed["answered"], listed["waiting"], listed["subject"]) == (["Alice"], ["Bob"], "Venue")

    # Bob answers: everyone has, the item closes and our untouched draft goes
    scene.receive("Re: Venue", "Back now: Thursday is fine.", THU + timedelta(hours=2), frm=BOB, cc=ALICE,
                  in_reply_to=mid, references=mid)
    result = scene.poll(THU + timedelta(hours=3))
    assert [a.kind for a in result.actions] == ["removed"]
    assert scene.state(mid) == "replied" and scene.drafts() == []
    code, out, _ = run(capsys, "--config", config, "--now", (THU + timedelta(hours=3)).isoformat(), "list", "--all",
                       "--json")
    [item] = json.loads(out)
    assert (item["answered"], item["waiting"]) == (["alice@client.example", "bob@client.example"], [])


def test_any_closes_on_the_first_answer_and_each_via_people(dovecot_mailbox: Mailbox) -> None:
    people = '[[people]]\nmatch = "bob@client.example"\ngroup = "each"\n'
    scene = Scene(dovecot_mailbox, config_extra=people)
    anyone = scene.send("Lunch", "Can one of you book a table?", to=f"{ALICE}, Carol <carol@client.example>",
                        message_id="<lunch@example.com>")
    scene.receive("Re: Lunch", "Booked.", MON + timedelta(hours=1), frm=ALICE, references=anyone)
    bobs = scene.send("Budget", "Can you both sign off the budget?", to=f"{ALICE}, {BOB}",
                      message_id="<budget@example.com>")
    scene.receive("Re: Budget", "Signed.", MON + timedelta(hours=2), frm=ALICE, references=bobs)
    scene.poll(THU)
    assert scene.state(anyone) == "replied"
    assert scene.state(bobs) == "drafted"  # Bob's own answer is needed
    [draft] = scene.drafts()
    assert (draft["Subject"], draft["To"], draft["Cc"]) == ("Re: Budget", BOB, ALICE)


def test_upgrade_adds_who_answered_to_existing_items(db_url: str) -> None:
    store = Store.open(db_url)
    with store.engine.begin() as conn:  # the database as it was before 0013
        conn.execute(text("INSERT INTO followups (account, kind, message_id, subject, to_json, state, step, reason, "
                          "created_at, updated_at) VALUES ('work', 'awaiting_reply', '<old@x>', 'Old', '[]', "
                          "'waiting', 1, '', '2026-11-01 10:00:00', '2026-11-01 10:00:00')"))
        conn.execute(text("ALTER TABLE followups DROP COLUMN answered_json"))
        conn.execute(text("ALTER TABLE followups DROP COLUMN waiting_json"))
        conn.execute(text("DELETE FROM schema_migrations WHERE name = '0013_group_each'"))
    store.close()
    upgraded = Store.open(db_url)
    with upgraded.engine.connect() as conn:
        row = conn.execute(text("SELECT answered_json, waiting_json FROM followups")).one()
        names = set(conn.execute(text("SELECT name FROM schema_migrations")).scalars())
    assert tuple(row) == ("[]", "[]") and "0013_group_each" in names
    upgraded.close()

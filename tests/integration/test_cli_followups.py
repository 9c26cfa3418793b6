"""The follow-up commands as a user runs them: poll, list, dismiss, snooze, track, explain."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from conftest import Mailbox
from test_followups import MON, NY, Scene

from assistant.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "automated"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_poll_list_snooze_dismiss_track(dovecot_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    mid = scene.send("Contract", "Could you send the signed contract?", message_id="<c@example.com>")
    fyi = scene.send("Notes", "Notes from today attached.", message_id="<n@example.com>")
    config = str(dovecot_mailbox.write_config())
    code, out, err = run(capsys, "--config", config, "--now", "2026-11-02T12:00-05:00", "poll")
    assert code == 0, err
    assert out == "work: nothing to do (1 awaiting a reply, next due Thu Nov 5 10:00)\n"
    code, out, _ = run(capsys, "--config", config, "--now", "2026-11-05T10:00-05:00", "poll", "--dry-run")
    assert out.startswith("work: would-draft") and "'Contract': follow-up 1 to alice@client.example" in out
    assert " #1 'Contract'" in out  # the item's real id (saved by the first poll)
    code, out, _ = run(capsys, "--config", config, "--now", "2026-11-05T10:00-05:00", "poll")
    assert out.startswith("work: drafted") and scene.drafts()[0]["In-Reply-To"] == mid
    code, out, _ = run(capsys, "--config", config, "list", "--json")
    [item] = json.loads(out)
    assert {k: item[k] for k in ("kind", "state", "message_id", "subject", "to", "sent_at", "due_at")} == {
        "kind": "awaiting_reply", "state": "drafted", "message_id": mid, "subject": "Contract",
        "to": ["alice@client.example"], "sent_at": "2026-11-02T10:00:00-05:00", "due_at": "2026-11-05T10:00:00-05:00"}
    assert item["draft_message_id"].endswith("@example.com>") and "Could you send" in item["reason"]
    ident = str(item["id"])
    code, out, _ = run(capsys, "--config", config, "--now", "2026-11-05T10:00-05:00", "snooze", ident,
                       "--until", "2026-11-20")
    assert code == 0 and out == f"#{ident} snoozed until Fri Nov 20 2026 09:00: Contract\n"  # working hours
    code, out, _ = run(capsys, "--config", config, "dismiss", f"#{ident}")  # "#12" and "12" are one id
    assert code == 0 and out == f"#{ident} dismissed: Contract\n"
    code, out, _ = run(capsys, "--config", config, "list")
    assert out == "nothing tracked (--all shows closed items)\n"
    code, out, _ = run(capsys, "--config", config, "list", "--all", "--json")
    assert [i["state"] for i in json.loads(out)] == ["dismissed"]
    code, out, _ = run(capsys, "--config", config, "track", fyi)
    assert code == 0 and out.endswith(": Notes\n")
    code, _, _ = run(capsys, "--config", config, "--now", "2026-11-05T11:00-05:00", "poll")
    states = {i["message_id"]: i["state"] for i in json.loads(run(capsys, "--config", config, "list", "--all",
                                                                       "--json")[1])}
    assert states == {mid: "dismissed", fyi: "drafted"}
    code, _, err = run(capsys, "--config", config, "dismiss", "999")
    assert code == 1 and err.startswith("error: no tracked item #999")
    code, _, err = run(capsys, "--config", config, "track", "<nope@x>")
    assert code == 1 and "no synced message has the Message-ID <nope@x>" in err


def test_explain_files_without_any_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("FOLLOWUP_CONFIG", raising=False)
    files = [str(DATA / "exchange-ooo.eml"), str(DATA / "postfix-bounce.eml"), str(DATA / "human-reply.eml")]
    code, out, err = run(capsys, "explain", "--json", *files)
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["kind"] for r in rows] == ["auto_reply", "bounce", "human"]
    assert rows[0]["return_date"] and rows[0]["source"] == files[0]
    for key in ("reason", "from_user", "new_text", "quoted_text", "signature", "expects_reply",
                "expects_reply_reason"):
        assert key in rows[2]
    assert rows[2]["from_user"] is False
    assert [r["language"] for r in rows][2] == "en"  # the language a draft in reply would be written in
    code, out, _ = run(capsys, "explain", "--as-sent", "--json", files[2])
    assert json.loads(out)["from_user"] is True
    promise = tmp_path / "promise.eml"
    promise.write_bytes(b"From: Alice <alice@client.example>\r\nTo: me@example.com\r\nSubject: Re: Deck\r\n"
                        b"Date: Mon, 02 Nov 2026 10:00:00 -0500\r\nMessage-ID: <p@x>\r\n\r\n"
                        b"I'll send you the revised deck by Friday.\r\n\r\nOn Sun, Nov 1, 2026 Bob wrote:\r\n"
                        b"> I will call you tomorrow.\r\n")
    code, out, _ = run(capsys, "explain", "--json", str(promise))
    assert json.loads(out)["quote_rule"] == "attribution line: 'On Sun, Nov 1, 2026 Bob wrote:'"
    assert json.loads(out)["promises"] == [{"text": "I'll send you the revised deck by Friday.",
                                            "what": "the revised deck", "by": "sender",
                                            "due_at": "2026-11-06T23:00:00+00:00"}]
    code, out, _ = run(capsys, "explain", files[1])
    assert out.startswith(f"{files[1]}:\n  kind: bounce (")


def test_explain_text_shows_the_promises_it_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("FOLLOWUP_CONFIG", raising=False)
    promise = tmp_path / "promise.eml"
    promise.write_bytes(b"From: Alice <alice@client.example>\r\nTo: me@example.com\r\nSubject: Re: Deck\r\n"
                        b"Date: Mon, 02 Nov 2026 10:00:00 -0500\r\nMessage-ID: <p@x>\r\n\r\n"
                        b"I'll send you the revised deck by Friday.\r\n")
    code, out, err = run(capsys, "explain", str(promise))
    assert code == 0, err
    assert out.endswith("  promises: 1\n    \"I'll send you the revised deck by Friday.\"\n"
                        "      what: the revised deck · by: sender · due: Fri Nov 6 2026 23:00 +00:00\n")
    code, out, _ = run(capsys, "explain", str(DATA / "postfix-bounce.eml"))
    assert out.endswith("\n  promises: none found\n")


def test_two_polls_of_one_account_never_run_at_once(dovecot_mailbox: Mailbox,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.store.locks import account_lock

    scene = Scene(dovecot_mailbox)
    scene.send("Contract", "Could you send the signed contract?")
    config = str(dovecot_mailbox.write_config())
    store = dovecot_mailbox.store()
    with account_lock(store, "work"):  # as if another poll were running
        code, out, err = run(capsys, "--config", config, "--now", "2026-11-05T10:00", "poll")
    store.close()
    assert code == 1 and out == ""
    assert err.startswith("error: [accounts.work]: another followup process is working on this account right now")
    code, out, _ = run(capsys, "--config", config, "--now", "2026-11-05T10:00", "poll")  # naive: New York time
    assert code == 0 and out.startswith("work: drafted")
    assert len(scene.drafts()) == 1


def test_track_refuses_mail_the_user_did_not_send(dovecot_mailbox: Mailbox,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    received = scene.receive("Hello", "Hi there", MON)
    config = str(dovecot_mailbox.write_config())
    run(capsys, "--config", config, "sync")
    code, _, err = run(capsys, "--config", config, "track", received)
    assert code == 1 and err.startswith(f"error: {received} is not a message you sent (from alice@client.example)")


def test_explain_of_stored_mail_names_the_rules_sync_used(dovecot_mailbox: Mailbox,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    received = scene.receive("Re: Budget", "Friday works.\n\nBest,\nAlice\n\nAlice Wong\nHead of Finance\n"
                             "Client Corp.\n+1 555 0100\n\nOn Mon, Nov 2, 2026 at 9:00 AM Me <me@example.com> wrote:\n"
                             "> Does Friday work?\n", MON)
    config = str(dovecot_mailbox.write_config())
    run(capsys, "--config", config, "sync")
    code, out, err = run(capsys, "--config", config, "explain", "--json", received)
    assert code == 0, err
    row = json.loads(out)
    assert row["new_text"] == "Friday works.\n\nBest,\nAlice"
    assert row["quote_rule"].startswith("attribution line: 'On Mon, Nov 2, 2026")
    assert row["signature_rule"] == "the lines under the sign-off"


def test_snooze_takes_the_untouched_draft_out_until_it_ends(dovecot_mailbox: Mailbox,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    scene.send("Contract", "Could you send the signed contract?", message_id="<c@example.com>")
    config = str(dovecot_mailbox.write_config())
    code, out, _ = run(capsys, "--config", config, "--now", "2026-11-05T10:00-05:00", "poll")
    assert out.startswith("work: drafted") and len(scene.drafts()) == 1
    [item] = json.loads(run(capsys, "--config", config, "list", "--json")[1])
    code, out, err = run(capsys, "--config", config, "--now", "2026-11-05T11:00-05:00", "snooze", str(item["id"]),
                         "--until", "2026-11-12T09:00-05:00")
    assert code == 0, err
    code, out, _ = run(capsys, "--config", config, "--now", "2026-11-05T11:00-05:00", "poll")
    assert "removed" in out and scene.drafts() == []
    [item] = json.loads(run(capsys, "--config", config, "list", "--json")[1])
    assert item["state"] == "snoozed" and item["draft_message_id"] is None
    code, out, _ = run(capsys, "--config", config, "--now", "2026-11-12T10:00-05:00", "poll")
    assert out.startswith("work: drafted")
    [draft] = scene.drafts()
    assert draft["In-Reply-To"] == "<c@example.com>"
    code, out, _ = run(capsys, "--config", config, "--now", "2026-11-12T10:05-05:00", "poll")
    assert len(scene.drafts()) == 1  # made once


def test_snooze_in_plain_words_shows_the_real_moment_and_resume_undoes_it(
        dovecot_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    scene.send("Contract", "Could you send the signed contract?", message_id="<c@example.com>")
    config = str(dovecot_mailbox.write_config())
    now = ["--config", config, "--now", "2026-11-05T16:30-05:00"]  # a Thursday afternoon in New York
    run(capsys, *now, "poll")
    [item] = json.loads(run(capsys, "--config", config, "list", "--json")[1])
    ident = str(item["id"])
    code, out, _ = run(capsys, *now, "snooze", ident, "--until", "monday 9am")
    assert code == 0 and out == f"#{ident} snoozed until Mon Nov 9 2026 09:00: Contract\n"
    code, out, _ = run(capsys, *now, "snooze", ident, "--until", "in 2 days")  # Saturday: the next working day
    assert out == f"#{ident} snoozed until Mon Nov 9 2026 09:00: Contract\n"
    code, out, _ = run(capsys, *now, "snooze", ident, "--until", "3 business days")
    assert out == f"#{ident} snoozed until Tue Nov 10 2026 16:30: Contract\n"
    code, out, _ = run(capsys, "--config", config, "list")
    assert out.splitlines()[1].split()[:2] == [ident, "snoozed"] and "Tue Nov 10 2026 16:30" in out
    code, _, err = run(capsys, *now, "snooze", ident, "--until", "2026-11-01")
    assert code == 2 and "in the past" in err
    code, _, err = run(capsys, *now, "snooze", ident, "--until", "someday")
    assert code == 2 and "not a date: 'someday'" in err
    code, out, _ = run(capsys, *now, "resume", ident)
    assert code == 0 and out.startswith(f"#{ident} resumed: Contract")
    run(capsys, *now, "poll")
    [item] = json.loads(run(capsys, "--config", config, "list", "--json")[1])
    assert item["state"] in ("waiting", "drafted")
    code, _, err = run(capsys, *now, "resume", ident)
    assert code == 1 and "neither dismissed nor snoozed" in err
    run(capsys, *now, "dismiss", ident)
    code, out, _ = run(capsys, *now, "resume", ident)
    assert code == 0
    run(capsys, *now, "poll")
    assert json.loads(run(capsys, "--config", config, "list", "--json")[1])[0]["state"] in ("waiting", "drafted")


def test_ids_accounts_and_a_missing_config_say_what_is_wrong(
        dovecot_mailbox: Mailbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = str(dovecot_mailbox.write_config())
    code, _, err = run(capsys, "--config", config, "dismiss", "abc")
    assert code == 2 and "not an item id: 'abc'" in err
    code, _, err = run(capsys, "--config", config, "list", "--account", "typo")
    assert code == 2 and "no account named 'typo'" in err
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("FOLLOWUP_CONFIG", raising=False)
    for command in (["list"], ["dismiss", "3"], ["snooze", "3", "--until", "monday"], ["resume", "3"]):
        code, _, err = run(capsys, *command)
        assert code == 2 and "no config file" in err and "followup init" in err, command
    assert not (tmp_path / "data").exists()  # no database made as a side effect


def test_voice_shows_what_was_learned_and_what_the_config_sets(dovecot_mailbox: Mailbox,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    frank = "Frank Moss <frank@kunde.example>"
    for n, day in enumerate((1, 2)):
        scene.send(f"Termin {n}", f"Hallo Frank,\n\nwie besprochen schicke ich dir die Unterlagen Nummer {n}.\n\n"
                   "Viele Grüße\nDana", to=frank, at=datetime(2026, 11, day, 10, tzinfo=NY))
    scene.send("Budget", "Hi Alice,\n\nhere are the budget numbers you asked for.\n\nBest,\nDana",
               at=datetime(2026, 11, 3, 10, tzinfo=NY))
    config = str(dovecot_mailbox.write_config(extra='[voice.de]\nsignoff = "Liebe Grüße\\nDana"\n'))
    code, out, err = run(capsys, "--config", config, "--now", "2026-11-04T12:00-05:00", "poll")
    assert code == 0, err
    code, out, err = run(capsys, "--config", config, "voice", "--json")
    assert code == 0, err
    voice = json.loads(out)
    assert voice["messages"] == 3 and list(voice["languages"]) == ["de", "en"]
    assert voice["languages"]["de"]["greetings"] == [{"text": "Hallo {name},", "count": 2}]
    assert voice["languages"]["de"]["signoffs"] == [{"text": "Viele Grüße\nDana", "count": 2}]
    assert {"language": "de", "address": "frank@kunde.example", "greeting": "Hallo Frank,",
            "signoff": "Viele Grüße\nDana", "signature": ""} in voice["people"]
    assert voice["overrides"] == {"de": {"greeting": "", "signoff": "Liebe Grüße\nDana", "signature": ""}}
    code, out, _ = run(capsys, "--config", config, "voice")
    assert "  de (2 messages)\n    greetings: 'Hallo {name},' ×2\n    sign-offs: 'Viele Grüße / Dana' ×2" in out
    assert "[voice.de] sets: signoff 'Liebe Grüße / Dana'" in out

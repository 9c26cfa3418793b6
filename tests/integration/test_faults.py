"""Faults on a real server: connections cut at chosen points, and a process killed between its commits.

Each test states what must hold afterwards: one clear error, no duplicate draft, no lost item, the same
final state as an uninterrupted run.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import Mailbox
from faults import CuttingProxy
from sqlalchemy import text
from test_cli_followups import run
from test_followups import MON, Scene

from assistant.store.followups import FollowupStore

DUE = MON + timedelta(days=3, minutes=1)  # Thursday: the follow-ups of Monday's questions are due


def through(proxy: CuttingProxy, box: Mailbox) -> str:
    """A config that reaches the server through the proxy."""
    path = box.write_config()
    path.write_text(path.read_text().replace(f"port = {box.server.port}", f"port = {proxy.port}"))
    return str(path)


def test_a_connection_lost_mid_poll_stops_the_cycle_says_so_once_and_exits_1(
        dovecot_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    scene.send("Budget", "Could you send the Q4 budget numbers?")
    scene.send("Contract", "Can you sign the contract by Friday?")
    proxy = CuttingProxy(dovecot_mailbox.server.port, cut_when=lambda seen: b" APPEND " in seen)
    try:
        code, out, err = run(capsys, "--config", through(proxy, dovecot_mailbox), "--now", DUE.isoformat(), "poll")
    finally:
        proxy.close()
    assert proxy.cuts == 1
    assert code == 1 and "failed" not in out
    assert [line for line in err.splitlines() if line.startswith("error:")] == [err.splitlines()[0]]
    assert "the connection to the server was lost during APPEND" in err
    code, out, err = run(capsys, "--config", str(dovecot_mailbox.write_config()), "--now", DUE.isoformat(), "poll")
    assert code == 0, err
    assert sorted(d["Subject"] for d in scene.drafts()) == ["Re: Budget", "Re: Contract"]  # each exactly once


def test_mail_saved_but_never_threaded_is_threaded_by_the_next_sync(
        dovecot_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    sent = scene.send("Budget", "Could you send the Q4 budget numbers?")
    scene.receive("Re: Budget", "Here they are.", MON + timedelta(hours=2), in_reply_to=sent, references=sent)
    config = str(dovecot_mailbox.write_config())
    run(capsys, "--config", config, "sync")
    store = dovecot_mailbox.store()
    with store.engine.begin() as conn:  # as if killed after the batch was saved, before threading
        conn.execute(text("UPDATE messages SET thread_key = NULL"))
    store.close()
    code, _, err = run(capsys, "--config", config, "sync")  # nothing new on the server
    assert code == 0, err
    store = dovecot_mailbox.store()
    try:
        mail = FollowupStore(store).mail("work")
        assert len(mail) == 2 and len({m.thread_key for m in mail}) == 1 and mail[0].thread_key
    finally:
        store.close()


def test_a_draft_the_store_saw_deleted_never_comes_back_after_a_crash(
        dovecot_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    scene.send("Budget", "Could you send the Q4 budget numbers?")
    config = str(dovecot_mailbox.write_config())
    code, out, err = run(capsys, "--config", config, "--now", DUE.isoformat(), "poll")
    assert code == 0 and "drafted" in out, err
    client = scene.imap()  # the user deletes the draft
    client.select_folder("Drafts")
    client.delete_messages(client.search(["ALL"]))
    client.expunge()
    client.logout()
    store = dovecot_mailbox.store()
    with store.engine.begin() as conn:  # as if killed after the draft was saved deleted, before the dismissal
        conn.execute(text("UPDATE drafts SET state = 'deleted'"))
        conn.execute(text("UPDATE followups SET state = 'drafted', manual = NULL"))
    store.close()
    code, out, err = run(capsys, "--config", config, "--now", (DUE + timedelta(hours=1)).isoformat(), "poll")
    assert code == 0, err
    assert scene.drafts() == []
    store = dovecot_mailbox.store()
    try:
        [item] = FollowupStore(store).followups("work")
        assert item.state == "dismissed"
    finally:
        store.close()


# --- a plainer server: a 1,024-octet line limit, no UIDPLUS, no IDLE, no CONDSTORE -----------------------

def test_thousands_of_messages_sync_under_a_small_command_line_limit(
        plain_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    from servers import make_message
    for n in range(1, 1201):  # UIDs 1…1200: a comma list of one batch would pass 1,024 octets
        at = MON - timedelta(minutes=n)
        plain_mailbox.deliver("Sent", make_message(from_=f"Me <{plain_mailbox.user}>", to="kim@example.org",
                                                   subject=f"Note {n}", body="Hello.", date=at,
                                                   message_id=f"<note{n}@example.com>"), when=at)
    config = str(plain_mailbox.write_config(extra='[sync]\nfirst_sync_days = 0\nbatch_size = 500\n'))
    code, out, err = run(capsys, "--config", config, "--now", MON.isoformat(), "sync", "--json")
    assert code == 0, err
    sent = next(f for f in __import__("json").loads(out)[0]["folders"] if f["role"] == "sent")
    assert sent["new"] == 1200 and sent["error"] is None
    code, out, err = run(capsys, "--config", config, "--now", MON.isoformat(), "sync", "--json")
    assert code == 0, err  # the flag window of a server without CONDSTORE: FETCH of 200 UIDs, as a range


def test_without_uidplus_a_draft_to_remove_is_reported_once_with_the_hint(
        plain_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(plain_mailbox)
    sent = scene.send("Budget", "Could you send the Q4 budget numbers?")
    config = str(plain_mailbox.write_config())
    code, out, err = run(capsys, "--config", config, "--now", DUE.isoformat(), "poll")
    assert code == 0 and "drafted" in out, err
    scene.receive("Re: Budget", "Here they are.", DUE + timedelta(hours=1), in_reply_to=sent, references=sent)
    outputs = []
    for hours in (2, 3, 4):
        code, out, err = run(capsys, "--config", config, "--now", (DUE + timedelta(hours=hours)).isoformat(), "poll")
        assert code == 0 and "error" not in err, err
        outputs.append(out)
    assert "delete the draft by hand" in outputs[0]
    assert all("by hand" not in o and "failed" not in o for o in outputs[1:])
    assert len(scene.drafts()) == 1  # the user's to delete; nothing else was touched

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

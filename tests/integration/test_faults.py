"""Faults on a real server: connections cut at chosen points, and a process killed between its commits.

Each test states what must hold afterwards: one clear error, no duplicate draft, no lost item, the same
final state as an uninterrupted run.
"""

from __future__ import annotations

import signal
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import PG_URL, Mailbox, _reset_postgres, unavailable
from conftest import _mailbox as new_mailbox
from faults import CuttingProxy
from kill_after_commit import run_killed
from servers import Server
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


def request_pg() -> str:
    if not PG_URL:
        unavailable("PostgreSQL: set FOLLOWUP_TEST_POSTGRES_URL=postgresql+psycopg://…")
    assert PG_URL
    _reset_postgres(PG_URL)
    return PG_URL


# --- the crash-point sweep: kill `poll` right after each of its database commits ------------------------



def _poll(config: str, at: datetime, kill_after: int = 0) -> int:
    return run_killed(["--config", config, "--now", at.isoformat(), "-q", "poll"], kill_after)


class Week:
    """Three questions; drafts fall due; Alice replies, the user sends one draft and deletes another."""

    def __init__(self, box: Mailbox) -> None:
        self.box, self.scene = box, Scene(box)
        self.config = str(box.write_config())
        self.mids = [self.scene.send(s, f"Could you send the {s.lower()} numbers?") for s in ("Budget", "Costs", "Sales")]

    def before_second_poll(self) -> None:
        budget, costs, _ = self.mids
        self.scene.receive("Re: Budget", "Here they are.", DUE + timedelta(minutes=30), in_reply_to=budget,
                           references=budget)
        client = self.scene.imap()
        client.select_folder("Drafts")
        for uid, data in client.fetch(client.search(["ALL"]), ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"]).items():
            subject = bytes(next(iter(v for k, v in data.items() if k.startswith(b"BODY")))).decode()
            if "Costs" in subject or "Sales" in subject:
                client.delete_messages([uid])  # Costs: sent (below); Sales: deleted by the user
        client.expunge()
        client.logout()
        self.scene.send("Re: Costs", "Just following up.", at=DUE + timedelta(minutes=40), in_reply_to=costs,
                        references=costs, message_id="<sent-costs@example.com>")

    def outcome(self) -> tuple[list[tuple[str, str]], list[str]]:
        store = self.box.store()
        try:
            items = sorted((i.subject, i.state) for i in FollowupStore(store).followups("work"))
        finally:
            store.close()
        return items, sorted(str(d["Subject"]) for d in self.scene.drafts())


SECOND = DUE + timedelta(hours=1)
CLEAN = (SECOND, SECOND + timedelta(minutes=11), SECOND + timedelta(minutes=22))  # a vanished draft's second look


def _run(box: Mailbox, kill_first: int = 0, kill_second: int = 0) -> tuple[int, int, object]:
    week = Week(box)
    first = _poll(week.config, DUE, kill_first)
    if first != 0:
        assert first == -signal.SIGKILL
        assert _poll(week.config, DUE) == 0
    week.before_second_poll()
    second = _poll(week.config, SECOND, kill_second)
    assert second in (0, -signal.SIGKILL)
    for at in CLEAN:
        assert _poll(week.config, at) == 0
    return first, second, week.outcome()


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_a_poll_killed_after_any_commit_ends_as_an_uninterrupted_one(
        dovecot_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: str) -> None:
    def box(name: str) -> Mailbox:
        (tmp_path / name).mkdir()
        db = f"sqlite:///{tmp_path / name / 'followup.db'}"
        if store == "postgres":
            db = request_pg()
        return new_mailbox(dovecot_server, tmp_path / name, monkeypatch, db)

    _, _, expected = _run(box("reference"))
    items, drafts = expected  # type: ignore[misc]
    assert items == [("Budget", "replied"), ("Costs", "waiting"), ("Sales", "dismissed")] and drafts == []
    stride = 1 if store == "sqlite" else 3  # PostgreSQL: every third crash point, to keep CI short
    swept = 0
    for phase in ("first", "second"):
        k = 1
        while True:
            first, second, outcome = _run(box(f"{phase}-{k}"), **{f"kill_{phase}": k})
            killed = (first if phase == "first" else second) == -signal.SIGKILL
            assert outcome == expected, f"killed after commit {k} of the {phase} poll"
            if not killed:
                break
            swept += 1
            k += stride
    print(f"crash-point sweep on {store}: {swept} kills, every one ending as the uninterrupted run")
    assert swept >= 6  # the sweep really killed polls at many points

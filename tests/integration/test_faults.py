"""Faults on a real server: connections cut at chosen points, and a process killed between its commits.

Each test states what must hold afterwards: one clear error, no duplicate draft, no lost item, the same
final state as an uninterrupted run.
"""

from __future__ import annotations

import signal
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import PG_URL, Mailbox, _reset_postgres, unavailable
from conftest import _mailbox as new_mailbox
from faults import CuttingProxy, random_plans
from kill_after_commit import run_killed
from servers import Server
from sqlalchemy import text
from test_cli_followups import run
from test_followups import MON, Scene

from assistant.store.items import FollowupStore

DUE = MON + timedelta(days=3, minutes=1)  # Thursday: the follow-ups of Monday's questions are due


def through(proxy: CuttingProxy, box: Mailbox) -> str:
    """A config that reaches the server through the proxy."""
    path = box.tmp / "config-through-proxy.toml"
    path.write_text(box.config_text().replace(f"port = {box.server.port}", f"port = {proxy.port}"))
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


# --- random cuts: polls and the daemon through a proxy that cuts connections at random points -----------

def _soak_poll(config: str, clean: str, at: datetime, attempts: int = 4) -> None:
    """Poll through the cutting proxy a few times (each try may be cut anywhere), then once cleanly, so the
    story goes on as written whatever the cuts left half done."""
    for _ in range(attempts):
        if _poll(config, at) == 0:
            break
    assert _poll(clean, at) == 0


CUTS: list[int] = []  # cuts per seeded soak, summed up by the last one
@pytest.mark.parametrize("seed", range(6))
def test_polls_cut_at_random_points_end_as_an_uninterrupted_run(dovecot_server: Server, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    box = new_mailbox(dovecot_server, tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'followup.db'}")
    week = Week(box)
    proxy = CuttingProxy(dovecot_server.port, plan=random_plans(seed, rate=0.8))
    cut = through(proxy, box)
    try:
        _soak_poll(cut, week.config, DUE)
        week.before_second_poll()
        for at in (SECOND, *CLEAN[:2]):
            _soak_poll(cut, week.config, at)
    finally:
        proxy.close()
    for at in CLEAN:  # clean polls, after the soak's, settle whatever the cuts left for later
        assert _poll(week.config, at + timedelta(minutes=40)) == 0
    items, drafts = week.outcome()
    assert items == [("Budget", "replied"), ("Costs", "waiting"), ("Sales", "dismissed")], f"seed {seed}"
    assert drafts == [], f"seed {seed}"
    CUTS.append(proxy.cuts)
    print(f"seed {seed}: {proxy.cuts} cuts in {proxy.connections} connections")
    if len(CUTS) == 6:
        assert sum(CUTS) >= 8  # the soak really cut connections


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_the_daemon_through_random_cuts_never_duplicates_or_loses(
        dovecot_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: str) -> None:
    from test_daemon import daemon, wait_for

    db = request_pg() if store == "postgres" else f"sqlite:///{tmp_path / 'followup.db'}"
    box = new_mailbox(dovecot_server, tmp_path, monkeypatch, db)
    week = Week(box)
    proxy = CuttingProxy(dovecot_server.port, plan=random_plans(7, rate=0.5))
    path = Path(through(proxy, box))
    path.write_text(path.read_text() + '\n[daemon]\npoll_interval = "10 seconds"\nmax_backoff = "1 second"\n')
    try:
        with daemon(box, path, DUE.isoformat()) as d:
            wait_for(lambda: len(week.scene.drafts()) == 3, 60, "three drafts, through the cuts")
            week.before_second_poll()
            time.sleep(12)  # a poll or two more, through the cuts
            code, _ = d.terminate()
            assert code == 0, d.text()[-2000:]
    finally:
        proxy.close()
    for at in CLEAN:  # hours after the daemon's clock, which ran from DUE
        assert _poll(week.config, at + timedelta(hours=2)) == 0
    assert week.outcome() == ([("Budget", "replied"), ("Costs", "waiting"), ("Sales", "dismissed")], [])
    assert proxy.cuts >= 1


# --- logging in ---------------------------------------------------------------------------------------------

def test_a_cut_during_login_is_no_wrong_password(dovecot_mailbox: Mailbox) -> None:
    from assistant.errors import AuthError, MailboxError
    from assistant.mailbox.client import MailboxClient

    proxy = CuttingProxy(dovecot_mailbox.server.port, cut_when=lambda seen: b" LOGIN " in seen)
    try:
        config = dovecot_mailbox.config()
        account = config.accounts[0]
        account = type(account)(**{**account.__dict__, "port": proxy.port})
        with pytest.raises(MailboxError) as raised:
            MailboxClient.connect(account, dovecot_mailbox.password)
    finally:
        proxy.close()
    assert not isinstance(raised.value, AuthError)
    assert "the connection was lost during login" in str(raised.value)


def test_a_password_with_non_ascii_characters_logs_in(dovecot_server: Server, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.mailbox.client import MailboxClient

    box = new_mailbox(dovecot_server, tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'f.db'}")
    user, password = f"intl-{box.user}", "pässwörd-Ωmega"
    dovecot_server.add_user(user, password)
    account = box.config().accounts[0]
    account = type(account)(**{**account.__dict__, "username": user})
    client = MailboxClient.connect(account, password)
    try:
        assert client.find_folders().drafts == "Drafts"
    finally:
        client.logout()


def test_track_after_deleting_a_draft_is_honoured(dovecot_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    mid = scene.send("Budget", "Could you send the Q4 budget numbers?")
    config = str(dovecot_mailbox.write_config())
    assert run(capsys, "--config", config, "--now", DUE.isoformat(), "poll")[0] == 0
    client = scene.imap()  # the user deletes the draft: after the second look, the thread is dismissed
    client.select_folder("Drafts")
    client.delete_messages(client.search(["ALL"]))
    client.expunge()
    client.logout()
    for minutes in (10, 25):
        assert run(capsys, "--config", config, "--now", (DUE + timedelta(minutes=minutes)).isoformat(), "poll")[0] == 0
    assert run(capsys, "--config", config, "track", mid)[0] == 0  # …and then changes their mind
    code, out, err = run(capsys, "--config", config, "--now", (DUE + timedelta(hours=1)).isoformat(), "poll")
    assert code == 0, err
    store = dovecot_mailbox.store()
    try:
        [item] = FollowupStore(store).followups("work")
        assert item.state != "dismissed"
    finally:
        store.close()

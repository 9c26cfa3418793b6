"""`followup run` as users leave it running: a real process, real Dovecot, real signals.

Waiting here is for a condition (a log line, a draft gone) with a deadline, never a sleep for a schedule;
latencies are printed as figures.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import Mailbox, _mailbox
from servers import Dovecot, Server, make_message
from test_followups import MON, NY, Scene

DAEMON = '[daemon]\npoll_interval = "5 minutes"\nmax_backoff = "2 seconds"\n'


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


class Daemon:
    def __init__(self, box: Mailbox, config: Path, now: str, env: dict[str, str] | None = None) -> None:
        self.log = box.tmp / f"run-{time.monotonic_ns()}.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "--config", str(config), "--now", now, "run"],
            stdout=subprocess.DEVNULL, stderr=open(self.log, "w"), env={**os.environ, **(env or {})})

    def text(self) -> str:
        return self.log.read_text()

    def says(self, fragment: str, count: int = 1) -> Callable[[], bool]:
        return lambda: self.text().count(fragment) >= count

    def terminate(self) -> tuple[int, float]:
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=15)
        return code, time.monotonic() - start


@contextmanager
def daemon(box: Mailbox, config: Path, now: str, env: dict[str, str] | None = None) -> Iterator[Daemon]:
    d = Daemon(box, config, now, env)
    try:
        yield d
    finally:
        if d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait()


def test_a_reply_clears_its_draft_within_seconds_and_sigterm_exits_cleanly(dovecot_mailbox: Mailbox) -> None:
    scene = Scene(dovecot_mailbox)
    mid = scene.send("Contract", "Could you send the signed contract?")
    config = dovecot_mailbox.write_config(extra=DAEMON)
    scene.poll(MON + timedelta(days=3))
    assert len(scene.drafts()) == 1
    with daemon(dovecot_mailbox, config, (MON + timedelta(days=3, hours=1)).isoformat()) as d:
        wait_for(d.says("connected; polling every 5 minutes"), 20, "the daemon's first poll")
        wait_for(d.says("IDLE", 0), 1, "")  # nothing to wait for; IDLE starts right after the poll
        time.sleep(0.5)  # let the IDLE command reach the server before the reply lands
        client = scene.imap()
        client.append("INBOX", make_message(from_="Alice Wong <alice@client.example>", to=scene.me,
                                            subject="Re: Contract", body="Signed, attached.",
                                            date=MON + timedelta(days=3, hours=1), message_id="<signed@client>",
                                            in_reply_to=mid, references=mid))
        client.logout()
        took = wait_for(lambda: scene.drafts() == [], 10, "the untouched draft removed after the reply")
        print(f"\nIDLE: reply → draft removed in {took:.2f} s")
        assert "new mail (IDLE): polling now" in d.text()
        code, took = d.terminate()
        print(f"SIGTERM → exit {code} in {took:.2f} s")
        assert code == 0 and took < 5
        assert d.text().rstrip().endswith("stopped")
    assert scene.state(mid) == "replied"


def test_two_daemons_on_one_store_never_both_work_an_account(dovecot_mailbox: Mailbox) -> None:
    config = dovecot_mailbox.write_config(extra=DAEMON)
    now = MON.isoformat()
    with daemon(dovecot_mailbox, config, now) as first, daemon(dovecot_mailbox, config, now) as second:
        wait_for(lambda: "connected; polling" in first.text() + second.text(), 20, "one daemon working")
        waiting = "another followup process is working on this account; waiting"
        wait_for(lambda: waiting in first.text() + second.text(), 10, "the other one waiting")
        assert ("connected; polling" in first.text()) != ("connected; polling" in second.text())
        assert first.terminate()[0] == 0 and second.terminate()[0] == 0


def test_a_wrong_password_is_logged_clearly_and_retried_slowly(dovecot_mailbox: Mailbox) -> None:
    config = dovecot_mailbox.write_config(extra=DAEMON)
    with daemon(dovecot_mailbox, config, MON.isoformat(), env={"FOLLOWUP_TEST_PASSWORD": "wrong"}) as d:
        wait_for(d.says("the server refused the login"), 20, "the refusal logged")
        time.sleep(2)  # a hammering daemon would log or retry again within this
        text = d.text()
        assert text.count("the server refused the login") == 1
        assert "retrying in 900 s" in text and "ERROR" in text and "wrong" not in text.replace("wrong password", "")
        code, took = d.terminate()
        assert code == 0 and took < 5


@pytest.fixture
def own_dovecot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Dovecot, Server]]:
    from conftest import unavailable
    from servers import DOVECOT

    if DOVECOT is None:
        unavailable("Dovecot is not installed: apt-get install dovecot-imapd")
    server = Dovecot({})
    yield server, server.start()
    server.stop()


def test_the_daemon_recovers_from_a_server_restart(own_dovecot: tuple[Dovecot, Server], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    dovecot, server = own_dovecot
    box = _mailbox(server, tmp_path, monkeypatch, f"sqlite:///{tmp_path}/f.db")
    scene = Scene(box)
    config = box.write_config(extra=DAEMON.replace('"5 minutes"', '"10 seconds"'))
    with daemon(box, config, (MON + timedelta(days=3)).isoformat()) as d:
        wait_for(d.says("connected; polling every 10 seconds"), 20, "the first poll")
        dovecot.halt()
        wait_for(d.says("retrying in"), 30, "the fault noticed")
        down = time.monotonic()
        scene.send("Quote", "Could you send the quote?", at=MON)  # due already: drafted once back
        dovecot.resume()
        took = wait_for(d.says("connected; polling every 10 seconds", 2), 40, "reconnected")
        wait_for(lambda: len(scene.drafts()) == 1, 20, "drafting again after the restart")
        print(f"\nserver restart: back to polling {took:.1f} s after Dovecot returned "
              f"({time.monotonic() - down:.1f} s after the fault was noticed)")
        assert d.terminate()[0] == 0


def test_workers_on_postgresql_share_accounts_and_take_over_a_dead_one(
        dovecot_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import PG_URL, _reset_postgres, unavailable

    if not PG_URL:
        unavailable("PostgreSQL: set FOLLOWUP_TEST_POSTGRES_URL=postgresql+psycopg://…")
    assert PG_URL
    _reset_postgres(PG_URL)
    boxes = [_mailbox(dovecot_server, tmp_path, monkeypatch, PG_URL) for _ in range(4)]
    accounts = "".join(f"""
[[accounts]]
name = "acct{i}"
host = "127.0.0.1"
port = {dovecot_server.port}
security = "none"
username = "{box.user}"
password_env = "PW{i}"
""" for i, box in enumerate(boxes))
    config = tmp_path / "workers.toml"
    config.write_text(f'[database]\nurl = "{PG_URL}"\n[report]\ndeliver = "none"\n'
                      f'[daemon]\npoll_interval = "10 seconds"\nlease = "6 seconds"\n{accounts}')
    env = {f"PW{i}": box.password for i, box in enumerate(boxes)}
    command = [sys.executable, "-m", "assistant", "--config", str(config), "run", "--worker"]
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [subprocess.Popen(command, stderr=open(log, "w"), stdout=subprocess.DEVNULL, env={**os.environ, **env})
             for log in logs]

    def served(log: Path) -> set[str]:
        return {line.split(": ")[-2].split()[-1] for line in log.read_text().splitlines() if ": serving (" in line}

    try:
        wait_for(lambda: served(logs[0]) | served(logs[1]) == {f"acct{i}" for i in range(4)}, 30, "all served")
        assert not served(logs[0]) & served(logs[1])  # none served twice
        victim = 0 if served(logs[0]) else 1
        orphans = served(logs[victim])
        procs[victim].kill()  # dies without releasing its leases
        killed = time.monotonic()
        survivor = logs[1 - victim]
        took = wait_for(lambda: orphans <= served(survivor), 20, "the dead worker's accounts taken over")
        print(f"\nlease 6 s: {len(orphans)} account(s) taken over {time.monotonic() - killed:.1f} s after the kill")
        assert took < 6 + 5
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=15)


# --- status you can trust, and `poll` while the daemon runs -------------------------------------------

BEATING = DAEMON + 'heartbeat = "1 second"\n'


def cli(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, str, str]:
    from assistant.cli import main

    code = main(["--config", str(config), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def status(capsys: pytest.CaptureFixture[str], config: Path, *now: str) -> dict[str, Any]:
    code, out, err = cli(capsys, config, *(("--now", now[0]) if now else ()), "status", "--json")
    assert code == 0, err
    [row] = json.loads(out)
    return row  # type: ignore[no-any-return]


def test_status_after_manual_sync_and_poll_tells_what_they_did(dovecot_mailbox: Mailbox,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    scene.send("Contract", "Could you send the signed contract?")
    config = dovecot_mailbox.write_config()
    assert status(capsys, config)["state"] == "never run"
    assert cli(capsys, config, "--now", "2026-11-02T12:00-05:00", "sync")[0] == 0
    assert cli(capsys, config, "--now", "2026-11-05T10:00-05:00", "poll")[0] == 0
    row = status(capsys, config, "2026-11-05T10:01-05:00")
    assert row["state"] == "not running" and row["next_run_at"] is None
    assert row["last_sync"] == {"at": "2026-11-05T10:00:00-05:00", "command": "poll", "outcome": "ok",
                                "summary": "0 new, 0 changed, 0 gone"}
    assert row["last_poll"] == {"at": "2026-11-05T10:00:00-05:00", "command": "poll", "outcome": "ok",
                                "summary": "0 new, 0 changed, 0 gone; 1 drafted"}
    assert row["last_success_at"] == "2026-11-05T10:00:00-05:00" and row["tracked"] == 1
    code, out, _ = cli(capsys, config, "--now", "2026-11-05T10:01-05:00", "status")
    assert out.splitlines() == [
        "work: not running, last sync Thu Nov 5 10:00, next -, 1 tracked, 1 draft(s) waiting",
        "  last poll: Thu Nov 5 10:00 by poll: ok (0 new, 0 changed, 0 gone; 1 drafted)",
        "  last sync: Thu Nov 5 10:00 by poll: ok (0 new, 0 changed, 0 gone)"]
    with _env("FOLLOWUP_TEST_PASSWORD", "wrong"):
        assert cli(capsys, config, "--now", "2026-11-05T11:00-05:00", "sync")[0] == 1
    row = status(capsys, config, "2026-11-05T11:01-05:00")
    assert row["last_sync"]["command"] == "sync" and "refused the login" in row["last_sync"]["outcome"]
    assert row["last_error"] == row["last_sync"]["outcome"] and row["last_poll"]["outcome"] == "ok"


@contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    old = os.environ[name]
    os.environ[name] = value
    try:
        yield
    finally:
        os.environ[name] = old


def test_status_running_then_stopped_on_sigterm_and_next_never_in_the_past(
        dovecot_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    config = dovecot_mailbox.write_config(extra=BEATING)
    start = MON + timedelta(hours=1)
    with daemon(dovecot_mailbox, config, start.isoformat()) as d:
        wait_for(d.says("connected; polling every 5 minutes"), 20, "the daemon's first poll")
        wait_for(lambda: status(capsys, config, start.isoformat())["next_run_at"] is not None, 5, "next set")
        row = status(capsys, config, start.isoformat())
        assert (row["state"], row["daemon_pid"]) == ("running", d.proc.pid)
        assert row["last_poll"]["command"] == "run" and row["last_poll"]["outcome"] == "ok"
        nxt = datetime.fromisoformat(row["next_run_at"])
        assert start < nxt <= start + timedelta(minutes=5, seconds=30)
        later = (start + timedelta(days=1)).isoformat()  # long past the daemon's next poll: "now", not a past date
        assert datetime.fromisoformat(status(capsys, config, later)["next_run_at"]) == datetime.fromisoformat(later)
        assert ", next now," in cli(capsys, config, "--now", later, "status")[1]
        beat = status(capsys, config)["heartbeat_at"]
        wait_for(lambda: status(capsys, config)["heartbeat_at"] != beat, 5, "a heartbeat while it waits in IDLE")
        assert d.terminate()[0] == 0
    row = status(capsys, config, start.isoformat())
    assert (row["state"], row["next_run_at"]) == ("stopped", None)
    assert cli(capsys, config, "status")[1].startswith(f"work: stopped (pid {d.proc.pid} on ")


def test_a_wrong_password_run_stopped_leaves_no_stale_next(dovecot_mailbox: Mailbox,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    config = dovecot_mailbox.write_config(extra=BEATING)
    with daemon(dovecot_mailbox, config, MON.isoformat(), env={"FOLLOWUP_TEST_PASSWORD": "wrong"}) as d:
        # Dovecot answers each refusal from an address more slowly than the last (up to 15 s): earlier tests refused
        wait_for(d.says("the server refused the login"), 45, "the refusal logged")
        row = status(capsys, config, MON.isoformat())
        assert row["state"] == "auth-failed" and "refused the login" in row["last_poll"]["outcome"]
        assert datetime.fromisoformat(row["next_run_at"]) > MON  # the retry, 15 minutes on
        assert d.terminate()[0] == 0
    row = status(capsys, config, MON.isoformat())
    assert (row["state"], row["next_run_at"]) == ("stopped", None)


def test_status_dead_after_sigkill_and_when_the_heartbeat_is_stale(dovecot_mailbox: Mailbox,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.store.status import StatusStore

    config = dovecot_mailbox.write_config(extra=BEATING)
    with daemon(dovecot_mailbox, config, MON.isoformat()) as d:
        wait_for(d.says("connected; polling every 5 minutes"), 20, "the daemon's first poll")
        store = dovecot_mailbox.store()
        try:
            [row] = StatusStore(store).rows(["work"])
            assert row.state == "running" and row.heartbeat_at
            # another host's daemon is known only by its heartbeat: stale after three missed beats (1 s each)
            elsewhere = lambda host, pid: True  # noqa: E731
            fresh, stale = row.heartbeat_at + timedelta(seconds=2.5), row.heartbeat_at + timedelta(seconds=3.5)
            assert StatusStore(store).rows(["work"], fresh, elsewhere)[0].state == "running"
            assert StatusStore(store).rows(["work"], stale, elsewhere)[0].state == "dead"
        finally:
            store.close()
        d.proc.kill()  # no goodbye: the row still says running
        d.proc.wait()
        row = status(capsys, config, MON.isoformat())
        assert (row["state"], row["next_run_at"], row["daemon_pid"]) == ("dead", None, d.proc.pid)
        assert cli(capsys, config, "status")[1].startswith(f"work: dead (pid {d.proc.pid} on ")


def test_poll_while_the_daemon_runs_asks_it_and_prints_its_answer(dovecot_mailbox: Mailbox,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    config = dovecot_mailbox.write_config(extra=BEATING)
    at = (MON + timedelta(days=3, hours=1)).isoformat()
    with daemon(dovecot_mailbox, config, at) as d:
        wait_for(d.says("connected; polling every 5 minutes"), 20, "the daemon's first poll")
        scene.send("Quote", "Could you send the quote?", at=MON)  # in Sent: IDLE on INBOX does not see it
        scene.send("Invoice", "Could you confirm the invoice?", at=MON + timedelta(days=3))  # due later
        start = time.monotonic()
        code, out, err = cli(capsys, config, "--now", at, "poll")
        took = time.monotonic() - start
        assert code == 0, err
        assert "holds the account: asking it to poll now" in err and f"pid {d.proc.pid}" in err
        assert out == "work: drafted      #1 'Quote': follow-up 1 to alice@client.example\n"
        assert len(scene.drafts()) == 1 and "asked to poll (followup poll): polling now" in d.text()
        code, out, _ = cli(capsys, config, "--now", at, "poll", "--json")
        [answer] = json.loads(out)
        assert code == 0 and answer["actions"] == [] and answer["via_daemon"].startswith(f"pid {d.proc.pid} on ")
        assert answer["waiting"] == 2 and answer["next_due"]
        due = datetime.fromisoformat(answer["next_due"])
        code, out, _ = cli(capsys, config, "--now", (due - timedelta(hours=1)).isoformat(), "poll")
        assert out == f"work: nothing to do (2 awaiting a reply, next due {due.astimezone(NY):%a %b %-d %H:%M})\n"
        code, out, _ = cli(capsys, config, "--now", (due + timedelta(hours=1)).isoformat(), "poll")
        assert out == "work: nothing to do (2 awaiting a reply)\n"  # never a next due in the past
        row = status(capsys, config, at)
        assert row["last_poll"]["command"] == "run (asked by poll)" and row["state"] == "running"
        assert d.terminate()[0] == 0
    code, out, _ = cli(capsys, config, "--now", at, "poll")  # no daemon now: polls itself
    assert code == 0 and out.startswith("work: nothing to do") and status(capsys, config)["last_poll"]["command"] == "poll"
    print(f"\npoll via the daemon: answered in {took:.2f} s")


def test_a_poll_request_nobody_answers_times_out_with_a_sentence(tmp_path: Path) -> None:
    from assistant import daemon as daemons
    from assistant.errors import FollowupError
    from assistant.store.repo import Store
    from assistant.store.status import StatusStore

    store = Store.open(f"sqlite:///{tmp_path}/f.db")
    try:  # a daemon on another machine, alive by its heartbeat, that never answers
        StatusStore(store).beat(["work"], datetime.now(NY), 60, 4242, "elsewhere")
        StatusStore(store).update("work", MON, state="running")
        with pytest.raises(FollowupError) as caught:
            daemons.ask_to_poll(store, "work", timeout=0.3)
        assert caught.value.message == ("[accounts.work]: the running daemon (pid 4242 on elsewhere) did not answer "
                                        "the poll request within 0.3 s")
        assert [dry for _, dry in StatusStore(store).pending_polls("work")] == [False]  # still asked
    finally:
        store.close()

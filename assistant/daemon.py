"""`followup run`: a worker thread per account keeps it polled, IDLEs on INBOX, and survives faults.

No decisions here: each worker calls the service on a schedule (the schedule library), as soon as
IDLE reports new mail, and when `followup poll` asks (a row in poll_requests; SIGUSR1 wakes the daemon
on this host, its heartbeat finds the request otherwise). Faults back off exponentially with jitter and
are logged once per change of state; a refused password is retried slowly. SIGTERM/SIGINT let the
current step finish and leave the accounts `stopped`. The main thread heartbeats for the accounts its
workers hold, so `followup status` tells a live daemon from a dead one.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import schedule

from assistant import service
from assistant.clock import Clock
from assistant.config import AccountConfig, Config
from assistant.errors import AuthError, FollowupError
from assistant.mailbox.client import MailboxClient
from assistant.store.locks import BusyError, account_lock
from assistant.store.repo import Store
from assistant.store.status import StatusRow, StatusStore

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Worker:
    """Serves one account until `stop` is set (or, with leases, until its lease is lost)."""

    config: Config
    account: AccountConfig
    store: Store
    clock: Clock
    stop: threading.Event
    lease: bool = False  # --worker: hold a renewable lease instead of a local lock
    name: str = field(default_factory=worker_name)
    state: str = ""
    failures: int = 0
    idle_client: MailboxClient | None = None
    server_lacks_idle: bool = False
    thread: threading.Thread | None = None
    lost: threading.Event = field(default_factory=threading.Event)
    alarm: threading.Event = field(default_factory=threading.Event)  # wakes a wait: stop, or a poll request
    holding: bool = False  # the account is ours: the heartbeat speaks for it

    def start(self) -> None:
        self.thread = threading.Thread(target=self.run, name=f"followup-{self.account.name}", daemon=True)
        self.thread.start()

    # --- one account's life ------------------------------------------------------------------------

    def run(self) -> None:
        status = StatusStore(self.store)
        while not self.stopping:
            try:
                with self._hold():
                    self._serve(status)
            except BusyError:
                self._set_state("waiting", "another followup process is working on this account; waiting")
                self._sleep(self.config.daemon.poll_interval.seconds)
            if self.lease and self.lost.is_set():
                return  # another worker took the account over
        self._close_idle()

    @property
    def stopping(self) -> bool:
        return self.stop.is_set() or self.lost.is_set()

    def _hold(self) -> AbstractContextManager[None]:
        if not self.lease:
            return account_lock(self.store, self.account.name)
        return _NoLock()

    def _serve(self, status: StatusStore) -> None:
        name = self.account.name
        status.beat([name], datetime.now(UTC), self.config.daemon.heartbeat.seconds, os.getpid(),
                     socket.gethostname())
        status.update(name, self.clock.now(), state="starting", next_run_at=None)
        self.holding = True
        jobs = schedule.Scheduler()
        jobs.every(int(self.config.daemon.poll_interval.seconds)).seconds.do(self._poll, status)
        jobs.every(1).days.do(self._housekeeping, status)
        self._poll(status)
        while True:
            self.alarm.clear()  # before looking: a request stored after this look sets it again
            if self.stopping:
                break
            if status.pending_polls(name):
                log.info("%s: asked to poll (followup poll): polling now", name)
                self._poll(status)
                continue
            wait = max(0.0, jobs.idle_seconds or 0.0)
            status.update(name, self.clock.now(), next_run_at=self.clock.now() + timedelta(seconds=wait))
            if self._wait_for_mail(min(wait, self.config.daemon.idle_refresh.seconds)):
                log.info("%s/INBOX: new mail (IDLE): polling now", name)
                self._poll(status)
                continue
            jobs.run_pending()
        self.holding = False
        if not self.lost.is_set():  # stopped cleanly, still holding the account: say so before letting go
            status.update(name, self.clock.now(), state="stopped", next_run_at=None)

    def _poll(self, status: StatusStore) -> None:
        if self.lease and not self._renew(status):
            return
        asked = status.pending_polls(self.account.name)  # answered by this poll: they were made before it
        command = "run (asked by poll)" if asked else "run"
        try:
            result = service.poll_account(self.config, self.account, self.store, self.clock, lock=False)
        except AuthError as e:
            self._failed(status, asked, command, e)
            self._fault(status, "auth-failed", e, self.config.daemon.auth_retry.seconds)
            return
        except FollowupError as e:
            self._failed(status, asked, command, e)
            self.failures += 1
            delay = min(self.config.daemon.max_backoff.seconds, 2.0 ** self.failures) * random.uniform(0.5, 1.0)
            self._fault(status, "retrying", e, delay)
            return
        self.failures = 0
        for action in result.actions:
            log.info("%s: %s #%s %r: %s", self.account.name, action.kind, action.followup_id, action.subject,
                     action.detail)
        now = self.clock.now()
        status.record(self.account.name, "sync", now, command, result.sync.summary())
        status.record(self.account.name, "poll", now, command, result.summary())
        status.update(self.account.name, now, state="running")
        status.answer_polls([i for i, dry in asked if not dry], datetime.now(UTC), result.as_json())
        self._dry_runs(status, [i for i, dry in asked if dry])
        self._set_state("running", f"connected; polling every {self.config.daemon.poll_interval}")

    def _dry_runs(self, status: StatusStore, asked: list[str]) -> None:
        """`followup poll --dry-run` asked: what a poll would do now, told rather than done."""
        if not asked:
            return
        try:
            answer = service.poll_account(self.config, self.account, self.store, self.clock, dry_run=True,
                                          lock=False).as_json()
        except FollowupError as e:
            answer = {"error": e.message, "hint": e.hint}
        status.answer_polls(asked, datetime.now(UTC), answer)

    def _failed(self, status: StatusStore, asked: list[tuple[str, bool]], command: str, error: FollowupError) -> None:
        now = self.clock.now()
        status.record(self.account.name, "sync", now, command, error=str(error))
        status.record(self.account.name, "poll", now, command, error=str(error))
        status.answer_polls([i for i, _ in asked], datetime.now(UTC), {"error": error.message, "hint": error.hint})

    def _fault(self, status: StatusStore, state: str, error: FollowupError, delay: float) -> None:
        status.update(self.account.name, self.clock.now(), state=state, next_run_at=self.clock.now()
                      + timedelta(seconds=delay))
        self._set_state(state, f"{error} (retrying in {delay:.0f} s)")
        self._close_idle()
        self._sleep(delay)

    def _sleep(self, seconds: float) -> None:
        """Wait, until stopped or asked to poll."""
        self.alarm.clear()
        if not self.stopping:
            self.alarm.wait(seconds)

    def _set_state(self, state: str, detail: str) -> None:
        """One log line per change of state, not one per retry."""
        if state != self.state:
            level = logging.INFO if state in ("running", "waiting") else logging.ERROR if state == "auth-failed" \
                else logging.WARNING
            log.log(level, "%s: %s", self.account.name, detail)
            self.state = state

    def _housekeeping(self, status: StatusStore) -> None:
        removed = status.housekeeping(self.account.name, self.clock.now())
        log.info("%s: housekeeping removed %d old rows", self.account.name, removed)

    def _renew(self, status: StatusStore) -> bool:
        if status.try_lease(self.account.name, self.name, datetime.now().astimezone(),
                            self.config.daemon.lease.seconds):
            return True
        log.warning("%s: lost the lease to another worker; stopping here", self.account.name)
        self.lost.set()
        return False

    # --- IDLE: the second connection ---------------------------------------------------------------

    def _wait_for_mail(self, seconds: float) -> bool:
        """IDLE on INBOX (where offered) for up to `seconds`; else just wait. True when mail arrived."""
        if seconds <= 0:
            return False
        if not self.config.daemon.idle or self.server_lacks_idle:
            self.alarm.wait(seconds)
            return False
        try:
            if self.idle_client is None:
                self.idle_client = service.connect(self.account)
            if not self.idle_client.can_idle:  # no second connection that does nothing: close it, once
                log.info("%s: the server does not offer IDLE; polling every %s", self.account.name,
                         self.config.daemon.poll_interval)
                self.server_lacks_idle = True
                self._close_idle()
                self.alarm.wait(seconds)
                return False
            inbox = self.idle_client.find_folders().inbox
            renew_every = self.config.daemon.lease.seconds / 3 if self.lease else seconds
            deadline = time.monotonic() + seconds
            while not self.stopping and not self.alarm.is_set() and time.monotonic() < deadline:
                chunk = min(renew_every, deadline - time.monotonic())
                if self.idle_client.idle_wait(inbox, chunk, self.alarm):
                    return True
                if self.lease and not self._renew(StatusStore(self.store)):
                    return False
            return False
        except FollowupError as e:
            log.debug("%s: IDLE connection dropped: %s", self.account.name, e)
            self._close_idle()
            self.alarm.wait(min(seconds, 5.0))
            return False

    def _close_idle(self) -> None:
        if self.idle_client is not None:
            self.idle_client.logout()
            self.idle_client = None


class _NoLock(AbstractContextManager[None]):
    def __exit__(self, *exc: object) -> None:
        return None


def run(config: Config, store: Store, clock: Clock, stop: threading.Event, lease: bool = False,
        poke: threading.Event | None = None) -> None:
    """Serve every account until `stop`. With `lease`, accounts are shared with other workers. `poke`
    (set on SIGUSR1) looks for poll requests now rather than at the next heartbeat."""
    poke = poke or threading.Event()
    accounts = list(config.accounts)
    status = StatusStore(store)
    status.ensure([a.name for a in accounts])
    workers: dict[str, Worker] = {}
    name = worker_name()
    claim_every = config.daemon.lease.seconds / 3 if lease else 1.0
    next_claim = next_beat = 0.0
    while not stop.is_set():
        tick = time.monotonic()
        if tick >= next_claim:
            _claim(config, store, clock, stop, lease, name, workers)
            next_claim = tick + claim_every
        if tick >= next_beat or poke.is_set():
            poke.clear()
            _beat(status, workers, config.daemon.heartbeat.seconds)
            next_beat = tick + config.daemon.heartbeat.seconds
        stop.wait(max(0.05, min(1.0, next_claim - time.monotonic(), next_beat - time.monotonic())))
    for worker in workers.values():
        worker.alarm.set()
    for worker in workers.values():
        if worker.thread:
            worker.thread.join(timeout=10)
        if lease:
            status.release(worker.account.name, name)


def _claim(config: Config, store: Store, clock: Clock, stop: threading.Event, lease: bool, name: str,
           workers: dict[str, Worker]) -> None:
    """A worker for each account that has none alive (with leases: each account whose lease we get)."""
    for account in config.accounts:
        current = workers.get(account.name)
        if current and current.thread and current.thread.is_alive():
            continue
        if lease and not StatusStore(store).try_lease(account.name, name, datetime.now().astimezone(),
                                                      config.daemon.lease.seconds):
            continue  # another worker has it
        worker = Worker(config, account, store, clock, stop, lease=lease, name=name)
        workers[account.name] = worker
        worker.start()
        log.info("%s: serving (%s)", account.name, name)


def _beat(status: StatusStore, workers: dict[str, Worker], seconds: float) -> None:
    """Alive, for each account a live worker holds; and wake those that have a poll request waiting."""
    held = [w for w in workers.values() if w.holding and w.thread and w.thread.is_alive()]
    if not held:
        return
    try:
        status.beat([w.account.name for w in held], datetime.now(UTC), seconds, os.getpid(), socket.gethostname())
        for worker in held:
            if status.pending_polls(worker.account.name):
                worker.alarm.set()
    except FollowupError as e:  # a busy database: the next beat tries again, well before the beat goes stale
        log.warning("heartbeat: %s", e)


# --- `followup poll` while a daemon holds the account ----------------------------------------------------

ASK_TIMEOUT = 120.0  # seconds: a poll with nothing unusual takes one or two


def holder(store: Store, account: str) -> StatusRow | None:
    """The live daemon holding `account`, if one does."""
    [row] = StatusStore(store).rows([account])
    return row if row.live else None


def ask_to_poll(store: Store, account: str, dry_run: bool = False, timeout: float = ASK_TIMEOUT) -> dict[str, Any]:
    """Have the daemon holding `account` poll now, and return its answer (`PollResult.as_json`, or
    `{"error", "hint"}`). The daemon polls at its own time: a running daemon has one clock."""
    status = StatusStore(store)
    ident = status.ask_poll(account, datetime.now(UTC), dry_run)
    row = holder(store, account)
    if row and row.daemon_host == socket.gethostname() and row.daemon_pid:
        try:
            os.kill(row.daemon_pid, signal.SIGUSR1)
        except (ProcessLookupError, PermissionError) as e:
            log.debug("%s: could not signal pid %s: %s", account, row.daemon_pid, e)
    deadline, next_look = time.monotonic() + timeout, time.monotonic() + 2.0
    while time.monotonic() < deadline:
        answer = status.poll_answer(ident)
        if answer is not None:
            return answer
        if time.monotonic() >= next_look:
            next_look += 2.0
            if holder(store, account) is None:
                raise FollowupError(f"[accounts.{account}]: the running daemon stopped before answering the poll "
                                    "request", "see `followup status`; without a daemon, `followup poll` polls itself")
        time.sleep(0.1)
    who = f"pid {row.daemon_pid} on {row.daemon_host}" if row else "the daemon"
    raise FollowupError(f"[accounts.{account}]: the running daemon ({who}) did not answer the poll request within "
                        f"{timeout:g} s", "it may be busy with a long sync; it will still poll for this request "
                        "(see `followup status`)")

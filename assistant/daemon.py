"""`followup run`: a worker thread per account keeps it polled, IDLEs on INBOX, and survives faults.

No decisions here: each worker calls the service on a schedule (the schedule library) and as soon as
IDLE reports new mail. Faults back off exponentially with jitter and are logged once per change of
state; a refused password is retried slowly. SIGTERM/SIGINT let the current step finish.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import schedule

from assistant import service
from assistant.clock import Clock
from assistant.config import AccountConfig, Config
from assistant.errors import AuthError, FollowupError
from assistant.mailbox.client import MailboxClient
from assistant.store.locks import BusyError, account_lock
from assistant.store.repo import Store
from assistant.store.status import StatusStore

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
                self.stop.wait(self.config.daemon.poll_interval.seconds)
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
        jobs = schedule.Scheduler()
        jobs.every(int(self.config.daemon.poll_interval.seconds)).seconds.do(self._poll, status)
        jobs.every(1).days.do(self._housekeeping, status)
        self._poll(status)
        while not self.stopping:
            wait = max(0.0, jobs.idle_seconds or 0.0)
            status.update(self.account.name, self.clock.now(), next_run_at=self.clock.now() + timedelta(seconds=wait))
            if self._wait_for_mail(min(wait, self.config.daemon.idle_refresh.seconds)):
                log.info("%s/INBOX: new mail (IDLE): polling now", self.account.name)
                self._poll(status)
                continue
            jobs.run_pending()

    def _poll(self, status: StatusStore) -> None:
        if self.lease and not self._renew(status):
            return
        try:
            result = service.poll_account(self.config, self.account, self.store, self.clock, lock=False)
        except AuthError as e:
            self._fault(status, "auth-failed", e, self.config.daemon.auth_retry.seconds)
            return
        except FollowupError as e:
            self.failures += 1
            delay = min(self.config.daemon.max_backoff.seconds, 2.0 ** self.failures) * random.uniform(0.5, 1.0)
            self._fault(status, "retrying", e, delay)
            return
        self.failures = 0
        for action in result.actions:
            log.info("%s: %s #%s %r: %s", self.account.name, action.kind, action.followup_id, action.subject,
                     action.detail)
        status.update(self.account.name, self.clock.now(), state="running", last_success_at=self.clock.now())
        self._set_state("running", f"connected; polling every {self.config.daemon.poll_interval}")

    def _fault(self, status: StatusStore, state: str, error: FollowupError, delay: float) -> None:
        status.update(self.account.name, self.clock.now(), state=state, last_error=str(error),
                      last_error_at=self.clock.now())
        self._set_state(state, f"{error} (retrying in {delay:.0f} s)")
        self._close_idle()
        self.stop.wait(delay)

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
            self.stop.wait(seconds)
            return False
        try:
            if self.idle_client is None:
                self.idle_client = service.connect(self.account)
            if not self.idle_client.can_idle:  # no second connection that does nothing: close it, once
                log.info("%s: the server does not offer IDLE; polling every %s", self.account.name,
                         self.config.daemon.poll_interval)
                self.server_lacks_idle = True
                self._close_idle()
                self.stop.wait(seconds)
                return False
            inbox = self.idle_client.find_folders().inbox
            renew_every = self.config.daemon.lease.seconds / 3 if self.lease else seconds
            deadline = time.monotonic() + seconds
            while not self.stopping and time.monotonic() < deadline:
                chunk = min(renew_every, deadline - time.monotonic())
                if self.idle_client.idle_wait(inbox, chunk, self.stop):
                    return True
                if self.lease and not self._renew(StatusStore(self.store)):
                    return False
            return False
        except FollowupError as e:
            log.debug("%s: IDLE connection dropped: %s", self.account.name, e)
            self._close_idle()
            self.stop.wait(min(seconds, 5.0))
            return False

    def _close_idle(self) -> None:
        if self.idle_client is not None:
            self.idle_client.logout()
            self.idle_client = None


class _NoLock(AbstractContextManager[None]):
    def __exit__(self, *exc: object) -> None:
        return None


def run(config: Config, store: Store, clock: Clock, stop: threading.Event, lease: bool = False) -> None:
    """Serve every account until `stop`. With `lease`, accounts are shared with other workers."""
    accounts = list(config.accounts)
    StatusStore(store).ensure([a.name for a in accounts])
    workers: dict[str, Worker] = {}
    name = worker_name()
    while not stop.is_set():
        for account in accounts:
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
        stop.wait(config.daemon.lease.seconds / 3 if lease else 1.0)
    for worker in workers.values():
        if worker.thread:
            worker.thread.join(timeout=10)
        if lease:
            StatusStore(store).release(worker.account.name, name)

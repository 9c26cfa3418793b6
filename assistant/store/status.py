"""Per-account status (for `followup status`): the daemon's heartbeat, the last sync and poll of every
command, worker leases (for `followup run --worker`), and poll requests a running daemon answers.

Heartbeats, leases and requests are in real time (the process's wall clock): they say whether a process is
alive, which `--now` cannot pretend. What a command did is recorded at its clock's moment, as its decisions.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from assistant.model import DRAFT_LIVE, OPEN
from assistant.store.models import AccountStatus, Draft, Followup, PollRequest, StoredMessage
from assistant.store.repo import Store

# Stored by the daemon while it holds an account; `stopped` when it exits cleanly. `followup status` shows
# `dead` for any of these once the heartbeat is stale, or the process gone from this host.
DAEMON_STATES = ("starting", "running", "retrying", "auth-failed")


@dataclass(frozen=True)
class LastRun:
    """The last sync, or poll, of an account by any command."""

    at: datetime
    command: str  # sync | poll | poll --dry-run | run | run (asked by poll)
    outcome: str  # "ok" or the error sentence
    summary: str


@dataclass(frozen=True)
class StatusRow:
    account: str
    state: str  # never run | not running | starting | running | retrying | auth-failed | stopped | dead
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    next_run_at: datetime | None  # as the daemon last set it (its clock)
    worker: str | None
    open_items: int
    drafts_waiting: int
    heartbeat_at: datetime | None = None
    daemon_pid: int | None = None
    daemon_host: str | None = None
    last_sync: LastRun | None = None
    last_poll: LastRun | None = None

    @property
    def live(self) -> bool:
        """A live daemon holds the account (it heartbeats, and is not stopped)."""
        return self.state in DAEMON_STATES


def process_alive(host: str | None, pid: int | None) -> bool:
    """False only when the process is surely gone: on this host, and no process has that id."""
    if host != socket.gethostname() or not pid:
        return True  # another machine: only its heartbeat tells
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True


def shown_state(row: AccountStatus | None, now: datetime, alive: Callable[[str | None, int | None], bool]) -> str:
    """What `status` calls the account, from the stored row and the real time `now`."""
    if row is None:
        return "never run"
    if row.state == "stopped":
        return "stopped"
    if row.heartbeat_at is None or row.state not in DAEMON_STATES:
        return "not running"  # only one-shot commands (or a daemon waiting on another) so far
    if row.heartbeat_until is None or row.heartbeat_until < now or not alive(row.daemon_host, row.daemon_pid):
        return "dead"
    return row.state


def _last(row: AccountStatus, kind: Literal["sync", "poll"]) -> LastRun | None:
    at = getattr(row, f"last_{kind}_at")
    if at is None:
        return None
    return LastRun(at=at, command=getattr(row, f"last_{kind}_by") or "", outcome=getattr(row, f"last_{kind}_outcome")
                   or "ok", summary=getattr(row, f"last_{kind}_summary") or "")


class StatusStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _row(self, s: object, account: str) -> AccountStatus:
        from sqlalchemy.orm import Session

        assert isinstance(s, Session)
        row = s.get(AccountStatus, account)
        if row is None:
            row = AccountStatus(account=account)
            s.add(row)
        return row

    def ensure(self, accounts: list[str]) -> None:
        for account in accounts:
            try:
                with self.store.session() as s:
                    self._row(s, account)
            except IntegrityError:
                pass  # another worker created it first

    def update(self, account: str, now: datetime, **values: object) -> None:
        with self.store.session() as s:
            row = self._row(s, account)
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = now

    def record(self, account: str, kind: Literal["sync", "poll"], at: datetime, command: str, summary: str = "",
               error: str | None = None) -> None:
        """What a sync or poll did, by any command; a success is also the last success, an error the last error."""
        values: dict[str, object] = {f"last_{kind}_at": at, f"last_{kind}_by": command,
                                     f"last_{kind}_outcome": error or "ok", f"last_{kind}_summary": summary}
        values.update({"last_error": error, "last_error_at": at} if error else {"last_success_at": at})
        self.update(account, at, **values)

    def beat(self, accounts: list[str], now: datetime, seconds: float, pid: int, host: str) -> None:
        """The daemon holding `accounts` is alive at `now` (real time); stale after three missed beats."""
        with self.store.session() as s:
            for account in accounts:
                row = self._row(s, account)
                row.heartbeat_at, row.heartbeat_until = now, now + timedelta(seconds=3 * seconds)
                row.daemon_pid, row.daemon_host = pid, host

    def rows(self, accounts: list[str], now: datetime | None = None,
             alive: Callable[[str | None, int | None], bool] = process_alive) -> list[StatusRow]:
        """`now`: the real time, which tells a live daemon from a dead one."""
        now = now or datetime.now(UTC)
        out = []
        with self.store.session() as s:
            for account in accounts:
                row = s.get(AccountStatus, account)
                open_items = s.scalar(select(func.count()).select_from(Followup).where(
                    Followup.account == account, Followup.state.in_(sorted(OPEN)))) or 0
                drafts = s.scalar(select(func.count()).select_from(Draft).where(
                    Draft.account == account, Draft.state.in_(sorted(DRAFT_LIVE)))) or 0
                out.append(StatusRow(
                    account=account, state=shown_state(row, now, alive),
                    last_success_at=row.last_success_at if row else None,
                    last_error=row.last_error if row else None, last_error_at=row.last_error_at if row else None,
                    next_run_at=row.next_run_at if row else None, worker=row.worker if row else None,
                    open_items=int(open_items), drafts_waiting=int(drafts),
                    heartbeat_at=row.heartbeat_at if row else None, daemon_pid=row.daemon_pid if row else None,
                    daemon_host=row.daemon_host if row else None, last_sync=_last(row, "sync") if row else None,
                    last_poll=_last(row, "poll") if row else None))
        return out

    # --- poll requests: `followup poll` while a daemon holds the account -----------------------------

    def ask_poll(self, account: str, now: datetime, dry_run: bool = False) -> str:
        ident = uuid.uuid4().hex
        with self.store.session() as s:
            s.add(PollRequest(id=ident, account=account, dry_run=dry_run, requested_at=now))
        return ident

    def pending_polls(self, account: str) -> list[tuple[str, bool]]:
        """The unanswered requests, oldest first, as (id, dry_run)."""
        with self.store.session() as s:
            rows = s.execute(select(PollRequest.id, PollRequest.dry_run).where(
                PollRequest.account == account, PollRequest.answered_at.is_(None))
                .order_by(PollRequest.requested_at)).all()
        return [(r.id, bool(r.dry_run)) for r in rows]

    def answer_polls(self, ids: list[str], now: datetime, answer: dict[str, Any]) -> None:
        if not ids:
            return
        with self.store.session() as s:
            s.execute(update(PollRequest).where(PollRequest.id.in_(ids))
                      .values(answered_at=now, answer_json=json.dumps(answer)))

    def poll_answer(self, ident: str) -> dict[str, Any] | None:
        with self.store.session() as s:
            text = s.scalar(select(PollRequest.answer_json).where(PollRequest.id == ident))
        return json.loads(text) if text else None

    # --- leases: one worker per account across machines ------------------------------------------

    def try_lease(self, account: str, worker: str, now: datetime, seconds: float) -> bool:
        """Take or renew the account's lease: free, expired (its worker died) or already ours."""
        self.ensure([account])
        with self.store.session() as s:
            # Lock the row without waiting for a worker that holds it (PostgreSQL); SQLite serialises anyway.
            row = s.scalars(select(AccountStatus).where(AccountStatus.account == account)
                            .with_for_update(skip_locked=True)).first()
            if row is None:
                return False
            result = s.execute(update(AccountStatus).where(
                AccountStatus.account == account,
                or_(AccountStatus.worker.is_(None), AccountStatus.worker == worker,
                    AccountStatus.lease_until.is_(None), AccountStatus.lease_until < now),
            ).values(worker=worker, lease_until=now + timedelta(seconds=seconds)))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def release(self, account: str, worker: str) -> None:
        with self.store.session() as s:
            s.execute(update(AccountStatus).where(AccountStatus.account == account, AccountStatus.worker == worker)
                      .values(worker=None, lease_until=None))

    # --- housekeeping -----------------------------------------------------------------------------

    def housekeeping(self, account: str, now: datetime) -> int:
        """Forget items closed half a year ago and mirror rows expunged a month ago."""
        with self.store.session() as s:
            old = select(Followup.id).where(Followup.account == account,
                                            Followup.state.in_(("replied", "bounced", "dismissed", "cold", "kept")),
                                            Followup.updated_at < now - timedelta(days=180))
            s.execute(delete(Draft).where(Draft.followup_id.in_(old)))
            gone = s.execute(delete(Followup).where(Followup.id.in_(old))).rowcount  # type: ignore[attr-defined]
            gone += s.execute(delete(StoredMessage).where(  # type: ignore[attr-defined]
                StoredMessage.account == account, StoredMessage.expunged.is_(True),
                StoredMessage.synced_at < now - timedelta(days=30))).rowcount
            s.execute(delete(PollRequest).where(PollRequest.account == account,
                                                PollRequest.requested_at < datetime.now(UTC) - timedelta(days=1)))
            return int(gone)

"""Per-account daemon status (for `followup status`) and worker leases (for `followup run --worker`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from assistant.model import DRAFT_LIVE, OPEN
from assistant.store.models import AccountStatus, Draft, Followup, StoredMessage
from assistant.store.repo import Store


@dataclass(frozen=True)
class StatusRow:
    account: str
    state: str
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    next_run_at: datetime | None
    worker: str | None
    open_items: int
    drafts_waiting: int


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

    def rows(self, accounts: list[str]) -> list[StatusRow]:
        out = []
        with self.store.session() as s:
            for account in accounts:
                row = s.get(AccountStatus, account)
                open_items = s.scalar(select(func.count()).select_from(Followup).where(
                    Followup.account == account, Followup.state.in_(sorted(OPEN)))) or 0
                drafts = s.scalar(select(func.count()).select_from(Draft).where(
                    Draft.account == account, Draft.state.in_(sorted(DRAFT_LIVE)))) or 0
                out.append(StatusRow(
                    account=account, state=row.state if row else "never run",
                    last_success_at=row.last_success_at if row else None,
                    last_error=row.last_error if row else None, last_error_at=row.last_error_at if row else None,
                    next_run_at=row.next_run_at if row else None, worker=row.worker if row else None,
                    open_items=int(open_items), drafts_waiting=int(drafts)))
        return out

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
            return int(gone)

"""One process at a time per account: a file lock beside a SQLite store, an advisory lock on PostgreSQL."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from assistant.errors import FollowupError
from assistant.store.repo import Store


class BusyError(FollowupError):
    """Another followup process holds the account."""


def _busy(account: str) -> BusyError:
    return BusyError(f"[accounts.{account}]: another followup process is working on this account right now",
                     "wait for it to finish (a running `followup run` keeps it), then try again")


@contextmanager
def account_lock(store: Store, account: str) -> Iterator[None]:
    if store.engine.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"followup:{account}".encode()).digest()[:8], "big", signed=True)
        with store.engine.connect() as conn:  # session-level lock, held by this connection
            if not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                raise _busy(account)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        return
    database = store.engine.url.database
    base = Path(database) if database and database != ":memory:" else Path(tempfile.gettempdir()) / "followup"
    safe = hashlib.sha256(account.encode()).hexdigest()[:12]
    fd = os.open(f"{base}.{safe}.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise _busy(account) from e
        yield
    finally:
        os.close(fd)  # closing releases the lock, also when the process dies

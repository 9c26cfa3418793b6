"""The store's engine and sessions, and the mirror of the mailbox: sync cursors, stored messages, threads.

The rest of the store's queries live beside it: tracked items, drafts and reports in items.py, daemon
status and leases in status.py, account locks in locks.py, schema steps in migrations.py. No SQL
outside store/."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import StoreError
from assistant.model import ThreadInput
from assistant.store.migrations import migrate
from assistant.store.models import FolderState, StoredMessage, Thread

log = logging.getLogger(__name__)


@dataclass
class Cursor:
    """A folder's sync state, detached from the session so sync can update it between batches."""

    account: str
    role: str
    name: str
    uidvalidity: int | None = None
    uidnext: int | None = None
    last_uid: int = 0
    highestmodseq: int | None = None
    exists_count: int = 0
    sync_since: datetime | None = None
    initial_done: bool = False
    last_sync_at: datetime | None = None


@dataclass(frozen=True)
class MessageRecord:
    """One fetched and parsed message, ready to store."""

    uid: int
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    from_addr: str
    from_name: str
    to: tuple[tuple[str, str], ...]
    cc: tuple[tuple[str, str], ...]
    reply_to: tuple[tuple[str, str], ...]
    date: datetime | None
    internal_date: datetime | None
    flags: tuple[str, ...]
    headers: dict[str, str]
    content_type: str
    report_type: str | None
    from_user: bool
    new_text: str
    quoted_text: str
    signature: str
    attachments: tuple[str, ...]
    size: int | None
    gm_msgid: int | None
    gm_thrid: int | None
    defects: tuple[str, ...]
    verdict: str | None = None
    verdict_reason: str | None = None
    return_date: dt.date | None = None
    report: dict[str, Any] | None = None
    expects_reply: bool | None = None
    expects_reason: str | None = None
    promises: tuple[dict[str, Any], ...] = ()
    quote_rule: str | None = None
    signature_rule: str | None = None
    list_addresses: tuple[str, ...] = ()  # the mailing list it came through


@dataclass(frozen=True)
class BatchResult:
    added: int
    rematched: int
    duplicates: int


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser()


def _create_private_file(path: Path) -> None:
    """The store holds mail text: create it readable by the user only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Store:
        """Open (creating if needed) and migrate the database at `url`."""
        try:
            shown = make_url(url).render_as_string(hide_password=True)
        except ArgumentError as e:
            raise StoreError(f"[database] url: not a database URL: {url!r}",
                             'use "sqlite:///path/to/followup.db" or "postgresql+psycopg://..."') from e
        file = _sqlite_file(url)
        try:
            if file is not None:
                _create_private_file(file)
                url = make_url(url).set(database=str(file)).render_as_string(hide_password=False)
            engine = create_engine(url, future=True, pool_pre_ping=file is None)
        except ModuleNotFoundError as e:
            raise StoreError(f"[database] url: the driver for {shown} is not installed ({e.name})",
                             "pip install 'followup-assistant[postgres]' for PostgreSQL") from e
        except OSError as e:
            raise StoreError(f"cannot create the database file {file}: {e.strerror}",
                             "check the directory exists and is writable, or set [database] url") from e
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        try:
            # two processes starting at once must not both create the schema
            with _file_lock(Path(f"{file}.migrate.lock")) if file is not None else nullcontext(), \
                    engine.begin() as conn:
                if engine.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(7261501)"))
                migrate(conn)
        except OperationalError as e:
            raise StoreError(f"cannot open the database {shown}: {e.orig}",
                             "check that it exists, is writable and is not locked by another program") from e
        except SQLAlchemyError as e:
            raise StoreError(f"cannot prepare the database {shown}: {e}") from e
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        try:
            with self._sessions.begin() as session:
                yield session
        except OperationalError as e:
            shown = self.engine.url.render_as_string(hide_password=True)
            if "locked" in str(e.orig).lower():
                raise StoreError(f"the database {shown} is locked by another program",
                                 "wait for it to finish, or stop it; Followup waited 10 seconds") from e
            raise StoreError(f"the database {shown} failed: {e.orig}",
                             "check that it is reachable and writable") from e

    # --- folder cursors -----------------------------------------------------------------------

    def cursor(self, account: str, role: str, name: str) -> Cursor:
        with self.session() as s:
            row = s.scalars(select(FolderState).filter_by(account=account, role=role)).first()
            if row is None:
                return Cursor(account=account, role=role, name=name)
            return Cursor(account=account, role=role, name=row.name, uidvalidity=row.uidvalidity,
                          uidnext=row.uidnext, last_uid=row.last_uid, highestmodseq=row.highestmodseq,
                          exists_count=row.exists_count, sync_since=row.sync_since,
                          initial_done=row.initial_done, last_sync_at=row.last_sync_at)

    def save_cursor(self, cursor: Cursor, session: Session | None = None) -> None:
        if session is None:
            with self.session() as s:
                self.save_cursor(cursor, s)
            return
        row = session.scalars(select(FolderState).filter_by(account=cursor.account, role=cursor.role)).first()
        if row is None:
            row = FolderState(account=cursor.account, role=cursor.role)
            session.add(row)
        for key in ("name", "uidvalidity", "uidnext", "last_uid", "highestmodseq", "exists_count",
                    "sync_since", "initial_done", "last_sync_at"):
            setattr(row, key, getattr(cursor, key))

    def cursors(self, account: str) -> list[Cursor]:
        with self.session() as s:
            roles = s.scalars(select(FolderState.role).filter_by(account=account)).all()
        return [self.cursor(account, role, "") for role in roles]

    # --- messages -----------------------------------------------------------------------------

    def save_batch(self, cursor: Cursor, folder: str, records: Sequence[MessageRecord], now: datetime) -> BatchResult:
        """Store one fetched batch and advance the folder's cursor in the same transaction."""
        assert cursor.uidvalidity is not None
        added = rematched = duplicates = 0
        with self.session() as s:
            uids = [r.uid for r in records]
            present = set(s.scalars(select(StoredMessage.uid).where(
                StoredMessage.account == cursor.account, StoredMessage.folder_role == cursor.role,
                StoredMessage.uidvalidity == cursor.uidvalidity, StoredMessage.uid.in_(uids))))
            stale = self._stale_by_message_id(s, cursor, [r.message_id for r in records if r.message_id])
            gm_seen = self._gm_seen(s, cursor, [r.gm_msgid for r in records if r.gm_msgid is not None])
            for record in records:
                if record.uid in present:
                    continue
                if record.gm_msgid is not None and record.gm_msgid in gm_seen:
                    duplicates += 1  # the same Gmail message under another label
                    continue
                row = stale.pop(record.message_id, None) if record.message_id else None
                if row is not None:
                    rematched += 1  # UIDVALIDITY changed: keep the row (and what refers to it)
                else:
                    row = StoredMessage(account=cursor.account, folder_role=cursor.role)
                    s.add(row)
                    added += 1
                _fill(row, record, folder, cursor.uidvalidity, now)
            self.save_cursor(cursor, s)
        return BatchResult(added=added, rematched=rematched, duplicates=duplicates)

    @staticmethod
    def _stale_by_message_id(s: Session, cursor: Cursor, ids: list[str]) -> dict[str, StoredMessage]:
        if not ids:
            return {}
        rows = s.scalars(select(StoredMessage).where(
            StoredMessage.account == cursor.account, StoredMessage.folder_role == cursor.role,
            StoredMessage.uidvalidity != cursor.uidvalidity, StoredMessage.message_id.in_(ids)))
        return {row.message_id: row for row in rows if row.message_id}

    @staticmethod
    def _gm_seen(s: Session, cursor: Cursor, ids: list[int]) -> set[int]:
        if not ids:
            return set()
        return set(s.scalars(select(StoredMessage.gm_msgid).where(
            StoredMessage.account == cursor.account, StoredMessage.folder_role != cursor.role,
            StoredMessage.expunged.is_(False), StoredMessage.gm_msgid.in_(ids))))

    def expunge_stale(self, cursor: Cursor) -> int:
        """After a resync: rows of an older UIDVALIDITY that were not found again are gone."""
        with self.session() as s:
            result = s.execute(update(StoredMessage).where(
                StoredMessage.account == cursor.account, StoredMessage.folder_role == cursor.role,
                StoredMessage.uidvalidity != cursor.uidvalidity, StoredMessage.expunged.is_(False),
            ).values(expunged=True))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def stored_uids(self, cursor: Cursor, newest: int | None = None) -> list[int]:
        """UIDs we hold for this folder and UIDVALIDITY, not expunged; `newest` bounds the count."""
        query = select(StoredMessage.uid).where(
            StoredMessage.account == cursor.account, StoredMessage.folder_role == cursor.role,
            StoredMessage.uidvalidity == cursor.uidvalidity, StoredMessage.expunged.is_(False),
        ).order_by(StoredMessage.uid.desc())
        if newest is not None:
            query = query.limit(newest)
        with self.session() as s:
            return sorted(s.scalars(query))

    def update_flags(self, cursor: Cursor, flags: dict[int, tuple[str, ...]]) -> int:
        changed = 0
        with self.session() as s:
            rows = s.scalars(select(StoredMessage).where(
                StoredMessage.account == cursor.account, StoredMessage.folder_role == cursor.role,
                StoredMessage.uidvalidity == cursor.uidvalidity, StoredMessage.uid.in_(list(flags))))
            for row in rows:
                value = " ".join(sorted(flags[row.uid]))
                if row.flags != value:
                    row.flags = value
                    changed += 1
        return changed

    def mark_expunged(self, cursor: Cursor, uids: Iterable[int]) -> int:
        gone = list(uids)
        if not gone:
            return 0
        with self.session() as s:
            result = s.execute(update(StoredMessage).where(
                StoredMessage.account == cursor.account, StoredMessage.folder_role == cursor.role,
                StoredMessage.uidvalidity == cursor.uidvalidity, StoredMessage.uid.in_(gone),
            ).values(expunged=True))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def messages(self, account: str, include_expunged: bool = False) -> list[StoredMessage]:
        query = select(StoredMessage).where(StoredMessage.account == account)
        if not include_expunged:
            query = query.where(StoredMessage.expunged.is_(False))
        with self.session() as s:
            return list(s.scalars(query.order_by(StoredMessage.date, StoredMessage.id)))

    def texts_by_message_id(self, account: str, message_ids: set[str]) -> dict[str, str]:
        """The new text of stored messages, by Message-ID: what a reply to them may quote."""
        if not message_ids:
            return {}
        with self.session() as s:
            rows = s.execute(select(StoredMessage.message_id, StoredMessage.new_text).where(
                StoredMessage.account == account, StoredMessage.message_id.in_(sorted(message_ids))))
            return {mid: text for mid, text in rows if mid and text}

    def messages_with_id(self, account: str, message_id: str) -> list[StoredMessage]:
        """Stored copies of one message (by the indexed Message-ID), Sent's first."""
        with self.session() as s:
            rows = s.scalars(select(StoredMessage).where(
                StoredMessage.account == account, StoredMessage.message_id == message_id,
                StoredMessage.expunged.is_(False)))
            return sorted(rows, key=lambda r: r.folder_role != "sent")

    def count_messages(self, account: str) -> int:
        with self.session() as s:
            return int(s.scalar(select(func.count()).select_from(StoredMessage).where(
                StoredMessage.account == account, StoredMessage.expunged.is_(False))) or 0)

    # --- threads ------------------------------------------------------------------------------

    def thread_inputs(self, account: str) -> list[ThreadInput]:
        cols = (StoredMessage.id, StoredMessage.message_id, StoredMessage.in_reply_to, StoredMessage.references,
                StoredMessage.subject, StoredMessage.date, StoredMessage.from_addr, StoredMessage.to_json,
                StoredMessage.cc_json, StoredMessage.from_user, StoredMessage.gm_thrid, StoredMessage.headers_json)
        with self.session() as s:
            rows = s.execute(select(*cols).where(StoredMessage.account == account,
                                                 StoredMessage.expunged.is_(False))).all()
        out = []
        for r in rows:
            people = {r.from_addr} | {a for _, a in json.loads(r.to_json)} | {a for _, a in json.loads(r.cc_json)}
            out.append(ThreadInput(
                key=r.id, message_id=r.message_id, in_reply_to=r.in_reply_to,
                references=tuple(r.references.split()), subject=r.subject, date=r.date,
                from_addr=r.from_addr, participants=frozenset(people), from_user=r.from_user,
                gm_thrid=r.gm_thrid, thread_index=json.loads(r.headers_json).get("Thread-Index"),
            ))
        return out

    def has_unthreaded(self, account: str) -> bool:
        """Stored mail with no thread yet: a process killed between saving a batch and threading it."""
        with self.session() as s:
            return s.execute(select(StoredMessage.id).where(
                StoredMessage.account == account, StoredMessage.expunged.is_(False),
                StoredMessage.thread_key.is_(None)).limit(1)).first() is not None

    def apply_threads(self, account: str, keys: dict[int, str]) -> int:
        """Write each message's thread key and rebuild the account's thread summaries."""
        changed = 0
        with self.session() as s:
            current = dict(s.execute(select(StoredMessage.id, StoredMessage.thread_key).where(
                StoredMessage.account == account, StoredMessage.expunged.is_(False))).all())
            by_key: dict[str, list[int]] = {}
            for row_id, key in keys.items():
                by_key.setdefault(key, []).append(row_id)
                if current.get(row_id) != key:
                    changed += 1
            for key, ids in by_key.items():
                if any(current.get(i) != key for i in ids):
                    s.execute(update(StoredMessage).where(StoredMessage.id.in_(ids)).values(thread_key=key))
            if changed:
                self._refresh_threads(s, account)
        return changed

    @staticmethod
    def _refresh_threads(s: Session, account: str) -> None:
        stats = s.execute(select(
            StoredMessage.thread_key, func.min(StoredMessage.date), func.max(StoredMessage.date), func.count(),
        ).where(StoredMessage.account == account, StoredMessage.expunged.is_(False))
         .group_by(StoredMessage.thread_key)).all()
        existing = {t.key: t for t in s.scalars(select(Thread).filter_by(account=account))}
        subjects = dict(s.execute(select(StoredMessage.thread_key, StoredMessage.subject).where(
            StoredMessage.account == account, StoredMessage.message_id == StoredMessage.thread_key)).all())
        seen = set()
        for key, first, last, count in stats:
            if key is None:
                continue
            seen.add(key)
            thread = existing.get(key) or Thread(account=account, key=key)
            if thread.id is None:
                s.add(thread)
            thread.subject = subjects.get(key, thread.subject or "")
            thread.first_date, thread.last_date, thread.message_count = first, last, count
        for key, thread in existing.items():
            if key not in seen:
                s.delete(thread)

    def threads(self, account: str) -> list[Thread]:
        with self.session() as s:
            return list(s.scalars(select(Thread).filter_by(account=account).order_by(Thread.last_date)))


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    import fcntl

    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (status, list) never block the poller
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe under WAL: a power cut may lose the last commit, never corrupt
    cursor.close()


def _fill(row: StoredMessage, r: MessageRecord, folder: str, uidvalidity: int, now: datetime) -> None:
    row.folder, row.uidvalidity, row.uid = folder, uidvalidity, r.uid
    row.message_id, row.in_reply_to, row.references = r.message_id, r.in_reply_to, " ".join(r.references)
    row.subject, row.from_addr, row.from_name = r.subject, r.from_addr, r.from_name
    row.to_json, row.cc_json = json.dumps(r.to), json.dumps(r.cc)
    row.reply_to_json = json.dumps(r.reply_to)
    row.date = r.date
    offset = r.date.utcoffset() if r.date else None
    row.date_offset_minutes = int(offset.total_seconds() // 60) if offset is not None else None
    row.internal_date, row.flags = r.internal_date, " ".join(sorted(r.flags))
    row.headers_json, row.content_type, row.report_type = json.dumps(r.headers), r.content_type, r.report_type
    row.from_user, row.new_text, row.quoted_text, row.signature = r.from_user, r.new_text, r.quoted_text, r.signature
    row.attachments_json, row.size = json.dumps(r.attachments), r.size
    row.gm_msgid, row.gm_thrid, row.defects = r.gm_msgid, r.gm_thrid, "; ".join(r.defects)
    row.expunged, row.synced_at = False, now
    row.verdict, row.verdict_reason, row.return_date = r.verdict, r.verdict_reason, r.return_date
    row.report_json = json.dumps(r.report) if r.report else None
    row.expects_reply, row.expects_reason = r.expects_reply, r.expects_reason
    row.promises_json = json.dumps(list(r.promises)) if r.promises else None
    row.quote_rule, row.signature_rule = r.quote_rule, r.signature_rule
    row.list_address = " ".join(r.list_addresses)

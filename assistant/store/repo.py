"""The store's engine and sessions, and the mirror of the mailbox: sync cursors, stored messages, threads.

The rest of the store's queries live beside it: tracked items, drafts and reports in items.py, daemon
status and leases in status.py, account locks in locks.py, schema steps in migrations.py. No SQL
outside store/."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, func, insert, or_, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import StoreError
from assistant.model import ThreadInput
from assistant.store.migrations import migrate
from assistant.store.models import FolderState, QuietMark, StoredMessage, Thread, ThreadLink

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
    analysed: bool = True  # False: expects_reply, expects_reason and promises are left to be read later
    list_addresses: tuple[str, ...] = ()  # the mailing list it came through
    bcc: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Unread:
    """What reading a stored message's text needs: the same inputs sync had."""

    new_text: str
    sent: datetime | None  # its date, in the sender's own offset
    verdict: str


@dataclass(frozen=True)
class TextRecord:
    """The reading of a message's text, ready to store."""

    expects_reply: bool
    expects_reason: str
    promises: tuple[dict[str, Any], ...]


ReadText = Callable[[Unread], TextRecord]  # given by the caller: the store reads no mail itself


def unread(row: StoredMessage) -> Unread:
    sent = row.date
    if sent is not None and row.date_offset_minutes is not None:
        sent = sent.astimezone(timezone(timedelta(minutes=row.date_offset_minutes)))
    return Unread(new_text=row.new_text, sent=sent, verdict=row.verdict or "human")


def read_rows(rows: Iterable[StoredMessage], read: ReadText) -> int:
    """Read the text of the rows not read yet, in their session (so it is stored, once). Returns how many."""
    count = 0
    for row in rows:
        if not row.analysed:
            _set_text(row, read(unread(row)))
            count += 1
    return count


def _set_text(row: StoredMessage, r: TextRecord | MessageRecord) -> None:
    row.expects_reply, row.expects_reason = r.expects_reply, r.expects_reason
    row.promises_json = json.dumps(list(r.promises)) if r.promises else None
    row.analysed = True


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
            new_rows = []
            for record in records:
                if record.uid in present:
                    continue
                if record.gm_msgid is not None and record.gm_msgid in gm_seen:
                    duplicates += 1  # the same Gmail message under another label
                    continue
                values = _values(record, folder, cursor.uidvalidity, now)
                row = stale.pop(record.message_id, None) if record.message_id else None
                if row is not None:
                    rematched += 1  # UIDVALIDITY changed: keep the row (and what refers to it)
                    for key, value in values.items():
                        setattr(row, key, value)
                    row.thread_key = None  # and thread it again with the rest of its folder
                else:
                    new_rows.append({"account": cursor.account, "folder_role": cursor.role, **values})
            if new_rows:
                s.execute(insert(StoredMessage), new_rows)  # one executemany, no ORM objects
                added = len(new_rows)
            if added or rematched:
                _news(s, cursor.account)
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
        where = (StoredMessage.account == cursor.account, StoredMessage.folder_role == cursor.role,
                 StoredMessage.uidvalidity != cursor.uidvalidity, StoredMessage.expunged.is_(False))
        with self.session() as s:
            self._unthread(s, cursor.account, *where)
            result = s.execute(update(StoredMessage).where(*where).values(expunged=True))
            if result.rowcount:  # type: ignore[attr-defined]
                _news(s, cursor.account)
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
            if changed:
                _news(s, cursor.account)
        return changed

    def mark_expunged(self, cursor: Cursor, uids: Iterable[int]) -> int:
        gone = list(uids)
        if not gone:
            return 0
        where = (StoredMessage.account == cursor.account, StoredMessage.folder_role == cursor.role,
                 StoredMessage.uidvalidity == cursor.uidvalidity, StoredMessage.uid.in_(gone),
                 StoredMessage.expunged.is_(False))
        with self.session() as s:
            self._unthread(s, cursor.account, *where)
            result = s.execute(update(StoredMessage).where(*where).values(expunged=True))
            if result.rowcount:  # type: ignore[attr-defined]
                _news(s, cursor.account)
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    @staticmethod
    def _unthread(s: Session, account: str, *where: Any) -> None:
        """Before rows matching `where` go: their threads may split, so every other message of those threads
        is unthreaded (in the same transaction) and the next threading rebuilds just them."""
        keys = sorted({k for k in s.scalars(select(StoredMessage.thread_key).distinct().where(
            *where, StoredMessage.thread_key.is_not(None))) if k is not None})
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            s.execute(update(StoredMessage).where(
                StoredMessage.account == account, StoredMessage.expunged.is_(False),
                StoredMessage.thread_key.in_(chunk)).values(thread_key=None))
            s.execute(delete(Thread).where(Thread.account == account, Thread.key.in_(chunk)))

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

    def read_text(self, ids: Sequence[int], read: ReadText) -> int:
        """Read and store the text of those messages (by row id) not read yet."""
        with self.session() as s:
            return read_rows(s.scalars(select(StoredMessage).where(StoredMessage.id.in_(list(ids)))), read)

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

    _THREAD_COLS = (StoredMessage.id, StoredMessage.message_id, StoredMessage.in_reply_to, StoredMessage.references,
                    StoredMessage.subject, StoredMessage.date, StoredMessage.from_addr, StoredMessage.to_json,
                    StoredMessage.cc_json, StoredMessage.from_user, StoredMessage.gm_thrid,
                    StoredMessage.headers_json, StoredMessage.thread_key)

    def _thread_rows(self, account: str, *where: Any) -> list[tuple[ThreadInput, str | None]]:
        """What threading reads of the account's present mail matching `where`, with each row's thread key."""
        out = []
        with self.session() as s:
            # streamed: a whole account's raw headers never sit in memory at once
            for r in s.execute(select(*self._THREAD_COLS).where(
                    StoredMessage.account == account, StoredMessage.expunged.is_(False), *where)).yield_per(2000):
                people = {r.from_addr} | {a for _, a in json.loads(r.to_json)} | {a for _, a in json.loads(r.cc_json)}
                index = json.loads(r.headers_json).get("Thread-Index") if "Thread-Index" in r.headers_json else None
                out.append((ThreadInput(
                    key=r.id, message_id=r.message_id, in_reply_to=r.in_reply_to,
                    references=tuple(r.references.split()), subject=r.subject, date=r.date,
                    # only the user's messages need their people: a headerless reply joins one of them
                    from_addr=r.from_addr, participants=frozenset(people) if r.from_user else frozenset(),
                    from_user=r.from_user,
                    gm_thrid=r.gm_thrid, thread_index=index,
                ), r.thread_key))
        return out

    def thread_inputs(self, account: str) -> list[ThreadInput]:
        return [m for m, _ in self._thread_rows(account)]

    def unthreaded(self, account: str) -> list[ThreadInput]:
        """Mail not in a thread yet: new, or of a thread that lost a message (see _unthread)."""
        return [m for m, _ in self._thread_rows(account, StoredMessage.thread_key.is_(None))]

    def thread_members(self, account: str, keys: Iterable[str]) -> list[ThreadInput]:
        wanted = sorted(set(keys))
        return [m for start in range(0, len(wanted), 500)
                for m, _ in self._thread_rows(account, StoredMessage.thread_key.in_(wanted[start:start + 500]))]

    def mail_between(self, account: str, start: datetime, end: datetime, *, from_user: bool,
                     headerless: bool = False) -> list[tuple[ThreadInput, str | None]]:
        """Threaded mail dated in [start, end], the user's or not; `headerless`: no In-Reply-To, References or
        Gmail thread (what the subject fallback can move)."""
        where = [StoredMessage.from_user.is_(from_user), StoredMessage.date >= start, StoredMessage.date <= end,
                 StoredMessage.thread_key.is_not(None)]
        if headerless:  # naming only itself is naming nothing (analysis.threads._chain)
            m = StoredMessage
            where += [or_(m.in_reply_to.is_(None), m.in_reply_to == m.message_id),
                      or_(m.references == "", m.references == m.message_id), m.gm_thrid.is_(None)]
        return self._thread_rows(account, *where)

    def threads_linked(self, account: str, links: Iterable[str]) -> set[str]:
        """The threads of present, threaded mail that shares any of `links`."""
        wanted = sorted(set(links))
        keys: set[str] = set()
        with self.session() as s:
            for start in range(0, len(wanted), 500):
                keys.update(s.scalars(select(StoredMessage.thread_key).distinct().join(
                    ThreadLink, ThreadLink.message == StoredMessage.id).where(
                    ThreadLink.account == account, ThreadLink.link.in_(wanted[start:start + 500]),
                    StoredMessage.expunged.is_(False), StoredMessage.thread_key.is_not(None))))
        return keys

    def has_links(self, account: str) -> bool:
        with self.session() as s:
            return s.execute(select(ThreadLink.id).where(ThreadLink.account == account).limit(1)).first() is not None

    def has_unthreaded(self, account: str) -> bool:
        """Stored mail with no thread yet: new mail, or a kill between saving a batch and threading it."""
        with self.session() as s:
            return s.execute(select(StoredMessage.id).where(
                StoredMessage.account == account, StoredMessage.expunged.is_(False),
                StoredMessage.thread_key.is_(None)).limit(1)).first() is not None

    def apply_threads(self, account: str, keys: dict[int, str],
                      links: Iterable[tuple[int, frozenset[str]]] | None = None, scope: set[str] | None = None) -> int:
        """Write each message's thread key, its links, and the thread summaries, in one transaction.

        With `scope` (the old keys of every thread the new keys were built from), only those rows and
        threads are touched; without it `keys` covers the whole account and everything is rewritten."""
        changed = 0
        with self.session() as s:
            ids = sorted(keys)
            current: dict[int, str | None] = {}
            if scope is None:
                current = dict(s.execute(select(StoredMessage.id, StoredMessage.thread_key).where(
                    StoredMessage.account == account, StoredMessage.expunged.is_(False))).all())
            else:
                for start in range(0, len(ids), 500):
                    current.update(s.execute(select(StoredMessage.id, StoredMessage.thread_key).where(
                        StoredMessage.id.in_(ids[start:start + 500]))).all())
            by_key: dict[str, list[int]] = {}
            for row_id, key in keys.items():
                if current.get(row_id) != key:
                    by_key.setdefault(key, []).append(row_id)
                    changed += 1
            for key, changed_ids in by_key.items():
                for start in range(0, len(changed_ids), 500):
                    s.execute(update(StoredMessage).where(StoredMessage.id.in_(changed_ids[start:start + 500]))
                              .values(thread_key=key))
            if links is not None:
                self._write_links(s, account, links, everything=scope is None)
            if scope is None:
                if changed:
                    self._refresh_threads(s, account, None)
            else:
                self._refresh_threads(s, account, scope | set(keys.values()))
        return changed

    @staticmethod
    def _write_links(s: Session, account: str, links: Iterable[tuple[int, frozenset[str]]], everything: bool) -> None:
        if everything:
            s.execute(delete(ThreadLink).where(ThreadLink.account == account))
        else:
            links = list(links)  # a few new messages
            ids = sorted(row_id for row_id, _ in links)
            for start in range(0, len(ids), 500):
                s.execute(delete(ThreadLink).where(ThreadLink.message.in_(ids[start:start + 500])))
        rows: list[dict[str, Any]] = []
        for row_id, row_links in links:
            rows += ({"account": account, "link": link, "message": row_id} for link in sorted(row_links))
            if len(rows) >= 5000:
                s.execute(insert(ThreadLink), rows)  # executemany in chunks, no ORM objects
                rows = []
        if rows:
            s.execute(insert(ThreadLink), rows)

    @staticmethod
    def _refresh_threads(s: Session, account: str, keys: set[str] | None) -> None:
        """Rebuild the summaries of the threads named in `keys` (all of the account's when None): a key that
        no present message carries any more loses its summary."""
        wanted = None if keys is None else sorted(keys)
        chunks = [None] if wanted is None else [wanted[i:i + 500] for i in range(0, len(wanted), 500)]
        for chunk in chunks:
            by_key = [] if chunk is None else [StoredMessage.thread_key.in_(chunk)]
            stats = s.execute(select(
                StoredMessage.thread_key, func.min(StoredMessage.date), func.max(StoredMessage.date), func.count(),
            ).where(StoredMessage.account == account, StoredMessage.expunged.is_(False), *by_key)
             .group_by(StoredMessage.thread_key)).all()
            existing = {t.key: t for t in s.scalars(select(Thread).where(
                Thread.account == account, *([] if chunk is None else [Thread.key.in_(chunk)])))}
            subjects = dict(s.execute(select(StoredMessage.thread_key, StoredMessage.subject).where(
                StoredMessage.account == account, StoredMessage.message_id == StoredMessage.thread_key,
                *by_key)).all())
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


def _news(s: Session, account: str) -> None:
    """Mail came, went or changed: forget the quiet mark in the same transaction, so the next poll decides
    again even if this one dies before it gets there (see service._quiet)."""
    s.execute(update(QuietMark).where(QuietMark.account == account).values(mark=""))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (status, list) never block the poller
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe under WAL: a power cut may lose the last commit, never corrupt
    cursor.close()


def _values(r: MessageRecord, folder: str, uidvalidity: int, now: datetime) -> dict[str, Any]:
    """Every column a fetched message fills, as the row's attribute names."""
    offset = r.date.utcoffset() if r.date else None
    return {
        "folder": folder, "uidvalidity": uidvalidity, "uid": r.uid, "message_id": r.message_id,
        "in_reply_to": r.in_reply_to, "references": " ".join(r.references), "subject": r.subject,
        "from_addr": r.from_addr, "from_name": r.from_name, "to_json": json.dumps(r.to), "cc_json": json.dumps(r.cc),
        "reply_to_json": json.dumps(r.reply_to), "bcc_json": json.dumps(r.bcc), "date": r.date,
        "date_offset_minutes": int(offset.total_seconds() // 60) if offset is not None else None,
        "internal_date": r.internal_date, "flags": " ".join(sorted(r.flags)), "headers_json": json.dumps(r.headers),
        "content_type": r.content_type, "report_type": r.report_type, "from_user": r.from_user,
        "new_text": r.new_text, "quoted_text": r.quoted_text, "signature": r.signature,
        "attachments_json": json.dumps(r.attachments), "size": r.size, "gm_msgid": r.gm_msgid,
        "gm_thrid": r.gm_thrid, "defects": "; ".join(r.defects), "expunged": False, "synced_at": now,
        "verdict": r.verdict, "verdict_reason": r.verdict_reason, "return_date": r.return_date,
        "report_json": json.dumps(r.report) if r.report else None, "quote_rule": r.quote_rule,
        "signature_rule": r.signature_rule, "expects_reply": r.expects_reply, "expects_reason": r.expects_reason,
        "promises_json": json.dumps(list(r.promises)) if r.promises else None, "analysed": r.analysed,
        "list_address": " ".join(r.list_addresses),
    }

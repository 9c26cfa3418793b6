"""SQLAlchemy 2.0 typed tables. Times are stored as UTC and read back timezone-aware on every backend."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; SQLite would otherwise hand back naive values."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    pass


class SchemaMigration(Base):
    __tablename__ = "schema_migrations"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FolderState(Base):
    """The sync cursor of one folder of one account."""

    __tablename__ = "folder_state"
    __table_args__ = (UniqueConstraint("account", "role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # inbox | sent | drafts
    name: Mapped[str] = mapped_column(String(500))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uidnext: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    highestmodseq: Mapped[int | None] = mapped_column(BigInteger)
    exists_count: Mapped[int] = mapped_column(Integer, default=0)
    sync_since: Mapped[datetime | None] = mapped_column(UTCDateTime())  # bound of the first sync
    initial_done: Mapped[bool] = mapped_column(Boolean, default=False)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StoredMessage(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("account", "folder_role", "uidvalidity", "uid"),
        Index("ix_messages_account_message_id", "account", "message_id"),
        Index("ix_messages_account_thread", "account", "thread_key"),
        Index("ix_messages_account_gm_msgid", "account", "gm_msgid"),
        Index("ix_messages_account_date", "account", "date"),  # the decision horizon
        Index("ix_messages_account_list_address", "account", "list_address"),  # the lists, by SELECT DISTINCT
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(200))
    folder_role: Mapped[str] = mapped_column(String(20))
    folder: Mapped[str] = mapped_column(String(500))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[str | None] = mapped_column(String(998))
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[str] = mapped_column(Text, default="")  # space-separated <ids>
    subject: Mapped[str] = mapped_column(Text, default="")
    from_addr: Mapped[str] = mapped_column(String(320), default="")
    from_name: Mapped[str] = mapped_column(Text, default="")
    to_json: Mapped[str] = mapped_column(Text, default="[]")  # [[name, email], ...]
    cc_json: Mapped[str] = mapped_column(Text, default="[]")
    reply_to_json: Mapped[str] = mapped_column(Text, default="[]")
    bcc_json: Mapped[str] = mapped_column(Text, default="[]")  # a Sent copy's Bcc: the plus-address commands
    date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    date_offset_minutes: Mapped[int | None] = mapped_column(Integer)  # the sender's own UTC offset
    internal_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    flags: Mapped[str] = mapped_column(Text, default="")  # space-separated
    headers_json: Mapped[str] = mapped_column(Text, default="{}")
    content_type: Mapped[str] = mapped_column(String(200), default="text/plain")
    report_type: Mapped[str | None] = mapped_column(String(100))
    from_user: Mapped[bool] = mapped_column(Boolean, default=False)
    new_text: Mapped[str] = mapped_column(Text, default="")
    quoted_text: Mapped[str] = mapped_column(Text, default="")
    signature: Mapped[str] = mapped_column(Text, default="")
    attachments_json: Mapped[str] = mapped_column(Text, default="[]")  # names only, never content
    size: Mapped[int | None] = mapped_column(BigInteger)
    gm_msgid: Mapped[int | None] = mapped_column(BigInteger)
    gm_thrid: Mapped[int | None] = mapped_column(BigInteger)
    thread_key: Mapped[str | None] = mapped_column(String(998))
    expunged: Mapped[bool] = mapped_column(Boolean, default=False)
    defects: Mapped[str] = mapped_column(Text, default="")
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # analysis at sync time, while the whole fetched message is at hand
    verdict: Mapped[str | None] = mapped_column(String(20))  # human, auto_reply, bounce, ...
    verdict_reason: Mapped[str | None] = mapped_column(Text)
    return_date: Mapped[dt.date | None] = mapped_column(Date)  # an out-of-office's stated return
    report_json: Mapped[str | None] = mapped_column(Text)  # bounce/receipt: original id, recipients, action
    expects_reply: Mapped[bool | None] = mapped_column(Boolean)
    expects_reason: Mapped[str | None] = mapped_column(Text)
    promises_json: Mapped[str | None] = mapped_column(Text)  # [{text, what, due}] found in the new text
    # False: intent and promises not read yet (old mail, read when a decision, the report or explain needs it)
    analysed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    quote_rule: Mapped[str | None] = mapped_column(Text)  # which rule found the quote, for `explain`
    signature_rule: Mapped[str | None] = mapped_column(Text)
    # the mailing list it came through (List-Post, List-Id), space-separated when they name two; "" for none,
    # NULL until read (mail stored before 0010_list_address: see FollowupStore.list_addresses)
    list_address: Mapped[str | None] = mapped_column(Text)


class ThreadLink(Base):
    """One thing that can join a stored message to others (analysis.threads.thread_links): an id it has or
    names, a Gmail thread, an Outlook conversation. New mail finds the threads it joins through these, so
    threading touches only those threads."""

    __tablename__ = "thread_links"
    __table_args__ = (Index("ix_thread_links_account_link", "account", "link"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(200))
    link: Mapped[str] = mapped_column(String(1010))
    message: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)


class Thread(Base):
    __tablename__ = "threads"
    __table_args__ = (UniqueConstraint("account", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(998))
    subject: Mapped[str] = mapped_column(Text, default="")
    first_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_count: Mapped[int] = mapped_column(Integer, default=0)


class Followup(Base):
    """One tracked item of any kind (model.Kind): a sent message awaiting a reply, a promise either
    way, a check-back or a check-in."""

    __tablename__ = "followups"
    __table_args__ = (UniqueConstraint("account", "kind", "message_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), default="awaiting_reply")
    message_id: Mapped[str] = mapped_column(String(998))  # the tracked message, with <>
    thread_key: Mapped[str | None] = mapped_column(String(998))
    subject: Mapped[str] = mapped_column(Text, default="")
    to_json: Mapped[str] = mapped_column(Text, default="[]")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(20), default="waiting")
    step: Mapped[int] = mapped_column(Integer, default=1)  # the user's unanswered messages so far
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str | None] = mapped_column(Text)  # a promise: the sentence
    what: Mapped[str | None] = mapped_column(Text)  # a promise: what was promised
    # awaiting a reply from several people ([followup] group): [[name, email], ...]
    answered_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")  # who answered
    waiting_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")  # whose answer is awaited
    manual: Mapped[str | None] = mapped_column(String(20))  # track | dismiss | snooze (the user's word)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Draft(Base):
    """A draft we put (or are about to put) in the user's Drafts folder."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("account", "message_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    followup_id: Mapped[int] = mapped_column(ForeignKey("followups.id"))
    account: Mapped[str] = mapped_column(String(200))
    step: Mapped[int] = mapped_column(Integer)
    message_id: Mapped[str] = mapped_column(String(998))  # decided before APPEND: (thread, step) → id
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending|present|sent|deleted|edited|removed
    folder: Mapped[str] = mapped_column(String(500))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    body_sha256: Mapped[str] = mapped_column(String(64))  # of what we appended: untouched ⇔ still equal
    raw: Mapped[str] = mapped_column(Text)  # the message we append, so a retry appends the same bytes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WeeklyReport(Base):
    """A weekly report delivered: never twice for the same week."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("account", "week_of"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(200))
    week_of: Mapped[str] = mapped_column(String(10))  # the Monday, ISO date
    message_id: Mapped[str] = mapped_column(String(998))
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending | delivered
    target: Mapped[str] = mapped_column(Text)  # inbox or file:PATH
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccountStatus(Base):
    """What `followup status` shows, and (with --worker) which worker holds an account's lease."""

    __tablename__ = "account_status"
    account: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str] = mapped_column(String(30), default="starting")  # running | retrying | auth-failed | ...
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    worker: Mapped[str | None] = mapped_column(String(200))  # who works it now
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the daemon that holds the account: alive while its heartbeat is younger than `heartbeat_until` (real time)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    daemon_pid: Mapped[int | None] = mapped_column(Integer)
    daemon_host: Mapped[str | None] = mapped_column(String(200))
    # the last sync and poll by any command: when, which command, "ok" or the error sentence, what it did
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sync_by: Mapped[str | None] = mapped_column(String(60))
    last_sync_outcome: Mapped[str | None] = mapped_column(Text)
    last_sync_summary: Mapped[str | None] = mapped_column(Text)
    last_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_poll_by: Mapped[str | None] = mapped_column(String(60))
    last_poll_outcome: Mapped[str | None] = mapped_column(Text)
    last_poll_summary: Mapped[str | None] = mapped_column(Text)


class PollRequest(Base):
    """`followup poll` while `followup run` holds the account: the daemon polls and answers here."""

    __tablename__ = "poll_requests"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account: Mapped[str] = mapped_column(String(200), index=True)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())  # real time, whatever --now says
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer_json: Mapped[str | None] = mapped_column(Text)  # the poll's JSON, or {"error": …, "hint": …}


class QuietMark(Base):
    """After deciding: nothing changes with time alone before `until`, while the store still matches
    `mark`. A poll that synced nothing new then skips deciding (see service._poll)."""

    __tablename__ = "quiet_marks"
    account: Mapped[str] = mapped_column(String(200), primary_key=True)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mark: Mapped[str] = mapped_column(Text, default="")

"""Schema upgrades as named steps recorded in `schema_migrations`, so an upgrade keeps the user's data.

A new database gets the current schema in one go and every step recorded as applied; an existing
one runs, in order, the steps it has not seen. Add a step to STEPS whenever models.py changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, inspect, select, text

from assistant.store.models import Base, SchemaMigration

log = logging.getLogger(__name__)

Step = tuple[str, Callable[[Connection], None]]


def _initial(conn: Connection) -> None:
    Base.metadata.create_all(conn)


def _add_columns(conn: Connection, table: str, columns: Sequence[tuple[str, str]]) -> None:
    """ALTER TABLE … ADD COLUMN for those not there yet: a table an earlier step created from today's
    models already has them."""
    have = {c["name"] for c in inspect(conn).get_columns(table)}
    for column, kind in columns:
        if column not in have:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))


def _followups(conn: Connection) -> None:
    _add_columns(conn, "messages", (("verdict", "VARCHAR(20)"), ("verdict_reason", "TEXT"), ("return_date", "DATE"),
                                    ("report_json", "TEXT"), ("expects_reply", "BOOLEAN"),
                                    ("expects_reason", "TEXT")))
    Base.metadata.create_all(conn, tables=[Base.metadata.tables["followups"], Base.metadata.tables["drafts"]])
    # Mail synced before had no analysis: mirror it again (nothing referred to it before this step).
    conn.execute(text("DELETE FROM threads"))
    conn.execute(text("DELETE FROM messages"))
    conn.execute(text("UPDATE folder_state SET uidvalidity = NULL, uidnext = NULL, last_uid = 0, "
                      "highestmodseq = NULL, exists_count = 0, initial_done = :f"), {"f": False})


def _promises(conn: Connection) -> None:
    # Mail synced before keeps no promises: only new mail is read for them.
    _add_columns(conn, "messages", (("promises_json", "TEXT"),))
    _add_columns(conn, "followups", (("text", "TEXT"), ("what", "TEXT")))


def _reports(conn: Connection) -> None:
    Base.metadata.create_all(conn, tables=[Base.metadata.tables["reports"]])


def _status(conn: Connection) -> None:
    Base.metadata.create_all(conn, tables=[Base.metadata.tables["account_status"]])


def _split_rules(conn: Connection) -> None:
    _add_columns(conn, "messages", (("quote_rule", "TEXT"), ("signature_rule", "TEXT")))


def _horizon(conn: Connection) -> None:
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_messages_account_date ON messages (account, date)"))
    Base.metadata.create_all(conn, tables=[Base.metadata.tables["quiet_marks"]])


def _thread_links(conn: Connection) -> None:
    # Empty at first: the next threading finds no links for the account and rebuilds it in full, which
    # writes them (mailbox.rethread).
    Base.metadata.create_all(conn, tables=[Base.metadata.tables["thread_links"]])


def _lazy_analysis(conn: Connection) -> None:
    # every row stored so far was read in full at sync
    _add_columns(conn, "messages", (("analysed", "BOOLEAN NOT NULL DEFAULT TRUE"),))


def _list_address(conn: Connection) -> None:
    _add_columns(conn, "messages", (("list_address", "TEXT"),))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_messages_account_list_address "
                      "ON messages (account, list_address)"))
    # Mail without list headers came through no list. The rest stays NULL: the store reads no headers itself,
    # so FollowupStore.list_addresses has them read from their stored headers once, on first use.
    conn.execute(text("UPDATE messages SET list_address = '' WHERE list_address IS NULL "
                      "AND headers_json NOT LIKE :list"), {"list": "%List-%"})


def _group_each(conn: Connection) -> None:
    # Rows decided before know no one answered yet: the next decision of an open item fills them in.
    _add_columns(conn, "followups", (("answered_json", "TEXT NOT NULL DEFAULT '[]'"),
                                     ("waiting_json", "TEXT NOT NULL DEFAULT '[]'")))


def _status_heartbeat(conn: Connection) -> None:
    # Self-contained: 0005 made account_status from the models of its day, or of today (new databases).
    _add_columns(conn, "account_status", (
        ("heartbeat_at", "TIMESTAMP"), ("heartbeat_until", "TIMESTAMP"), ("daemon_pid", "INTEGER"),
        ("daemon_host", "VARCHAR(200)"),
        ("last_sync_at", "TIMESTAMP"), ("last_sync_by", "VARCHAR(60)"), ("last_sync_outcome", "TEXT"),
        ("last_sync_summary", "TEXT"),
        ("last_poll_at", "TIMESTAMP"), ("last_poll_by", "VARCHAR(60)"), ("last_poll_outcome", "TEXT"),
        ("last_poll_summary", "TEXT")))
    Base.metadata.create_all(conn, tables=[Base.metadata.tables["poll_requests"]])


def _controls(conn: Connection) -> None:
    # Mail stored before kept no Bcc: commands are read from mail sent from now on (and from keywords).
    _add_columns(conn, "messages", (("bcc_json", "TEXT NOT NULL DEFAULT '[]'"),))


STEPS: Sequence[Step] = (("0001_initial", _initial), ("0002_followups", _followups), ("0003_promises", _promises),
                         ("0004_reports", _reports), ("0005_status", _status), ("0006_split_rules", _split_rules),
                         ("0007_horizon", _horizon), ("0008_thread_links", _thread_links),
                         ("0009_lazy_analysis", _lazy_analysis), ("0010_list_address", _list_address),
                         ("0011_status_heartbeat", _status_heartbeat), ("0012_controls", _controls),
                         ("0013_group_each", _group_each))


def migrate(conn: Connection, steps: Sequence[Step] = STEPS) -> list[str]:
    """Bring the schema up to date inside the caller's transaction; returns the steps applied."""
    now = datetime.now(UTC)
    if not inspect(conn).has_table(SchemaMigration.__tablename__):
        Base.metadata.create_all(conn)
        for name, _ in steps:
            conn.execute(insert(SchemaMigration).values(name=name, applied_at=now))
        return []
    done = set(conn.execute(select(SchemaMigration.name)).scalars())
    applied = []
    for name, step in steps:
        if name in done:
            continue
        log.info("upgrading the database: %s", name)
        step(conn)
        conn.execute(insert(SchemaMigration).values(name=name, applied_at=now))
        applied.append(name)
    return applied

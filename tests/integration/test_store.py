"""The store on SQLite and PostgreSQL through the same code: migrations, batches, re-matching, threads."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection, text

from assistant.store import migrations
from assistant.store.repo import Cursor, MessageRecord, Store

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def record(uid: int, message_id: str, **kw: object) -> MessageRecord:
    base: dict[str, object] = dict(
        uid=uid, message_id=message_id, in_reply_to=None, references=(), subject="Hello", from_addr="a@x.example",
        from_name="A", to=(("", "me@example.com"),), cc=(), reply_to=(), date=NOW - timedelta(hours=uid),
        internal_date=NOW, flags=("\\Seen",), headers={}, content_type="text/plain", report_type=None,
        from_user=False, new_text="hi", quoted_text="", signature="", attachments=(), size=100, gm_msgid=None,
        gm_thrid=None, defects=())
    base.update(kw)
    return MessageRecord(**base)  # type: ignore[arg-type]


def test_batches_advance_the_cursor_atomically(db_url: str) -> None:
    store = Store.open(db_url)
    cursor = Cursor(account="work", role="inbox", name="INBOX", uidvalidity=7, last_uid=2)
    result = store.save_batch(cursor, "INBOX", [record(1, "<a@x>"), record(2, "<b@x>")], NOW)
    assert result.added == 2
    # the same batch again (a crash after commit, before the caller noticed) adds nothing
    assert store.save_batch(cursor, "INBOX", [record(1, "<a@x>"), record(2, "<b@x>")], NOW).added == 0
    again = Store.open(db_url)
    assert again.cursor("work", "inbox", "INBOX").last_uid == 2
    assert [m.date for m in again.messages("work")] == [NOW - timedelta(hours=2), NOW - timedelta(hours=1)]
    assert again.messages("work")[0].date.tzinfo is not None  # type: ignore[union-attr]
    store.close()
    again.close()


def test_new_uidvalidity_rematches_by_message_id(db_url: str) -> None:
    store = Store.open(db_url)
    old = Cursor(account="work", role="sent", name="Sent", uidvalidity=1)
    store.save_batch(old, "Sent", [record(1, "<a@x>"), record(2, "<b@x>")], NOW)
    ids = {m.message_id: m.id for m in store.messages("work")}
    new = Cursor(account="work", role="sent", name="Sent", uidvalidity=2)
    result = store.save_batch(new, "Sent", [record(10, "<a@x>"), record(11, "<c@x>")], NOW)
    assert (result.added, result.rematched) == (1, 1)
    assert store.expunge_stale(new) == 1  # <b@x> did not come back
    after = {m.message_id: (m.id, m.uid) for m in store.messages("work")}
    assert after["<a@x>"] == (ids["<a@x>"], 10) and "<b@x>" not in after and "<c@x>" in after
    store.close()


def test_gmail_message_under_two_labels_is_stored_once(db_url: str) -> None:
    store = Store.open(db_url)
    inbox = Cursor(account="work", role="inbox", name="INBOX", uidvalidity=1)
    sent = Cursor(account="work", role="sent", name="[Gmail]/Sent Mail", uidvalidity=1)
    store.save_batch(inbox, "INBOX", [record(1, "<self@x>", gm_msgid=111, gm_thrid=5)], NOW)
    result = store.save_batch(sent, "[Gmail]/Sent Mail", [record(4, "<self@x>", gm_msgid=111, gm_thrid=5),
                                                          record(5, "<s2@x>", gm_msgid=112, gm_thrid=5)], NOW)
    assert (result.added, result.duplicates) == (1, 1)
    assert sorted(m.gm_msgid for m in store.messages("work")) == [111, 112]  # type: ignore[type-var]
    store.close()


def test_thread_keys_and_summaries(db_url: str) -> None:
    from assistant.analysis.threads import build_threads

    store = Store.open(db_url)
    cursor = Cursor(account="work", role="inbox", name="INBOX", uidvalidity=1)
    store.save_batch(cursor, "INBOX", [
        record(3, "<root@x>", subject="Plan"),
        record(2, "<r1@x>", subject="Re: Plan", in_reply_to="<root@x>", references=("<root@x>",)),
        record(1, "<other@x>", subject="Other"),
    ], NOW)
    assert store.apply_threads("work", build_threads(store.thread_inputs("work"))) == 3
    assert store.apply_threads("work", build_threads(store.thread_inputs("work"))) == 0  # stable
    threads = {t.key: (t.subject, t.message_count) for t in store.threads("work")}
    assert threads == {"<root@x>": ("Plan", 2), "<other@x>": ("Other", 1)}
    store.close()


def test_upgrade_runs_pending_steps_and_keeps_data(db_url: str) -> None:
    store = Store.open(db_url)
    store.save_batch(Cursor(account="work", role="inbox", name="INBOX", uidvalidity=1), "INBOX",
                     [record(1, "<keep@x>")], NOW)
    store.close()

    def add_note_column(conn: Connection) -> None:
        conn.execute(text("ALTER TABLE messages ADD COLUMN note TEXT DEFAULT 'x'"))

    steps = [*migrations.STEPS, ("0002_note", add_note_column)]
    engine = Store.open(db_url).engine
    with engine.begin() as conn:
        assert migrations.migrate(conn, steps) == ["0002_note"]
    with engine.begin() as conn:
        assert migrations.migrate(conn, steps) == []  # recorded: never applied twice
        rows = conn.execute(text("SELECT message_id, note FROM messages")).all()
    assert [tuple(r) for r in rows] == [("<keep@x>", "x")]
    with engine.begin() as conn:  # leave the schema as the models expect for other tests
        conn.execute(text("ALTER TABLE messages DROP COLUMN note"))
    engine.dispose()


def test_sqlite_uses_wal(tmp_path: object) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/w.db")
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    store.close()


def test_upgrade_to_followups_remirrors_unanalysed_mail(db_url: str) -> None:
    store = Store.open(db_url)
    cursor = Cursor(account="work", role="inbox", name="INBOX", uidvalidity=7, last_uid=1, initial_done=True)
    store.save_batch(cursor, "INBOX", [record(1, "<old@x>")], NOW)
    with store.engine.begin() as conn:  # turn the database back into what 0001 made
        conn.execute(text("DROP TABLE drafts"))
        conn.execute(text("DROP TABLE followups"))
        for column in ("verdict", "verdict_reason", "return_date", "report_json", "expects_reply",
                       "expects_reason"):
            conn.execute(text(f"ALTER TABLE messages DROP COLUMN {column}"))
        conn.execute(text("DELETE FROM schema_migrations WHERE name = '0002_followups'"))
    store.close()
    upgraded = Store.open(db_url)
    assert upgraded.messages("work") == []  # mirrored again, with analysis, on the next sync
    again = upgraded.cursor("work", "inbox", "INBOX")
    assert (again.last_uid, again.uidvalidity, again.initial_done) == (0, None, False)
    upgraded.close()


def test_a_database_made_by_the_first_release_upgrades_through_every_step(tmp_path: object) -> None:
    from sqlalchemy import create_engine

    from assistant.store.models import Base

    url = f"sqlite:///{tmp_path}/v1.db"
    engine = create_engine(url)
    first = ("schema_migrations", "folder_state", "messages", "threads")
    with engine.begin() as conn:  # the 0001 schema: today's tables of that release, without later columns
        Base.metadata.create_all(conn, tables=[Base.metadata.tables[t] for t in first])
        for column in ("verdict", "verdict_reason", "return_date", "report_json", "expects_reply",
                       "expects_reason", "promises_json"):
            conn.execute(text(f"ALTER TABLE messages DROP COLUMN {column}"))
        conn.execute(text("INSERT INTO schema_migrations (name, applied_at) VALUES ('0001_initial', '2026-11-01')"))
    engine.dispose()
    store = Store.open(url)
    with store.engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT name FROM schema_migrations ORDER BY name"))]
    assert names == [name for name, _ in migrations.STEPS]
    store.close()


def test_upgrade_to_lazy_analysis_keeps_stored_mail_read(db_url: str) -> None:
    store = Store.open(db_url)
    store.save_batch(Cursor(account="work", role="inbox", name="INBOX", uidvalidity=7), "INBOX",
                     [record(1, "<read@x>")], NOW)
    with store.engine.begin() as conn:  # the database as it was before 0009
        conn.execute(text("ALTER TABLE messages DROP COLUMN analysed"))
        conn.execute(text("DELETE FROM schema_migrations WHERE name = '0009_lazy_analysis'"))
    store.close()
    upgraded = Store.open(db_url)
    [row] = upgraded.messages("work")
    assert row.analysed  # every row stored before was read in full at sync
    upgraded.save_batch(Cursor(account="work", role="inbox", name="INBOX", uidvalidity=7), "INBOX",
                        [record(2, "<unread@x>", analysed=False)], NOW)
    assert {m.message_id: m.analysed for m in upgraded.messages("work")} == {"<read@x>": True, "<unread@x>": False}
    upgraded.close()


def test_upgrade_to_status_heartbeat_keeps_the_status_row(db_url: str) -> None:
    from assistant.store.status import StatusStore

    store = Store.open(db_url)
    StatusStore(store).update("work", NOW, state="running", last_success_at=NOW)
    with store.engine.begin() as conn:  # the database as it was before 0011
        conn.execute(text("DROP TABLE poll_requests"))
        for column in ("heartbeat_at", "heartbeat_until", "daemon_pid", "daemon_host", "last_sync_at", "last_sync_by",
                       "last_sync_outcome", "last_sync_summary", "last_poll_at", "last_poll_by", "last_poll_outcome",
                       "last_poll_summary"):
            conn.execute(text(f"ALTER TABLE account_status DROP COLUMN {column}"))
        conn.execute(text("DELETE FROM schema_migrations WHERE name = '0011_status_heartbeat'"))
    store.close()
    upgraded = Store.open(db_url)
    status = StatusStore(upgraded)
    [row] = status.rows(["work"])
    # a daemon of the last version left no heartbeat: nothing says it still runs
    assert (row.state, row.last_success_at, row.last_poll) == ("not running", NOW, None)
    status.record("work", "poll", NOW, "poll", "0 new, 0 changed, 0 gone; nothing to do")
    ident = status.ask_poll("work", NOW)
    assert status.pending_polls("work") == [(ident, False)]
    status.answer_polls([ident], NOW, {"account": "work", "actions": []})
    assert status.poll_answer(ident) == {"account": "work", "actions": []} and status.pending_polls("work") == []
    assert status.rows(["work"])[0].last_poll.summary.endswith("nothing to do")  # type: ignore[union-attr]


def test_upgrade_to_controls_keeps_stored_mail_without_bcc(db_url: str) -> None:
    store = Store.open(db_url)
    store.save_batch(Cursor(account="work", role="sent", name="Sent", uidvalidity=7), "Sent",
                     [record(1, "<old@x>")], NOW)
    with store.engine.begin() as conn:  # the database as it was before 0012
        conn.execute(text("ALTER TABLE messages DROP COLUMN bcc_json"))
        conn.execute(text("DELETE FROM schema_migrations WHERE name = '0012_controls'"))
    store.close()
    upgraded = Store.open(db_url)
    [row] = upgraded.messages("work")
    assert row.bcc_json == "[]"  # mail stored before kept no Bcc
    upgraded.save_batch(Cursor(account="work", role="sent", name="Sent", uidvalidity=7), "Sent",
                        [replace(record(2, "<new@x>"), bcc=(("", "me+followup-3d@example.com"),))], NOW)
    assert {m.message_id: m.bcc_json for m in upgraded.messages("work")} == {
        "<old@x>": "[]", "<new@x>": '[["", "me+followup-3d@example.com"]]'}
    upgraded.close()

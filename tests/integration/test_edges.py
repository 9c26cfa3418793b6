"""Edges found in review, each once a bug: on SQLite and PostgreSQL.

Threading: a reply that names only itself, an id too long for an index. The quiet mark: a change saved by a
poll that died before deciding. The horizon: a keep-in-touch domain with several people, mail without a Date.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from assistant.analysis.threads import build_threads
from assistant.config import Config, parse_config
from assistant.mailbox.rethread import rethread
from assistant.mailbox.sync import FolderSummary
from assistant.model import OPEN
from assistant.service import SyncResult, _mark, _quiet, calendar_for, decide, quiet_until
from assistant.store.items import FollowupStore
from assistant.store.repo import Cursor, MessageRecord, Store

T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
ME = "me@example.com"


def rec(uid: int, mid: str, subject: str, frm: str, to: str, date: datetime | None, **kw: Any) -> MessageRecord:
    base: dict[str, Any] = dict(
        uid=uid, message_id=mid, in_reply_to=None, references=(), subject=subject, from_addr=frm, from_name="",
        to=(("", to),), cc=(), reply_to=(), date=date, internal_date=date, flags=(), headers={},
        content_type="text/plain", report_type=None, from_user=frm == ME, new_text="hi", quoted_text="",
        signature="", attachments=(), size=100, gm_msgid=None, gm_thrid=None, defects=(), verdict="human")
    base.update(kw)
    return MessageRecord(**base)


def stored_keys(store: Store) -> dict[int, str | None]:
    return {m.id: m.thread_key for m in store.messages("work")}


def config(extra: str = "") -> Config:
    return parse_config(f"""
timezone = "UTC"
[database]
url = "sqlite:///unused.db"
[[accounts]]
name = "work"
host = "127.0.0.1"
username = "{ME}"
password_env = "X"
addresses = ["{ME}"]
[report]
deliver = "none"
""" + extra)


def test_a_reply_naming_only_itself_moves_to_a_later_sent_message(db_url: str) -> None:
    store = Store.open(db_url)
    inbox = Cursor(account="work", role="inbox", name="INBOX", uidvalidity=1)
    sent = Cursor(account="work", role="sent", name="Sent", uidvalidity=1)
    store.save_batch(sent, "Sent", [rec(1, "<s1@x>", "Budget", ME, "p@x", T0)], T0)
    # a broken client: In-Reply-To is the message's own id, so it has no threading headers at all
    store.save_batch(inbox, "INBOX", [rec(1, "<r@x>", "Re: Budget", "p@x", ME, T0 + timedelta(days=5),
                                          in_reply_to="<r@x>")], T0)
    assert rethread(store, "work").full  # type: ignore[union-attr]
    # the user's later message on the subject (sent before the reply) syncs late: the reply moves to it
    store.save_batch(sent, "Sent", [rec(2, "<s2@x>", "Re: Budget", ME, "p@x", T0 + timedelta(days=3))], T0)
    result = rethread(store, "work")
    assert result is not None and not result.full
    assert stored_keys(store) == build_threads(store.thread_inputs("work"))
    assert set(stored_keys(store).values()) == {"<s1@x>", "<s2@x>"}
    store.close()


def test_an_overlong_reference_is_threaded(db_url: str) -> None:
    store = Store.open(db_url)
    inbox = Cursor(account="work", role="inbox", name="INBOX", uidvalidity=1)
    long_ref = "<" + "z" * 1100 + "@x>"
    store.save_batch(inbox, "INBOX", [rec(1, "<a@x>", "hi", "p@x", ME, T0, references=(long_ref,))], T0)
    rethread(store, "work")
    store.save_batch(inbox, "INBOX", [rec(2, "<b@x>", "Re: hi", "p@x", ME, T0 + timedelta(days=1),
                                          references=(long_ref,))], T0)
    result = rethread(store, "work")
    assert result is not None and not result.full
    assert set(stored_keys(store).values()) == {"<a@x>"}  # joined through the long id's digest
    store.close()


def test_a_star_saved_by_a_poll_that_died_is_decided_next_time(db_url: str) -> None:
    store = Store.open(db_url)
    cfg = config()
    account = cfg.accounts[0]
    sent = Cursor(account="work", role="sent", name="Sent", uidvalidity=1)
    store.save_batch(sent, "Sent", [rec(1, "<s1@x>", "Hello", ME, "p@x", T0, expects_reply=False)], T0)
    rethread(store, "work")
    followups, cal = FollowupStore(store), calendar_for(cfg)
    now = T0 + timedelta(hours=1)
    decisions, _ = decide(cfg, account, followups, cal, now)
    assert not [d for d in decisions if d.state in OPEN]
    followups.save_decisions("work", decisions, now)
    followups.set_quiet("work", quiet_until(decisions), _mark(cfg, account, followups))  # a settled poll
    # next poll: Sent's flags are read and saved (\Flagged), then the connection drops (ConnectionLost)
    assert store.update_flags(sent, {1: ("\\Flagged",)}) == 1
    # the poll after: the flag is already stored, so nothing "changed" in this sync
    later = now + timedelta(minutes=5)
    synced = SyncResult(account="work", folders=[FolderSummary(role="sent", name="Sent")])
    skipped = _quiet(cfg, account, followups, synced, later)
    fresh, _ = decide(cfg, account, followups, cal, later)
    assert [d for d in fresh if d.state in OPEN]  # deciding would track the starred message
    assert not skipped  # the star is news: decided again


def test_an_expunge_saved_by_a_poll_that_died_is_decided_next_time(db_url: str) -> None:
    store = Store.open(db_url)
    cfg = config()
    account = cfg.accounts[0]
    sent = Cursor(account="work", role="sent", name="Sent", uidvalidity=1)
    store.save_batch(sent, "Sent", [rec(1, "<s1@x>", "Hello?", ME, "p@x", T0, expects_reply=True)], T0)
    rethread(store, "work")
    followups, cal = FollowupStore(store), calendar_for(cfg)
    now = T0 + timedelta(hours=1)
    decisions, _ = decide(cfg, account, followups, cal, now)
    assert [d for d in decisions if d.state in OPEN]
    followups.save_decisions("work", decisions, now)
    followups.set_quiet("work", quiet_until(decisions), _mark(cfg, account, followups))
    store.mark_expunged(sent, [1])  # gone from Sent; then the poll dies
    later = now + timedelta(minutes=5)
    synced = SyncResult(account="work", folders=[FolderSummary(role="sent", name="Sent")])
    skipped = _quiet(cfg, account, followups, synced, later)
    fresh, _ = decide(cfg, account, followups, cal, later)
    assert not [d for d in fresh if d.state in OPEN]
    assert not skipped  # the message gone is news: decided again


def _compare(cfg: Config, store: Store, now: datetime) -> tuple[list[Any], list[Any]]:
    account, followups, cal = cfg.accounts[0], FollowupStore(store), calendar_for(cfg)
    full, _ = decide(cfg, account, followups, cal, now, everything=True)
    part, _ = decide(cfg, account, followups, cal, now)
    return _open(full), _open(part)


def test_a_keep_in_touch_domain_follows_each_person_over_the_horizon(db_url: str) -> None:
    store = Store.open(db_url)
    cfg = config('\n[[people]]\nmatch = "@acme.example"\nkeep_in_touch = "26 weeks"\n')
    inbox = Cursor(account="work", role="inbox", name="INBOX", uidvalidity=1)
    now = T0 + timedelta(days=120)
    store.save_batch(inbox, "INBOX", [
        rec(1, "<a@x>", "from alice", "alice@acme.example", ME, now - timedelta(days=2)),
        rec(2, "<b@x>", "from bob", "bob@acme.example", ME, now - timedelta(days=100)),
    ], T0)
    rethread(store, "work")
    full, part = _compare(cfg, store, now)
    assert full == part, (full, part)


def test_a_sent_message_without_a_date_is_decided_over_the_horizon(db_url: str) -> None:
    store = Store.open(db_url)
    cfg = config()
    sent = Cursor(account="work", role="sent", name="Sent", uidvalidity=1)
    store.save_batch(sent, "Sent", [rec(1, "<s1@x>", "Hello?", ME, "p@x", None, expects_reply=True)], T0)
    rethread(store, "work")
    full, part = _compare(cfg, store, T0 + timedelta(hours=1))
    assert full == part, (full, part)


def _open(decisions: Any) -> list[Any]:
    return sorted((d.key, d.state, d.due_at) for d in decisions if d.state in OPEN)

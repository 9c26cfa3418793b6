"""`followup sync` against real servers: Dovecot (CONDSTORE, SPECIAL-USE) and pymap (neither)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

import imapclient
import pytest
from conftest import Mailbox
from servers import make_message

from assistant.clock import FixedClock
from assistant.errors import MailboxError
from assistant.service import sync_account

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
CLOCK = FixedClock(NOW)


def msg(n: int, *, sent: bool = False, user: str = "me@example.com", days_ago: float = 1, **kw: object) -> bytes:
    other = f"alice{n}@client.example"
    return make_message(
        from_=user if sent else f"Alice {n} <{other}>", to=other if sent else user,
        subject=str(kw.pop("subject", f"Topic {n}")), body=str(kw.pop("body", f"Message {n}. Can you check?")),
        date=NOW - timedelta(days=days_ago), message_id=str(kw.pop("message_id", f"<m{n}@test>")), **kw)  # type: ignore[arg-type]


def sync(box: Mailbox, **config: str) -> list:
    config_ = box.config(**config)
    store = box.store()
    try:
        result = sync_account(config_, config_.accounts[0], store, CLOCK)
        return [result, store.messages("work")]
    finally:
        store.close()


def uid_by_message_id(imap: imapclient.IMAPClient) -> dict[str, int]:
    data = imap.fetch(imap.search(["ALL"]), ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    out = {}
    for uid, d in data.items():
        header = next(v for k, v in d.items() if k.startswith(b"BODY"))
        out[header.decode().split(":", 1)[1].strip()] = uid
    return out


def by_role(result: object) -> dict:
    return {f.role: f for f in result.folders}  # type: ignore[attr-defined]


def test_first_sync_stores_inbox_sent_and_drafts(mailbox: Mailbox) -> None:
    for n in range(3):
        mailbox.deliver("INBOX", msg(n))
    mailbox.deliver("Sent", msg(10, sent=True, user=mailbox.user))
    mailbox.deliver("Drafts", msg(20, sent=True, user=mailbox.user), flags="D")
    result, messages = sync(mailbox)
    assert {r: f.new for r, f in by_role(result).items()} == {"inbox": 3, "sent": 1, "drafts": 1}
    sent = [m for m in messages if m.folder_role == "sent"][0]
    assert sent.from_user and sent.message_id == "<m10@test>" and sent.subject == "Topic 10"
    assert "Can you check?" in sent.new_text
    assert json.loads(sent.to_json) == [["", "alice10@client.example"]]
    assert sent.date == NOW - timedelta(days=1)
    assert not [m for m in messages if m.folder_role == "inbox" and m.from_user]


def test_incremental_sync_fetches_only_new_mail(mailbox: Mailbox) -> None:
    mailbox.deliver("INBOX", msg(1))
    first, _ = sync(mailbox)
    mailbox.deliver("INBOX", msg(2))
    second, messages = sync(mailbox)
    assert by_role(second)["inbox"].new == 1
    assert [m.message_id for m in messages] == ["<m1@test>", "<m2@test>"]
    third, _ = sync(mailbox)
    assert all(f.new == 0 and not f.touched for f in third.folders)


def test_no_change_sync_sends_a_handful_of_commands(mailbox: Mailbox) -> None:
    mailbox.deliver("INBOX", msg(1))
    mailbox.deliver("Sent", msg(2, sent=True, user=mailbox.user))
    sync(mailbox)
    result, _ = sync(mailbox)
    # Dovecot: LOGIN, ENABLE CONDSTORE, LIST, three EXAMINE, LOGOUT. pymap (no CONDSTORE): no ENABLE, but
    # one FETCH FLAGS for Sent, the bounded fallback (Drafts is empty). Not counted: the CAPABILITY that
    # imapclient sends while connecting to a server whose greeting lists none (pymap).
    assert result.imap_commands == 7
    assert all(not f.touched for f in result.folders)


def test_first_sync_reaches_back_only_as_far_as_configured(mailbox: Mailbox) -> None:
    mailbox.deliver("INBOX", msg(1, days_ago=200), when=NOW - timedelta(days=200))
    mailbox.deliver("INBOX", msg(2, days_ago=5), when=NOW - timedelta(days=5))
    _, messages = sync(mailbox, extra="[sync]\nfirst_sync_days = 30")
    assert [m.message_id for m in messages] == ["<m2@test>"]
    mailbox.deliver("INBOX", msg(3))
    result, messages = sync(mailbox, extra="[sync]\nfirst_sync_days = 30")
    assert [m.message_id for m in messages] == ["<m2@test>", "<m3@test>"]


def test_interrupted_sync_resumes_without_duplicates(mailbox: Mailbox) -> None:
    for n in range(7):
        mailbox.deliver("INBOX", msg(n))

    class Interrupt:
        batches = 0

        def start(self, total: int, label: str) -> None: ...
        def finish(self) -> None: ...

        def advance(self, n: int) -> None:
            self.batches += 1
            if self.batches == 2:
                raise KeyboardInterrupt  # as if the user pressed ^C after the second batch

    config = mailbox.config(extra="[sync]\nbatch_size = 3")
    store = mailbox.store()
    with pytest.raises(KeyboardInterrupt):
        sync_account(config, config.accounts[0], store, CLOCK, Interrupt())
    assert len(store.messages("work")) == 6  # two batches were committed with their cursor
    result = sync_account(config, config.accounts[0], store, CLOCK)
    assert by_role(result)["inbox"].new == 1
    ids = [m.message_id for m in store.messages("work")]
    assert sorted(ids) == sorted(f"<m{n}@test>" for n in range(7))
    store.close()


def test_uidvalidity_change_resyncs_and_keeps_rows(mailbox: Mailbox) -> None:
    for n in range(3):
        mailbox.deliver("Sent", msg(n, sent=True, user=mailbox.user))
    _, before = sync(mailbox)
    ids_before = {m.message_id: m.id for m in before}
    # Recreate the folder: the server gives it a new UIDVALIDITY; one message did not come back.
    imap = imapclient.IMAPClient(mailbox.server.host, port=mailbox.server.port, ssl=False)
    imap.login(mailbox.user, mailbox.password)
    imap.delete_folder("Sent")
    imap.create_folder("Sent")
    for n in range(2):
        imap.append("Sent", msg(n, sent=True, user=mailbox.user))
    imap.logout()
    result, after = sync(mailbox, extra_account='sent = "Sent"')
    sent = by_role(result)["sent"]
    assert sent.resynced and sent.rematched == 2 and sent.new == 0 and sent.expunged == 1
    assert {m.message_id: m.id for m in after} == {k: v for k, v in ids_before.items() if k != "<m2@test>"}


def test_flag_changes_and_expunges_in_drafts_are_picked_up(mailbox: Mailbox) -> None:
    for n in range(3):
        mailbox.deliver("Drafts", msg(n, sent=True, user=mailbox.user), flags="D")
    sync(mailbox)
    imap = imapclient.IMAPClient(mailbox.server.host, port=mailbox.server.port, ssl=False)
    imap.login(mailbox.user, mailbox.password)
    imap.select_folder("Drafts")
    uids = uid_by_message_id(imap)
    imap.add_flags([uids["<m0@test>"]], [b"\\Flagged"])
    imap.add_flags([uids["<m1@test>"]], [b"\\Deleted"])
    imap.expunge()
    imap.logout()
    result, messages = sync(mailbox)
    drafts = by_role(result)["drafts"]
    assert drafts.changed == 1 and drafts.expunged == 1
    flags = {m.message_id: m.flags.split() for m in messages}
    assert "\\Flagged" in flags["<m0@test>"] and "<m1@test>" not in flags


def test_threads_span_inbox_and_sent(mailbox: Mailbox) -> None:
    u = mailbox.user
    mailbox.deliver("Sent", make_message(from_=u, to="bob@client.example", subject="Budget", body="Can you?",
                                         date=NOW - timedelta(days=3), message_id="<q1@me>"))
    mailbox.deliver("INBOX", make_message(from_="Bob <bob@client.example>", to=u, subject="RE: Budget",
                                          body="Yes.", date=NOW - timedelta(days=2), message_id="<a1@bob>",
                                          in_reply_to="<q1@me>", references="<q1@me>"))
    # a colleague answers reply-all with comma-separated References (Exchange style)
    mailbox.deliver("INBOX", make_message(from_="Carol <carol@client.example>", to=u, subject="Re: Budget",
                                          body="Agreed.", date=NOW - timedelta(days=1), message_id="<a2@carol>",
                                          references="<q1@me>,<a1@bob>"))
    # broken threading headers: subject fallback from a participant
    mailbox.deliver("INBOX", make_message(from_="bob@client.example", to=u, subject="Re: Budget",
                                          body="One more thing.", date=NOW - timedelta(hours=5),
                                          message_id="<a3@bob>"))
    # same subject, not a participant: stays apart
    mailbox.deliver("INBOX", make_message(from_="eve@other.example", to=u, subject="Re: Budget",
                                          body="Spam?", date=NOW - timedelta(hours=4), message_id="<x@eve>"))
    _, messages = sync(mailbox)
    keys = {m.message_id: m.thread_key for m in messages}
    assert keys["<a1@bob>"] == keys["<a2@carol>"] == keys["<a3@bob>"] == keys["<q1@me>"] == "<q1@me>"
    assert keys["<x@eve>"] == "<x@eve>"
    store = mailbox.store()
    threads = {t.key: t.message_count for t in store.threads("work")}
    store.close()
    assert threads == {"<q1@me>": 4, "<x@eve>": 1}


def test_broken_messages_are_stored_with_what_could_be_read(mailbox: Mailbox) -> None:
    mailbox.deliver("INBOX", b"From: =?x-unknown?q?Z=FCrich?= <z@example.com>\r\nSubject: broken\r\n"
                             b"Message-ID: <broken@test>\r\nDate: not a date\r\nMIME-Version: 1.0\r\n"
                             b"Content-Type: multipart/mixed; boundary=\"nope\"\r\n\r\nno boundary here\r\n")
    mailbox.deliver("INBOX", b"From: a@example.com\r\nSubject: latin\r\nMessage-ID: <cs@test>\r\n"
                             b"Content-Type: text/plain; charset=klingon\r\n\r\nCaf\xe9 ok?\r\n")
    mailbox.deliver("INBOX", msg(3))
    result, messages = sync(mailbox)
    assert by_role(result)["inbox"].new == 3
    got = {m.message_id: m for m in messages}
    assert got["<broken@test>"].subject == "broken" and got["<broken@test>"].date is not None
    assert "Caf" in got["<cs@test>"].new_text and "klingon" in got["<cs@test>"].defects


def test_store_on_sqlite_and_postgres(pg_mailbox: Mailbox) -> None:
    pg_mailbox.deliver("INBOX", msg(1))
    pg_mailbox.deliver("Sent", msg(2, sent=True, user=pg_mailbox.user))
    result, messages = sync(pg_mailbox)
    assert sorted(m.message_id for m in messages) == ["<m1@test>", "<m2@test>"]
    pg_mailbox.deliver("INBOX", msg(3))
    result, messages = sync(pg_mailbox)
    assert by_role(result)["inbox"].new == 1 and len(messages) == 3


def test_server_without_drafts_folder_is_a_clear_error(pymap_server: object, tmp_path: object,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import _mailbox

    box = _mailbox(pymap_server, tmp_path, monkeypatch, f"sqlite:///{tmp_path}/f.db")  # type: ignore[arg-type]
    shutil.rmtree(box.server.maildir(box.user, "Drafts"))
    with pytest.raises(MailboxError, match=r"^\[accounts.work\]: no drafts folder found \(looked for the "
                                           r"SPECIAL-USE flag and Drafts, Draft, \[Gmail\]/Drafts"):
        sync(box)


def test_configured_folder_that_does_not_exist_is_named(mailbox: Mailbox) -> None:
    with pytest.raises(MailboxError, match=r"^\[accounts.work\] sent: the server has no folder named 'Outbox'"):
        sync(mailbox, extra_account='sent = "Outbox"')


LISTS = (  # (List-Id, List-Post) of the list mail below; None: the header is absent
    ("Developers <dev.lists.example.org>", "<mailto:dev@lists.example.org>"),
    ("<Announce.Example.org>", "NO"),  # an announcement list takes no posts
    ("Ops <ops.example.net>", "<mailto:ops-post@example.net?subject=ops>"),  # two addresses that disagree
    (None, "<mailto:a@x.example>, <mailto:b@x.example>"),
    ("<localhost>", None),  # an id without a dot names no address
)


def _old_list_addresses(store: object) -> frozenset[str]:
    """What deciding computed before 0010_list_address: every stored header with "List-" in it, parsed."""
    from assistant.message.lists import list_addresses_of

    rows = store.messages("work", include_expunged=True)  # type: ignore[attr-defined]
    headers = [json.loads(m.headers_json) for m in rows if "List-" in m.headers_json]
    return frozenset(a for h in headers for a in list_addresses_of(h))


def test_list_addresses_are_stored_at_sync_and_equal_the_headers_reading(pg_mailbox: Mailbox) -> None:
    from sqlalchemy import text

    from assistant.message.lists import list_addresses_of
    from assistant.store.items import FollowupStore

    for n, (list_id, post) in enumerate(LISTS):
        extra = {k: v for k, v in (("List-Id", list_id), ("List-Post", post)) if v is not None}
        pg_mailbox.deliver("INBOX", msg(n, extra=extra))
    pg_mailbox.deliver("INBOX", msg(10))  # a person's mail
    pg_mailbox.deliver("Sent", msg(11, sent=True, user=pg_mailbox.user, extra={"List-Id": "<sent.example.org>"}))
    sync(pg_mailbox)
    store = pg_mailbox.store()
    try:
        expected = frozenset({"dev@lists.example.org", "announce@example.org", "ops-post@example.net",
                              "ops@example.net", "a@x.example", "b@x.example", "sent@example.org"})
        assert _old_list_addresses(store) == expected
        assert FollowupStore(store).list_addresses("work", list_addresses_of) == expected
        assert FollowupStore(store).list_addresses("other", list_addresses_of) == frozenset()
        with store.engine.begin() as conn:  # the database as it was before 0010_list_address
            conn.execute(text("DROP INDEX ix_messages_account_list_address"))
            conn.execute(text("ALTER TABLE messages DROP COLUMN list_address"))
            conn.execute(text("DELETE FROM schema_migrations WHERE name = '0010_list_address'"))
    finally:
        store.close()
    upgraded = pg_mailbox.store()
    try:
        with upgraded.engine.connect() as conn:
            unread = conn.execute(text("SELECT count(*) FROM messages WHERE list_address IS NULL")).scalar()
        assert unread == len(LISTS) + 1  # list mail waits to be read from its headers; the rest is done
        calls: list[object] = []

        def reading(headers: dict[str, str]) -> set[str]:
            calls.append(headers)
            return list_addresses_of(headers)

        assert FollowupStore(upgraded).list_addresses("work", reading) == expected
        assert FollowupStore(upgraded).list_addresses("work", reading) == expected
        assert len(calls) == len(LISTS) + 1  # read once, then remembered
    finally:
        upgraded.close()

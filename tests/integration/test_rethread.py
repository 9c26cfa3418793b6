"""Incremental threading equals a full rebuild, on SQLite and PostgreSQL, whatever order mail arrives in.

A seeded generator writes conversations with every way threading joins mail: full and partial References,
replies to parents never seen, Gmail thread ids, Outlook Thread-Index, replies with no headers at all that
only their subject places (with several of the user's messages on one subject, some at the same moment),
messages without a Message-ID, and copies of one message in two folders. The mail arrives in shuffled
batches, some of it is expunged on the way, and after every step the stored threads and their summaries
must be those of a build over the whole account.
"""

from __future__ import annotations

import base64
import random
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from assistant.analysis.threads import build_threads
from assistant.mailbox.rethread import rethread
from assistant.store.repo import Cursor, MessageRecord, Store

START = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
ME = "me@example.com"
PEOPLE = [f"p{i}@example.org" for i in range(12)]
SUBJECTS = ["Budget", "Plan for Q3", "Invoice 42", "Lunch?", "Contract", "Hiring", "Offsite", "Report"]


def _thread_index(root: bytes, step: int) -> str:
    return base64.b64encode(root + bytes(5 * step)).decode()


def _mailbox(rng: random.Random, conversations: int) -> list[tuple[str, MessageRecord]]:
    """(folder role, record) for every message; uids are given later, in arrival order."""
    out: list[tuple[str, MessageRecord]] = []
    n = 0

    def add(role: str, **kw: object) -> MessageRecord:
        nonlocal n
        n += 1
        base: dict[str, object] = dict(
            uid=0, message_id=f"<m{n}@gen>", in_reply_to=None, references=(), subject="Hello",
            from_addr=ME, from_name="", to=(), cc=(), reply_to=(), date=START, internal_date=START,
            flags=(), headers={}, content_type="text/plain", report_type=None, from_user=role == "sent",
            new_text="", quoted_text="", signature="", attachments=(), size=100, gm_msgid=None, gm_thrid=None,
            defects=())
        base.update(kw)
        record = MessageRecord(**base)  # type: ignore[arg-type]
        out.append((role, record))
        return record

    for c in range(conversations):
        style = rng.choice(["refs", "refs", "partial", "ghost", "gmail", "outlook", "subject", "subject"])
        subject = rng.choice(SUBJECTS)
        who = rng.choice(PEOPLE)
        when = START + timedelta(days=rng.randrange(90), hours=rng.randrange(24))
        root_ti = rng.randbytes(22)
        chain: list[str] = [f"<ghost{c}@gen>"] if style == "ghost" else []
        for step in range(rng.randrange(1, 7)):
            mine = step % 2 == 0 if rng.random() < 0.8 else rng.random() < 0.5
            role = "sent" if mine else "inbox"
            kw: dict[str, object] = dict(
                subject=subject if step == 0 else f"{rng.choice(['Re: ', 'RE: ', 'AW: ', 'Re: Re: '])}{subject}",
                from_addr=ME if mine else who, to=(("", who if mine else ME),),
                cc=(("", rng.choice(PEOPLE)),) if rng.random() < 0.3 else (),
                date=when, internal_date=when)
            if rng.random() < 0.03:
                kw["message_id"] = None
            if style in ("refs", "ghost") and chain:
                kw.update(in_reply_to=chain[-1], references=tuple(chain))
            elif style == "partial" and chain:
                kw.update(references=(chain[0],) if rng.random() < 0.5 else (), in_reply_to=rng.choice(chain))
            elif style == "gmail":
                kw["gm_thrid"] = 10_000 + c
            elif style == "outlook":
                kw["headers"] = {"Thread-Index": _thread_index(root_ti, step)}
            # "subject": no threading headers at all, so only the subject can join the replies
            record = add(role, **kw)
            if record.message_id:
                chain.append(record.message_id)
            if rng.random() < 0.05:  # the same message in both folders (a copy to oneself, a Gmail label)
                add("inbox" if role == "sent" else "sent", **{**kw, "message_id": record.message_id})
            when += timedelta(hours=rng.choice([0, 1, 5, 30, 200]))  # 0: two messages at one moment
    return out


def _expected(store: Store, account: str) -> tuple[dict[int, str], dict[str, tuple[int, object, object, str]]]:
    inputs = store.thread_inputs(account)
    keys = build_threads(inputs)
    summaries: dict[str, tuple[int, object, object, str]] = {}
    counts = Counter(keys.values())
    for m in inputs:
        key = keys[m.key]
        count, first, last, subject = summaries.get(key, (counts[key], m.date, m.date, ""))
        summaries[key] = (count, min(first, m.date), max(last, m.date),  # type: ignore[type-var]
                          m.subject if m.message_id == key else subject)
    return keys, summaries


def _stored(store: Store, account: str) -> tuple[dict[int, str | None], dict[str, tuple[int, object, object, str]]]:
    keys = {m.id: m.thread_key for m in store.messages(account)}
    summaries = {t.key: (t.message_count, t.first_date, t.last_date, t.subject) for t in store.threads(account)}
    return keys, summaries


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_threading_equals_a_full_build(db_url: str, seed: int) -> None:
    rng = random.Random(seed)
    mail = _mailbox(rng, conversations=70)
    rng.shuffle(mail)
    store = Store.open(db_url)
    cursors = {role: Cursor(account="work", role=role, name=role.upper(), uidvalidity=1) for role in ("inbox", "sent")}
    uids = {"inbox": 0, "sent": 0}
    held: dict[str, list[int]] = {"inbox": [], "sent": []}
    incremental = steps = 0
    while mail:
        size = rng.randrange(1, 25)
        batch, mail = mail[:size], mail[size:]
        for role in ("inbox", "sent"):
            records = []
            for r, record in batch:
                if r == role:
                    uids[role] += 1
                    records.append(replace(record, uid=uids[role]))
                    held[role].append(uids[role])
            if records:
                store.save_batch(cursors[role], role.upper(), records, START)
        if rng.random() < 0.3:  # a few messages go away (moved, deleted): their threads may split
            role = rng.choice(["inbox", "sent"])
            gone = rng.sample(held[role], min(len(held[role]), rng.randrange(1, 4)))
            held[role] = [u for u in held[role] if u not in gone]
            store.mark_expunged(cursors[role], gone)
        result = rethread(store, "work")
        assert result is not None
        incremental += not result.full
        steps += 1
        keys, summaries = _expected(store, "work")
        assert _stored(store, "work") == (keys, summaries), f"step {steps}"
    assert incremental == steps - 1  # only the first threading was a full one (no links stored yet)
    assert rethread(store, "work") is None  # nothing left unthreaded
    store.close()


def test_incremental_threading_reads_only_the_threads_it_joins(db_url: str) -> None:
    rng = random.Random(7)
    mail = _mailbox(rng, conversations=60)
    store = Store.open(db_url)
    inbox = Cursor(account="work", role="inbox", name="INBOX", uidvalidity=1)
    sent = Cursor(account="work", role="sent", name="SENT", uidvalidity=1)
    for uid, (role, record) in enumerate(mail, 1):
        store.save_batch(inbox if role == "inbox" else sent, role.upper(),
                         [replace(record, uid=uid)], START)
    assert rethread(store, "work").full  # type: ignore[union-attr]
    root = store.messages("work")[0]
    reply = replace(mail[0][1], uid=10_000, message_id="<late@gen>", in_reply_to=root.message_id,
                    references=(root.message_id,), subject="Re: x", from_user=False, from_addr="p1@example.org",
                    headers={}, gm_thrid=None)
    store.save_batch(inbox, "INBOX", [reply], START + timedelta(days=100))
    result = rethread(store, "work")
    assert result is not None and not result.full
    assert result.threads_read == 1 and result.messages == 1
    assert _stored(store, "work") == _expected(store, "work")
    store.close()

"""Client-side threading: JWZ-style links, Gmail and Outlook thread ids, and the guarded subject fallback."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from assistant.analysis.threads import base_subject, build_threads, has_threading_headers, thread_index_root
from assistant.message import parse_message
from assistant.model import ThreadInput

T0 = datetime(2024, 9, 2, 9, 0, tzinfo=UTC)
ME = "me@example.com"
BOB = "bob@example.org"
EVE = "eve@example.net"


def msg(
    key: int,
    message_id: str | None = None,
    *,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    subject: str = "Budget",
    day: float | None = 0,
    from_addr: str = BOB,
    to: Sequence[str] = (ME,),
    from_user: bool = False,
    gm_thrid: int | None = None,
    thread_index: str | None = None,
) -> ThreadInput:
    return ThreadInput(
        key=key,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=tuple(references),
        subject=subject,
        date=None if day is None else T0 + timedelta(days=day),
        from_addr=from_addr,
        participants=frozenset({from_addr, *to}),
        from_user=from_user,
        gm_thrid=gm_thrid,
        thread_index=thread_index,
    )


def mine(key: int, message_id: str, *, subject: str = "Budget", day: float = 0, to: Sequence[str] = (BOB,),
         **kw: Any) -> ThreadInput:
    return msg(key, message_id, subject=subject, day=day, from_addr=ME, to=to, from_user=True, **kw)


def groups(messages: Sequence[ThreadInput]) -> list[set[int]]:
    """The partition of message keys into threads, in a stable order."""
    by_thread: dict[str, set[int]] = {}
    for key, thread in build_threads(messages).items():
        by_thread.setdefault(thread, set()).add(key)
    return sorted(by_thread.values(), key=min)


def thread_index(conversation: bytes, *replies: bytes) -> str:
    """An Outlook Thread-Index: 22 bytes naming the conversation, then 5 bytes per reply."""
    assert len(conversation) == 22 and all(len(r) == 5 for r in replies)
    return base64.b64encode(conversation + b"".join(replies)).decode()


CONV_A = bytes(range(22))
CONV_B = bytes(range(100, 122))


# --- header links ----------------------------------------------------------------------------------

def test_reply_via_in_reply_to_joins_the_root() -> None:
    ms = [mine(1, "<root@x>"), msg(2, "<r1@y>", in_reply_to="<root@x>", day=1), msg(3, "<other@y>", day=2)]
    assert build_threads(ms) == {1: "<root@x>", 2: "<root@x>", 3: "<other@y>"}


def test_references_that_name_only_the_root_join_the_thread() -> None:
    ms = [
        mine(1, "<root@x>"),
        msg(2, "<r1@y>", in_reply_to="<root@x>", references=["<root@x>"], day=1),
        msg(3, "<r2@z>", references=["<root@x>"], day=2, from_addr=EVE),  # replied to r1, but cut References
    ]
    assert groups(ms) == [{1, 2, 3}]


def test_comma_separated_references_from_the_wire_join_the_thread() -> None:
    raw = (b"From: Eve <eve@example.net>\r\nTo: me@example.com\r\nSubject: RE: Budget\r\n"
           b"Message-ID: <r2@z>\r\nReferences: <root@x>,<r1@y>\r\nDate: Wed, 4 Sep 2024 09:00:00 +0000\r\n"
           b"\r\nAgreed.\r\n")
    p = parse_message(raw)
    assert p.from_ is not None
    r2 = ThreadInput(key=3, message_id=p.message_id, in_reply_to=p.in_reply_to, references=p.references,
                     subject=p.subject, date=p.date, from_addr=p.from_.email,
                     participants=frozenset({p.from_.email, ME}), from_user=False)
    ms = [mine(1, "<root@x>"), msg(2, "<r1@y>", in_reply_to="<root@x>", day=1), r2, msg(4, "<other@q>")]
    assert groups(ms) == [{1, 2, 3}, {4}]
    assert build_threads(ms)[3] == "<root@x>"


def test_two_replies_to_an_unseen_message_share_a_placeholder_parent() -> None:
    ms = [
        msg(1, "<r1@y>", in_reply_to="<never-seen@x>", references=["<never-seen@x>"], day=2),
        msg(2, "<r2@z>", in_reply_to="<never-seen@x>", day=1, from_addr=EVE),
        msg(3, "<unrelated@q>", day=0),
    ]
    assert build_threads(ms) == {1: "<r2@z>", 2: "<r2@z>", 3: "<unrelated@q>"}


def test_self_reference_neither_crashes_nor_counts_as_a_link() -> None:
    a = msg(1, "<a@x>", in_reply_to="<a@x>", references=["<a@x>"])
    b = msg(2, "<b@x>", in_reply_to="<b@x>", day=1)
    assert not has_threading_headers(a)
    assert groups([a, b]) == [{1}, {2}]


@pytest.mark.parametrize(
    "ms",
    [
        [msg(1, "<a@x>", references=["<b@x>"]), msg(2, "<b@x>", references=["<a@x>"], day=1),
         msg(3, "<c@x>", references=["<d@x>"], day=2), msg(4, "<d@x>", in_reply_to="<c@x>", day=3)],
        [msg(1, "<a@x>", references=["<a@x>", "<b@x>"]), msg(2, "<b@x>", references=["<a@x>"], day=1),
         msg(3, "<c@x>", references=["<d@x>", "<c@x>"], day=2), msg(4, "<d@x>", references=["<c@x>"], day=3)],
    ],
    ids=["two-cycles", "cycles-through-self"],
)
def test_references_cycles_do_not_merge_unrelated_threads(ms: list[ThreadInput]) -> None:
    assert build_threads(ms) == {1: "<a@x>", 2: "<a@x>", 3: "<c@x>", 4: "<c@x>"}


def test_longer_cycle_is_one_thread_and_leaves_others_alone() -> None:
    ms = [
        msg(1, "<a@x>", references=["<c@x>"], day=1),
        msg(2, "<b@x>", references=["<a@x>"], day=0),
        msg(3, "<c@x>", references=["<b@x>"], day=2),
        msg(4, "<lone@x>", day=3),
    ]
    assert build_threads(ms) == {1: "<b@x>", 2: "<b@x>", 3: "<b@x>", 4: "<lone@x>"}


# --- provider thread ids ---------------------------------------------------------------------------

def test_gmail_thread_id_joins_messages_without_headers() -> None:
    ms = [
        mine(1, "<s@x>", gm_thrid=1801234567890123456),
        msg(2, "<r@y>", day=1, gm_thrid=1801234567890123456, subject="Something else"),
        msg(3, "<o@y>", day=2, gm_thrid=1809999999999999999),
    ]
    assert groups(ms) == [{1, 2}, {3}]


def test_outlook_thread_index_with_the_same_conversation_joins() -> None:
    ms = [
        mine(1, "<s@x>", thread_index=thread_index(CONV_A)),
        msg(2, "<r1@y>", day=1, thread_index=thread_index(CONV_A, b"\x00\x01\x02\x03\x04")),
        msg(3, "<r2@y>", day=2, thread_index=thread_index(CONV_A, b"\x00\x01\x02\x03\x04", b"\x09\x08\x07\x06\x05")),
        msg(4, "<o@y>", day=3, thread_index=thread_index(CONV_B, b"\x00\x01\x02\x03\x04")),
    ]
    assert groups(ms) == [{1, 2, 3}, {4}]
    assert build_threads(ms)[3] == "<s@x>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (thread_index(CONV_A), CONV_A.hex()),
        (thread_index(CONV_A, b"abcde"), CONV_A.hex()),
        (thread_index(CONV_A, b"abcde", b"fghij"), CONV_A.hex()),
        (" " + thread_index(CONV_A, b"abcde") + " ", CONV_A.hex()),
        (thread_index(CONV_A, b"abcde")[:20] + " " + thread_index(CONV_A, b"abcde")[20:], CONV_A.hex()),
        (base64.b64encode(CONV_A[:10]).decode(), None),
        ("%%%%", None),
        ("", None),
        (None, None),
    ],
    ids=["root", "one-reply", "two-replies", "padded", "folded", "too-short", "garbage", "empty", "none"],
)
def test_thread_index_root(value: str | None, expected: str | None) -> None:
    assert thread_index_root(value) == expected


# --- subject fallback ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("reply", "joined"),
    [
        (msg(2, "<r@y>", subject="Re: Budget", day=2), True),
        (msg(2, "<r@y>", subject="RE: FW: budget ", day=2), True),
        (msg(2, "<r@y>", subject="Re: Budget", day=29.9), True),
        (msg(2, "<r@y>", subject="Re: Budget", day=30), True),
        (msg(2, "<r@y>", subject="Re: Budget", day=31), False),
        (msg(2, "<r@y>", subject="Re: Budget", day=-1), False),
        (msg(2, "<r@y>", subject="Re: Budget", day=2, from_addr=EVE), False),
        (msg(2, "<r@y>", subject="Re: Budget", day=2, in_reply_to="<unseen@y>"), False),
        (msg(2, "<r@y>", subject="Re: Budget", day=2, references=["<unseen@y>"]), False),
        (msg(2, "<r@y>", subject="Re: Budget", day=2, gm_thrid=42), False),
        (msg(2, "<r@y>", subject="Re: Budget", day=2, thread_index=thread_index(CONV_B)), False),
        (msg(2, "<r@y>", subject="Budget", day=2), False),
        (msg(2, "<r@y>", subject="Re: Budget 2025", day=2), False),
        (msg(2, "<r@y>", subject="Re: Budget", day=None), False),
        (mine(2, "<r@y>", subject="Re: Budget", day=2), False),
    ],
    ids=["re", "stacked-prefixes", "29-days", "30-days", "31-days", "before-sent", "non-participant",
         "own-in-reply-to", "own-references", "own-gmail-id", "own-thread-index", "no-prefix",
         "other-subject", "undated", "users-own"],
)
def test_subject_fallback_for_a_reply_without_headers(reply: ThreadInput, joined: bool) -> None:
    sent = mine(1, "<s@x>", subject="Budget", to=(BOB, "carol@example.org"))
    assert (groups([sent, reply]) == [{1, 2}]) is joined


def test_subject_fallback_accepts_a_cc_participant() -> None:
    sent = mine(1, "<s@x>", to=(BOB, EVE))
    assert groups([sent, msg(2, "<r@y>", subject="Re: Budget", day=1, from_addr=EVE)]) == [{1, 2}]


def test_subject_fallback_picks_the_latest_matching_sent_message() -> None:
    ms = [mine(1, "<s1@x>", day=0), mine(2, "<s2@x>", day=10), msg(3, "<r@y>", subject="Re: Budget", day=12)]
    assert groups(ms) == [{1}, {2, 3}]


def test_two_threads_with_headers_never_merge_on_subject() -> None:
    ms = [
        mine(1, "<s1@x>", day=0),
        msg(2, "<r1@y>", subject="Re: Budget", in_reply_to="<s1@x>", day=1),
        mine(3, "<s2@x>", subject="Re: Budget", in_reply_to="<elsewhere@q>", day=2),
        msg(4, "<r2@y>", subject="Re: Budget", in_reply_to="<s2@x>", day=3),
    ]
    assert groups(ms) == [{1, 2}, {3, 4}]


# --- base subject ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Budget", "budget"),
        ("Re: Budget", "budget"),
        ("RE: Budget", "budget"),
        ("Fwd: Budget", "budget"),
        ("FW: Budget", "budget"),
        ("AW: Budget", "budget"),
        ("SV: Budget", "budget"),
        ("VS: Budget", "budget"),
        ("TR: Budget", "budget"),
        ("Re: Fwd: RE[2]: Budget", "budget"),
        ("Re:Re:Budget", "budget"),
        ("[finance] Re: Budget", "budget"),
        ("Re: [finance] Budget", "budget"),
        ("[finance] [ext] AW: Budget", "budget"),
        ("  re :  Budget   plan ", "budget plan"),
        ("Report: Q3", "report: q3"),
        ("Reminder: invoices", "reminder: invoices"),
        ("Budget: Re: numbers", "budget: re: numbers"),
        ("", ""),
    ],
)
def test_base_subject(subject: str, expected: str) -> None:
    assert base_subject(subject) == expected


# --- thread key ------------------------------------------------------------------------------------

def test_thread_key_is_the_message_id_of_the_earliest_message_whatever_the_input_order() -> None:
    ms = [
        msg(7, "<late@y>", in_reply_to="<early@x>", day=5),
        msg(3, "<mid@y>", in_reply_to="<early@x>", day=2),
        mine(9, "<early@x>", day=0),
    ]
    assert build_threads(ms) == {7: "<early@x>", 3: "<early@x>", 9: "<early@x>"}


def test_thread_key_ties_on_date_go_to_the_lower_key() -> None:
    ms = [msg(5, "<b@y>", in_reply_to="<a@x>", day=1), msg(4, "<a@x>", day=1)]
    assert set(build_threads(ms).values()) == {"<a@x>"}


def test_undated_message_is_never_the_thread_root() -> None:
    ms = [msg(1, "<undated@y>", in_reply_to="<dated@x>", day=None), msg(2, "<dated@x>", day=3)]
    assert build_threads(ms) == {1: "<dated@x>", 2: "<dated@x>"}


def test_earliest_message_without_message_id_gets_a_row_key() -> None:
    ms = [msg(11, None, day=0, gm_thrid=7), msg(12, "<r@y>", day=1, gm_thrid=7)]
    assert build_threads(ms) == {11: "<row-11@followup.invalid>", 12: "<row-11@followup.invalid>"}

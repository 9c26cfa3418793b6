"""Threads built client-side (Gmail, Office 365 and iCloud have no THREAD command). Pure.

A JWZ-style union over Message-ID / In-Reply-To / References, where ids that are referenced but never
seen act as placeholder parents. Fallbacks, in order: Gmail's thread id, Outlook's Thread-Index, and,
only for a message with no threading headers at all, the base subject of one of the user's messages
to which its sender was a party, within 30 days. Two messages that both carry threading headers are
never joined on subject alone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import timedelta

from assistant.message import vocabulary as vocab
from assistant.model import ThreadInput

SUBJECT_WINDOW = timedelta(days=30)
LINK_MAX = 300  # longer links are stored as their digest (store.models.ThreadLink.link is 1010 wide)

_PREFIX = vocab.REPLY_OR_FORWARD_PREFIX


def base_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and list tags, case-folded, white space folded."""
    text = subject or ""
    while True:
        stripped = _PREFIX.sub("", re.sub(r"^\s*\[[^\]]{1,40}\]\s*", "", text))
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split()).casefold()


def thread_index_root(value: str | None) -> str | None:
    """The conversation part of Outlook's Thread-Index: its first 22 bytes (FILETIME + GUID)."""
    if not value:
        return None
    try:
        raw = base64.b64decode(value.strip() + "==", validate=False)
    except (binascii.Error, ValueError):
        return None
    return raw[:22].hex() if len(raw) >= 22 else None


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[object, object] = {}

    def find(self, x: object) -> object:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: object, b: object) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _chain(m: ThreadInput) -> list[str]:
    """The ids this message links to, without itself (guards against self-reference)."""
    ids = list(m.references)
    if m.in_reply_to and m.in_reply_to not in ids:
        ids.append(m.in_reply_to)
    return [i for i in ids if i != m.message_id]


def has_threading_headers(m: ThreadInput) -> bool:
    return bool(_chain(m)) or m.gm_thrid is not None or thread_index_root(m.thread_index) is not None


def thread_links(m: ThreadInput) -> frozenset[str]:
    """What can join this message to another: its own id, the ids it names, Gmail's thread id and the
    Thread-Index conversation. Two messages share a thread by headers iff a chain of shared links joins them."""
    links = {f"id:{i}" for i in _chain(m)}
    if m.message_id:
        links.add(f"id:{m.message_id}")
    if m.gm_thrid is not None:
        links.add(f"gm:{m.gm_thrid}")
    root = thread_index_root(m.thread_index)
    if root:
        links.add(f"ti:{root}")
    # Anyone can send an id of any length: a long one is stored by its digest (the same on every message).
    return frozenset(link if len(link) <= LINK_MAX else "sha256:" + hashlib.sha256(link.encode()).hexdigest()
                     for link in links)


def joins_on_subject(m: ThreadInput) -> bool:
    """A reply with no threading headers at all: only the subject fallback can place it."""
    return (not m.from_user and m.date is not None and not has_threading_headers(m)
            and _PREFIX.match(m.subject or "") is not None)


def subject_match(reply: ThreadInput, sent: ThreadInput) -> bool:
    """`sent` (the user's) is a candidate parent for `reply` (see joins_on_subject): same base subject,
    sent up to 30 days before, to a set of people the reply's sender was part of."""
    return (sent.from_user and sent.date is not None and reply.date is not None
            and sent.date <= reply.date <= sent.date + SUBJECT_WINDOW and reply.from_addr in sent.participants
            and base_subject(sent.subject) == base_subject(reply.subject))


def build_threads(messages: Sequence[ThreadInput]) -> dict[int, str]:
    """Map each message key to its thread's key: the Message-ID of the thread's earliest message."""
    uf = _UnionFind()
    for m in messages:
        node = ("msg", m.key)
        uf.find(node)
        if m.message_id:
            uf.union(("id", m.message_id), node)
        # Union-find only needs membership, so a References cycle cannot loop, and a chain that names
        # only the root still lands in the root's thread.
        for ref in _chain(m):
            uf.union(("id", ref), node)
        if m.gm_thrid is not None:
            uf.union(("gm", m.gm_thrid), node)
        root = thread_index_root(m.thread_index)
        if root:
            uf.union(("ti", root), node)
    _subject_fallback(messages, uf)
    return _name_threads(messages, uf)


def _subject_fallback(messages: Sequence[ThreadInput], uf: _UnionFind) -> None:
    sent_by_subject: dict[str, list[ThreadInput]] = {}
    for m in messages:
        if m.from_user and m.date:
            sent_by_subject.setdefault(base_subject(m.subject), []).append(m)
    for m in messages:
        if not joins_on_subject(m):
            continue
        candidates = [s for s in sent_by_subject.get(base_subject(m.subject), ()) if subject_match(m, s)]
        if candidates:
            # the latest such message; the row key breaks a tie, so the order messages come in never matters
            best = max(candidates, key=lambda s: (s.date, s.key))
            uf.union(("msg", best.key), ("msg", m.key))


def _name_threads(messages: Iterable[ThreadInput], uf: _UnionFind) -> dict[int, str]:
    earliest: dict[object, ThreadInput] = {}
    for m in messages:
        root = uf.find(("msg", m.key))
        cur = earliest.get(root)
        if cur is None or _order(m) < _order(cur):
            earliest[root] = m
    out = {}
    for m in messages:
        first = earliest[uf.find(("msg", m.key))]
        out[m.key] = first.message_id or f"<row-{first.key}@followup.invalid>"
    return out


def _order(m: ThreadInput) -> tuple[float, int]:
    return (m.date.timestamp() if m.date else float("inf"), m.key)

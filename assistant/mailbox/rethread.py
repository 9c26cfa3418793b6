"""After a sync: put unthreaded mail into threads, touching only the threads it joins.

New mail (and the rest of any thread that lost a message) has no thread key. Its threads are rebuilt from
the smallest closed set of stored mail: the new messages, every thread that shares a link with them
(analysis.threads.thread_links), and, for the subject fallback, the threads of every candidate parent of a
headerless reply and of every headerless reply a new message of the user's could now win. Building over that
set gives what a build over the whole account gives (tests/integration/test_rethread.py checks it against
full builds in shuffled arrival orders). The whole account is rebuilt when nothing else is cheaper or
possible: the first time (no links stored yet), after a folder's UIDVALIDITY changed, or for a big batch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from assistant.analysis.threads import (
    SUBJECT_WINDOW,
    build_threads,
    joins_on_subject,
    subject_match,
    thread_links,
)
from assistant.model import ThreadInput
from assistant.store.repo import Store

log = logging.getLogger(__name__)

# Above this many unthreaded messages one pass over the whole account is cheaper than finding their threads.
FULL_ABOVE = 2000


@dataclass(frozen=True)
class Rethread:
    messages: int  # unthreaded messages placed
    threads_read: int  # threads rebuilt with them (0 for a full rebuild)
    changed: int  # messages whose thread key changed
    full: bool


def rethread(store: Store, account: str, full: bool = False) -> Rethread | None:
    """Thread the account's unthreaded mail (all of it with `full`); None when there was nothing to do."""
    new = [] if full else store.unthreaded(account)
    if not full and not new:
        return None
    if full or len(new) > FULL_ABOVE or not store.has_links(account):
        everything = store.thread_inputs(account)
        keys = build_threads(everything)
        changed = store.apply_threads(account, keys, ((m.key, thread_links(m)) for m in everything))
        return Rethread(messages=len(everything), threads_read=0, changed=changed, full=True)
    scope, members = _closure(store, account, new)
    keys = build_threads(new + members)
    changed = store.apply_threads(account, keys, [(m.key, thread_links(m)) for m in new], scope=scope)
    log.debug("%s: threaded %d new messages with %d threads (%d messages)", account, len(new), len(scope),
              len(members))
    return Rethread(messages=len(new), threads_read=len(scope), changed=changed, full=False)


def _closure(store: Store, account: str, new: list[ThreadInput]) -> tuple[set[str], list[ThreadInput]]:
    """The threads the new mail can touch, and all their messages."""
    scope = store.threads_linked(account, {link for m in new for link in thread_links(m)})
    scope |= _replies_won(store, account, [m for m in new if m.from_user and m.date is not None])
    members: list[ThreadInput] = []
    frontier = set(scope)
    candidates_of = list(new)
    while True:
        loaded = store.thread_members(account, frontier)
        members += loaded
        candidates_of += loaded
        # A headerless reply joins the latest of its candidate parents: all of them must be in the set.
        frontier = _parents_of(store, account, [m for m in candidates_of if joins_on_subject(m)]) - scope
        candidates_of = []
        if not frontier:
            return scope, members
        scope |= frontier


def _parents_of(store: Store, account: str, replies: list[ThreadInput]) -> set[str]:
    if not replies:
        return set()
    dates = [m.date for m in replies if m.date is not None]
    sent = store.mail_between(account, min(dates) - SUBJECT_WINDOW, max(dates), from_user=True)
    return {key for s, key in sent if key and any(subject_match(r, s) for r in replies)}


def _replies_won(store: Store, account: str, sent: list[ThreadInput]) -> set[str]:
    """The threads of stored headerless replies that a new message of the user's is a candidate parent of."""
    if not sent:
        return set()
    dates = [m.date for m in sent if m.date is not None]
    replies = store.mail_between(account, min(dates), max(dates) + SUBJECT_WINDOW, from_user=False, headerless=True)
    return {key for r, key in replies if key and joins_on_subject(r) and any(subject_match(r, s) for s in sent)}

"""Queries and transactions for tracked items and our drafts (the follow-up half of the store)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, union, update
from sqlalchemy.orm import Session, defer

from assistant.model import (
    DRAFT_HELD,
    DRAFT_LIVE,
    OPEN,
    PROMISE_REACH,
    Decision,
    DraftState,
    Mail,
    Override,
    OwnText,
    Tracked,
    item_key,
)
from assistant.store.models import Draft, Followup, QuietMark, StoredMessage, WeeklyReport
from assistant.store.repo import ReadText, Store, read_rows

ListReader = Callable[[Mapping[str, str]], Iterable[str]]  # a message's headers → its list's addresses


@dataclass(frozen=True)
class DraftRow:
    id: int
    followup_id: int
    step: int
    message_id: str
    state: str
    folder: str
    uid: int | None
    body_sha256: str
    raw: bytes
    created_at: datetime
    updated_at: datetime


def _dated_since(since: datetime) -> Any:
    """Mail dated `since` or later; mail without a Date counts from when it was synced (as Mail.date does)."""
    m = StoredMessage
    return or_(m.date >= since, and_(m.date.is_(None), m.synced_at >= since))


def _draft(row: Draft) -> DraftRow:
    return DraftRow(id=row.id, followup_id=row.followup_id, step=row.step, message_id=row.message_id,
                    state=row.state, folder=row.folder, uid=row.uid, body_sha256=row.body_sha256,
                    raw=row.raw.encode("utf-8", "surrogateescape"), created_at=row.created_at,
                    updated_at=row.updated_at)


def _mail(row: StoredMessage) -> Mail:
    report = json.loads(row.report_json) if row.report_json else {}
    return Mail(
        id=row.id, message_id=row.message_id, thread_key=row.thread_key or f"<row-{row.id}>",
        folder_role=row.folder_role, from_addr=row.from_addr, from_name=row.from_name,
        to=tuple((n, a) for n, a in json.loads(row.to_json)), cc=tuple((n, a) for n, a in json.loads(row.cc_json)),
        subject=row.subject, date=row.date or row.synced_at, from_user=row.from_user,
        flags=frozenset(row.flags.split()), verdict=row.verdict or "human", verdict_reason=row.verdict_reason or "",
        return_date=row.return_date, expects_reply=bool(row.expects_reply), expects_reason=row.expects_reason or "",
        original_message_id=report.get("original_message_id"),
        original_recipients=tuple(report.get("recipients", ())), original_subject=report.get("original_subject"),
        references=tuple(row.references.split()), seen_at=row.synced_at,
        attachments=tuple(json.loads(row.attachments_json or "[]")),
        text=row.new_text, bcc=tuple((n, a) for n, a in json.loads(row.bcc_json or "[]")),
        promises=tuple((p["text"], p.get("what"), datetime.fromisoformat(p["due"]) if p.get("due") else None)
                       for p in json.loads(row.promises_json or "[]")),
    )


def _everyone(d: Decision) -> list[tuple[str, str]]:
    """Whom an item is with, in the order its message named them (a draft to those who have not answered
    yet puts the others in Cc: the item's `to` stays as it was)."""
    named = [a.lower() for _, a in d.tracked.recipients]
    return sorted(d.draft_to + d.draft_cc, key=lambda p: named.index(p[1].lower()) if p[1].lower() in named
                  else len(named))


def _people(text: str | None) -> tuple[tuple[str, str], ...]:
    return tuple((n, a) for n, a in json.loads(text or "[]"))


def _update(row: Followup, values: dict[str, object], now: datetime) -> None:
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    for key, value in changed.items():
        setattr(row, key, value)
    if changed or row.updated_at is None:
        row.updated_at = now


class FollowupStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def mail(self, account: str, since: datetime | None = None, keep: Iterable[str] = (),
             read: ReadText | None = None) -> list[Mail]:
        """The account's mail; with `since`, only the threads that can still change: any mail since then,
        an open item, the user's word (track, dismiss, snooze), one of our drafts, a recent promise, and
        the threads named in `keep`. With `read`, messages whose text was not read yet (old mail, stored
        unread by sync) are read now, and stored so, before they are returned; without it, they are
        returned as stored (no promises, nothing asked)."""
        m = StoredMessage
        query = select(m).options(defer(m.quoted_text), defer(m.signature), defer(m.headers_json)).where(
            m.account == account, m.expunged.is_(False))
        if since is not None:
            live = self._live_threads(account, since)
            query = query.where(or_(m.thread_key.in_(live), m.thread_key.in_(list(keep)),
                                    and_(m.thread_key.is_(None), _dated_since(since))))
        with self.store.session() as s:
            if since is not None and read is not None:
                # a promise in mail not read yet can make its thread live: read those first
                read_rows(s.scalars(select(m).where(m.account == account, m.expunged.is_(False),
                                                    m.analysed.is_(False), m.date >= since - PROMISE_REACH)), read)
                s.flush()
            rows = list(s.scalars(query))
            if read is not None:
                read_rows(rows, read)
            return [_mail(r) for r in rows]

    def own_texts(self, account: str, limit: int = 500) -> list[OwnText]:
        """The new text and signature of the user's latest `limit` sent messages, newest first."""
        m = StoredMessage
        query = select(m).options(defer(m.quoted_text), defer(m.headers_json)).where(
            m.account == account, m.expunged.is_(False), m.from_user.is_(True), m.folder_role == "sent",
            m.date.is_not(None)).order_by(m.date.desc()).limit(limit)
        with self.store.session() as s:
            return [OwnText(to=tuple((n, a) for n, a in json.loads(r.to_json or "[]")), date=r.date,
                            text=r.new_text or "", signature=r.signature or "") for r in s.scalars(query) if r.date]

    @staticmethod
    def _live_threads(account: str, since: datetime) -> Any:
        m, f = StoredMessage, Followup
        mine = (m.account == account, m.expunged.is_(False))
        return union(
            select(m.thread_key).where(*mine, _dated_since(since)),
            select(m.thread_key).where(*mine, m.folder_role == "drafts"),
            # a promise can fall due long after it was made
            select(m.thread_key).where(*mine, m.date >= since - PROMISE_REACH, m.promises_json.is_not(None),
                                       m.promises_json != "[]", m.promises_json != ""),
            select(f.thread_key).where(f.account == account, or_(
                f.state.in_(sorted(OPEN)), f.manual.is_not(None), f.snoozed_until.is_not(None))),
            select(f.thread_key).join(Draft, Draft.followup_id == f.id).where(
                f.account == account, Draft.state.in_(sorted(DRAFT_HELD))),
        ).subquery().select()

    def mail_with(self, account: str, patterns: Sequence[str]) -> list[tuple[str, datetime, tuple[str, ...]]]:
        """(thread, date, lower-case addresses) of the person's and list mail (not drafts) from or to anyone
        `patterns` may cover (an address, "@domain" or a glob; matched loosely here, exactly by the caller)."""
        m = StoredMessage
        likes = ["%" + p.lower().replace("%", "").replace("_", "\\_").replace("*", "%").replace("?", "_") + "%"
                 for p in patterns]
        if not likes:
            return []
        covers = [or_(func.lower(m.from_addr).like(like, escape="\\"), func.lower(m.to_json).like(like, escape="\\"),
                      func.lower(m.cc_json).like(like, escape="\\")) for like in likes]
        with self.store.session() as s:
            rows = s.execute(select(m.thread_key, m.date, m.synced_at, m.from_addr, m.to_json, m.cc_json).where(
                m.account == account, m.expunged.is_(False), m.thread_key.is_not(None), m.folder_role != "drafts",
                m.verdict.in_(("human", "list")), or_(*covers))).all()
        return [(key, date or synced, tuple(a.lower() for a in (frm, *(x for _, x in json.loads(to)),
                                                                 *(x for _, x in json.loads(cc)))))
                for key, date, synced, frm, to, cc in rows if key is not None]

    def correspondents(self, account: str) -> frozenset[str]:
        """Everyone the user has ever written to (lower-case addresses)."""
        out: set[str] = set()
        with self.store.session() as s:
            for to, cc in s.execute(select(StoredMessage.to_json, StoredMessage.cc_json).where(
                    StoredMessage.account == account, StoredMessage.from_user.is_(True))):
                out.update(a.lower() for _, a in (*json.loads(to), *json.loads(cc or "[]")))
        return frozenset(out)

    def first_seen(self, account: str, since: datetime) -> dict[str, datetime]:
        """When each sender of mail since `since` first wrote (lower-case address → date)."""
        m = StoredMessage
        recent = select(func.lower(m.from_addr)).where(m.account == account, m.date >= since)
        with self.store.session() as s:
            return {a: d for a, d in s.execute(select(func.lower(m.from_addr), func.min(m.date)).where(
                m.account == account, func.lower(m.from_addr).in_(recent)).group_by(func.lower(m.from_addr)))
                    if d is not None}

    def user_name(self, account: str) -> str:
        """The name the user signs with lately (the From name of their latest mail that has one)."""
        with self.store.session() as s:
            return s.scalars(select(StoredMessage.from_name).where(
                StoredMessage.account == account, StoredMessage.from_user.is_(True),
                StoredMessage.from_name != "").order_by(StoredMessage.date.desc()).limit(1)).first() or ""

    def full_text(self, row_id: int) -> str:
        """A message's new text and the quote below it: what a draft quotes."""
        with self.store.session() as s:
            row = s.get(StoredMessage, row_id)
            if row is None:
                return ""
            return (row.new_text + ("\n\n" + row.quoted_text if row.quoted_text else "")).strip()

    def list_addresses(self, account: str, read: ListReader) -> frozenset[str]:
        """Addresses of the mailing lists the account's mail came through (expunged mail too), as read at
        sync: one indexed SELECT DISTINCT. Mail stored before 0010_list_address is read here, once, from its
        stored headers by `read` (the store reads no headers itself), and remembered."""
        with self.store.session() as s:
            unread = s.execute(select(StoredMessage.id, StoredMessage.headers_json).where(
                StoredMessage.account == account, StoredMessage.list_address.is_(None))).all()
            if unread:
                s.execute(update(StoredMessage), [
                    {"id": row_id, "list_address": " ".join(sorted(read(json.loads(headers))))}
                    for row_id, headers in unread])
            found = s.scalars(select(StoredMessage.list_address).distinct().where(
                StoredMessage.account == account, StoredMessage.list_address != ""))
            return frozenset(a for value in found if value for a in value.split())

    def overrides(self, account: str) -> dict[str, Override]:
        with self.store.session() as s:
            rows = s.scalars(select(Followup).where(Followup.account == account, or_(
                Followup.manual.is_not(None), Followup.snoozed_until.is_not(None))))
            return {item_key(r.kind, r.message_id): Override(r.manual, r.snoozed_until) for r in rows}

    def save_decisions(self, account: str, decisions: Sequence[Decision], now: datetime) -> dict[str, int]:
        """Upsert one followup row per decision (writing only what changed); open rows that got no
        decision (unstarred, moved out of Sent, now known to go to a list) are closed with a reason.
        Returns each decision's key → followup id."""
        with self.store.session() as s:
            existing = {item_key(r.kind, r.message_id): r for r in self._rows_for(s, account, decisions)}
            for d in decisions:
                row = existing.get(d.key)
                if row is None:
                    row = existing[d.key] = Followup(account=account, kind=d.kind, message_id=d.message_id,
                                                     created_at=now)
                    s.add(row)
                values = {"thread_key": d.thread_key, "subject": d.tracked.subject,
                          "to_json": json.dumps(_everyone(d)), "sent_at": d.tracked.date,
                          "state": d.state, "step": d.step, "due_at": d.due_at, "reason": d.reason,
                          "text": d.text, "what": d.what, "answered_json": json.dumps(d.answered),
                          "waiting_json": json.dumps(d.waiting)}
                if d.state == "waiting" and row.state == "drafted" and row.step == d.step:
                    values["state"] = "drafted"  # the lifecycle, not the policy, knows about our drafts
                _update(row, values, now)
            decided = {d.key for d in decisions}
            for key, row in existing.items():
                if key not in decided and row.state in OPEN:
                    _update(row, {"state": "dismissed", "due_at": None, "waiting_json": "[]",
                                  "reason": "no longer tracked: gone from Sent, unstarred, or not awaiting a reply"},
                            now)
            s.flush()
            return {d.key: existing[d.key].id for d in decisions}

    @staticmethod
    def _rows_for(s: Session, account: str, decisions: Sequence[Decision]) -> list[Followup]:
        """The rows a save can touch: those of the decided threads, and every open one (an open row
        that got no decision is closed)."""
        rows = {r.id: r for r in s.scalars(select(Followup).where(
            Followup.account == account, Followup.state.in_(sorted(OPEN))))}
        threads = sorted({d.thread_key for d in decisions})
        for start in range(0, len(threads), 500):
            rows.update((r.id, r) for r in s.scalars(select(Followup).where(
                Followup.account == account, Followup.thread_key.in_(threads[start:start + 500]))))
        ids = sorted({d.message_id for d in decisions if d.kind == "check_in"})  # a check-in's key is its own
        for start in range(0, len(ids), 500):
            rows.update((r.id, r) for r in s.scalars(select(Followup).where(
                Followup.account == account, Followup.message_id.in_(ids[start:start + 500]))))
        return list(rows.values())

    def mark(self, account: str) -> str:
        """A fingerprint of what a decision reads besides mail and time: tracked items and our drafts."""
        with self.store.session() as s:
            items = s.execute(select(func.count(), func.max(Followup.updated_at)).where(
                Followup.account == account)).one()
            drafts = s.execute(select(func.count(), func.max(Draft.updated_at)).where(Draft.account == account)).one()
            mail = s.execute(select(func.count(), func.max(StoredMessage.id)).where(
                StoredMessage.account == account)).one()
        return repr((tuple(items), tuple(drafts), tuple(mail)))

    @staticmethod
    def _forget_quiet(s: Session, account: str) -> None:
        """The user's word is news: the next poll decides again (whatever clock --now pretends)."""
        row = s.get(QuietMark, account)
        if row is not None:
            row.mark = ""

    def quiet(self, account: str) -> QuietMark | None:
        with self.store.session() as s:
            return s.get(QuietMark, account)

    def set_quiet(self, account: str, until: datetime | None, mark: str) -> None:
        """Record (or with mark="" forget) when the next decision can differ from the last."""
        with self.store.session() as s:
            row = s.get(QuietMark, account) or QuietMark(account=account)
            row.until, row.mark = until, mark
            s.merge(row)

    def set_state(self, followup_id: int, state: str, now: datetime) -> None:
        with self.store.session() as s:
            row = s.get(Followup, followup_id)
            if row is not None:
                row.state, row.updated_at = state, now

    def set_override(self, followup_id: int, action: str | None, until: datetime | None, now: datetime) -> None:
        """`dismiss` replaces `track`; a snooze (`until`) keeps whatever the user said before."""
        with self.store.session() as s:
            row = s.get(Followup, followup_id)
            if row is None:
                return
            if action == "snooze":
                row.snoozed_until = until
                if until is not None:  # `list` shows it at once; the next poll decides the same (never sooner)
                    row.due_at = max(until, row.due_at) if row.due_at else until
            else:
                row.manual = action
            row.updated_at = now
            self._forget_quiet(s, row.account)

    def resume(self, followup_id: int, now: datetime) -> None:
        """Undo a dismiss (as `track`: a draft the user deleted may be made again) and a snooze."""
        with self.store.session() as s:
            row = s.get(Followup, followup_id)
            if row is None:
                return
            if row.manual == "dismiss" or row.state == "dismissed":
                row.manual = "track"
            row.snoozed_until, row.updated_at = None, now
            self._forget_quiet(s, row.account)

    def track(self, account: str, message_id: str, now: datetime) -> int:
        """Record the user's wish to track a message (the next poll decides its state)."""
        with self.store.session() as s:
            row = s.scalars(select(Followup).where(Followup.account == account, Followup.kind == "awaiting_reply",
                                                   Followup.message_id == message_id)).first()
            if row is None:
                row = Followup(account=account, kind="awaiting_reply", message_id=message_id, created_at=now,
                               state="waiting", reason="tracked by you (followup track)")
                s.add(row)
            row.manual, row.snoozed_until, row.updated_at = "track", None, now
            self._forget_quiet(s, account)
            s.flush()
            return row.id

    def followups(self, account: str | None = None, states: Iterable[str] | None = None) -> list[Followup]:
        query = select(Followup).order_by(Followup.due_at.is_(None), Followup.due_at, Followup.id)
        if account:
            query = query.where(Followup.account == account)
        if states is not None:
            query = query.where(Followup.state.in_(sorted(states)))
        with self.store.session() as s:
            return list(s.scalars(query))

    def followup(self, followup_id: int) -> Followup | None:
        with self.store.session() as s:
            return s.get(Followup, followup_id)

    def tracked_for_report(self, account: str) -> list[Tracked]:
        with self.store.session() as s:
            # the draft's own creation time: the row's updated_at moves with every poll that touches it
            drafted: dict[int, datetime] = {fid: at for fid, at in s.execute(
                select(Draft.followup_id, func.max(Draft.created_at)).where(
                    Draft.account == account, Draft.state.in_(sorted(DRAFT_LIVE))).group_by(Draft.followup_id))}
            rows = s.scalars(select(Followup).where(Followup.account == account))
            return [Tracked(id=r.id, kind=r.kind, state=r.state, message_id=r.message_id, subject=r.subject,
                            to=[a for _, a in json.loads(r.to_json)], sent_at=r.sent_at, due_at=r.due_at,
                            step=r.step, what=r.what, updated_at=r.updated_at, draft_waiting=r.id in drafted,
                            reason=r.reason or "", text=r.text, thread_key=r.thread_key,
                            drafted_at=drafted.get(r.id), answered=_people(r.answered_json),
                            waiting=_people(r.waiting_json))
                    for r in rows]

    # --- weekly reports -------------------------------------------------------------------------

    def report_state(self, account: str, week_of: str) -> str | None:
        with self.store.session() as s:
            row = s.scalars(select(WeeklyReport).filter_by(account=account, week_of=week_of)).first()
            return row.state if row else None

    def ever_reported(self, account: str) -> bool:
        with self.store.session() as s:
            return s.scalars(select(WeeklyReport.id).filter_by(account=account).limit(1)).first() is not None

    def begin_report(self, account: str, week_of: str, message_id: str, target: str, now: datetime) -> None:
        """Record the intent before delivering, so a crash never delivers the week twice."""
        with self.store.session() as s:
            if s.scalars(select(WeeklyReport).filter_by(account=account, week_of=week_of)).first() is None:
                s.add(WeeklyReport(account=account, week_of=week_of, message_id=message_id, target=target,
                                   state="pending", created_at=now))

    def finish_report(self, account: str, week_of: str) -> None:
        with self.store.session() as s:
            row = s.scalars(select(WeeklyReport).filter_by(account=account, week_of=week_of)).one()
            row.state = "delivered"

    # --- drafts ---------------------------------------------------------------------------------

    def drafts(self, account: str, states: Sequence[str] | None = None) -> list[DraftRow]:
        query = select(Draft).where(Draft.account == account)
        if states:
            query = query.where(Draft.state.in_(list(states)))
        with self.store.session() as s:
            return [_draft(r) for r in s.scalars(query.order_by(Draft.id))]

    def open_summary(self, account: str, now: datetime) -> tuple[int, datetime | None]:
        """How many items are open, and the next due moment still ahead."""
        open_ = (Followup.account == account, Followup.state.in_(sorted(OPEN)))
        with self.store.session() as s:
            count = s.scalar(select(func.count()).where(*open_)) or 0
            due = s.scalar(select(Followup.due_at).where(*open_, Followup.due_at > now)
                           .order_by(Followup.due_at).limit(1))
        return int(count), due

    def unsettled_drafts(self, account: str) -> bool:
        """A draft of ours waits on a recovery or a second look, or is not (or no longer) in the synced
        Drafts folder: the drafts stage has something to find out."""
        synced = select(StoredMessage.message_id).where(
            StoredMessage.account == account, StoredMessage.folder_role == "drafts",
            StoredMessage.expunged.is_(False), StoredMessage.message_id.is_not(None))
        with self.store.session() as s:
            return s.execute(select(Draft.id).where(Draft.account == account, or_(
                Draft.state.in_(("pending", "missing")),
                and_(Draft.state == "present", Draft.message_id.not_in(synced)))).limit(1)).first() is not None

    def add_draft(self, account: str, followup_id: int, step: int, message_id: str, folder: str, raw: bytes,
                  body_sha256: str, now: datetime) -> DraftRow:
        """Record the intent before APPEND, committed: after a crash, recovery searches for this id."""
        with self.store.session() as s:
            row = s.scalars(select(Draft).where(Draft.account == account, Draft.message_id == message_id)).first()
            if row is None:
                row = Draft(account=account, followup_id=followup_id, step=step, message_id=message_id,
                            folder=folder, raw=raw.decode("utf-8", "surrogateescape"), body_sha256=body_sha256,
                            state="pending", created_at=now, updated_at=now)
                s.add(row)
                s.flush()
            elif row.state == DraftState.REMOVED:  # we took it out (a snooze): made again, as it reads today
                row.raw, row.body_sha256, row.folder = raw.decode("utf-8", "surrogateescape"), body_sha256, folder
                row.state, row.uid, row.uidvalidity, row.created_at, row.updated_at = "pending", None, None, now, now
            return _draft(row)

    def mark_draft(self, draft_id: int, state: str, now: datetime, uid: int | None = None,
                   uidvalidity: int | None = None) -> None:
        with self.store.session() as s:
            row = s.get(Draft, draft_id)
            if row is None:
                return
            row.state, row.updated_at = state, now
            if uid is not None:
                row.uid, row.uidvalidity = uid, uidvalidity

    def dismiss_for_deleted_draft(self, followup_id: int, draft_id: int | None, now: datetime) -> None:
        """The user deleted our draft: the draft's state, the dismissal and the item's state change in one
        transaction, so a crash in between can never bring the draft back."""
        with self.store.session() as s:
            draft = s.get(Draft, draft_id) if draft_id is not None else None
            if draft is not None:
                draft.state, draft.updated_at = "deleted", now
            row = s.get(Followup, followup_id)
            if row is not None:
                row.manual, row.state, row.updated_at = "dismiss", "dismissed", now

    def check_in_restarts(self, account: str) -> dict[str, datetime]:
        """When the user last deleted a check-in draft, per person: the keep-in-touch clock restarts then."""
        out: dict[str, datetime] = {}
        with self.store.session() as s:
            for row in s.scalars(select(Followup).where(Followup.account == account, Followup.kind == "check_in",
                                                        Followup.manual == "dismiss")):
                for _, address in json.loads(row.to_json):
                    out[address.lower()] = max(out.get(address.lower(), row.updated_at), row.updated_at)
        return out

    def follow_up_draft_ids(self, account: str) -> frozenset[str]:
        """Message-IDs of our follow-up drafts (not promise reminders): sent as they are, they keep no promise."""
        with self.store.session() as s:
            return frozenset(s.scalars(select(Draft.message_id).join(Followup, Draft.followup_id == Followup.id)
                                       .where(Draft.account == account, Followup.kind == "awaiting_reply")))

    def seen_in_drafts(self, account: str, message_id: str, since: datetime) -> bool:
        """Whether a sync saw this Message-ID in Drafts (expunged since, or not) at `since` or later: a copy
        seen before a draft was made again (after a snooze) is not this draft."""
        with self.store.session() as s:
            return s.scalars(select(StoredMessage.id).where(
                StoredMessage.account == account, StoredMessage.folder_role == "drafts",
                StoredMessage.message_id == message_id, StoredMessage.synced_at >= since).limit(1)).first() is not None

    def drafts_folder(self, account: str) -> list[Mail]:
        """What the Drafts folder holds now (as of the last sync)."""
        return [m for m in self.mail(account) if m.folder_role == "drafts"]

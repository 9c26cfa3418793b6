"""Mailbox → store, one folder at a time: incremental by UID, batched, resumable.

The cursor (UIDVALIDITY, last UID, UIDNEXT, EXISTS, HIGHESTMODSEQ) is committed with every batch, so an
interrupted sync resumes where it stopped. A folder with nothing new costs one EXAMINE.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32

from assistant.config import AccountConfig, SyncConfig
from assistant.mailbox.client import Fetched, FolderStatus, MailboxClient
from assistant.message import parse_ids, parse_message
from assistant.message.lists import list_addresses_of
from assistant.progress import Progress
from assistant.store.repo import Cursor, MessageRecord, ReadText, Store, TextRecord, Unread
from assistant.workdays import WorkCalendar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FolderJob:
    """One folder to sync, and what reading its messages needs: the user's calendar (zone, working day), and
    how far back a reading can matter (older mail is stored with its text not read yet; None: read all)."""

    account: AccountConfig
    role: str  # inbox, sent, drafts
    name: str  # the folder's name on the server
    now: datetime
    settings: SyncConfig
    calendar: WorkCalendar
    read_since: datetime | None = None


@dataclass
class FolderSummary:
    role: str
    name: str
    new: int = 0
    changed: int = 0
    expunged: int = 0
    duplicates: int = 0
    rematched: int = 0
    resynced: bool = False
    skipped: list[tuple[int, str]] = field(default_factory=list)
    error: str | None = None

    @property
    def touched(self) -> bool:
        return bool(self.new or self.changed or self.expunged or self.rematched or self.resynced)


def to_record(fetched: Fetched, account: AccountConfig, calendar: WorkCalendar,
              parent: str | None = None, read_since: datetime | None = None) -> MessageRecord:
    """Fetched bytes → a storable record, read while the whole fetched message is at hand. `parent` is the
    text of the message it replies to, when stored: lines that repeat it are quoted, whatever the language.
    The text of mail sent before `read_since` is left to be read when needed (by `read_text`)."""
    p = parse_message(fetched.raw, parent)
    from_addr = p.from_.email if p.from_ else ""
    # imported on first use: a sync with nothing new never compiles the readers' patterns
    from assistant.analysis.automated import classify

    verdict = classify(p)
    sent = p.date or fetched.internal_date
    text = None
    if read_since is None or sent is None or sent >= read_since:
        text = read_text(Unread(new_text=p.new_text, sent=sent, verdict=verdict.kind), calendar)
    report = None
    if p.report is not None:
        report = {"kind": p.report.kind, "action": p.report.action, "recipients": list(p.report.recipients),
                  "status": p.report.status, "original_message_id": p.report.original_message_id,
                  "original_subject": p.report.original_subject}
    return MessageRecord(
        uid=fetched.uid, message_id=p.message_id, in_reply_to=p.in_reply_to, references=p.references,
        subject=p.subject, from_addr=from_addr, from_name=p.from_.name if p.from_ else "",
        to=tuple((a.name, a.email) for a in p.to), cc=tuple((a.name, a.email) for a in p.cc),
        reply_to=tuple((a.name, a.email) for a in p.reply_to), bcc=tuple((a.name, a.email) for a in p.bcc),
        date=sent, internal_date=fetched.internal_date, flags=fetched.flags,
        headers=p.headers, content_type=p.content_type, report_type=p.report_type,
        from_user=account.is_user(from_addr), new_text=p.new_text, quoted_text=p.quoted_text,
        signature=p.signature, attachments=p.attachments, size=fetched.size, gm_msgid=fetched.gm_msgid,
        gm_thrid=fetched.gm_thrid, defects=p.defects, verdict=verdict.kind, verdict_reason=verdict.reason,
        return_date=verdict.return_date, report=report,
        expects_reply=text.expects_reply if text else None, expects_reason=text.expects_reason if text else None,
        promises=text.promises if text else (), quote_rule=p.quote_rule, signature_rule=p.signature_rule,
        analysed=text is not None, list_addresses=tuple(sorted(list_addresses_of(p.headers))),
    )


def read_text(message: Unread, calendar: WorkCalendar) -> TextRecord:
    """What a message's text asks and promises, as stored: at sync, and later for mail sync left unread."""
    from assistant.analysis.read import read_text as read

    reading = read(message.new_text, message.verdict, message.sent, calendar)
    promises = tuple({"text": x.text, "what": x.what, "due": x.due.isoformat() if x.due else None, "by": x.by}
                     for x in reading.promises)
    return TextRecord(expects_reply=reading.expects_reply, expects_reason=reading.expects_reason,
                      promises=promises)


def text_reader(calendar: WorkCalendar) -> ReadText:
    """`read_text` with the user's calendar: what the store is handed to read old mail when it is needed."""
    return lambda message: read_text(message, calendar)


def _replies_to(raw: bytes) -> str | None:
    """The In-Reply-To of a fetched message, read from its header alone (before the full parse)."""
    try:
        header = BytesHeaderParser(policy=compat32).parsebytes(raw, headersonly=True)
        ids = parse_ids(str(header.get("In-Reply-To") or ""))
    except Exception:  # noqa: BLE001 - the full parse will note what is wrong with it
        return None
    return ids[0] if ids else None


def _unchanged(cursor: Cursor, status: FolderStatus) -> bool:
    return (cursor.initial_done and status.uidnext is not None and status.uidnext == cursor.uidnext
            and status.exists == cursor.exists_count and status.highestmodseq == cursor.highestmodseq)


def sync_folder(client: MailboxClient, store: Store, job: FolderJob, progress: Progress) -> FolderSummary:
    account, role, name, now, settings = job.account, job.role, job.name, job.now, job.settings
    summary = FolderSummary(role=role, name=name)
    status = client.examine(name)
    before = store.cursor(account.name, role, name)
    if (before.uidvalidity is not None and before.uidvalidity != status.uidvalidity and before.name == name
            and status.exists == 0 and before.exists_count in (0, None) and not store.stored_uids(before)):
        # Courier and Mailutils give an empty folder a new UIDVALIDITY at every session: nothing to resync
        log.debug("%s/%s: empty folder, new UIDVALIDITY %s", account.name, name, status.uidvalidity)
        before = replace(before, uidvalidity=status.uidvalidity)
    cursor = replace(before)
    if before.uidvalidity is not None and (before.uidvalidity != status.uidvalidity or before.name != name):
        # Courier and Mailutils give an empty folder a new UIDVALIDITY at every session: nothing to resync.
        empty = status.exists == 0 and before.exists_count in (0, None)
        log.log(logging.DEBUG if empty else logging.WARNING,
                "%s/%s: UIDVALIDITY changed (%s → %s): resyncing the folder; tracking is kept",
                account.name, name, before.uidvalidity, status.uidvalidity)
        cursor = Cursor(account=account.name, role=role, name=name, sync_since=before.sync_since)
        before = replace(cursor)
        summary.resynced = True
    if cursor.uidvalidity is None:
        cursor.uidvalidity = status.uidvalidity
        if cursor.sync_since is None and settings.first_sync_days:
            cursor.sync_since = now - timedelta(days=settings.first_sync_days)
    unchanged = _unchanged(cursor, status)
    # Without CONDSTORE nothing tells us Sent/Drafts flags changed, so those are polled (bounded).
    poll_flags = role != "inbox" and not client.condstore
    if unchanged and not poll_flags:
        cursor.last_sync_at = now
        store.save_cursor(cursor)
        return summary

    if not unchanged:
        _fetch_new(client, store, job, cursor, progress, summary)
    if before.initial_done:
        _pick_up_changes(client, store, before, cursor, status, settings, summary)
    if not cursor.initial_done and status.uidnext:
        # The first pass searched every UID below UIDNEXT (bounded by date): never look at them again.
        cursor.last_uid = max(cursor.last_uid, status.uidnext - 1)
    cursor.uidnext, cursor.exists_count = status.uidnext, status.exists
    cursor.highestmodseq, cursor.initial_done, cursor.last_sync_at = status.highestmodseq, True, now
    store.save_cursor(cursor)
    if summary.resynced:
        summary.expunged += store.expunge_stale(cursor)
    return summary


def _fetch_new(client: MailboxClient, store: Store, job: FolderJob, cursor: Cursor, progress: Progress,
               summary: FolderSummary) -> None:
    account, settings = job.account, job.settings
    since = cursor.sync_since.date() if cursor.sync_since and not cursor.initial_done else None
    uids = client.uids_after(cursor.last_uid, since)
    if not uids:
        return
    progress.start(len(uids), f"{account.name}/{cursor.name}")
    try:
        for start in range(0, len(uids), settings.batch_size):
            batch = uids[start:start + settings.batch_size]
            records = []
            fetched_batch = list(client.fetch(batch, settings.body_bytes))
            parents = store.texts_by_message_id(account.name, {i for f in fetched_batch if (i := _replies_to(f.raw))})
            for fetched in fetched_batch:
                try:
                    parent = parents.get(_replies_to(fetched.raw) or "")
                    records.append(to_record(fetched, account, job.calendar, parent, job.read_since))
                except Exception as e:  # noqa: BLE001 - one unreadable message never stops the sync
                    log.warning("%s/%s UID %s: skipped, cannot parse: %s", account.name, cursor.name,
                                fetched.uid, e)
                    summary.skipped.append((fetched.uid, f"cannot parse: {e}"))
            cursor.last_uid = max(batch)
            result = store.save_batch(cursor, cursor.name, records, job.now)
            summary.new += result.added
            summary.rematched += result.rematched
            summary.duplicates += result.duplicates
            progress.advance(len(batch))
    finally:
        progress.finish()


def _pick_up_changes(client: MailboxClient, store: Store, before: Cursor, cursor: Cursor, status: FolderStatus,
                     settings: SyncConfig, summary: FolderSummary) -> None:
    """Flag changes and expunges among messages we already hold."""
    if before.last_uid == 0:
        return
    present: set[int] | None = None
    if client.condstore and before.highestmodseq is not None:
        if status.highestmodseq != before.highestmodseq:
            flags = client.flags(f"1:{before.last_uid}", changed_since=before.highestmodseq)
            summary.changed += store.update_flags(cursor, flags)
    elif cursor.role != "inbox":
        # Without CONDSTORE: re-read the flags of the newest messages we hold (bounded), which also
        # reveals which of them are gone.
        window = store.stored_uids(cursor, newest=settings.flag_window)
        flags = client.flags(window)
        summary.changed += store.update_flags(cursor, flags)
        gone = set(window) - set(flags)
        summary.expunged += store.mark_expunged(cursor, gone)
        if len(window) < settings.flag_window:
            present = set(flags)
    arrived = (status.uidnext - before.uidnext) if status.uidnext and before.uidnext else None
    if arrived is None or status.exists < before.exists_count + arrived:
        # Fewer messages than arrivals explain: something was expunged. One UID SEARCH finds what.
        if present is None:
            present = client.all_uids()
        gone = set(store.stored_uids(cursor)) - present
        summary.expunged += store.mark_expunged(cursor, gone)

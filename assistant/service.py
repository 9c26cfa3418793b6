"""One poll of one account, top to bottom: connect → sync (find folders, mirror each, thread) → decide
(the policies, on the stored mail) → drafts (apply, or preview with --dry-run) → the weekly report when
due → log out. Also the pieces commands use alone: check an account, sync only, deliver the report."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from assistant.analysis.commands import controls_for
from assistant.clock import Clock
from assistant.config import AccountConfig, Config, resolve_secret
from assistant.drafts.apply import Action, Applier, Renderer, preview
from assistant.drafts.plan import plan
from assistant.drafts.voice import Voice
from assistant.errors import ConnectionLost, FollowupError, MailboxError
from assistant.mailbox.client import Folders, MailboxClient
from assistant.mailbox.rethread import rethread
from assistant.mailbox.sync import FolderJob, FolderSummary, sync_folder, text_reader
from assistant.message.lists import list_addresses_of
from assistant.model import OPEN, Decision, Mail, item_key
from assistant.policy import awaiting_reply, promises, relationships
from assistant.policy.common import earliest_reading, horizon
from assistant.policy.context import PolicyContext
from assistant.policy.controls import mail_overrides, merge, people_mail
from assistant.progress import NoProgress, Progress
from assistant.report import deliver as weekly
from assistant.store.items import FollowupStore
from assistant.store.locks import account_lock
from assistant.store.repo import Store
from assistant.templates import environment
from assistant.workdays import WorkCalendar, make_calendar

log = logging.getLogger(__name__)


@dataclass
class CheckResult:
    account: str
    folders: Folders
    capabilities: list[str]


@dataclass
class SyncResult:
    account: str
    folders: list[FolderSummary] = field(default_factory=list)
    threads_changed: int = 0
    imap_commands: int = 0
    folder_names: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for `status`: "3 new, 1 changed, 0 gone" (and folders that failed)."""
        line = (f"{sum(f.new for f in self.folders)} new, {sum(f.changed for f in self.folders)} changed, "
                f"{sum(f.expunged for f in self.folders)} gone")
        failed = [f.name for f in self.folders if f.error]
        return line + (f", {', '.join(failed)} failed" if failed else "")


def connect(account: AccountConfig) -> MailboxClient:
    return MailboxClient.connect(account, resolve_secret(account))


def check_account(account: AccountConfig) -> CheckResult:
    client = connect(account)
    try:
        folders = client.find_folders()
        for name in folders.by_role().values():
            client.examine(name)  # proves each folder can be opened, not only listed
        return CheckResult(account=account.name, folders=folders, capabilities=sorted(client.capabilities))
    finally:
        client.logout()


def sync_account(config: Config, account: AccountConfig, store: Store, clock: Clock,
                 progress: Progress | None = None, everything: bool = False) -> SyncResult:
    """Mirror the account's folders. Mail too old to matter now is stored with its text not read yet
    (see policy.common.earliest_reading), unless `everything`: the same decisions, either way."""
    with account_lock(store, account.name):
        client = connect(account)
        try:
            result = _sync(client, config, account, store, clock, progress or NoProgress(), everything)
        finally:
            client.logout()
    result.imap_commands = client.commands_sent  # LOGOUT included
    return result


def _sync(client: MailboxClient, config: Config, account: AccountConfig, store: Store, clock: Clock,
          progress: Progress, everything: bool = False) -> SyncResult:
    result = SyncResult(account=account.name)
    result.folder_names = client.find_folders().by_role()
    calendar = calendar_for(config)
    for role, name in result.folder_names.items():
        now = clock.now()
        read_since = None if everything else earliest_reading(config, calendar, now)
        try:
            summary = sync_folder(client, store, FolderJob(account, role, name, now, config.sync, calendar,
                                                           read_since), progress)
        except ConnectionLost:
            raise  # every other folder would fail the same way
        except MailboxError as e:
            # One failing folder is reported; the others still sync.
            log.error("%s/%s: %s", account.name, name, e)
            summary = FolderSummary(role=role, name=name, error=str(e))
        result.folders.append(summary)
    # (the store forgot the quiet mark with any change it saved: the next poll decides again)
    # Unthreaded rows are their own trigger: a kill between a saved batch and its threading is mended here.
    # A folder resynced (new UIDVALIDITY) may come back different: the whole account is threaded again.
    threaded = rethread(store, account.name, full=any(f.resynced for f in result.folders))
    result.threads_changed = threaded.changed if threaded else 0
    result.imap_commands = client.commands_sent
    return result


@dataclass
class PollResult:
    account: str
    sync: SyncResult
    decisions: list[Decision] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    quiet: bool = False  # nothing new and nothing due: the last decisions stand (not decided again)
    waiting: int = 0  # open items
    next_due: datetime | None = None  # the next due moment still ahead

    def sum_up(self, now: datetime) -> None:
        waiting = [d for d in self.decisions if d.state in OPEN]
        self.waiting = len(waiting)
        self.next_due = min((d.due_at for d in waiting if d.due_at and d.due_at > now), default=None)

    def summary(self) -> str:
        """One line for `status`: the sync's counts, then the actions ("1 drafted, 1 removed")."""
        counts: dict[str, int] = {}
        for a in self.actions:
            counts[a.kind] = counts.get(a.kind, 0) + 1
        done = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "nothing to do"
        return f"{self.sync.summary()}; {done}"

    def as_json(self) -> dict[str, Any]:
        """What `poll --json` prints per account, and what the daemon answers a poll request with."""
        return {"account": self.account, "actions": [
            {"action": a.kind, "id": a.followup_id or None, "subject": a.subject, "detail": a.detail}
            for a in self.actions],
            "waiting": self.waiting, "next_due": self.next_due.isoformat() if self.next_due else None,
            "failed_folders": [f.name for f in self.sync.folders if f.error]}


def calendar_for(config: Config) -> WorkCalendar:
    """The user's working calendar: built once per poll (or command) and handed to whatever needs it."""
    f = config.followup
    return make_calendar(config.tz, f.working_days, f.hours, f.holidays)


def policy_context(config: Config, account: AccountConfig, followups: FollowupStore, calendar: WorkCalendar,
                   now: datetime) -> PolicyContext:
    """What every policy reads in this poll of `account`."""
    return PolicyContext(
        followup=config.followup, promises=config.promises, calendar=calendar, now=now,
        user_addresses=frozenset(account.addresses),
        list_addresses=followups.list_addresses(account.name, list_addresses_of), people=config.people,
        user_name=followups.user_name(account.name),
        user_address=account.addresses[0] if account.addresses else account.username,
        overrides=followups.overrides(account.name))


def decide(config: Config, account: AccountConfig, followups: FollowupStore, calendar: WorkCalendar,
           now: datetime, everything: bool = False) -> tuple[list[Decision], list[Mail]]:
    """Analyse the stored mail and decide, without touching the server. Only threads that can still
    change are read (see policy.common.horizon), unless `everything`: the same open decisions, either way.
    A message among them whose text sync left unread is read now (and stored so)."""
    read = text_reader(calendar)
    ctx = policy_context(config, account, followups, calendar, now)
    controls = controls_for(config, account)
    if everything:
        mail = followups.mail(account.name, read=read)
    else:
        patterns = [p.match for p in config.people if p.keep_in_touch]
        keep = relationships.check_in_threads(followups.mail_with(account.name, patterns), ctx)
        mail = followups.mail(account.name, horizon(config.followup, config.promises, calendar, now), keep, read)
    if controls is not None:
        # the user's word from the mail client, read on the Sent copies as they are; then Followup's own
        # signals are set aside and control addresses leave the recipients (never a draft's, nor a person)
        as_stored: dict[str, list[Mail]] = {}
        for m in mail:
            as_stored.setdefault(m.thread_key, []).append(m)
        words = mail_overrides(as_stored, controls, calendar)
        ctx = replace(ctx, overrides=merge(ctx.overrides, words))
        mail = people_mail(mail, controls, ctx.user_addresses)
    threads: dict[str, list[Mail]] = {}
    for m in mail:
        threads.setdefault(m.thread_key, []).append(m)
    bounces = [m for m in mail if m.verdict == "bounce"]
    decisions = awaiting_reply.decide(threads, bounces, ctx)
    ours = followups.follow_up_draft_ids(account.name)
    for thread in threads.values():
        if any(m.promises for m in thread):
            decisions += promises.decide_promises(thread, ours, ctx)
        if any(m.attachments and m.from_user for m in thread):
            decisions += relationships.decide_check_backs(thread, ctx)
    if any(p.keep_in_touch for p in config.people):
        decisions += relationships.decide_check_ins(mail, followups.check_in_restarts(account.name), ctx)
    # one item per key: a check-back found both ways (a kept promise, an answer with an attachment) once
    return list({d.key: d for d in decisions}.values()), mail


def quiet_until(decisions: list[Decision]) -> datetime | None:
    """The next moment any decision changes with time alone (None: none will)."""
    return min((d.changes_at for d in decisions if d.changes_at is not None), default=None)


def poll_account(config: Config, account: AccountConfig, store: Store, clock: Clock, dry_run: bool = False,
                 progress: Progress | None = None, lock: bool = True) -> PollResult:
    """One cycle: sync → analyse → decide → draft → clean up. `lock=False` when the caller (the
    daemon) already holds the account."""
    env = environment(config.followup.template_dir)
    with account_lock(store, account.name) if lock else nullcontext():
        client = connect(account)
        try:
            return _poll(client, config, account, store, clock, dry_run, progress, env)
        finally:
            client.logout()


def _poll(client: MailboxClient, config: Config, account: AccountConfig, store: Store, clock: Clock,
          dry_run: bool, progress: Progress | None, env: SandboxedEnvironment) -> PollResult:
    synced = _sync(client, config, account, store, clock, progress or NoProgress())
    now, calendar = clock.now(), calendar_for(config)
    followups = FollowupStore(store)
    if not dry_run and _quiet(config, account, followups, synced, now):
        # Nothing new, and nothing falls due yet: what the last poll decided still stands.
        result = PollResult(account=account.name, sync=synced, quiet=True)
        result.waiting, result.next_due = followups.open_summary(account.name, now)
        result.actions = _weekly(config, account, followups, client, synced.folder_names["inbox"], calendar, now)
        return result
    decisions, mail = decide(config, account, followups, calendar, now)
    result = PollResult(account=account.name, sync=synced, decisions=decisions)
    result.sum_up(now)
    if any(f.error for f in synced.folders):
        # Half a mirror would make drafts look deleted or replies look missing: decide nothing.
        log.warning("%s: a folder failed to sync; drafts are left as they are until it syncs", account.name)
        return result
    # --dry-run: the same plan, told rather than done (no decision saved, so a new item has no id yet)
    ids = (followups.save_decisions(account.name, decisions, now) if not dry_run else
           {item_key(f.kind, f.message_id): f.id for f in followups.followups(account.name)})
    steps = plan(decisions, ids, mail, followups.drafts(account.name), followups.overrides(account.name), now)
    render = renderer(config, account, followups, env, calendar, now, mail)
    if dry_run:
        result.actions = preview(steps, render)
        return result
    result.actions = _lifecycle(client, followups, account, synced, render, now).apply(steps)
    result.actions += _weekly(config, account, followups, client, synced.folder_names["inbox"], calendar, now)
    # A poll that acted decides again next time (a draft it wrote is not synced yet; a failure is retried).
    settled = not result.actions
    followups.set_quiet(account.name, quiet_until(decisions), _mark(config, account, followups) if settled else "")
    return result


def renderer(config: Config, account: AccountConfig, followups: FollowupStore, env: SandboxedEnvironment,
             calendar: WorkCalendar, now: datetime, mail: Sequence[Mail]) -> Renderer:
    """Drafts in each thread's language and the user's voice ([voice] in the config over what is learned)."""
    threads: dict[str, list[Mail]] = {}
    for m in mail:
        threads.setdefault(m.thread_key, []).append(m)
    overrides = {k: Voice(w.greeting, w.signoff, w.signature) for k, w in config.voice.words}
    return Renderer(account.name, followups, env, calendar, config.tz, now, threads=threads,
                    language=config.followup.language, overrides=overrides, learn=config.voice.learn)


def _mark(config: Config, account: AccountConfig, followups: FollowupStore) -> str:
    """What a decision reads besides new mail and time: the config it decides by, the items, our drafts."""
    settings = repr((config.followup, config.promises, config.people, account.addresses, str(config.tz),
                     controls_for(config, account)))
    return hashlib.sha256(f"{settings}\0{followups.mark(account.name)}".encode()).hexdigest()


def _quiet(config: Config, account: AccountConfig, followups: FollowupStore, synced: SyncResult,
           now: datetime) -> bool:
    """Deciding again would change nothing: no mail came or changed, nothing falls due before the mark's
    moment, nobody touched an item or a draft since, and each of our drafts is settled (synced as we wrote
    it; none waits on a second look or a recovery)."""
    if any(f.touched or f.error for f in synced.folders):
        return False
    mark = followups.quiet(account.name)
    if mark is None or not mark.mark or (mark.until is not None and now >= mark.until):
        return False
    if followups.unsettled_drafts(account.name):
        return False
    return mark.mark == _mark(config, account, followups)


def _weekly(config: Config, account: AccountConfig, followups: FollowupStore, client: MailboxClient, inbox: str,
            calendar: WorkCalendar, now: datetime) -> list[Action]:
    """After the configured day and time, once a week: the report (a failure is reported, not fatal)."""
    try:
        where = weekly.deliver(config, account, followups, client, inbox, calendar, now)
    except ConnectionLost:
        raise
    except FollowupError as e:
        log.error("%s: the weekly report could not be delivered: %s", account.name, e)
        return [Action("failed", 0, "weekly report", str(e))]
    return [Action("report", 0, "weekly report", f"delivered to {where}")] if where else []


def _lifecycle(client: MailboxClient, followups: FollowupStore, account: AccountConfig, synced: SyncResult,
               render: Renderer, now: datetime) -> Applier:
    return Applier(client=client, store=followups, account=account.name, folder=synced.folder_names["drafts"],
                   render=render, now=now)


def deliver_report(config: Config, account: AccountConfig, store: Store, clock: Clock, calendar: WorkCalendar,
                   force: bool = False) -> str | None:
    """Deliver this week's report (connecting only when it goes into INBOX)."""
    followups, now = FollowupStore(store), clock.now()
    if config.report.deliver != "inbox":
        return weekly.deliver(config, account, followups, None, "", calendar, now, force)
    with account_lock(store, account.name):
        client = connect(account)
        try:
            inbox = client.find_folders().inbox
            return weekly.deliver(config, account, followups, client, inbox, calendar, now, force)
        finally:
            client.logout()

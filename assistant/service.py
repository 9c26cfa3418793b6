"""One cycle per account, top to bottom: connect → find folders → sync each → thread → log out."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from jinja2.sandbox import SandboxedEnvironment

from assistant.analysis.threads import build_threads
from assistant.clock import Clock
from assistant.config import AccountConfig, Config, resolve_secret
from assistant.drafts.apply import Action, Lifecycle
from assistant.errors import ConnectionLost, FollowupError, MailboxError
from assistant.mailbox.client import Folders, MailboxClient
from assistant.mailbox.sync import FolderJob, FolderSummary, sync_folder
from assistant.model import Decision, Mail, item_key
from assistant.policy import awaiting_reply, promises, relationships
from assistant.policy.common import list_addresses
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
                 progress: Progress | None = None) -> SyncResult:
    with account_lock(store, account.name):
        client = connect(account)
        try:
            result = _sync(client, config, account, store, clock, progress or NoProgress())
        finally:
            client.logout()
    result.imap_commands = client.commands_sent  # LOGOUT included
    return result


def _sync(client: MailboxClient, config: Config, account: AccountConfig, store: Store, clock: Clock,
          progress: Progress) -> SyncResult:
    result = SyncResult(account=account.name)
    result.folder_names = client.find_folders().by_role()
    calendar = calendar_for(config)
    for role, name in result.folder_names.items():
        try:
            summary = sync_folder(client, store, FolderJob(account, role, name, clock.now(), config.sync, calendar),
                                  progress)
        except ConnectionLost:
            raise  # every other folder would fail the same way
        except MailboxError as e:
            # One failing folder is reported; the others still sync.
            log.error("%s/%s: %s", account.name, name, e)
            summary = FolderSummary(role=role, name=name, error=str(e))
        result.folders.append(summary)
    # Unthreaded rows are their own trigger: a kill between a saved batch and its threading is mended here.
    if any(f.touched for f in result.folders) or store.has_unthreaded(account.name):
        keys = build_threads(store.thread_inputs(account.name))
        result.threads_changed = store.apply_threads(account.name, keys)
    result.imap_commands = client.commands_sent
    return result


@dataclass
class PollResult:
    account: str
    sync: SyncResult
    decisions: list[Decision] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def calendar_for(config: Config) -> WorkCalendar:
    f = config.followup
    return make_calendar(config.tz, f.working_days, f.working_hours, f.holidays)


def decide(config: Config, account: AccountConfig, followups: FollowupStore, now: datetime) -> tuple[
        list[Decision], list[Mail]]:
    """Analyse the stored mail and decide, without touching the server."""
    mail = followups.mail(account.name)
    threads: dict[str, list[Mail]] = {}
    for m in mail:
        threads.setdefault(m.thread_key, []).append(m)
    bounces = [m for m in mail if m.verdict == "bounce"]
    overrides, calendar = followups.overrides(account.name), calendar_for(config)
    addresses = frozenset(account.addresses)
    decisions = awaiting_reply.decide(threads, bounces, overrides, config.followup, calendar, now, addresses,
                              list_addresses(followups.list_headers(account.name)), config.people)
    ours = followups.follow_up_draft_ids(account.name)
    named = [m for m in mail if m.from_user and m.from_name]
    user_name = max(named, key=lambda m: m.date).from_name if named else ""  # the name they sign with lately
    for thread in threads.values():
        if any(m.promises for m in thread):
            decisions += promises.decide_promises(thread, overrides, config.promises, config.followup, calendar,
                                                now, addresses, ours, user_name)
        if config.promises.check_back is not None and any(m.attachments and m.from_user for m in thread):
            decisions += relationships.decide_check_backs(thread, overrides, config.promises.check_back, calendar, now,
                                                   addresses)
    if any(p.keep_in_touch for p in config.people):
        me = (user_name, account.addresses[0] if account.addresses else account.username)
        decisions += relationships.decide_check_ins(mail, config.people, followups.check_in_restarts(account.name),
                                             overrides, calendar, now, addresses, me)
    # one item per key: a check-back found both ways (a kept promise, an answer with an attachment) once
    return list({d.key: d for d in decisions}.values()), mail


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
    now = clock.now()
    followups = FollowupStore(store)
    decisions, mail = decide(config, account, followups, now)
    result = PollResult(account=account.name, sync=synced, decisions=decisions)
    if any(f.error for f in synced.folders):
        # Half a mirror would make drafts look deleted or replies look missing: decide nothing.
        log.warning("%s: a folder failed to sync; drafts are left as they are until it syncs", account.name)
        return result
    if dry_run:
        ids = {item_key(f.kind, f.message_id): f.id for f in followups.followups(account.name)}
        lifecycle = _lifecycle(None, followups, account, synced, env, config, now)
        result.actions = lifecycle.preview(decisions, ids)
        return result
    ids = followups.save_decisions(account.name, decisions, now)
    lifecycle = _lifecycle(client, followups, account, synced, env, config, now)
    result.actions = lifecycle.apply(decisions, ids, mail)
    result.actions += _weekly(config, account, followups, client, synced.folder_names["inbox"], now)
    return result


def _weekly(config: Config, account: AccountConfig, followups: FollowupStore, client: MailboxClient, inbox: str,
            now: datetime) -> list[Action]:
    """After the configured day and time, once a week: the report (a failure is reported, not fatal)."""
    try:
        where = weekly.deliver(config, account, followups, client, inbox, calendar_for(config), now)
    except ConnectionLost:
        raise
    except FollowupError as e:
        log.error("%s: the weekly report could not be delivered: %s", account.name, e)
        return [Action("failed", 0, "weekly report", str(e))]
    return [Action("report", 0, "weekly report", f"delivered to {where}")] if where else []


def _lifecycle(client: MailboxClient | None, followups: FollowupStore, account: AccountConfig,
               synced: SyncResult, env: SandboxedEnvironment, config: Config, now: datetime) -> Lifecycle:
    return Lifecycle(client=client, store=followups, account=account, drafts_folder=synced.folder_names["drafts"],
                     env=env, calendar=calendar_for(config), tz=config.tz, now=now)


def deliver_report(config: Config, account: AccountConfig, store: Store, clock: Clock,
                   force: bool = False) -> str | None:
    """Deliver this week's report (connecting only when it goes into INBOX)."""
    followups, calendar, now = FollowupStore(store), calendar_for(config), clock.now()
    if config.report.deliver != "inbox":
        return weekly.deliver(config, account, followups, None, "", calendar, now, force)
    with account_lock(store, account.name):
        client = connect(account)
        try:
            inbox = client.find_folders().inbox
            return weekly.deliver(config, account, followups, client, inbox, calendar, now, force)
        finally:
            client.logout()

"""One cycle per account, top to bottom: connect → find folders → sync each → thread → log out."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from assistant.analysis.threads import build_threads
from assistant.clock import Clock
from assistant.config import AccountConfig, Config, resolve_secret
from assistant.errors import MailboxError
from assistant.mailbox.client import Folders, MailboxClient
from assistant.mailbox.sync import FolderSummary, sync_folder
from assistant.progress import NoProgress, Progress
from assistant.store.repo import Store

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
    result = SyncResult(account=account.name)
    client = connect(account)
    try:
        folders = client.find_folders()
        for role, name in folders.by_role().items():
            try:
                summary = sync_folder(client, store, account, role, name, clock.now(), config.sync,
                                      progress or NoProgress())
            except MailboxError as e:
                # One failing folder is reported; the others still sync.
                log.error("%s/%s: %s", account.name, name, e)
                summary = FolderSummary(role=role, name=name, error=str(e))
            result.folders.append(summary)
        if any(f.touched for f in result.folders):
            keys = build_threads(store.thread_inputs(account.name))
            result.threads_changed = store.apply_threads(account.name, keys)
    finally:
        client.logout()
        result.imap_commands = client.commands_sent
    return result

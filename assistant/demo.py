"""`followup demo`: a week of realistic mail on an embedded IMAP server, run through the real pipeline.

No config and no network: the server is pymap on loopback, the store a temp SQLite file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from assistant.clock import Clock
from assistant.config import Config, parse_config
from assistant.embedded import EmbeddedServer
from assistant.service import SyncResult, sync_account
from assistant.store.models import StoredMessage
from assistant.store.repo import Store

USER, PASSWORD = "dana@example.com", "demo-password"
ME = f"Dana Reyes <{USER}>"


@dataclass(frozen=True)
class Mail:
    folder: str
    days_ago: float
    from_: str
    to: str
    subject: str
    body: str
    message_id: str
    headers: tuple[tuple[str, str], ...] = ()
    html: bool = False


def week_of_mail() -> list[Mail]:
    """Threads that show what threading must survive: Outlook, Gmail HTML, broken headers, lists."""
    return [
        Mail("Sent", 6, ME, "Alice Wong <alice@northwind.example>", "Q4 budget numbers",
             "Hi Alice,\n\nCould you send me the Q4 budget numbers by Thursday?\n\nThanks,\nDana", "<q4@example.com>"),
        Mail("INBOX", 5, "Alice Wong <alice@northwind.example>", ME, "Re: Q4 budget numbers",
             "<div>Sure, they're attached. Marketing is still pending.</div><div class=\"gmail_quote\">"
             "On Tue, Dana Reyes wrote:<blockquote>Could you send me the Q4 budget numbers?</blockquote></div>",
             "<a1@northwind.example>", (("In-Reply-To", "<q4@example.com>"), ("References", "<q4@example.com>")),
             html=True),
        Mail("Sent", 4, ME, "Bob Stone <bob@contoso.example>", "Contract draft",
             "Bob, can you review the contract draft and tell me if clause 7 works for you?\n\n-- \nDana Reyes",
             "<contract@example.com>"),
        Mail("INBOX", 3, "Bob Stone <bob@contoso.example>", ME, "RE: Contract draft",
             "Clause 7 is fine. Legal wants one change in clause 9.\n\n-----Original Message-----\n"
             "From: Dana Reyes\nSent: Thursday\nSubject: Contract draft\n\nBob, can you review…",
             "<b1@contoso.example>", (("References", "<contract@example.com>,<x@contoso.example>"),
                                      ("Thread-Index", "AdlKq3X8yR2Hh0hHT0eXq6j7Qk9xVw=="))),
        Mail("Sent", 3, ME, "Carol Diaz <carol@fabrikam.example>", "Demo next week?",
             "Hi Carol, would Tuesday or Wednesday next week work for a demo?", "<demo@example.com>"),
        Mail("INBOX", 2, "Carol Diaz <carol@fabrikam.example>", ME, "Re: Demo next week?",
             "Wednesday at 10 works.\n\n> Hi Carol, would Tuesday or Wednesday next week work for a demo?",
             "<c1@fabrikam.example>"),  # her client dropped In-Reply-To and References
        Mail("Sent", 2, ME, "Dan Ito <dan@adatum.example>", "Invoice #1042",
             "Hi Dan, did invoice #1042 reach your accounts team? Let me know.", "<inv@example.com>"),
        Mail("INBOX", 1, "Product News <news@saas.example>", ME, "This week at SaaS Co",
             "<h1>New features</h1><p>Dark mode is here.</p><style>p{color:red}</style>", "<n1@saas.example>",
             (("List-Id", "<news.saas.example>"), ("Precedence", "bulk")), html=True),
        Mail("Drafts", 0.5, ME, "Eve Park <eve@example.org>", "Lunch?", "Lunch on Friday?", "<draft@example.com>"),
    ]


def render(mail: Mail, now: datetime) -> bytes:
    ctype = "text/html; charset=utf-8" if mail.html else "text/plain; charset=utf-8"
    headers = [("From", mail.from_), ("To", mail.to), ("Subject", mail.subject),
               ("Date", format_datetime(now - timedelta(days=mail.days_ago))), ("Message-ID", mail.message_id),
               ("MIME-Version", "1.0"), ("Content-Type", ctype), *mail.headers]
    return ("".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n" + mail.body.replace("\n", "\r\n")).encode()


@dataclass
class DemoRun:
    server: EmbeddedServer
    config: Config
    first: SyncResult
    second: SyncResult
    threads: list[tuple[str, list[StoredMessage]]]


def demo_config(server: EmbeddedServer, db: Path) -> Config:
    return parse_config(f"""
[database]
url = "sqlite:///{db}"
[report]
deliver = "none"
[[accounts]]
name = "demo"
host = "{server.host}"
port = {server.port}
security = "none"
username = "{USER}"
password_env = "FOLLOWUP_DEMO_PASSWORD"
""")


@contextmanager
def run_demo(clock: Clock) -> Iterator[DemoRun]:
    """Start the server, fill the mailbox, sync twice (the second shows the incremental cost)."""
    server = EmbeddedServer().start()
    workdir = Path(tempfile.mkdtemp(prefix="followup-demo-"))
    try:
        server.add_user(USER, PASSWORD)
        now = clock.now()
        for mail in week_of_mail():
            server.deliver(USER, mail.folder, render(mail, now), when=now - timedelta(days=mail.days_ago),
                           flags="D" if mail.folder == "Drafts" else "S")
        os.environ["FOLLOWUP_DEMO_PASSWORD"] = PASSWORD
        config = demo_config(server, workdir / "followup.db")
        store = Store.open(config.database.url)
        try:
            first = sync_account(config, config.accounts[0], store, clock)
            second = sync_account(config, config.accounts[0], store, clock)
            by_thread: dict[str, list[StoredMessage]] = {}
            for message in store.messages("demo"):
                by_thread.setdefault(message.thread_key or "", []).append(message)
            threads = sorted(by_thread.items(), key=lambda kv: kv[1][0].date or now)
        finally:
            store.close()
        yield DemoRun(server=server, config=config, first=first, second=second, threads=threads)
    finally:
        server.stop()

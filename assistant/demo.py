"""`followup demo`: a realistic week of a user's mail on an embedded IMAP server, run through the real
pipeline day by day with time travel. No config and no network: pymap on loopback, a temp SQLite store.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from assistant import service
from assistant.clock import FixedClock
from assistant.config import Config, parse_config
from assistant.drafts.apply import Action
from assistant.onboarding.embedded import EmbeddedServer
from assistant.report import deliver as weekly
from assistant.report.render import render_html
from assistant.store.items import FollowupStore
from assistant.store.models import Followup
from assistant.store.repo import Store

USER, PASSWORD = "dana@example.com", "demo-password"
ME = f"Dana Reyes <{USER}>"
TZ = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class Mail:
    folder: str
    at: datetime
    from_: str
    to: str
    subject: str
    body: str
    message_id: str
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = "text/plain; charset=utf-8"


def _week(monday: datetime) -> list[Mail]:
    """A week of mail that shows every behaviour: answered, unanswered, out of office, a bounce, promises
    both ways, a mailing list, a complaint."""
    def d(days: int, hour: int = 9, minute: int = 0) -> datetime:
        return monday + timedelta(days=days, hours=hour - 9, minutes=minute)

    alice, bob, carol = "Alice Wong <alice@northwind.example>", "Bob Stone <bob@contoso.example>", \
        "Carol Diaz <carol@fabrikam.example>"
    dan, eve, frank = "Dan Ito <dan@adatum.example>", "Eve Park <eve@tailspin.example>", \
        "Frank Moss <frank@litware.example>"
    jonas = "Jonas Weber <jonas.weber@contoso.example>"
    dsn = ("--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered: no such user.\r\n"
           "--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.northwind.example\r\n\r\n"
           "Final-Recipient: rfc822; ghost@northwind.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
           "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <intro@example.com>\r\n"
           "Subject: Intro\r\nTo: ghost@northwind.example\r\n\r\n--b1--\r\n")
    return [
        Mail("Sent", d(0), ME, alice, "Q4 budget numbers",
             "Hi Alice,\n\nCould you send me the Q4 budget numbers?\n\nThanks,\nDana", "<q4@example.com>"),
        Mail("INBOX", d(0, 15), alice, ME, "Re: Q4 budget numbers",
             "Attached — marketing is still pending.\n\n> Could you send me the Q4 budget numbers?",
             "<a1@northwind.example>", (("In-Reply-To", "<q4@example.com>"), ("References", "<q4@example.com>"))),
        Mail("Sent", d(0, 10), ME, bob, "Contract review",
             "Bob, can you review the contract and tell me if clause 7 works for you?\n\nBest,\nDana",
             "<contract@example.com>"),
        Mail("INBOX", d(4, 10), bob, ME, "RE: Contract review",
             "Clause 7 is fine. Legal wants one change in clause 9.\n\n-----Original Message-----\n"
             "From: Dana Reyes\nSent: Monday\nSubject: Contract review\n\nBob, can you review…",
             "<b1@contoso.example>", (("References", "<contract@example.com>"),)),
        Mail("Sent", d(0, 11), ME, carol, "Demo next week?",
             "Hi Carol, would Tuesday or Wednesday work for a demo?", "<demo@example.com>"),
        Mail("INBOX", d(0, 11, 1), carol, ME, "Automatic reply: Demo next week?",
             f"I am out of the office until {d(7):%A, %B} {d(7).day} with limited access to email.",
             "<ooo@fabrikam.example>", (("Auto-Submitted", "auto-replied"), ("In-Reply-To", "<demo@example.com>"))),
        Mail("Sent", d(0, 12), ME, "ghost@northwind.example", "Intro",
             "Hi, could we set up a call next week?", "<intro@example.com>"),
        Mail("INBOX", d(0, 12, 2), "Mail Delivery System <MAILER-DAEMON@mx.northwind.example>", ME,
             "Undelivered Mail Returned to Sender", dsn, "<dsn@mx.northwind.example>",
             content_type='multipart/report; report-type=delivery-status; boundary="b1"'),
        Mail("Sent", d(0, 14), ME, eve, "Deck",
             "Thanks for the call, Eve. I'll send you the revised deck by Thursday.\n\nDana", "<deck@example.com>"),
        Mail("INBOX", d(1, 10), dan, ME, "Signed contract",
             "Hi Dana, I'll send the signed contract tomorrow.\n\nDan", "<dan1@adatum.example>"),
        Mail("INBOX", d(1, 8), "Dev list <dev@lists.example.org>", ME, "[dev] Release 2.1 is out",
             "Release notes inside.", "<rel@lists.example.org>",
             (("List-Id", "<dev.lists.example.org>"), ("List-Post", "<mailto:dev@lists.example.org>"))),
        Mail("Sent", d(1, 9), ME, "dev@lists.example.org", "Re: [dev] Release 2.1 is out",
             "Does it include the import fix?", "<devq@example.com>"),
        Mail("Sent", d(1, 11), ME, frank, "Invoice #1042",
             "Hi Frank, did invoice #1042 reach your accounts team? Let me know.", "<inv@example.com>"),
        # a German correspondent: the follow-up is German, greeted and signed as Dana writes to him
        Mail("Sent", d(-10), ME, jonas, "Wartungsvertrag",
             "Hallo Jonas,\n\ndanke dir für das Gespräch heute, das hat sehr geholfen.\n\nViele Grüße aus Boston\nDana",
             "<wartung@example.com>"),
        Mail("Sent", d(1, 12), ME, jonas, "Angebot Wartung 2027",
             "Hallo Jonas,\n\nkannst du mir das Angebot für die Wartung 2027 schicken?\n\nViele Grüße aus Boston\n"
             "Dana", "<angebot@example.com>"),
        Mail("Sent", d(3, 10), ME, eve, "Re: Deck", "Here is the revised deck, as promised.", "<deck2@example.com>",
             (("In-Reply-To", "<deck@example.com>"), ("References", "<deck@example.com>"))),
        Mail("INBOX", d(-21), "Grace Lin <grace@mentor.example>", ME, "Great catching up",
             "It was great to catch up. All the best with the new role!", "<grace@mentor.example>"),
        Mail("INBOX", d(2, 9), "Pat Lee <pat@customer.example>", ME, "Order arrived damaged",
             "The order arrived damaged. This is unacceptable — can you arrange a refund?", "<pat@customer.example>"),
    ]


def render(mail: Mail) -> bytes:
    headers = [("From", mail.from_), ("To", mail.to), ("Subject", mail.subject), ("Date", format_datetime(mail.at)),
               ("Message-ID", mail.message_id), ("MIME-Version", "1.0"), ("Content-Type", mail.content_type),
               *mail.headers]
    body = mail.body if "\r\n" in mail.body else mail.body.replace("\n", "\r\n")
    return ("".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n" + body).encode()


@dataclass
class Day:
    at: datetime
    actions: list[Action]


@dataclass
class DemoRun:
    server: EmbeddedServer
    config: Config
    days: list[Day] = field(default_factory=list)
    items: list[Followup] = field(default_factory=list)
    drafts: list[bytes] = field(default_factory=list)  # what sits in Drafts at the end, as a client sees it
    report_path: Path | None = None
    workdir: Path | None = None


def demo_config(server: EmbeddedServer, db: Path) -> Config:
    return parse_config(f"""
timezone = "America/New_York"
[database]
url = "sqlite:///{db}"
[report]
deliver = "none"
[promises]
check_back = "1 business day"
[[people]]
match = "grace@mentor.example"
keep_in_touch = "2 weeks"
[[accounts]]
name = "demo"
host = "{server.host}"
port = {server.port}
security = "none"
username = "{USER}"
password_env = "FOLLOWUP_DEMO_PASSWORD"
addresses = ["{USER}"]
""")


def report_home() -> Path:
    """Where the demo's report stays: $XDG_STATE_HOME/followup (~/.local/state/followup), the same every run."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "followup"


@contextmanager
def run_demo(now: datetime) -> Iterator[DemoRun]:
    """The week before `now`, polled every working day at 9:00 and 17:00, then the report. Nothing else is
    left behind: the mailbox and the database go when the demo ends; the report stays (report_home)."""
    monday = datetime.combine((now.astimezone(TZ) - timedelta(days=7)).date(), datetime.min.time(), TZ)
    monday -= timedelta(days=monday.weekday())
    monday = monday.replace(hour=9)
    server = EmbeddedServer().start()
    workdir = Path(tempfile.mkdtemp(prefix="followup-demo-"))
    try:
        server.add_user(USER, PASSWORD)
        os.environ["FOLLOWUP_DEMO_PASSWORD"] = PASSWORD
        config = demo_config(server, workdir / "followup.db")
        account = config.accounts[0]
        run = DemoRun(server=server, config=config, workdir=workdir)
        store = Store.open(config.database.url)
        try:
            pending = sorted(_week(monday), key=lambda m: m.at)
            for mail in [m for m in pending if m.at < monday]:  # history from before the week
                server.deliver(USER, mail.folder, render(mail), when=mail.at, flags="S")
            pending = [m for m in pending if m.at >= monday]
            moments = [monday + timedelta(days=day, hours=hour) for day in range(7) for hour in (0, 8)]
            for moment in moments:
                while pending and pending[0].at <= moment:
                    mail = pending.pop(0)
                    server.deliver(USER, mail.folder, render(mail), when=mail.at, flags="S" if mail.folder == "Sent" else "")
                result = service.poll_account(config, account, store, FixedClock(moment))
                if result.actions:
                    run.days.append(Day(moment, result.actions))
            followups = FollowupStore(store)
            run.items = followups.followups("demo")
            run.drafts = [d.raw for d in followups.drafts("demo", ("present",))]
            report = weekly.build(config, account, followups, service.calendar_for(config), moments[-1])
            report_home().mkdir(parents=True, exist_ok=True)
            run.report_path = report_home() / "demo-report.html"
            run.report_path.write_text(render_html(report), encoding="utf-8")
        finally:
            store.close()
        yield run
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

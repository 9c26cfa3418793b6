"""The weekly report's delivery: when it is due, the message, and delivery that never repeats a week.

Delivered into INBOX by APPEND (no SMTP needed) as an unread multipart/alternative message from
"Followup", marked Auto-Submitted so Followup itself never reads it as mail waiting on the user.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, time, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

from assistant.analysis.commands import controls_for
from assistant.config import AccountConfig, Config
from assistant.errors import FollowupError
from assistant.mailbox.client import MailboxClient
from assistant.mailbox.sync import text_reader
from assistant.policy.common import report_since
from assistant.policy.controls import people_mail
from assistant.report.build import Bounds, History, Report, build_report, week_start
from assistant.report.links import is_gmail
from assistant.report.render import render_html, render_text
from assistant.store.items import FollowupStore
from assistant.workdays import WorkCalendar

log = logging.getLogger(__name__)
LATE_LIMIT = timedelta(days=4)  # a missed week's report is still delivered this late, not later
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def build(config: Config, account: AccountConfig, followups: FollowupStore, calendar: WorkCalendar,
          now: datetime) -> Report:
    """This week's report, reading only the mail it can list: threads with mail inside its longest look back."""
    r = config.report
    bounds = Bounds(waiting_on_me_after=r.waiting_on_me_after,
                    waiting_on_me_within=calendar.add(now, r.waiting_on_me_within) - now,
                    overdue_within=calendar.add(now, config.followup.max_overdue) - now, max_items=r.max_items)
    since = report_since(r, calendar, now)
    history = History(followups.correspondents(account.name), followups.first_seen(account.name, since))
    # Followup's own signals (mail to the control address) are no one's mail waiting on the user
    mail = people_mail(followups.mail(account.name, since, read=text_reader(calendar)),
                       controls_for(config, account), frozenset(account.addresses))
    return build_report(account.name, followups.tracked_for_report(account.name), mail, now, calendar, bounds,
                        frozenset(account.addresses), config.people, history, gmail=is_gmail(account.host))


def scheduled(config: Config, calendar: WorkCalendar, now: datetime) -> datetime:
    """This week's delivery moment: [report] day and time in the user's zone."""
    hour, minute = (int(x) for x in config.report.time.split(":"))
    day = week_start(now, calendar).date() + timedelta(days=DAYS.index(config.report.day))
    return datetime.combine(day, time(hour, minute), calendar.tz)


def message(report: Report, account: AccountConfig, config: Config, now: datetime) -> tuple[str, bytes]:
    domain = (account.addresses[0] if account.addresses else account.username).partition("@")[2] or "localhost"
    digest = hashlib.sha256(f"report\0{account.name}\0{report.week_of}".encode()).hexdigest()
    message_id = f"<{digest[:16]}.{digest[16:28]}@{domain}>"
    msg = EmailMessage(policy=SMTP)
    # From the user's own address: a reply or forward of the report never reaches a stranger's mailbox
    own = account.addresses[0] if account.addresses else account.username
    msg["From"] = Address(display_name="Followup", addr_spec=own) if "@" in own else "Followup"
    msg["To"] = Address(addr_spec=account.addresses[0]) if account.addresses else account.username
    monday = datetime.fromisoformat(report.week_of)
    msg["Subject"] = f"Your week in mail — week of {monday:%b} {monday.day}"
    msg["Date"] = format_datetime(now.astimezone(config.tz))
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: a report, never mail waiting on you
    msg["X-Followup-Report"] = report.week_of
    msg.set_content(render_text(report, config.followup.template_dir), cte="8bit")
    msg.add_alternative(render_html(report, config.followup.template_dir), subtype="html", cte="8bit")
    return message_id, msg.as_bytes()


def deliver(config: Config, account: AccountConfig, followups: FollowupStore, client: MailboxClient | None,
            inbox: str, calendar: WorkCalendar, now: datetime, force: bool = False) -> str | None:
    """Deliver this week's report once. Returns where it went, or None (not due, done already, off)."""
    target = config.report.deliver
    if target == "none":
        return None
    week_of = week_start(now, calendar).date().isoformat()
    if not force and now < scheduled(config, calendar, now):
        # Not yet this week's time: a last week's report missed (asleep, offline) is still owed.
        last = scheduled(config, calendar, now - timedelta(days=7))
        week_of = week_start(last, calendar).date().isoformat()
        if now - last > LATE_LIMIT:
            return None
        if followups.report_state(account.name, week_of) is None and not followups.ever_reported(account.name):
            return None  # a first install owes no report for the week before it
    if followups.report_state(account.name, week_of) == "delivered":
        return None
    report = build(config, account, followups, calendar, now)
    report.week_of = week_of
    message_id, raw = message(report, account, config, now)
    followups.begin_report(account.name, week_of, message_id, target, now)
    if target == "inbox":
        if client is None:
            raise FollowupError("delivering the report into INBOX needs a connection to the account")
        if client.find_by_message_id(inbox, message_id) is None:  # delivered before a crash?
            client.append_message(inbox, raw, now, flags=())
        where = f"{account.name}/{inbox}"
    else:
        path = Path(target.removeprefix("file:").replace("{week}", week_of)).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render_html(report, config.followup.template_dir), encoding="utf-8")
        except OSError as e:
            raise FollowupError(f"[report] deliver: cannot write {path}: {e.strerror}") from e
        where = str(path)
    followups.finish_report(account.name, week_of)
    log.info("%s: weekly report for the week of %s delivered to %s", account.name, week_of, where)
    return where

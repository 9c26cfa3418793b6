"""A day of the daemon's polls in one process: does its memory stay flat?

    python benchmarks/daemon_day.py --config CONFIG --start ISO8601 [--hours 24] [--every 5] [--marker JSON]

The worker's own cycle (service.poll_account, as `followup run` calls it) every `--every` minutes of a
pretended clock, for `--hours` hours, with one new message appended over IMAP every hour (a reply to one of
the generated mailbox's unanswered questions when `--marker` names its mailbox.json, else a new person's
mail). Prints JSON: the process's RSS at the end of each hour, and the polls' times. scale.py runs it as
the "daemon, 24 h of polls" row.
"""

from __future__ import annotations

import argparse
import imaplib
import json
import os
import re
import statistics
import sys
import time
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from assistant import service
from assistant.clock import FixedClock
from assistant.config import load_config
from assistant.store.repo import Store


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def new_mail(hour: int, when: datetime, user: str, marker: Path | None) -> bytes:
    if marker is not None:
        from scale_mail import Generated, human_reply

        awaiting = Generated.load(marker).awaiting
        if awaiting:
            return human_reply(awaiting[(hour * 7) % len(awaiting)], user, when)
    return (f"From: New Person {hour} <new{hour}@example.net>\r\nTo: <{user}>\r\nSubject: Question {hour}\r\n"
            f"Date: {format_datetime(when)}\r\nMessage-ID: <day.{hour}.{when.timestamp():.0f}@example.net>\r\n"
            f"\r\nCould you send me the numbers for {hour}?\r\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--start", type=datetime.fromisoformat, required=True)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--every", type=int, default=5, help="minutes between polls")
    parser.add_argument("--marker", type=Path, help="the generated mailbox's mailbox.json")
    args = parser.parse_args()
    config = load_config(args.config)
    account = config.accounts[0]
    store = Store.open(config.database.url)
    imap = imaplib.IMAP4(account.host, account.port)
    imap.login(account.username, os.environ[account.password_env or ""])
    appended: list[str] = []
    hourly: list[float] = []
    seconds: list[float] = []
    mail_seconds: list[float] = []
    moment = args.start
    per_hour = 60 // args.every
    for hour in range(args.hours):
        for tick in range(per_hour):
            arrived = tick == 0
            if arrived:
                _, data = imap.append("INBOX", "", imaplib.Time2Internaldate(moment.timestamp()),
                                      new_mail(hour, moment, account.username, args.marker))
                appended.append(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1).decode())  # type: ignore[union-attr]
            t0 = time.perf_counter()
            service.poll_account(config, account, store, FixedClock(moment), lock=False)
            (mail_seconds if arrived else seconds).append(time.perf_counter() - t0)
            moment += timedelta(minutes=args.every)
        hourly.append(round(rss_mb(), 1))
        print(f"hour {hour + 1}: {hourly[-1]} MB", file=sys.stderr, flush=True)
    imap.select("INBOX")  # leave the kept mailbox as it was
    imap.uid("STORE", ",".join(appended), "+FLAGS.SILENT", "(\\Deleted)")
    imap.uid("EXPUNGE", ",".join(appended))
    imap.logout()
    print(json.dumps({"rss_mb_by_hour": hourly, "polls": len(seconds) + len(mail_seconds),
                      "quiet_poll_s": round(statistics.median(seconds), 3) if seconds else None,
                      "mail_poll_s": round(statistics.median(mail_seconds), 3) if mail_seconds else None}))


if __name__ == "__main__":
    main()

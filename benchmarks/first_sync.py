"""A large mailbox on a private Dovecot: first sync (time, peak memory), a no-change sync, and polls.

    python benchmarks/first_sync.py [--messages 10000] [--server dovecot|pymap]

Writes the messages straight into Maildir (realistic sizes, a third with an attachment), then runs
`followup sync` in a child process so its peak RSS is its own. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from servers import Dovecot, Pymap, make_message, pool_users  # noqa: E402

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
ATTACHMENT = ("A" * 76 + "\r\n") * 4000  # ~300 KB of base64: must never be fetched whole


def body(n: int) -> tuple[str, str]:
    text = (f"Hi,\n\nCould you look at item {n} before Friday? The numbers in section {n % 7} changed.\n\n"
            + "Some context that makes the mail realistic. " * (n % 20) + "\n\nThanks,\nMe\n\n"
            + f"On Mon, Nov 2, 2026 at 10:00 AM Alice <a{n}@x.example> wrote:\n" + "> earlier text\n" * 10)
    if n % 3:
        return text, "text/plain; charset=utf-8"
    boundary = f"b{n}"
    mime = (f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
            f"--{boundary}\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
            f"filename=\"report-{n}.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{ATTACHMENT}--{boundary}--\r\n")
    return mime, f'multipart/mixed; boundary="{boundary}"'


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--server", choices=["dovecot", "pymap"], default="dovecot")
    args = parser.parse_args()
    user, password = pool_users(1)[0]
    server_proc = Dovecot({user: password}) if args.server == "dovecot" else Pymap({user: password})
    server = server_proc.start()
    tmp = Path(tempfile.mkdtemp(prefix="followup-bench-"))
    try:
        t0 = time.perf_counter()
        total_bytes = 0
        for n in range(args.messages):
            sent = n % 4 == 0
            text, ctype = body(n)
            when = NOW - timedelta(minutes=7 * (args.messages - n))
            raw = make_message(from_=user if sent else f"Alice <a{n}@x.example>", to=f"a{n}@x.example" if sent
                               else user, subject=f"Item {n}", body=text, date=when, message_id=f"<b{n}@bench>",
                               in_reply_to=f"<b{n - 1}@bench>" if n % 2 else None, content_type=ctype)
            total_bytes += len(raw)
            server.deliver(user, "Sent" if sent else "INBOX", raw, when=when)
        print(f"mailbox: {args.messages} messages, {total_bytes / 1e6:.1f} MB, written in "
              f"{time.perf_counter() - t0:.1f}s on {args.server}")
        config = tmp / "config.toml"
        config.write_text(f'[database]\nurl = "sqlite:///{tmp}/f.db"\n[sync]\nfirst_sync_days = 365\n'
                          f'[[accounts]]\nname = "bench"\nhost = "127.0.0.1"\nport = {server.port}\n'
                          f'security = "none"\nusername = "{user}"\npassword_env = "BENCH_PW"\n')
        env = dict(os.environ, BENCH_PW=password)
        command = [sys.executable, "-m", "assistant", "--config", str(config), "--now", NOW.isoformat(),
                   "sync", "--json"]
        t0 = time.perf_counter()
        first = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        elapsed = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        stored = sum(f["new"] for f in json.loads(first.stdout)[0]["folders"])
        print(f"first sync: {stored} messages in {elapsed:.1f}s ({stored / elapsed:,.0f} msg/s), "
              f"peak RSS {peak_mb:.0f} MB, {json.loads(first.stdout)[0]['imap_commands']} IMAP commands")
        t0 = time.perf_counter()
        again = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        report = json.loads(again.stdout)[0]
        print(f"no-change sync: {report['imap_commands']} IMAP commands in total "
              f"(incl. login, capability, list, logout) for 3 folders, {time.perf_counter() - t0:.2f}s")
        print(f"database: {(tmp / 'f.db').stat().st_size / 1e6:.1f} MB")
        poll = [sys.executable, "-m", "assistant", "--config", str(config), "--now",
                (NOW + timedelta(days=1)).isoformat(), "poll", "--json"]
        for label in ("first poll (drafts due)", "second poll (nothing to do)"):
            t0 = time.perf_counter()
            done = subprocess.run(poll, env=env, capture_output=True, text=True, check=True)
            actions = json.loads(done.stdout)[0]["actions"]
            print(f"{label}: {len(actions)} actions in {time.perf_counter() - t0:.2f}s")
    finally:
        server_proc.stop()


if __name__ == "__main__":
    main()

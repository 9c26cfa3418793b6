"""A realistic mailbox at scale on a private Dovecot: first sync, polls, report and list, per size.

    python benchmarks/scale.py [--messages 10000 100000] [--keep DIR] [--seed 1]

For each size it writes a seeded mailbox of two years straight into Maildir (threads answered and
not, HTML-only replies, attachments, mailing lists, newsletters, notifications, out-of-office replies,
bounces, promises; a few hundred recent threads awaiting a reply), then measures each step in a child
process whose own peak RSS comes from wait4(). Prints one table; asserts nothing.

--keep DIR keeps each size's Maildir under DIR/<size>/ so a later run skips the generation (the drafts
and the reply a run adds are removed first, and the database starts empty again).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "benchmarks")]  # this checkout, not an installed copy
from scale_mail import NOW, Generated, MailWriter, generate, human_reply  # noqa: E402
from servers import Dovecot, Server, pool_users  # noqa: E402

LATER = NOW + timedelta(days=7)  # the recent questions have all fallen due by then
FLOOR_ITEMS = "(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER] BODY.PEEK[TEXT]<0.8192>)"


@dataclass(frozen=True)
class Step:
    """One command run in a child process: wall time, its own peak RSS, what it printed."""

    seconds: float
    cpu: float
    peak_mb: float
    stdout: bytes

    def json(self) -> Any:
        return json.loads(self.stdout)

    def cell(self) -> str:
        return f"{self.seconds:.2f} s ({self.cpu:.2f} s CPU), {self.peak_mb:.0f} MB"


def run_step(argv: list[str], env: dict[str, str]) -> Step:
    """wait4() gives the rusage of this one child (and whatever it waited for), not the max over all
    children so far as RUSAGE_CHILDREN would, so each step's peak RSS is its own."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[3:])} exited {proc.returncode}: {err.read().decode()[-2000:]}")
        return Step(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read())  # ru_maxrss is in KiB on Linux


class Imap:
    """The floor: a plain-socket IMAP conversation that reads responses (literals included) and nothing else."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port))
        self.file = self.sock.makefile("rb", buffering=1 << 20)
        self.file.readline()  # greeting
        self.tag = 0

    def command(self, text: str) -> int:
        """Send one command, read until its tagged OK; returns how many FETCH responses came."""
        self.tag += 1
        tag = f"A{self.tag}".encode()
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        fetches = 0
        while True:
            line = self.file.readline()
            if not line:
                raise ConnectionError("server closed the connection")
            if line.startswith(b"* ") and b" FETCH " in line[:24]:
                fetches += 1
            while line.endswith(b"}\r\n") and b"{" in line:  # a literal: read its bytes, then the rest
                size = int(line[line.rindex(b"{") + 1:-3])
                self.file.read(size)
                line = self.file.readline()
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise RuntimeError(line.decode(errors="replace"))
                return fetches

    def close(self) -> None:
        self.command("LOGOUT")
        self.sock.close()


def imap_floor(server: Server, user: str, password: str) -> tuple[int, float]:
    """The fetch the sync does, with nothing after it: INBOX and Sent, every message, one command each."""
    t0 = time.perf_counter()
    imap = Imap(server.host, server.port)
    imap.command(f'LOGIN "{user}" "{password}"')
    fetched = 0
    for folder in ("INBOX", "Sent"):
        imap.command(f'SELECT "{folder}"')
        fetched += imap.command(f"UID FETCH 1:* {FLOOR_ITEMS}")
    imap.close()
    return fetched, time.perf_counter() - t0


@dataclass
class Place:
    """Where one size lives: the Dovecot root (with the Maildir), the database and the config."""

    root: Path

    @property
    def dovecot(self) -> Path:
        return self.root / "dovecot"

    @property
    def database(self) -> Path:
        return self.root / "followup.db"

    @property
    def marker(self) -> Path:
        return self.root / "mailbox.json"


def start_dovecot(place: Place, user: str, password: str) -> tuple[Dovecot, Server]:
    """A Dovecot whose root is place.dovecot; a kept Maildir is put back after start() made a fresh one."""
    proc = Dovecot({user: password})
    shutil.rmtree(proc.root)
    proc.root = place.dovecot
    kept = place.dovecot / "home.kept"
    if (place.dovecot / "home").exists():
        (place.dovecot / "home").rename(kept)
        shutil.rmtree(place.dovecot / "run", ignore_errors=True)
    place.dovecot.mkdir(parents=True, exist_ok=True)
    os.chmod(place.dovecot, 0o755)  # a root-started Dovecot reads mail as nobody
    server = proc.start()
    if kept.exists():  # Dovecot has not opened the fresh Maildir yet: swap the kept one in
        shutil.rmtree(place.dovecot / "home")
        kept.rename(place.dovecot / "home")
    return proc, server


def restore(server: Server, place: Place, user: str) -> Generated:
    """A kept mailbox as it was generated: without the drafts and the reply the last run added."""
    generated = Generated.load(place.marker)
    for sub in ("cur", "new"):
        for path in (server.maildir(user, "Drafts") / sub).iterdir():
            path.unlink()
    for added in generated.added:
        Path(added).unlink(missing_ok=True)
    generated.added.clear()
    place.database.unlink(missing_ok=True)
    return generated


def write_config(place: Place, server: Server, user: str) -> Path:
    config = place.root / "config.toml"
    config.write_text(f'timezone = "UTC"\n[database]\nurl = "sqlite:///{place.database}"\n'
                      f'[sync]\nfirst_sync_days = 0\n[report]\ndeliver = "none"\n'
                      f'[[accounts]]\nname = "bench"\nhost = "127.0.0.1"\nport = {server.port}\n'
                      f'security = "none"\nusername = "{user}"\npassword_env = "BENCH_PW"\n'
                      f'addresses = ["{user}"]\n')
    return config


@dataclass
class Bench:
    """One size's running setup: the commands run against its Dovecot, config and database."""

    place: Place
    server: Server
    user: str
    password: str
    config: Path

    def cli(self, now: datetime, *args: str) -> Step:
        env = dict(os.environ, BENCH_PW=self.password,
                   PYTHONPATH=os.pathsep.join(filter(None, (str(REPO), os.environ.get("PYTHONPATH")))))
        return run_step([sys.executable, "-m", "assistant", "--config", str(self.config), "--now", now.isoformat(),
                         *args], env)

    def poll(self, now: datetime) -> tuple[Step, Counter[str]]:
        """A poll and its actions by kind (drafted, removed…)."""
        step = self.cli(now, "poll", "--json")
        return step, Counter(a["action"] for a in step.json()[0]["actions"])


def mailbox(server: Server, place: Place, user: str, size: int, seed: int) -> tuple[Generated, str]:
    if place.marker.exists():
        generated = restore(server, place, user)
        return generated, f"{generated.messages:,} msgs, {generated.megabytes:.0f} MB (kept)"
    t0 = time.perf_counter()
    generated = generate(MailWriter(server, user, size), seed)
    generated.save(place.marker)
    return generated, (f"{generated.messages:,} msgs, {generated.megabytes:.0f} MB, "
                       f"written in {time.perf_counter() - t0:.0f} s")


def sync_cells(bench: Bench) -> dict[str, str]:
    cells = {"startup (--version)": bench.cli(NOW, "--version").cell()}
    for label in ("first read", "second read"):  # on a new mailbox, the first read builds Dovecot's index
        fetched, seconds = imap_floor(bench.server, bench.user, bench.password)
        cells[f"raw-socket floor, {label}"] = f"{fetched / seconds:,.0f} msg/s ({fetched:,} msgs)"
    first = bench.cli(NOW, "sync", "--json")
    stored = sum(f["new"] for f in first.json()[0]["folders"])
    cells["first sync"] = (f"{stored / first.seconds:,.0f} msg/s, {first.peak_mb:.0f} MB "
                           f"({first.seconds:.1f} s, {first.cpu:.1f} s CPU)")
    again = bench.cli(NOW, "sync", "--json")
    cells["no-change sync"] = f"{again.cell()}, {again.json()[0]['imap_commands']} IMAP cmds"
    return cells


def poll_cells(bench: Bench, generated: Generated) -> dict[str, str]:
    cells: dict[str, str] = {}
    step, actions = bench.poll(NOW)
    cells["first poll (decides all)"] = f"{step.cell()}, {actions['drafted']} drafts"
    step, actions = bench.poll(NOW)  # syncs the drafts the first poll wrote: that is news, so it decides
    cells["second poll (syncs its drafts)"] = f"{step.cell()}, {actions.total()} actions"
    step, actions = bench.poll(NOW)
    cells["no-change poll"] = f"{step.cell()}, {actions.total()} actions"
    when = NOW - timedelta(minutes=5)
    raw = human_reply(generated.awaiting[0], bench.user, when)
    generated.added.append(str(bench.server.deliver(bench.user, "INBOX", raw, when, flags="")))
    generated.save(bench.place.marker)
    step, actions = bench.poll(NOW)
    cells["poll after one reply"] = f"{step.cell()}, {actions['removed']} draft removed"
    step, actions = bench.poll(LATER)
    cells["poll, many drafts due (+7 d)"] = f"{step.cell()}, {actions['drafted']} drafts"
    report = bench.cli(LATER, "report", "--format", "json")
    cells["report --format json"] = f"{report.cell()}, {len(report.stdout) / 1024:.0f} KB"
    listed = bench.cli(LATER, "list", "--json")
    cells["list --json"] = f"{listed.cell()}, {len(listed.json()):,} open items"
    cells["database (SQLite)"] = f"{bench.place.database.stat().st_size / 1e6:.1f} MB"
    return cells


def daemon_cells(bench: Bench, hours: int) -> dict[str, str]:
    """The worker's polls every 5 minutes for `hours` pretended hours, one new message an hour, in one process."""
    env = dict(os.environ, BENCH_PW=bench.password,
               PYTHONPATH=os.pathsep.join(filter(None, (str(REPO), str(HERE), str(REPO / "tests"),
                                                             os.environ.get("PYTHONPATH")))))
    step = run_step([sys.executable, str(HERE / "daemon_day.py"), "--config", str(bench.config),
                     "--start", (LATER + timedelta(hours=1)).isoformat(), "--hours", str(hours),
                     "--marker", str(bench.place.marker)], env)
    day = step.json()
    rss = day["rss_mb_by_hour"]
    return {f"daemon, {hours} h of polls (RSS after 1st h → last h)":
            f"{rss[0]:.0f} → {rss[-1]:.0f} MB (peak {step.peak_mb:.0f} MB), {day['polls']} polls: "
            f"{day['quiet_poll_s']:.2f} s quiet, {day['mail_poll_s']:.2f} s with new mail (medians)"}


def measure(size: int, place: Place, seed: int, daemon_hours: int) -> dict[str, str]:
    """Every figure for one size, as table cells keyed by row name."""
    user, password = pool_users(1)[0]
    proc, server = start_dovecot(place, user, password)
    try:
        generated, cell = mailbox(server, place, user, size, seed)
        bench = Bench(place, server, user, password, write_config(place, server, user))
        cells = {"mailbox": cell, **sync_cells(bench), **poll_cells(bench, generated)}
        return {**cells, **daemon_cells(bench, daemon_hours)} if daemon_hours else cells
    finally:
        proc.halt()


def table(results: dict[int, dict[str, str]]) -> str:
    sizes = list(results)
    rows = list(dict.fromkeys(row for cells in results.values() for row in cells))
    lines = ["| what | " + " | ".join(f"{n // 1000}k" if n % 1000 == 0 else str(n) for n in sizes) + " |",
             "|---|" + "---|" * len(sizes)]
    lines += [f"| {row} | " + " | ".join(results[n].get(row, "") for n in sizes) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, nargs="+", default=[10_000, 100_000], metavar="N")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep each size's Maildir in DIR/<size>/")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--daemon-hours", type=int, default=24, metavar="H",
                        help="pretended hours of the daemon's polls for the memory row (0: skip it)")
    args = parser.parse_args()
    base = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="followup-scale-"))
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base, 0o755)
    results: dict[int, dict[str, str]] = {}
    try:
        for size in args.messages:
            place = Place(base / str(size))
            place.root.mkdir(exist_ok=True)
            os.chmod(place.root, 0o755)
            print(f"{size:,} messages…", file=sys.stderr, flush=True)
            results[size] = measure(size, place, args.seed, args.daemon_hours)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    print(f"Dovecot on loopback, {os.cpu_count()} cores, NOW = {format_datetime(NOW)}; each step is a child "
          "process (peak RSS from wait4)\n")
    print(table(results))


if __name__ == "__main__":
    main()

"""An embedded IMAP server on loopback (pymap, Maildir backend) for the demo: no network, no account.

It is a real IMAP server in a child process, so the demo runs the same client, sync and store code as
a real mailbox. pymap has neither CONDSTORE nor SPECIAL-USE, which exercises the fallback paths.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from assistant.errors import FollowupError

FOLDERS = ("Sent", "Drafts")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise FollowupError(f"{what} exited early with status {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise FollowupError(f"{what} did not start listening on 127.0.0.1:{port}") from None
            time.sleep(0.05)


def deliver_to_maildir(directory: Path, raw: bytes, when: datetime, flags: str = "S") -> Path:
    """Put a message file straight into a Maildir folder; its mtime becomes the INTERNALDATE."""
    cur = directory / "cur"
    cur.mkdir(parents=True, exist_ok=True)
    path = cur / f"{int(when.timestamp())}.M{time.monotonic_ns()}P{os.getpid()}.followup:2,{flags}"
    path.write_bytes(raw)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


@dataclass
class EmbeddedServer:
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="followup-imap-")))
    port: int = field(default_factory=free_port)
    host: str = "127.0.0.1"
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> EmbeddedServer:
        try:
            import pymap  # noqa: F401
        except ImportError as e:
            raise FollowupError("the embedded IMAP server needs pymap, which is not installed",
                                "pip install pymap") from e
        for name in ("pymap-etc-passwd", "pymap-etc-shadow"):
            (self.root / name).touch()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from pymap.main import main; main()", "--host", self.host,
             "--port", str(self.port), "--no-tls", "maildir", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, TZ="UTC"))
        wait_for_port(self.port, self.proc, "the embedded IMAP server (pymap)")
        return self

    def add_user(self, user: str, password: str, folders: tuple[str, ...] = FOLDERS) -> None:
        # pymap reads these files on every LOGIN; home is the Maildir, relative to the root.
        with open(self.root / "pymap-etc-passwd", "a") as f:
            f.write(f"{user}:x::::{user}:\n")
        with open(self.root / "pymap-etc-shadow", "a") as f:
            f.write(f"{user}:{_hash(password)}:::::::\n")
        for sub in ("", *(f".{name}" for name in folders)):
            for leaf in ("cur", "new", "tmp"):
                (self.maildir(user) / sub / leaf).mkdir(parents=True, exist_ok=True)

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        return self.root / user if folder.upper() == "INBOX" else self.root / user / f".{folder}"

    def deliver(self, user: str, folder: str, raw: bytes, when: datetime | None = None, flags: str = "S") -> Path:
        return deliver_to_maildir(self.maildir(user, folder), raw, when or datetime.now(UTC), flags)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def _hash(password: str) -> str:
    from pymap.config import IMAPConfig
    from pysasl.hashing import BuiltinHash

    # pymap has no public way to hash a password the way its own login checks it (passlib when installed,
    # else pysasl's builtin hash): its own default context is the one that will verify it.
    hasher = IMAPConfig._get_hash_context(None)
    if isinstance(hasher, BuiltinHash):
        hasher = hasher.copy(rounds=1000)  # the default 500,000 rounds makes every LOGIN slow
    return str(hasher.hash(password))

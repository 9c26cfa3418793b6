"""Real IMAP servers on loopback for integration tests: a private Dovecot and a pymap.

Dovecot runs from its own config, port and Maildir under a temp dir. Started as root it drops the
mail processes to an unprivileged user (Dovecot refuses uid 0); started as a normal user it runs
every process as that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes] | None, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited early with status {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} did not listen on port {port}") from None
            time.sleep(0.05)


@dataclass
class Server:
    """A running test server: where it listens and how to put mail straight into a user's Maildir."""

    kind: str
    host: str
    port: int
    root: Path
    users: dict[str, str] = field(default_factory=dict)
    tls_port: int | None = None
    ca_file: str | None = None
    owner: tuple[int, int] | None = None  # uid, gid that must own mail files (root-started Dovecot)
    add_user_fn: Callable[[str, str], None] | None = None
    _counter: int = 0

    def add_user(self, user: str, password: str, folders: tuple[str, ...] = ("Sent", "Drafts")) -> None:
        """A fresh user with its own Maildir: tests share one server yet never see each other's mail."""
        assert self.add_user_fn is not None
        self.add_user_fn(user, password)
        for sub in ("", *(f".{f}" for f in folders)):
            for leaf in ("cur", "new", "tmp"):
                path = self.maildir(user) / sub / leaf
                path.mkdir(parents=True, exist_ok=True)
        if self.owner:
            home = self.maildir(user).parent if self.kind == "dovecot" else self.maildir(user)
            for path in [home, *home.rglob("*")]:
                os.chown(path, *self.owner)
        self.users[user] = password

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        base = self.root / "home" / user / "Maildir" if self.kind == "dovecot" else self.root / user
        return base if folder.upper() == "INBOX" else base / f".{folder}"

    def deliver(self, user: str, folder: str, raw: bytes, when: datetime | None = None,
                flags: str = "S") -> Path:
        """Write a message file straight into the Maildir (much faster than APPEND for big fixtures)."""
        self._counter += 1
        when = when or datetime.now(UTC)
        name = f"{int(when.timestamp())}.M{self._counter}P{os.getpid()}.test:2,{flags}"
        directory = self.maildir(user, folder) / "cur"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / name
        path.write_bytes(raw)
        os.utime(path, (when.timestamp(), when.timestamp()))  # becomes INTERNALDATE
        if self.owner:
            os.chown(path, *self.owner)
        return path


def pool_users(count: int = 400) -> list[tuple[str, str]]:
    """The users tests draw from: user1@example.com … with password secret-user1@example.com …."""
    return [(f"user{n}@example.com", f"secret-user{n}@example.com") for n in range(1, count + 1)]


def _hash_for_pymap(password: str) -> str:
    from pymap.config import IMAPConfig
    from pysasl.hashing import BuiltinHash

    hasher = IMAPConfig._get_hash_context(None)
    if isinstance(hasher, BuiltinHash):
        hasher = hasher.copy(rounds=1000)  # the default 500,000 rounds makes every LOGIN slow
    return str(hasher.hash(password))


class Dovecot:
    def __init__(self, users: dict[str, str]) -> None:
        if DOVECOT is None:
            raise FileNotFoundError("dovecot is not installed (Debian package dovecot-imapd)")
        self.root = Path(tempfile.mkdtemp(prefix="followup-dovecot-"))
        os.chmod(self.root, 0o755)
        self.users = users
        self.port, self.tls_port = free_port(), free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def _write_config(self) -> tuple[str, tuple[int, int] | None]:
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert("localhost", "127.0.0.1")
        cert.private_key_and_cert_chain_pem.write_to_path(str(self.root / "server.pem"))
        ca.cert_pem.write_to_path(str(self.root / "ca.pem"))
        os.chmod(self.root / "server.pem", 0o600)
        me = pwd.getpwuid(os.getuid()).pw_name
        if os.geteuid() == 0:
            mail = pwd.getpwnam("nobody")
            owner: tuple[int, int] | None = (mail.pw_uid, mail.pw_gid)
            users_part = f"mail_uid = {mail.pw_uid}\nmail_gid = {mail.pw_gid}\n"
            service_users = ""
        else:
            owner = None
            users_part = ""
            service_users = (f"default_login_user = {me}\ndefault_internal_user = {me}\n"
                             "service imap-login {\n  chroot =\n}\nservice anvil {\n  chroot =\n}\n")
        # Dovecot re-reads passwd-file at most once a second, so users are written up front.
        (self.root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in pool_users()))
        (self.root / "home").mkdir()
        if owner:
            os.chown(self.root / "home", *owner)
        config = f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
instance_name = followup-test-{self.port}
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{self.root}/server.pem
ssl_key = <{self.root}/server.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
{users_part}{service_users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = home={self.root}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
        (self.root / "dovecot.conf").write_text(config)
        return str(self.root / "ca.pem"), owner

    def start(self) -> Server:
        ca_file, owner = self._write_config()
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_port(self.port, self.proc, "dovecot")
        except (RuntimeError, TimeoutError) as e:
            err = self.proc.stderr.read().decode() if self.proc.stderr and self.proc.poll() is not None else ""
            log = (self.root / "dovecot.log").read_text() if (self.root / "dovecot.log").exists() else ""
            raise RuntimeError(f"{e}: {err} {log[-2000:]}") from e
        server = Server(kind="dovecot", host="127.0.0.1", port=self.port, tls_port=self.tls_port, root=self.root,
                        ca_file=ca_file, owner=owner, add_user_fn=self._add_user)
        for user, password in self.users.items():
            server.add_user(user, password)
        return server

    def _add_user(self, user: str, password: str) -> None:
        if (user, password) not in pool_users():
            with open(self.root / "passwd", "a") as f:
                f.write(f"{user}:{{PLAIN}}{password}::::::\n")
            time.sleep(1.1)  # let Dovecot's once-a-second re-read see it

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.root, ignore_errors=True)


class Pymap:
    """pymap's Maildir backend: no CONDSTORE, no SPECIAL-USE; exercises every fallback path."""

    def __init__(self, users: dict[str, str]) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="followup-pymap-"))
        self.users = users
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        (self.root / "pymap-etc-passwd").write_text("")
        (self.root / "pymap-etc-shadow").write_text("")
        env = dict(os.environ, TZ="UTC")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from pymap.main import main; main()", "--host", "127.0.0.1",
             "--port", str(self.port), "--no-tls", "maildir", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        wait_for_port(self.port, self.proc, "pymap")
        server = Server(kind="pymap", host="127.0.0.1", port=self.port, root=self.root, add_user_fn=self._add_user)
        for user, password in self.users.items():
            server.add_user(user, password)
        return server

    def _add_user(self, user: str, password: str) -> None:
        # pymap reads these on every LOGIN; home is the Maildir, relative to the root
        with open(self.root / "pymap-etc-passwd", "a") as f:
            f.write(f"{user}:x::::{user}:\n")
        with open(self.root / "pymap-etc-shadow", "a") as f:
            f.write(f"{user}:{_hash_for_pymap(password)}:::::::\n")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def make_message(*, from_: str, to: str, subject: str, body: str, date: datetime, message_id: str,
                 in_reply_to: str | None = None, references: str | None = None, cc: str | None = None,
                 extra: dict[str, str] | None = None, content_type: str = "text/plain; charset=utf-8") -> bytes:
    headers = {"From": from_, "To": to, "Subject": subject, "Date": format_datetime(date),
               "Message-ID": message_id, "MIME-Version": "1.0", "Content-Type": content_type}
    if cc:
        headers["Cc"] = cc
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    if references:
        headers["References"] = references
    headers.update(extra or {})
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (head + "\r\n" + body.replace("\n", "\r\n")).encode("utf-8")

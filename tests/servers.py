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
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from assistant.errors import FollowupError
from assistant.onboarding.embedded import EmbeddedServer, deliver_to_maildir, free_port, wait_for_port

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)


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
        path = deliver_to_maildir(self.maildir(user, folder), raw, when or datetime.now(UTC), flags)
        if self.owner:
            os.chown(path, *self.owner)
        return path


def pool_users(count: int = 400) -> list[tuple[str, str]]:
    """The users tests draw from: user1@example.com … with password secret-user1@example.com …."""
    return [(f"user{n}@example.com", f"secret-user{n}@example.com") for n in range(1, count + 1)]


class Dovecot:
    def __init__(self, users: dict[str, str], extra: str = "") -> None:
        self.extra = extra  # more settings: a small line limit, fewer capabilities, to behave like another server
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
""" + self.extra
        (self.root / "dovecot.conf").write_text(config)
        return str(self.root / "ca.pem"), owner

    def start(self) -> Server:
        ca_file, owner = self._write_config()
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_port(self.port, self.proc, "dovecot")
        except FollowupError as e:
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

    def halt(self) -> None:
        """Stop the server process but keep its config and mail: a server restart, first half."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def resume(self) -> None:
        assert DOVECOT is not None
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_port(self.port, self.proc, "dovecot")

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.root, ignore_errors=True)


class Pymap:
    """pymap's Maildir backend (the demo's embedded server): no CONDSTORE, no SPECIAL-USE."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users
        self.embedded = EmbeddedServer()

    def start(self) -> Server:
        self.embedded.start()
        server = Server(kind="pymap", host="127.0.0.1", port=self.embedded.port, root=self.embedded.root,
                        add_user_fn=lambda user, password: self.embedded.add_user(user, password, ()))
        for user, password in self.users.items():
            server.add_user(user, password)
        return server

    def stop(self) -> None:
        self.embedded.stop()


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

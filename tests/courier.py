"""Courier-IMAP on loopback for integration tests, run from the tree `.ci/fetch-courier` unpacks.

courier-imap cannot be installed next to dovecot-imapd, so it runs from its unpacked .debs: couriertcpd
listens on a free port and starts imaplogin for each connection; imaplogin asks authdaemond (with the userdb
module) for the password, then becomes the mail user and runs imapd on ~/Maildir. Everything lives in a temp
dir, the working directory of both daemons: fetch-courier rewrote the paths compiled into authdaemond and
the auth libraries (/etc/courier/authdaemonrc, /etc/courier/userdb.dat, /run/courier/authdaemon/socket) into
paths relative to it. imapd takes its settings from the environment: Debian's /etc/courier/imapd, sourced
from the unpacked tree, with the paths pointed into the temp dir.

Started as root, mail is owned by and served as `nobody` (imapd checks that the Maildir belongs to the user
it runs as); started as a normal user, everything runs as that user.
"""

from __future__ import annotations

import base64
import hashlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

from servers import Server

from assistant.errors import FollowupError
from assistant.onboarding.embedded import free_port, wait_for_port

FETCH = Path(__file__).resolve().parent.parent / ".ci" / "fetch-courier"
FORMAT = "courier-2"  # what fetch-courier writes to .complete


def courier_root() -> Path | None:
    """The unpacked Courier: $FOLLOWUP_COURIER_ROOT, else where `.ci/fetch-courier` puts it by default."""
    if os.environ.get("FOLLOWUP_COURIER_ROOT"):
        root = Path(os.environ["FOLLOWUP_COURIER_ROOT"])
    else:
        cache = os.environ.get("FOLLOWUP_SERVERS") or os.path.expanduser("~/.cache/followup-servers")
        root = Path(cache) / "courier"
    try:
        return root if (root / ".complete").read_text().strip() == FORMAT else None
    except OSError:
        return None


COURIER = courier_root()


def _folder_dir(folder: str) -> str:
    """Courier's Maildir++ name of a folder: INBOX.Sent and Sent are both .Sent; a/b is .a.b."""
    name = folder[6:] if folder.upper().startswith("INBOX.") else folder
    return "." + name.replace("/", ".")


class CourierServer(Server):
    """Courier's Maildir is ~/Maildir with folders as .Sent, .Drafts (INBOX.Sent, INBOX.Drafts over IMAP)."""

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        base = self.root / "home" / user / "Maildir"
        return base if folder.upper() == "INBOX" else base / _folder_dir(folder)

    def add_user(self, user: str, password: str, folders: tuple[str, ...] = ("Sent", "Drafts")) -> None:
        """A fresh user with INBOX and the folders, subscribed; it can log in as soon as this returns."""
        assert self.add_user_fn is not None
        for folder in ("INBOX", *folders):
            self._make_folder(user, folder)
        subscribed = self.maildir(user) / "courierimapsubscribed"
        subscribed.write_text("".join(f"INBOX.{_folder_dir(f)[1:]}\n" for f in folders))
        home = self.maildir(user).parent
        if self.owner:
            for path in [home, *home.rglob("*")]:
                os.chown(path, *self.owner)
        self.add_user_fn(user, password)
        self.users[user] = password

    def _make_folder(self, user: str, folder: str) -> None:
        path = self.maildir(user, folder)
        for leaf in ("cur", "new", "tmp"):
            (path / leaf).mkdir(parents=True, exist_ok=True)
        if folder.upper() != "INBOX":
            (path / "maildirfolder").touch()  # what maildirmake leaves in a Maildir++ folder
        if self.owner:
            for p in (path.parent, path, path / "cur", path / "new", path / "tmp", path / "maildirfolder"):
                if p.exists() and p.is_relative_to(self.root / "home" / user):
                    os.chown(p, *self.owner)

    def deliver(self, user: str, folder: str, raw: bytes, when: datetime | None = None,
                flags: str = "S") -> Path:
        """A message file in the folder's cur/ (named …:2,<flags>, mtime = INTERNALDATE); imapd gives it the
        next UID when it next looks at the folder. Lines end in LF, as Courier stores them (it sends each LF
        as CRLF: a CRLF in the file would reach clients as CR CR LF)."""
        if not (self.maildir(user, folder) / "tmp").is_dir():
            self._make_folder(user, folder)
        return super().deliver(user, folder, raw.replace(b"\r\n", b"\n"), when, flags)


class Courier:
    """A private Courier-IMAP: plain IMAP on 127.0.0.1, LOGIN with the userdb passwords, no TLS.

    `env` adds to or replaces imapd's settings (Debian's defaults otherwise). In IDLE, imapd looks at the
    folder every IMAP_IDLE_TIMEOUT seconds (60); {"IMAP_ENHANCEDIDLE": "1"} reports changes at once instead,
    through Gamin, or {"IMAP_IDLE_TIMEOUT": "2"} polls more often.
    """

    def __init__(self, users: dict[str, str], env: dict[str, str] | None = None) -> None:
        if COURIER is None:
            raise FileNotFoundError(f"Courier-IMAP is not unpacked: run {FETCH}")
        self.dist = COURIER
        self.env = env or {}
        self.root = Path(tempfile.mkdtemp(prefix="followup-courier-"))
        os.chmod(self.root, 0o755)
        self.users = users
        self.port = free_port()
        self.procs: list[subprocess.Popen[bytes]] = []
        self.accounts: dict[str, str] = {}
        self.lock = threading.Lock()
        if os.geteuid() == 0:
            mail = pwd.getpwnam("nobody")
            self.uid, self.gid = mail.pw_uid, mail.pw_gid
            self.owner: tuple[int, int] | None = (self.uid, self.gid)
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
            self.owner = None

    # --- setup ---------------------------------------------------------------------------------------

    def _setup(self) -> None:
        root, dist = self.root, self.dist
        for sub in ("home", "authdaemon", "bin", "lib"):
            (root / sub).mkdir(exist_ok=True)
        os.chmod(root / "authdaemon", 0o750)
        # imapd runs as the mail user, who may not reach the cache (/root/.cache is 0700): a copy of imapd
        # and the libraries in the temp dir serves both it and the root-run daemons (about 2 MB).
        shutil.copy2(dist / "usr/bin/imapd", root / "bin" / "imapd")
        shutil.copy2(dist / "usr/libexec/gam_server", root / "bin" / "gam_server")
        for libdir in [dist / "usr/lib", *dist.glob("usr/lib/*-linux-gnu*"), *dist.glob("lib/*-linux-gnu*")]:
            for lib in libdir.glob("*.so*"):
                target = root / "lib" / lib.name
                if target.exists() or target.is_symlink():
                    continue
                if lib.is_symlink():
                    target.symlink_to(os.readlink(lib))
                else:
                    shutil.copy2(lib, target)
        # Read by the patched authdaemond and libauthuserdb from their working directory:
        (root / "authlib").symlink_to(dist / "usr/lib/courier-authlib")  # authdaemond's module dir
        (root / "authdaemonrc").write_text('authmodulelist="authuserdb"\nauthmodulelistorig="authuserdb"\n'
                                           'daemons=4\nDEBUG_LOGIN=0\nDEFAULTOPTIONS=""\nLOGGEROPTS=""\n')
        self._write_userdb()

    def _base_env(self) -> dict[str, str]:
        env = {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": str(self.root / "lib"),
               # imapd's libgamin starts this gam_server (detached, as the mail user) on first use, tagged
               # with this id so that halt() finds it; with none, each login and SELECT would wait 1.25 s.
               "GAMIN_DEBUG_SERVER": str(self.root / "bin" / "gam_server"), "GAM_CLIENT_ID": self.root.name}
        for name in ("TZ", "LANG", "LC_ALL"):
            if name in os.environ:
                env[name] = os.environ[name]
        return env

    def _imapd_env(self) -> dict[str, str]:
        """Debian's /etc/courier/imapd (sourced as its init script does), paths pointed into the temp dir."""
        defaults = str(self.dist / "etc/courier/imapd")
        out = subprocess.run(["sh", "-c", 'set -a; . "$1"; exec env -0', "sh", defaults],
                             env={"PATH": "/usr/bin:/bin"}, capture_output=True, check=True).stdout
        settings = dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)
        for name in ("PATH", "PWD", "SHLVL", "_", "OLDPWD"):
            settings.pop(name, None)
        settings.update(self._base_env())
        settings.update({
            "IMAP_SHAREDINDEXFILE": str(self.root / "shared" / "index"),  # none: no shared folders
            "IMAP_ENHANCEDIDLE": "0",
            "MAILDIRPATH": "Maildir",
        })
        settings.update(self.env)
        return settings

    # --- users -------------------------------------------------------------------------------------------

    def _write_userdb(self) -> None:
        """userdb.dat and userdbshadow.dat (what makeuserdb makes) from all accounts; libauthuserdb reopens
        them when they change, so a new user can log in at once."""
        makedat = str(self.dist / "usr/lib/courier/courier-authlib/makedatprog")
        main, shadow, text = [], [], []
        for user, password in self.accounts.items():
            digest = base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()
            fields = f"uid={self.uid}|gid={self.gid}|home={self.root / 'home' / user}"
            main.append(f"{user}\t{fields}|_=\n")
            shadow.append(f"{user}\tsystempw={{SHA}}{digest}\n")
            text.append(f"{user}\t{fields}|systempw={{SHA}}{digest}\n")
        env = self._base_env()
        for name, lines in (("userdb", main), ("userdbshadow", shadow)):
            subprocess.run([makedat, "-", str(self.root / f"{name}.tmp"), str(self.root / f"{name}.dat")],
                           input="".join([*lines, ".\n"]).encode(), env=env, check=True)
        (self.root / "userdb").write_text("".join(text))  # the source makeuserdb would read: for people
        os.chmod(self.root / "userdb", 0o600)

    def _add_user(self, user: str, password: str) -> None:
        if "\t" in user or "|" in user or "|" in password or user != user.strip():
            raise ValueError(f"userdb cannot hold user {user!r}")
        with self.lock:
            self.accounts[user] = password
            self._write_userdb()

    # --- processes -----------------------------------------------------------------------------------

    def _launch(self) -> None:
        root, dist = self.root, self.dist
        (root / "authdaemon" / "socket").unlink(missing_ok=True)  # a halted one's, on resume
        log = open(root / "authdaemond.log", "ab")
        self.procs.append(subprocess.Popen([str(dist / "usr/lib/courier/courier-authlib/authdaemond")],
                                           cwd=root, env=self._base_env(), stdin=subprocess.DEVNULL,
                                           stdout=log, stderr=log, start_new_session=True))
        log.close()
        deadline = time.monotonic() + 10
        while not (root / "authdaemon" / "socket").exists():
            if self.procs[0].poll() is not None or time.monotonic() > deadline:
                self.halt()
                log_text = (root / "authdaemond.log").read_text()
                raise RuntimeError(f"authdaemond did not start: {log_text[-2000:]}")
            time.sleep(0.02)
        log = open(root / "couriertcpd.log", "ab")
        tcpd = subprocess.Popen(
            [str(dist / "usr/sbin/couriertcpd"), "-address=127.0.0.1", "-maxprocs=200", "-maxperip=200",
             "-nodnslookup", "-noidentlookup", f"-stderr={root / 'imapd.log'}", str(self.port),
             str(dist / "usr/lib/courier/courier/imaplogin"), str(root / "bin" / "imapd"), "Maildir"],
            cwd=root, env=self._imapd_env(), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            start_new_session=True)
        log.close()
        self.procs.append(tcpd)
        try:
            wait_for_port(self.port, tcpd, "couriertcpd")
        except FollowupError as e:
            logs = "".join(p.read_text() for p in (root / "couriertcpd.log", root / "imapd.log")
                           if p.exists())
            self.halt()
            raise RuntimeError(f"{e}: {logs[-2000:]}") from e

    def start(self) -> Server:
        self._setup()
        self._launch()
        server = CourierServer(kind="courier", host="127.0.0.1", port=self.port, root=self.root,
                               owner=self.owner, add_user_fn=self._add_user)
        for user, password in self.users.items():
            server.add_user(user, password)
        return server

    def halt(self) -> None:
        """Stop the server (and every session: each runs in its daemon's process group) but keep its mail."""
        for proc in reversed(self.procs):  # couriertcpd first, then authdaemond
            if proc.returncode is not None:
                continue
            proc.terminate()  # each daemon stops its children and exits
            # Wait without reaping it, so that its pid (its group's id) cannot be reused before the group is
            # killed: sessions still closing, children it left behind.
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                    break
                time.sleep(0.01)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        self.procs = []
        for pid in self._gam_servers():
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def _gam_servers(self) -> list[int]:
        """The gam_server processes our imapd sessions started (they leave our process groups)."""
        gam, tag = str(self.root / "bin" / "gam_server"), f"\0GAM_CLIENT_ID={self.root.name}\0".encode()
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if os.readlink(entry / "exe") == gam and tag in b"\0" + (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
        return found

    def resume(self) -> None:
        self._launch()

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.root, ignore_errors=True)

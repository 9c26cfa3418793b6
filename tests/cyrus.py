"""A private Cyrus IMAP server on loopback for integration tests, run from an unpacked Debian package.

cyrus-imapd conflicts with dovecot-imapd, so it is never installed: `.ci/fetch-cyrus` unpacks Debian's
cyrus-imapd, cyrus-common and sasl2-bin (plus any missing run-time library) into
``${FOLLOWUP_SERVERS:-~/.cache/followup-servers}/cyrus`` and prints that path, and this module runs
Cyrus's ``master`` from there with LD_LIBRARY_PATH pointing at the unpacked libraries.

Each ``Cyrus`` has its own temp dir: imapd.conf, cyrus.conf, the databases (configdirectory), the spool
(partition-default), sieve, lock, proc and socket dirs and a private sasldb, and listens on a free
loopback port, plain IMAP only. Started as root, every Cyrus process runs as ``nobody`` (Cyrus refuses
root) and the binaries are hard-linked into the temp dir when ``nobody`` cannot reach the cache (root's
home is 0700); started as a normal user it runs as that user.

Cyrus keeps its own spool, so there is no Maildir to write into: users, folders and messages all go in
through the server. A user is a sasldb entry (written by the unpacked ``saslpasswd2``; Cyrus checks
passwords with ``sasl_pwcheck_method: auxprop`` against that file on every login, so users added later
need no restart) plus ``user/<name>`` created by the admin; its folders are created and its messages
APPENDed by the user itself (so \\Seen is the user's, and INTERNALDATE and flags are what was asked).

Layouts: the default here, ``layout="alt"``, is ``altnamespace: yes`` + ``unixhierarchysep: yes``: INBOX,
Sent and Drafts side by side at the top level, separator "/" (like the Dovecot fixture). Cyrus's own
default, ``layout="inbox"`` (``altnamespace: no`` + ``unixhierarchysep: no``), puts folders under the
inbox, INBOX.Sent and INBOX.Drafts with separator "."; ``deliver()`` and ``add_user()`` take the short
names ("Sent") in both layouts and ``CyrusServer.folder()`` tells the real one.

Real-Cyrus behaviour kept on purpose (the Dovecot fixture differs): APPEND refuses a message with NUL
bytes or a first line that is no header ("Message contains NUL characters" / "invalid header"), so
deliver() raises for those; a non-empty folder with a special use (Sent, Drafts …) cannot be DELETEd
("SPECIAL-USE flag conflict"; ``extra="specialuse_protect: \\Junk"`` narrows that). 8-bit header bytes
are stored as given (``munge8bit: no``; Cyrus's default would turn them into "X"). No TLS port.

Use, e.g. in a session fixture like dovecot_server:

    if cyrus_root(fetch=True) is None:   # runs .ci/fetch-cyrus once (a few seconds), then it is cached
        unavailable("Cyrus could not be unpacked: .ci/fetch-cyrus")
    cyrus = Cyrus({})                    # or Cyrus({}, layout="inbox") for INBOX.Sent
    server = cyrus.start()               # about 0.1 s; server.kind == "cyrus"
    server.add_user(user, password)      # INBOX, Sent (\\Sent), Drafts (\\Drafts), subscribed
    server.deliver(user, "Sent", raw, when=datetime(…, tzinfo=UTC), flags="S")
    cyrus.halt(); cyrus.resume()         # a server restart that keeps the mail
    cyrus.stop()

Cyrus logs only to syslog; where there is no /dev/log nothing is kept, but master's stderr is in
``<root>/master.log``.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from servers import Server

from assistant.errors import FollowupError
from assistant.onboarding.embedded import free_port, wait_for_port

FETCH_SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "fetch-cyrus"
SPECIAL_USE = {"sent": "\\Sent", "drafts": "\\Drafts", "trash": "\\Trash", "junk": "\\Junk",
               "archive": "\\Archive"}
MAILDIR_FLAGS = {"S": "\\Seen", "R": "\\Answered", "F": "\\Flagged", "D": "\\Draft", "T": "\\Deleted"}
ADMIN = "cyrus"
REALM = "localhost"  # servername: the SASL realm of a user name without @domain


def default_root() -> Path:
    """Where .ci/fetch-cyrus unpacks Cyrus: $FOLLOWUP_CYRUS_ROOT, else $FOLLOWUP_SERVERS/cyrus."""
    if os.environ.get("FOLLOWUP_CYRUS_ROOT"):
        return Path(os.environ["FOLLOWUP_CYRUS_ROOT"])
    base = os.environ.get("FOLLOWUP_SERVERS") or str(Path.home() / ".cache" / "followup-servers")
    return Path(base) / "cyrus"


def cyrus_root(fetch: bool = False) -> Path | None:
    """The unpacked Cyrus, or None; with fetch=True, run .ci/fetch-cyrus first when it is not there."""
    root = default_root()
    if not (root / ".unpacked").exists() and fetch and FETCH_SCRIPT.exists():
        out = subprocess.run(["bash", str(FETCH_SCRIPT)], check=True, stdout=subprocess.PIPE, text=True)
        root = Path(out.stdout.strip().splitlines()[-1])
    return root if (root / ".unpacked").exists() and (root / "usr/lib/cyrus/bin/master").exists() else None


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _reachable_by_others(path: Path) -> bool:
    """Whether a user other than the owner (nobody) can reach path: every dir on the way has o+x."""
    for part in [path, *path.parents]:
        try:
            if not os.stat(part).st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    return True


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _imap_flags(flags: str) -> str:
    """Maildir flag letters ("S", "DS") as an IMAP flag list; a string with a backslash is taken as is."""
    if "\\" in flags or "$" in flags:
        names = flags.strip("()").split()
    else:
        names = [MAILDIR_FLAGS[c] for c in flags if c in MAILDIR_FLAGS]
    return "(" + " ".join(names) + ")"


@dataclass
class CyrusServer(Server):
    """A running Cyrus: users, folders and messages go in through IMAP, since Cyrus owns its spool."""

    cyrus: Cyrus | None = None

    def add_user(self, user: str, password: str, folders: tuple[str, ...] = ("Sent", "Drafts")) -> None:
        """A fresh user (sasldb entry + user/<name>) with its folders, special-use and subscribed."""
        assert self.cyrus is not None
        self.cyrus.add_user(user, password, folders)
        self.users[user] = password

    def deliver(self, user: str, folder: str, raw: bytes, when: datetime | None = None,
                flags: str = "S") -> Path:
        """APPEND as the user, with the INTERNALDATE `when` (default now) and Maildir flag letters.

        Returns where Cyrus stored it (<spool>/uuid/…/<uid>.), for reference only: never write there."""
        assert self.cyrus is not None
        return self.cyrus.deliver(user, folder, raw, when, flags)

    def folder(self, name: str) -> str:
        """The server's name for a short folder name in this layout: "Sent" or "INBOX.Sent"."""
        assert self.cyrus is not None
        return self.cyrus.folder(name)

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        raise NotImplementedError("Cyrus keeps its own spool: put mail in with deliver(), change it over IMAP")


class Cyrus:
    def __init__(self, users: dict[str, str], layout: str = "alt", extra: str = "",
                 root: Path | None = None) -> None:
        """users: added at start; layout: "alt" (Sent at the top, "/") or "inbox" (INBOX.Sent, ".");
        extra: more imapd.conf lines (e.g. "suppress_capabilities: IDLE CONDSTORE"); root: the unpacked
        Cyrus (default: what .ci/fetch-cyrus made)."""
        if layout not in ("alt", "inbox"):
            raise ValueError(f"layout must be 'alt' or 'inbox', not {layout!r}")
        src = root or cyrus_root()
        if src is None:
            raise FileNotFoundError(f"Cyrus is not unpacked at {default_root()}: run .ci/fetch-cyrus")
        self.src = Path(src)
        self.users = users
        self.layout = layout
        self.sep = "/" if layout == "alt" else "."
        self.extra = extra
        self.root = Path(tempfile.mkdtemp(prefix="followup-cyrus-"))
        os.chmod(self.root, 0o755)
        self.port = free_port()
        self.admin_password = os.urandom(12).hex()
        self.passwords: dict[str, str] = {}
        self.proc: subprocess.Popen[bytes] | None = None
        self._conns: dict[str, imaplib.IMAP4] = {}
        self._lock = threading.RLock()
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            self.uid, self.gid = nobody.pw_uid, nobody.pw_gid
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
        self.owner = (self.uid, self.gid) if os.geteuid() == 0 else None
        self.dist = self.src  # where the binaries and libraries are run from
        self.env: dict[str, str] = {}

    # -- setup ---------------------------------------------------------------------------------------

    def _prepare_dist(self) -> None:
        """As root the processes run as nobody, who must reach the binaries: a root under root's 0700
        home is hard-linked (or copied) into the temp dir, which costs a few milliseconds."""
        if self.owner is None or _reachable_by_others(self.src / "usr/lib/cyrus/bin"):
            self.dist = self.src
            return
        self.dist = self.root / "dist"
        dirs = [Path("usr/lib/cyrus/bin"), *(p.relative_to(self.src) for p in self.src.glob("usr/lib/*-linux-*")),
                *(p.relative_to(self.src) for p in self.src.glob("lib/*-linux-*"))]
        for rel in dirs:
            shutil.copytree(self.src / rel, self.dist / rel, symlinks=True, copy_function=_link_or_copy)

    def _make_env(self) -> dict[str, str]:
        libdirs = [str(p) for pattern in ("usr/lib/*-linux-*", "lib/*-linux-*") for p in self.dist.glob(pattern)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("CYRUS_")}
        env["LD_LIBRARY_PATH"] = ":".join(libdirs + ([env["LD_LIBRARY_PATH"]] if env.get("LD_LIBRARY_PATH") else []))
        # libsasl2's plugins (sasldb) normally come from the system; use unpacked ones only if it has none.
        if not list(Path("/usr/lib").glob("*/sasl2/libsasldb.so*")):
            unpacked = list(self.dist.glob("usr/lib/*/sasl2"))
            if unpacked:
                env["SASL_PATH"] = str(unpacked[0])
        return env

    def _write_config(self) -> None:
        r = self.root
        for sub in ("conf", "conf/socket", "conf/proc", "conf/lock", "conf/log", "spool", "sieve"):
            (r / sub).mkdir(parents=True, exist_ok=True)
        alt = "yes" if self.layout == "alt" else "no"
        settings = {
            "configdirectory": f"{r}/conf",
            "defaultpartition": "default",
            "partition-default": f"{r}/spool",
            "sievedir": f"{r}/sieve",
            "proc_path": f"{r}/conf/proc",
            "mboxname_lockpath": f"{r}/conf/lock",
            "idlesocket": f"{r}/conf/socket/idle",
            "lmtpsocket": f"{r}/conf/socket/lmtp",
            "notifysocket": f"{r}/conf/socket/notify",
            "servername": REALM,
            "syslog_prefix": f"followup-cyrus-{self.port}",
            "cyrus_user": pwd.getpwuid(self.uid).pw_name,
            "cyrus_group": grp.getgrgid(self.gid).gr_name,
            "admins": ADMIN,
            "virtdomains": "userid",  # user1@example.com is user1 in domain example.com
            "altnamespace": alt,
            "unixhierarchysep": alt,
            "hashimapspool": "false",
            "allowplaintext": "yes",
            "allowanonymouslogin": "no",
            "sasl_pwcheck_method": "auxprop",
            "sasl_auxprop_plugin": "sasldb",
            "sasl_sasldb_path": f"{r}/sasldb2",
            "sasl_mech_list": "PLAIN LOGIN",
            "autocreate_quota": "-1",  # mailboxes are made by add_user(), never on login
            "failedloginpause": "0",  # a wrong password is answered at once, not after 3 s
            "munge8bit": "no",  # keep 8-bit header bytes as delivered
        }
        # Cyrus ignores a setting's second occurrence, so extra lines replace the ones above.
        for line in self.extra.splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip() and not key.lstrip().startswith("#"):
                settings[key.strip()] = value.strip()
        (r / "imapd.conf").write_text("".join(f"{k}: {v}\n" for k, v in settings.items()))
        bin_ = self.dist / "usr/lib/cyrus/bin"
        conf = f"-C {r}/imapd.conf"
        (r / "cyrus.conf").write_text(f"""\
START {{
  recover cmd="{bin_}/ctl_cyrusdb {conf} -r"
}}
SERVICES {{
  imap cmd="{bin_}/imapd {conf}" listen="127.0.0.1:{self.port}" prefork=1 maxchild=200
}}
DAEMON {{
  idled cmd="{bin_}/idled {conf}"
}}
""")
        self._saslpasswd(ADMIN, self.admin_password)
        if self.owner:
            for path in [r, *(p for p in r.rglob("*") if not p.is_relative_to(r / "dist"))]:
                os.lchown(path, *self.owner)

    def _saslpasswd(self, user: str, password: str) -> None:
        local, _, realm = user.rpartition("@") if "@" in user else (user, "", REALM)
        subprocess.run([str(self.src / "usr/sbin/saslpasswd2"), "-f", str(self.root / "sasldb2"), "-p", "-c",
                        "-u", realm, local], input=password.encode(), env=self.env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    # -- running -------------------------------------------------------------------------------------

    def start(self) -> CyrusServer:
        self._prepare_dist()
        self.env = self._make_env()
        self._write_config()
        self._spawn()
        server = CyrusServer(kind="cyrus", host="127.0.0.1", port=self.port, root=self.root, cyrus=self,
                             add_user_fn=self._saslpasswd)
        for user, password in self.users.items():
            server.add_user(user, password)
        return server

    def _spawn(self) -> None:
        log = open(self.root / "master.log", "ab")
        r = self.root
        self.proc = subprocess.Popen(
            [str(self.dist / "usr/lib/cyrus/bin/master"), "-C", f"{r}/imapd.conf", "-M", f"{r}/cyrus.conf",
             "-p", f"{r}/master.pid", "-D"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=self.env, cwd=r, start_new_session=True,
            **({"user": self.uid, "group": self.gid, "extra_groups": []} if self.owner else {}))
        log.close()
        try:
            wait_for_port(self.port, self.proc, "cyrus master")
            self._admin().noop()  # the first imapd answers: databases recovered, auth works
        except (FollowupError, OSError, imaplib.IMAP4.error) as e:
            text = (r / "master.log").read_text(errors="replace")[-2000:]
            self.halt()
            raise RuntimeError(f"Cyrus did not start: {e}: {text}") from e

    def halt(self) -> None:
        """Stop master and every Cyrus process but keep config, databases and spool (a restart, half 1)."""
        with self._lock:
            for conn in self._conns.values():
                self._close(conn)
            self._conns.clear()
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # master takes its children down with it
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        try:  # anything of the session left over (none normally): master ran as its group's leader
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc = None

    def resume(self) -> None:
        self._spawn()

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- through the server --------------------------------------------------------------------------

    def folder(self, name: str) -> str:
        if name.upper() == "INBOX" or self.layout == "alt" or name.upper().startswith("INBOX."):
            return "INBOX" if name.upper() == "INBOX" else name
        return f"INBOX.{name}"

    def _connect(self, user: str, password: str) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        conn.login(user, password)
        return conn

    def _admin(self) -> imaplib.IMAP4:
        return self._conn(ADMIN, self.admin_password)

    def _conn(self, user: str, password: str) -> imaplib.IMAP4:
        """A logged-in connection, kept for the admin and for the last user delivered to only (each one
        holds an imapd process), and replaced if the server was restarted meanwhile."""
        conn = self._conns.get(user)
        if conn is not None:
            try:
                conn.noop()
                return conn
            except (imaplib.IMAP4.abort, imaplib.IMAP4.error, OSError):
                self._conns.pop(user, None)
        if user != ADMIN:
            for other in [u for u in self._conns if u != ADMIN]:
                self._close(self._conns.pop(other))
        conn = self._connect(user, password)
        self._conns[user] = conn
        return conn

    @staticmethod
    def _close(conn: imaplib.IMAP4) -> None:
        try:
            conn.logout()
        except (imaplib.IMAP4.abort, imaplib.IMAP4.error, OSError):
            pass

    def add_user(self, user: str, password: str, folders: tuple[str, ...] = ("Sent", "Drafts")) -> None:
        with self._lock:
            self._saslpasswd(user, password)
            self.passwords[user] = password
            typ, data = self._admin()._simple_command("CREATE", _quote(f"user{self.sep}{user}"))
            if typ != "OK" and b"exists" not in b" ".join(d for d in data if isinstance(d, bytes)).lower():
                raise RuntimeError(f"Cyrus: cannot create the mailbox of {user}: {data!r}")
            for folder in folders:
                self._create(user, folder)

    def _create(self, user: str, folder: str) -> None:
        conn = self._conn(user, self.passwords[user])
        name = _quote(self.folder(folder))
        use = SPECIAL_USE.get(folder.lower())
        args = (name, f"(USE ({use}))") if use else (name,)
        typ, data = conn._simple_command("CREATE", *args)
        if typ != "OK" and use:  # that special use is taken already: a plain folder then
            typ, data = conn._simple_command("CREATE", name)
        if typ != "OK" and b"exists" not in b" ".join(d for d in data if isinstance(d, bytes)).lower():
            raise RuntimeError(f"Cyrus: cannot create {folder} for {user}: {data!r}")
        conn._simple_command("SUBSCRIBE", name)

    def deliver(self, user: str, folder: str, raw: bytes, when: datetime | None = None,
                flags: str = "S") -> Path:
        with self._lock:
            if user not in self.passwords:
                raise KeyError(f"{user} is not a user of this Cyrus: add_user() first")
            conn = self._conn(user, self.passwords[user])
            name = self.folder(folder)
            date = imaplib.Time2Internaldate(when or datetime.now(UTC))
            typ, data = conn.append(_quote(name), _imap_flags(flags), date, raw)
            if typ != "OK" and b"TRYCREATE" in b" ".join(d for d in data if isinstance(d, bytes)):
                self._create(user, folder)
                typ, data = conn.append(_quote(name), _imap_flags(flags), date, raw)
            if typ != "OK":
                raise RuntimeError(f"Cyrus: APPEND to {name} for {user} failed: {data!r}")
            found = re.search(rb"APPENDUID \d+ (\d+)", data[0] if data and isinstance(data[0], bytes) else b"")
            uid = found.group(1).decode() if found else "0"
            typ, status = conn._simple_command("STATUS", _quote(name), "(MAILBOXID)")
            _, status = conn._untagged_response(typ, status, "STATUS")
            mid = re.search(rb"MAILBOXID \(([^)]+)\)", status[-1] if status and status[-1] else b"")
            if not mid:
                return self.root / "spool" / f"{uid}."
            box = mid.group(1).decode()
            return self.root / "spool" / "uuid" / box[0] / box[1] / box / f"{uid}."


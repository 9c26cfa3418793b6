"""The only module that speaks IMAP (through imapclient). Results become our dataclasses at once.

Credentials never reach a log line; message bodies are only logged at DEBUG by nobody.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import imapclient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError
from imapclient.response_parser import parse_fetch_response

from assistant.config import AccountConfig, password_source
from assistant.errors import AuthError, ConnectionLost, MailboxError

log = logging.getLogger(__name__)

ROLES = ("inbox", "sent", "drafts")
_SPECIAL_USE = {"sent": b"\\Sent", "drafts": b"\\Drafts"}
# Tried in order, case-insensitively, when the server has no SPECIAL-USE (or does not mark the folder).
FALLBACK_NAMES = {
    "inbox": ("INBOX",),
    "sent": ("Sent", "Sent Items", "Sent Messages", "Sent Mail", "[Gmail]/Sent Mail", "[Google Mail]/Sent Mail",
             "INBOX.Sent", "INBOX/Sent", "INBOX.Sent Items", "INBOX.Sent Messages", "Gesendet",
             "Gesendete Elemente", "Envoyés", "Éléments envoyés", "Enviados", "Posta inviata"),
    "drafts": ("Drafts", "Draft", "[Gmail]/Drafts", "[Google Mail]/Drafts", "INBOX.Drafts", "INBOX/Drafts",
               "Entwürfe", "Brouillons", "Borradores", "Bozze"),
}


@dataclass(frozen=True)
class FolderInfo:
    name: str
    flags: tuple[str, ...]
    delimiter: str | None


@dataclass(frozen=True)
class Folders:
    """The account's folders by role, and how each was found (special-use, name, config)."""

    inbox: str
    sent: str
    drafts: str
    found_by: dict[str, str]

    def by_role(self) -> dict[str, str]:
        return {"inbox": self.inbox, "sent": self.sent, "drafts": self.drafts}


@dataclass(frozen=True)
class FolderStatus:
    name: str
    uidvalidity: int
    uidnext: int | None
    exists: int
    highestmodseq: int | None


@dataclass(frozen=True)
class Fetched:
    uid: int
    flags: tuple[str, ...]
    internal_date: datetime | None
    size: int | None
    raw: bytes  # header block plus the first bytes of the body
    gm_msgid: int | None
    gm_thrid: int | None


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class MailboxClient:
    """One logged-in IMAP connection for one account."""

    def __init__(self, imap: Any, account: AccountConfig, counter: list[int]) -> None:
        self._imap = imap
        self.account = account
        self._counter = counter
        self._selected: str | None = None  # the folder SELECTed or EXAMINEd now
        self._exists = 0  # EXISTS of the last folder examined
        self.capabilities = frozenset(_text(c).upper() for c in imap.capabilities())
        self.condstore = "CONDSTORE" in self.capabilities
        self.gmail = "X-GM-EXT-1" in self.capabilities
        if self.condstore:
            # Makes EXAMINE report HIGHESTMODSEQ, so an idle folder costs one command per sync.
            self._call("ENABLE CONDSTORE", lambda: imap.enable("CONDSTORE"))

    @property
    def commands_sent(self) -> int:
        """IMAP commands sent since the greeting, login included: what a sync costs the server.

        A CAPABILITY that imapclient sends while connecting (when the greeting lists none) is not counted.
        """
        return self._counter[0]

    @classmethod
    def connect(cls, account: AccountConfig, secret: str) -> MailboxClient:
        where = f"{account.where} {account.host}:{account.port}"
        context = None
        if account.security != "none":
            context = ssl.create_default_context(cafile=account.ca_file)
            if not account.tls_verify:  # config.py allows this for loopback hosts only
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
        try:
            imap = imapclient.IMAPClient(account.host, port=account.port, ssl=account.security == "tls",
                                         ssl_context=context, timeout=account.timeout)
            imap.normalise_times = False
            counter = _count_commands(imap)
            if account.security == "starttls":
                imap.starttls(context)
        except socket.gaierror as e:
            raise MailboxError(f"{account.where} host: cannot find the server {account.host!r}",
                               "check the host name and your network connection") from e
        except ConnectionRefusedError as e:
            raise MailboxError(f"{where}: the connection was refused",
                               "check host and port (993 for tls, 143 for starttls) and that the server runs") from e
        except ssl.SSLCertVerificationError as e:
            raise MailboxError(f"{where}: the server's TLS certificate could not be verified ({e.verify_message})",
                               "set ca_file to the certificate that signed it") from e
        except ssl.SSLError as e:
            raise MailboxError(f"{where}: the TLS handshake failed ({e.reason or e})",
                               'port 993 speaks tls; port 143 usually needs security = "starttls"') from e
        except TimeoutError as e:
            raise MailboxError(f"{where}: no answer within {account.timeout:g} seconds",
                               "check host and port, and any firewall in between") from e
        except IMAPClientError as e:
            if "STARTTLS" in str(e).upper():
                raise MailboxError(f"{where}: the server does not offer STARTTLS",
                                   'use security = "tls" on port 993') from e
            raise MailboxError(f"{where}: the server refused the connection: {e}") from e
        except OSError as e:
            raise MailboxError(f"{where}: cannot connect: {e.strerror or e}") from e
        try:
            if account.auth == "xoauth2":
                imap.oauth2_login(account.username, secret)
            elif secret.isascii() and account.username.isascii():
                imap.login(account.username, secret)
            elif b"AUTH=PLAIN" in imap.capabilities():
                imap.plain_login(account.username, secret)  # RFC 4616: UTF-8, where LOGIN cannot carry it
            else:
                raise MailboxError(f"{where}: the password or username holds non-ASCII characters and the "
                                   "server offers no AUTHENTICATE PLAIN to send them",
                                   "use an ASCII password (or app password) for this account")
        except LoginError as e:
            if isinstance(e.__context__, (IMAPClientAbortError, OSError)):  # cut, not refused
                raise MailboxError(f"{where}: the connection was lost during login: {e.__context__}",
                                   "the server or the network dropped it; Followup will retry") from e
            imap.shutdown()
            hint = (f"check the username and {password_source(account)}; authorise the token helper again if "
                    "the grant has expired" if account.auth == "xoauth2" else
                    f"check the username and {password_source(account)}; some providers need an app password")
            raise AuthError(f"{account.where}: the server refused the login for {account.username!r}", hint) from e
        except (IMAPClientError, OSError) as e:
            raise MailboxError(f"{where}: login failed: {e}") from e
        log.info("%s: logged in to %s:%s", account.name, account.host, account.port)
        return cls(imap, account, counter)

    def _select(self, folder: str, readonly: bool) -> dict[bytes, Any]:
        """SELECT or EXAMINE, remembering which, so an APPEND never targets a folder held read-only."""
        info: dict[bytes, Any] = self._call(f"{'EXAMINE' if readonly else 'SELECT'} {folder}",
                                            lambda: self._imap.select_folder(folder, readonly=readonly))
        self._selected = folder
        return info

    def _unselect(self) -> None:
        """Leave the selected folder without expunging anything: UNSELECT (RFC 3691), else CLOSE, which
        expunges nothing after EXAMINE (RFC 3501 6.4.2), and every SELECT we make is followed by our own
        UID EXPUNGE already."""
        if self._selected is None:
            return
        if "UNSELECT" in self.capabilities:
            self._call("UNSELECT", self._imap.unselect_folder)
        else:
            try:
                self._call("CLOSE", self._imap.close_folder)
            except ConnectionLost:
                raise
            except MailboxError as e:  # pymap refuses CLOSE after EXAMINE, and takes the APPEND anyway
                log.debug("%s: CLOSE refused (%s); going on", self.account.name, e)
        self._selected = None

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except (IMAPClientAbortError, OSError) as e:
            raise ConnectionLost(f"{self.account.where}: the connection to the server was lost during {what}: {e}",
                                 "Followup stops this cycle; the next one reconnects") from e
        except IMAPClientError as e:
            raise MailboxError(f"{self.account.where}: {what} failed: {e}") from e

    # --- folders --------------------------------------------------------------------------------

    def list_folders(self) -> list[FolderInfo]:
        rows = self._call("LIST", self._imap.list_folders)
        return [FolderInfo(name=_text(name), flags=tuple(_text(f) for f in flags),
                           delimiter=_text(delim) if delim else None) for flags, delim, name in rows]

    def find_folders(self) -> Folders:
        return detect_folders(self.account, self.list_folders())

    def examine(self, folder: str) -> FolderStatus:
        """Select read-only: we never change the user's flags, and EXAMINE tells us all we need."""
        info = self._select(folder, readonly=True)
        modseq = info.get(b"HIGHESTMODSEQ")
        uidnext = int(info[b"UIDNEXT"]) if b"UIDNEXT" in info else None
        if uidnext is None:  # Courier's EXAMINE leaves it out; STATUS says it (RFC 3501 6.3.10)
            status = self._call(f"STATUS {folder}", lambda: self._imap.folder_status(folder, [b"UIDNEXT"]))
            uidnext = int(status[b"UIDNEXT"]) if b"UIDNEXT" in status else None
        self._exists = int(info[b"EXISTS"])
        return FolderStatus(name=folder, uidvalidity=int(info[b"UIDVALIDITY"]), uidnext=uidnext,
                            exists=self._exists, highestmodseq=int(modseq) if modseq else None)

    # --- messages -------------------------------------------------------------------------------

    def uids_after(self, last_uid: int, since: date | None = None) -> list[int]:
        criteria: list[Any] = ["UID", f"{last_uid + 1}:*"]
        if since is not None:
            criteria += ["SINCE", since]
        found = self._call("UID SEARCH", lambda: self._imap.search(criteria))
        # "n:*" always matches the highest UID, even when it is below n.
        uids = sorted(int(u) for u in found if int(u) > last_uid)
        if not found and self._exists:  # "n:*" always matches the highest UID: an empty answer is a bug
            uids = self._uids_after_by_sequence(last_uid, since)
        return uids

    def _uids_after_by_sequence(self, last_uid: int, since: date | None) -> list[int]:
        """A second look when UID SEARCH answered nothing although the folder holds mail: GNU Mailutils
        answers "UID SEARCH UID 1:*" with nothing. Search by sequence number and read the UIDs instead."""
        criteria: list[Any] = ["SINCE", since] if since is not None else ["ALL"]
        self._imap.use_uid = False
        try:
            seqs = self._call("SEARCH", lambda: self._imap.search(criteria))
        finally:
            self._imap.use_uid = True
        data: dict[int, Any] = {}
        for seq_set in uid_sets(sorted(int(s) for s in seqs)):
            def one(s: str = seq_set) -> dict[int, Any]:
                return self._fetch_range(s, ["UID"], None, uid=False)
            data.update(self._call("FETCH UID", one))
        uids = sorted(int(d[b"UID"]) for d in data.values() if b"UID" in d and int(d[b"UID"]) > last_uid)
        if uids:
            log.warning("%s: UID SEARCH found nothing although the folder holds %d messages; a search by "
                        "sequence number found %d new (a server bug worked around)",
                        self.account.name, self._exists, len(uids))
        return uids

    def all_uids(self) -> set[int]:
        return {int(u) for u in self._call("UID SEARCH ALL", lambda: self._imap.search(["ALL"]))}

    def fetch(self, uids: Sequence[int], body_bytes: int) -> list[Fetched]:
        """Headers plus a bounded first part of the body, with BODY.PEEK so nothing is marked read."""
        items = ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "BODY.PEEK[HEADER]", f"BODY.PEEK[TEXT]<0.{body_bytes}>"]
        if self.gmail:
            items += ["X-GM-MSGID", "X-GM-THRID"]
        data = self._fetch_sets(f"FETCH of {len(uids)} messages", uids, items)
        out = []
        for uid, d in sorted(data.items()):
            header = d.get(b"BODY[HEADER]") or b""
            body = next((v for k, v in d.items() if k.startswith(b"BODY[TEXT]")), b"") or b""
            out.append(Fetched(
                uid=int(uid), flags=tuple(_text(f) for f in d.get(b"FLAGS", ())),
                internal_date=_aware(d.get(b"INTERNALDATE")),
                size=int(d[b"RFC822.SIZE"]) if b"RFC822.SIZE" in d else None,
                raw=bytes(header) + bytes(body),
                gm_msgid=int(d[b"X-GM-MSGID"]) if b"X-GM-MSGID" in d else None,
                gm_thrid=int(d[b"X-GM-THRID"]) if b"X-GM-THRID" in d else None,
            ))
        return out

    def _fetch_sets(self, what: str, uids: Sequence[int], items: list[str],
                    modifiers: list[str] | None = None) -> dict[int, Any]:
        """UID FETCH in compact sets ("251:500"), each command line under 1,000 octets (RFC 2683 3.2.1.5)."""
        data: dict[int, Any] = {}
        for uid_set in uid_sets(uids):
            def one(s: str = uid_set) -> dict[int, Any]:
                return self._fetch_range(s, items, modifiers)
            data.update(self._call(what, one))
        return data

    def flags(self, uids: Sequence[int] | str, changed_since: int | None = None) -> dict[int, tuple[str, ...]]:
        """Flags of these messages; with `changed_since` (CONDSTORE) only of those changed after it."""
        if not uids:
            return {}
        modifiers = [f"CHANGEDSINCE {changed_since}"] if changed_since is not None else None
        if isinstance(uids, str):
            data = self._call("FETCH FLAGS", lambda: self._fetch_range(uids, ["FLAGS"], modifiers))
        else:
            data = self._fetch_sets("FETCH FLAGS", uids, ["FLAGS"], modifiers)
        return {int(uid): tuple(_text(f) for f in d.get(b"FLAGS", ())) for uid, d in data.items()}

    # --- our drafts: the only writes Followup ever makes ------------------------------------------

    def find_by_message_id(self, folder: str, message_id: str) -> int | None:
        """UID of the message with this Message-ID in `folder`, if any."""
        self._select(folder, readonly=True)
        found = self._call("UID SEARCH HEADER", lambda: self._imap.search(["HEADER", "Message-ID", message_id]))
        return max(int(u) for u in found) if found else None

    def append_draft(self, folder: str, raw: bytes, when: datetime) -> tuple[int | None, int | None]:
        """APPEND with \\Draft; returns (UIDVALIDITY, UID) from APPENDUID when the server has UIDPLUS."""
        return self.append_message(folder, raw, when, flags=(b"\\Draft", b"\\Seen"))

    def append_message(self, folder: str, raw: bytes, when: datetime,
                       flags: tuple[bytes, ...] = ()) -> tuple[int | None, int | None]:
        """APPEND one message of ours (a draft, the weekly report); (UIDVALIDITY, UID) with UIDPLUS."""
        if self._selected == folder:
            self._unselect()  # Courier refuses an APPEND into the folder held read-only ("Current box is …")
        try:
            response = self._imap.append(folder, raw, flags=list(flags), msg_time=when)
        except (IMAPClientAbortError, OSError) as e:
            raise ConnectionLost(f"{self.account.where}: the connection to the server was lost during APPEND to "
                                 f"{folder}: {e}", "Followup stops this cycle; the next one reconnects") from e
        except IMAPClientError as e:
            raise MailboxError(f"{self.account.where}: the server refused to store a message in {folder}: {e}",
                               "the mailbox may be over quota or the folder read-only: free some space or check "
                               "the folder's permissions") from e
        match = re.search(rb"APPENDUID (\d+) (\d+)", response if isinstance(response, bytes) else b"")
        return (int(match.group(1)), int(match.group(2))) if match else (None, None)

    def fetch_whole(self, folder: str, uid: int) -> bytes | None:
        """The whole message (our drafts are small), without marking it read."""
        self._select(folder, readonly=True)
        data = self._call("FETCH", lambda: self._imap.fetch([uid], ["BODY.PEEK[]"]))
        item = data.get(uid)
        return bytes(item[b"BODY[]"]) if item and b"BODY[]" in item else None

    def delete_draft(self, folder: str, uid: int) -> None:
        """Remove one of our own drafts by UID. UID EXPUNGE (UIDPLUS) never touches other deleted mail."""
        if "UIDPLUS" not in self.capabilities:
            raise MailboxError(f"{self.account.where}: the server lacks UIDPLUS, so a draft cannot be removed "
                               "without risking other messages marked deleted", "delete the draft by hand")
        self._select(folder, readonly=False)
        self._call("STORE \\Deleted", lambda: self._imap.add_flags([uid], [b"\\Deleted"]))
        self._call("UID EXPUNGE", lambda: self._imap.uid_expunge([uid]))

    # --- IDLE (RFC 2177) ------------------------------------------------------------------------

    @property
    def can_remove_drafts(self) -> bool:
        """UID EXPUNGE (RFC 4315) removes one message; a plain EXPUNGE would take the user's too."""
        return "UIDPLUS" in self.capabilities

    @property
    def can_idle(self) -> bool:
        return "IDLE" in self.capabilities

    def idle_wait(self, folder: str, seconds: float, stop: threading.Event) -> bool:
        """Wait in IDLE on `folder` up to `seconds`; True as soon as the server reports a change."""
        self._select(folder, readonly=True)
        self._call("IDLE", self._imap.idle)
        changed = False
        try:
            deadline = time.monotonic() + seconds
            while not stop.is_set() and time.monotonic() < deadline and not changed:
                responses = self._call("IDLE", lambda: self._imap.idle_check(timeout=1))
                changed = any(len(r) > 1 and r[1] in (b"EXISTS", b"EXPUNGE", b"FETCH") for r in responses)
        finally:
            self._call("DONE", self._imap.idle_done)
        return changed

    def _fetch_range(self, uid_range: str, items: list[str], modifiers: list[str] | None,
                     uid: bool = True) -> dict[int, Any]:
        """UID FETCH over a set such as "1:500,502". imapclient's public fetch() sends such a set but then
        filters its answer through int("1:500"), which raises; so this issues the command through imaplib's
        own (private) calls, exactly as fetch() does inside. With uid=False, a FETCH by sequence number."""
        raw = self._imap._imap
        args = (["UID"] if uid else []) + ["FETCH", uid_range, f"({' '.join(items)})"]
        if modifiers:
            args.append(f"({' '.join(modifiers)})")
        tag = raw._command(*args)
        typ, data = raw._command_complete("FETCH", tag)
        self._imap._checkok("fetch", typ, data)
        typ, data = raw._untagged_response(typ, data, "FETCH")
        return dict(parse_fetch_response(data, False, uid))

    def logout(self) -> None:
        try:
            self._imap.logout()
        except (IMAPClientError, OSError) as e:
            log.debug("%s: logout failed: %s", self.account.name, e)


def _count_commands(imap: Any) -> list[int]:
    """Count every tagged command: imaplib and imapclient's own raw commands both draw a new tag. Neither
    library has a public per-command hook, so this wraps imaplib's tag source (the count feeds the
    benchmarks and the test that a no-change sync stays cheap)."""
    counter = [0]
    inner = imap._imap
    new_tag: Callable[[], Any] = inner._new_tag

    def counted() -> Any:
        counter[0] += 1
        return new_tag()

    inner._new_tag = counted
    return counter


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def detect_folders(account: AccountConfig, folders: Sequence[FolderInfo]) -> Folders:
    """Pure: configured names first, then SPECIAL-USE flags, then common names."""
    by_lower = {f.name.lower(): f.name for f in folders}
    chosen: dict[str, str] = {}
    how: dict[str, str] = {}
    for role in ROLES:
        configured = getattr(account, role)
        if configured:
            if configured.lower() not in by_lower:
                raise MailboxError(f"{account.where} {role}: the server has no folder named {configured!r}",
                                   f"folders on the server: {', '.join(sorted(f.name for f in folders))}")
            chosen[role], how[role] = by_lower[configured.lower()], "config"
            continue
        flag = _SPECIAL_USE.get(role)
        marked = [f.name for f in folders if flag and flag.decode() in f.flags]
        if marked:
            chosen[role], how[role] = marked[0], "special-use"
            continue
        for name in FALLBACK_NAMES[role]:
            if name.lower() in by_lower:
                chosen[role], how[role] = by_lower[name.lower()], "name"
                break
        else:
            looked_for = ", ".join(FALLBACK_NAMES[role][:6])
            raise MailboxError(
                f"{account.where}: no {role} folder found (looked for the SPECIAL-USE flag and {looked_for}, …)",
                f'set {role} = "FOLDER NAME" in the account; folders on the server: '
                f"{', '.join(sorted(f.name for f in folders))}")
    return Folders(inbox=chosen["inbox"], sent=chosen["sent"], drafts=chosen["drafts"], found_by=how)


MAX_UID_SET = 800  # octets of one UID set: with the command around it, a line stays under 1,000 (RFC 2683)


def compact(uids: Sequence[int]) -> str:
    """Sorted UIDs as an IMAP sequence set of ranges: [251, 252, …, 500, 502] → "251:500,502"."""
    parts: list[str] = []
    ordered = sorted(set(uids))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}:{ordered[j]}")
        i = j + 1
    return ",".join(parts)


def uid_sets(uids: Sequence[int], limit: int = MAX_UID_SET) -> list[str]:
    """Compact UID sets, each at most `limit` octets, covering `uids`."""
    out: list[str] = []
    current = ""
    for part in compact(uids).split(",") if uids else []:
        if current and len(current) + 1 + len(part) > limit:
            out.append(current)
            current = part
        else:
            current = f"{current},{part}" if current else part
    if current:
        out.append(current)
    return out

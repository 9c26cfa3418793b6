"""Shared fixtures: real IMAP servers on loopback (Dovecot, pymap), stores on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from servers import DOVECOT, Dovecot, Pymap, Server

from assistant.config import Config, parse_config
from assistant.store.repo import Store

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("FOLLOWUP_TEST_POSTGRES_URL")
_users = itertools.count(1)


def unavailable(what: str) -> None:
    """Locally a missing server skips its tests; in CI it fails them, so a green CI proves they ran."""
    if IN_CI:
        pytest.fail(f"{what} (required in CI)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Server]:
    if DOVECOT is None:
        unavailable("Dovecot is not installed: apt-get install dovecot-imapd")
    server = Dovecot({})
    yield server.start()
    server.stop()


@pytest.fixture(scope="session")
def courier_server() -> Iterator[Server]:
    from courier import COURIER, Courier
    if COURIER is None:
        unavailable("Courier-IMAP is not unpacked: run .ci/fetch-courier")
    server = Courier({}, env={"IMAP_ENHANCEDIDLE": "1"})
    yield server.start()
    server.stop()


@pytest.fixture(scope="session")
def cyrus_server() -> Iterator[Server]:
    from cyrus import Cyrus, cyrus_root
    if cyrus_root() is None:
        unavailable("Cyrus IMAP is not unpacked: run .ci/fetch-cyrus")
    server = Cyrus({})
    yield server.start()
    server.stop()


@pytest.fixture(scope="session")
def pymap_server() -> Iterator[Server]:
    try:
        import pymap  # noqa: F401
    except ImportError:
        unavailable("pymap is not installed: pip install '.[test]'")
    server = Pymap({})
    yield server.start()
    server.stop()


@dataclass
class Mailbox:
    """A fresh user on a real server, with a config that points at it and a store of its own."""

    server: Server
    user: str
    password: str
    tmp: Path
    db_url: str

    @property
    def kind(self) -> str:
        return self.server.kind

    def config_text(self, extra_account: str = "", extra: str = "") -> str:
        return f"""
timezone = "America/New_York"
{extra}
[database]
url = "{self.db_url}"

[[accounts]]
name = "work"
host = "127.0.0.1"
port = {self.server.port}
security = "none"
username = "{self.user}"
password_env = "FOLLOWUP_TEST_PASSWORD"
addresses = ["{self.user}", "me@alias.example.com"]
{extra_account}
""" + ("" if "[report]" in extra else '\n[report]\ndeliver = "none"  # tests that want a report say so\n')

    def config(self, extra_account: str = "", extra: str = "") -> Config:
        return parse_config(self.config_text(extra_account, extra))

    def write_config(self, extra_account: str = "", extra: str = "") -> Path:
        path = self.tmp / "config.toml"
        path.write_text(self.config_text(extra_account, extra))
        return path

    def deliver(self, folder: str, raw: bytes, **kw: object) -> Path:
        return self.server.deliver(self.user, folder, raw, **kw)  # type: ignore[arg-type]

    def store(self) -> Store:
        return Store.open(self.db_url)


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'followup.db'}"
    if not PG_URL:
        unavailable("PostgreSQL: set FOLLOWUP_TEST_POSTGRES_URL=postgresql+psycopg://…")
    assert PG_URL
    _reset_postgres(PG_URL)
    return PG_URL


def _mailbox(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: str) -> Mailbox:
    user = f"user{next(_users)}@example.com"
    password = f"secret-{user}"
    server.add_user(user, password)
    monkeypatch.setenv("FOLLOWUP_TEST_PASSWORD", password)
    return Mailbox(server=server, user=user, password=password, tmp=tmp_path, db_url=db)


@pytest.fixture(params=["dovecot", "pymap"])
def mailbox(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    """The same scenario on Dovecot (CONDSTORE, SPECIAL-USE) and on pymap (neither: fallbacks)."""
    server = request.getfixturevalue(f"{request.param}_server")
    return _mailbox(server, tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'followup.db'}")


# Dovecot set up like a plainer server: a 1,024-octet command line (Exchange can be set so low; RFC 2683
# asks clients to stay near 1,000) and no UIDPLUS, IDLE or CONDSTORE advertised.
PLAIN_DOVECOT = "imap_max_line_length = 1024\nimap_capability = IMAP4rev1 SASL-IR LITERAL+ ENABLE SPECIAL-USE\n"


@pytest.fixture(scope="session")
def plain_dovecot_server() -> Iterator[Server]:
    if DOVECOT is None:
        unavailable("Dovecot is not installed: apt-get install dovecot-imapd")
    server = Dovecot({}, extra=PLAIN_DOVECOT)
    yield server.start()
    server.stop()


@pytest.fixture
def plain_mailbox(plain_dovecot_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    return _mailbox(plain_dovecot_server, tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'followup.db'}")


@pytest.fixture(params=["dovecot", "pymap", "courier", "cyrus"])
def any_mailbox(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    """Every server the project runs on: Dovecot, pymap, Courier-IMAP (INBOX.-prefixed folders, no UIDNEXT in
    EXAMINE, no APPEND into a folder held read-only, no UNSELECT) and Cyrus IMAP."""
    server = request.getfixturevalue(f"{request.param}_server")
    return _mailbox(server, tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'followup.db'}")


@pytest.fixture
def dovecot_mailbox(dovecot_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    return _mailbox(dovecot_server, tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'followup.db'}")


@pytest.fixture
def pg_mailbox(dovecot_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str) -> Mailbox:
    """Dovecot with the store on SQLite and on PostgreSQL."""
    return _mailbox(dovecot_server, tmp_path, monkeypatch, db_url)

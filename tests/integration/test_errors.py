"""Errors a user can hit that the other tests do not already pin: each one sentence naming the problem and
where, with a hint, and the right exit code. (The README's troubleshooting table lists them all.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import Mailbox
from test_followups import MON, Scene

from assistant.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_append_refused_names_the_folder_and_the_likely_cause(dovecot_mailbox: Mailbox,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    scene.send("Contract", "Could you send the signed contract?")
    drafts = dovecot_mailbox.server.maildir(dovecot_mailbox.user, "Drafts")
    for path in (drafts, drafts / "cur", drafts / "new", drafts / "tmp"):
        os.chmod(path, 0o500)  # the mail user can no longer write there
    config = str(dovecot_mailbox.write_config())
    code, out, err = run(capsys, "--config", config, "--now", "2026-11-05T10:00", "poll")
    assert code == 0  # one item failing never stops the poll
    assert out.startswith("work: failed       #1 'Contract': [accounts.work]: the server refused to store a "
                          "message in Drafts: append failed: [SERVERBUG]")
    assert "over quota or the folder read-only" not in out  # the hint goes to the log, not the action line
    assert "the server refused to store a message in Drafts" in err


def test_unwritable_database_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{blocker}/followup.db"\n[[accounts]]\nname = "work"\n'
                      'host = "127.0.0.1"\nsecurity = "none"\nusername = "me@example.com"\npassword_env = "X"\n')
    code, _, err = run(capsys, "--config", str(config), "list")
    assert code == 1
    first, hint = err.splitlines()
    assert first.startswith(f"error: cannot create the database file {blocker}/followup.db: ")
    assert hint == "  hint: check the directory exists and is writable, or set [database] url"


def test_template_syntax_error_names_file_and_line(dovecot_mailbox: Mailbox, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    scene.send("Contract", "Could you send the signed contract?")
    templates = tmp_path / "templates" / "followup"
    templates.mkdir(parents=True)
    (templates / "step1.txt.j2").write_text("Hi {{ greeting }},\n{% if %}\n")
    config = str(dovecot_mailbox.write_config(extra=f'[followup]\ntemplate_dir = "{tmp_path / "templates"}"\n'))
    code, out, _ = run(capsys, "--config", config, "--now", MON.replace(day=5).isoformat(), "poll")
    assert code == 0
    assert f"#1 'Contract': {templates / 'step1.txt.j2'} line 2: template syntax error" in out


def test_a_locked_database_is_named_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    from assistant.store.items import FollowupStore
    from assistant.store.repo import Store

    db = tmp_path / "followup.db"
    store = Store.open(f"sqlite:///{db}")
    FollowupStore(store).track("work", "<x@example.com>", MON)
    store.close()
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{db}"\n[[accounts]]\nname = "work"\nhost = "127.0.0.1"\n'
                      'security = "none"\nusername = "me@example.com"\npassword_env = "X"\n')
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing, for longer than Followup waits
    try:
        code, _, err = run(capsys, "--config", str(config), "dismiss", "1")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1
    assert err == (f"error: the database sqlite:///{db} is locked by another program\n"
                   "  hint: wait for it to finish, or stop it; Followup waited 10 seconds\n")

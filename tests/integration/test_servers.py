"""The same essentials on every IMAP server the project runs on: Dovecot, pymap, Courier-IMAP and Cyrus.

Folder detection, what a sync with nothing new costs, and a draft's whole life (drafted when due, removed
when the reply comes, never duplicated), each checked from a plain IMAP client.
"""

from __future__ import annotations

import json
from datetime import timedelta

import imapclient
import pytest
from conftest import Mailbox
from test_cli_followups import run
from test_followups import MON, Scene

DUE = MON + timedelta(days=3, minutes=1)


def folders(box: Mailbox, capsys: pytest.CaptureFixture[str], config: str) -> dict[str, str]:
    code, out, err = run(capsys, "--config", config, "check", "--json")
    assert code == 0, err
    [account] = json.loads(out)
    assert account["ok"] is True
    return dict(account["folders"])


def drafts_on_server(box: Mailbox, drafts_folder: str) -> list[str]:
    client = imapclient.IMAPClient(box.server.host, port=box.server.port, ssl=False)
    client.login(box.user, box.password)
    client.select_folder(drafts_folder, readonly=True)
    data = client.fetch(client.search(["ALL"]), ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    client.logout()
    return sorted(bytes(next(v for k, v in d.items() if k.startswith(b"BODY"))).decode().strip() for d in data.values())


def test_folders_are_found(any_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    found = folders(any_mailbox, capsys, str(any_mailbox.write_config()))
    assert found["inbox"].upper() == "INBOX"
    assert found["sent"].rsplit(".", 1)[-1].rsplit("/", 1)[-1] == "Sent"
    assert found["drafts"].rsplit(".", 1)[-1].rsplit("/", 1)[-1] == "Drafts"


def test_a_sync_with_nothing_new_is_cheap(any_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(any_mailbox)
    scene.send("Budget", "Could you send the Q4 budget numbers?")
    config = str(any_mailbox.write_config())
    assert run(capsys, "--config", config, "sync")[0] == 0
    code, out, err = run(capsys, "--config", config, "sync", "--json")
    assert code == 0, err
    [result] = json.loads(out)
    print(f"\n{any_mailbox.kind}: a sync with nothing new sends {result['imap_commands']} IMAP commands")
    assert all(f["new"] == 0 and f["error"] is None for f in result["folders"])
    assert result["imap_commands"] <= 13  # Dovecot, pymap, Cyrus 7; Courier 11-12 (a STATUS per folder for UIDNEXT)


def test_a_drafts_life(any_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(any_mailbox)
    mid = scene.send("Budget", "Could you send the Q4 budget numbers?")
    config = str(any_mailbox.write_config())
    drafts = folders(any_mailbox, capsys, config)["drafts"]
    code, out, err = run(capsys, "--config", config, "--now", (DUE - timedelta(minutes=2)).isoformat(), "poll")
    assert code == 0 and "drafted" not in out, err
    code, out, err = run(capsys, "--config", config, "--now", DUE.isoformat(), "poll")
    assert code == 0 and "drafted" in out, err
    code, out, err = run(capsys, "--config", config, "--now", (DUE + timedelta(minutes=5)).isoformat(), "poll")
    assert code == 0 and "drafted" not in out, err
    assert drafts_on_server(any_mailbox, drafts) == ["Subject: Re: Budget"]  # once, never twice
    scene.receive("Re: Budget", "Here they are.", DUE + timedelta(hours=1), in_reply_to=mid, references=mid)
    code, out, err = run(capsys, "--config", config, "--now", (DUE + timedelta(hours=2)).isoformat(), "poll")
    assert code == 0 and "removed" in out, err
    assert drafts_on_server(any_mailbox, drafts) == []

"""`followup demo` runs the real pipeline on its embedded server with no config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main


def test_demo_threads_a_week_of_mail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no config file anywhere
    monkeypatch.delenv("FOLLOWUP_CONFIG", raising=False)
    assert main(["--now", "2026-11-20T15:00:00+00:00", "demo", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    threads = {t["key"]: t["messages"] for t in report["threads"]}
    assert threads["<q4@example.com>"] == ["<q4@example.com>", "<a1@northwind.example>"]
    assert threads["<contract@example.com>"] == ["<contract@example.com>", "<b1@contoso.example>"]
    # Carol's client dropped the threading headers: joined by subject, as she was a participant
    assert threads["<demo@example.com>"] == ["<demo@example.com>", "<c1@fabrikam.example>"]
    assert len(threads) == 6
    assert [f["new"] for f in report["sync"]["folders"]] == [4, 4, 1]
    assert all(f["new"] == 0 for f in report["second_sync"]["folders"])
    assert main(["demo"]) == 0
    assert "Threads, rebuilt client-side" in capsys.readouterr().out

"""`followup demo` runs the real pipeline on its embedded server with no config and no network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main


def test_demo_tells_the_whole_story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no config file anywhere
    monkeypatch.delenv("FOLLOWUP_CONFIG", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    assert main(["--now", "2026-11-16T09:00:00-05:00", "demo", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    actions = [(a["action"], a["subject"]) for day in report["days"] for a in day["actions"]]
    assert ("drafted", "Contract review") in actions and ("removed", "Contract review") in actions
    assert actions.index(("drafted", "Contract review")) < actions.index(("removed", "Contract review"))
    assert ("drafted", "Invoice #1042") in actions
    assert ("drafted", "Deck") in actions and ("drafted", "Signed contract") in actions  # both promises
    assert ("drafted", "Great catching up") in actions  # a check-in with Grace (keep in touch)
    assert ("drafted", "Angebot Wartung 2027") in actions  # in German, to Jonas
    details = [a["detail"] for day in report["days"] for a in day["actions"]]
    assert "check-back to eve@tailspin.example" in details  # Dana sent the deck: did it work?
    states = {(i["kind"], i["subject"]): i["state"] for i in report["items"]}
    assert states[("awaiting_reply", "Q4 budget numbers")] == "replied"
    assert states[("awaiting_reply", "Intro")] == "bounced"
    assert states[("awaiting_reply", "Demo next week?")] == "waiting"  # out of office: held until back
    assert ("awaiting_reply", "Re: [dev] Release 2.1 is out") not in states  # to a mailing list
    assert report["drafts"] == 5
    assert report["report"] == str(tmp_path / "state" / "followup" / "demo-report.html")  # the same every run
    assert list(scratch.iterdir()) == []  # the mailbox and the database are gone
    html = Path(report["report"]).read_text()
    assert "Order arrived damaged" in html and "Waiting on you" in html
    assert main(["--now", "2026-11-16T09:00:00-05:00", "demo"]) == 0
    out = capsys.readouterr().out
    assert "In the Drafts folder now (5)" in out and "followup init" in out
    # the German thread's follow-up: German, "du" as Dana writes to Jonas, her own sign-off learned from Sent
    assert ("  │ Hallo Jonas,\n  │ \n  │ ich wollte kurz an meine Nachricht vom Dienstag anknüpfen. Kannst du mir das "
            "Angebot für die Wartung 2027 schicken?\n  │ \n  │ Viele Grüße aus Boston\n  │ Dana\n  └") in out
    assert f"The weekly report: {tmp_path / 'state' / 'followup' / 'demo-report.html'}" in out

"""Commands from the mail client on real servers, with --now time travel: a plus address in the Bcc of the
Sent copy, a keyword on it (also added after sending), Followup's own signal in INBOX, and forgeries."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from conftest import Mailbox
from servers import make_message
from test_followups import MON, NY, QUESTION, Scene

from assistant.cli.app import main
from assistant.report.deliver import build
from assistant.service import calendar_for
from assistant.store.items import FollowupStore

THANKS = "Hi Alice,\n\nThanks for the slides.\n\nMe"  # asks nothing: not tracked on its own


def control(scene: Scene, words: str = "") -> str:
    local, _, domain = scene.me.partition("@")
    return f"{local}+followup{'-' + words if words else ''}@{domain}"


def inbox_copy(scene: Scene, mid: str, subject: str, body: str, **headers: str) -> None:
    """What a Bcc to the control address delivers: the user's own message, in INBOX."""
    scene.box.deliver("INBOX", make_message(from_=f"Me Myself <{scene.me}>", to="Alice Wong <alice@client.example>",
                                            subject=subject, body=body, date=MON, message_id=mid,
                                            extra=headers), when=MON + timedelta(seconds=5), flags="")


def item(scene: Scene, mid: str) -> object:
    return scene.items()[mid]


def test_a_bcc_sets_the_due_time_and_the_reason_says_so(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    mid = scene.send("Slides", THANKS, extra={"Bcc": control(scene, "1d")})
    inbox_copy(scene, mid, "Slides", THANKS, **{"Delivered-To": control(scene, "1d")})
    assert scene.poll(MON + timedelta(hours=23)).actions == []
    row = item(scene, mid)
    assert row.state == "waiting" and row.due_at == datetime(2026, 11, 3, 10, tzinfo=NY)  # type: ignore[attr-defined]
    assert row.reason == f"you asked: follow up in 1 day (Bcc {control(scene, '1d')})"  # type: ignore[attr-defined]
    assert [a.kind for a in scene.poll(MON + timedelta(days=1)).actions] == ["drafted"]
    [draft] = scene.drafts()
    assert draft["To"] == "Alice Wong <alice@client.example>" and draft["Cc"] is None
    assert "followup" not in str(draft["Bcc"] or "")


def test_three_days_and_never(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    three = scene.send("Contract", QUESTION, extra={"Bcc": control(scene, "3d")})
    never = scene.send("Invoice", "Could you pay the invoice?", extra={"Bcc": control(scene, "never")})
    scene.poll(MON + timedelta(hours=1))
    assert item(scene, three).due_at == datetime(2026, 11, 5, 10, tzinfo=NY)  # type: ignore[attr-defined]
    assert scene.state(never) == "dismissed"
    assert item(scene, never).reason == f"you asked: never follow up (Bcc {control(scene, 'never')})"  # type: ignore[attr-defined]
    actions = scene.poll(MON + timedelta(days=10))
    assert [a.kind for a in actions.actions] == ["drafted"] and scene.state(never) == "dismissed"


def test_plain_followup_tracks_what_would_not_be_tracked(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    untracked = scene.send("Thanks", THANKS)
    tracked = scene.send("Thanks again", THANKS, extra={"Bcc": control(scene)})
    scene.poll(MON + timedelta(hours=1))
    items = scene.items()
    assert untracked not in items and items[tracked].state == "waiting"  # type: ignore[attr-defined]
    assert items[tracked].reason == f"you asked: track this message (Bcc {control(scene)})"  # type: ignore[attr-defined]
    assert items[tracked].due_at == datetime(2026, 11, 5, 10, tzinfo=NY)  # the cadence's wait  # type: ignore[attr-defined]


def test_the_inbox_copy_is_followups_own_signal(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    # a note to the control address alone: no item; its INBOX copy is nobody's mail waiting on the user
    mid = scene.send("Remember", "Can you remind me about the deck?", to=control(scene, "2d"))
    scene.box.deliver("INBOX", make_message(from_=f"Me Myself <{scene.me}>", to=control(scene, "2d"),
                                            subject="Remember", body="Can you remind me about the deck?",
                                            date=MON, message_id=mid), when=MON, flags="")
    now = MON + timedelta(days=3)
    scene.poll(now)
    assert scene.items() == {}
    store = mailbox.store()
    try:
        report = build(scene.config, scene.config.accounts[0], FollowupStore(store), calendar_for(scene.config), now)
    finally:
        store.close()
    assert report.waiting_on_me == [] and report.awaiting_reply == []


def test_a_forged_command_in_inbox_is_ignored(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    mid = scene.send("Contract", QUESTION)
    # from someone else, in the thread: neither a command nor a reply that closes it, nor waiting on the user
    scene.box.deliver("INBOX", make_message(from_="Eve <eve@evil.example>", to=control(scene, "never"),
                                            subject="Re: Contract", body="Could you stop following up?",
                                            date=MON + timedelta(hours=1), message_id="<eve@evil.example>",
                                            in_reply_to=mid, references=mid), when=MON + timedelta(hours=1), flags="")
    # from the user's address but only in INBOX (anyone can write that From)
    scene.box.deliver("INBOX", make_message(from_=f"Me Myself <{scene.me}>", to=control(scene, "never"),
                                            subject="Re: Contract", body="never", date=MON + timedelta(hours=2),
                                            message_id="<forged@evil.example>", in_reply_to=mid, references=mid),
                      when=MON + timedelta(hours=2), flags="")
    now = MON + timedelta(days=3)
    assert [a.kind for a in scene.poll(now).actions] == ["drafted"]
    assert scene.state(mid) == "drafted"
    store = mailbox.store()
    try:
        report = build(scene.config, scene.config.accounts[0], FollowupStore(store), calendar_for(scene.config), now)
    finally:
        store.close()
    assert report.waiting_on_me == []


def test_a_keyword_added_after_sending_changes_the_due_time(dovecot_mailbox: Mailbox) -> None:
    # Dovecot keeps any keyword (PERMANENTFLAGS \*) and reports the change through CONDSTORE; pymap keeps none
    scene = Scene(dovecot_mailbox)
    mid = scene.send("Contract", QUESTION, extra={"Bcc": control(scene, "1d")})
    scene.poll(MON + timedelta(hours=1))
    assert item(scene, mid).due_at == datetime(2026, 11, 3, 10, tzinfo=NY)  # type: ignore[attr-defined]
    client = scene.imap()
    client.select_folder("Sent")
    client.add_flags(client.search(["ALL"]), [b"followup-1w"])
    client.logout()
    assert scene.poll(MON + timedelta(days=1, hours=1)).actions == []  # the Bcc's day has passed: not due now
    row = item(scene, mid)
    assert row.due_at == datetime(2026, 11, 9, 10, tzinfo=NY)  # type: ignore[attr-defined]
    assert row.reason == "you asked: follow up in 1 week (keyword followup-1w)"  # type: ignore[attr-defined]


def test_controls_off_reads_no_command(mailbox: Mailbox) -> None:
    scene = Scene(mailbox, account_extra="controls = false")
    mid = scene.send("Slides", THANKS, extra={"Bcc": control(scene, "1d")})
    scene.poll(MON + timedelta(hours=1))
    assert mid not in scene.items()


def test_explain_shows_the_command_it_read_and_the_one_it_ignored(dovecot_mailbox: Mailbox,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    scene = Scene(dovecot_mailbox)
    mid = scene.send("Contract", QUESTION, extra={"Bcc": control(scene, "3d")})
    dovecot_mailbox.deliver("INBOX", make_message(
        from_="Eve <eve@evil.example>", to=control(scene, "never"), subject="Re: Contract", body="stop",
        date=MON + timedelta(hours=1), message_id="<eve@evil.example>", in_reply_to=mid), flags="")
    config = str(dovecot_mailbox.write_config())
    assert main(["--config", config, "--now", "2026-11-02T12:00-05:00", "sync"]) == 0
    capsys.readouterr()
    assert main(["--config", config, "explain", mid, "<eve@evil.example>"]) == 0
    shown = capsys.readouterr().out
    assert f"  command: follow up in 3 days (Bcc {control(scene, '3d')}), due 2026-11-05T10:00:00-05:00\n" in shown
    assert f"  command ignored: To {control(scene, 'never')}: not your own copy in Sent: ignored\n" in shown
    assert main(["--config", config, "explain", "--json", mid]) == 0
    [command] = json.loads(capsys.readouterr().out)["commands"]
    assert command == {"source": f"Bcc {control(scene, '3d')}", "command": "follow up in 3 days", "error": None,
                       "honoured": True, "due_at": "2026-11-05T10:00:00-05:00"}

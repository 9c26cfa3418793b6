"""Drafts as users read them: golden files, safe headers, the template sandbox."""

from __future__ import annotations

import email
import re
from datetime import datetime
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from golden_files import check_golden

from assistant.drafts.compose import (
    DraftInput,
    build_draft,
    first_name,
    greeting,
    message_digest,
    reply_subject,
    when_in_words,
)
from assistant.errors import TemplateError
from assistant.templates import environment, render

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 5, 10, 0, tzinfo=NY)
SENT = datetime(2026, 11, 2, 10, 0, tzinfo=NY)


def draft_input(step: int = 1, **kw: object) -> DraftInput:
    base: dict[str, object] = dict(
        account="work", step=step, tracked_id="<q1@example.com>", tracked_subject="Q4 budget numbers",
        tracked_sent=SENT, reply_to_id="<q1@example.com>", reply_to_references=(),
        reply_to_text="Hi Alice,\n\nCould you send me the Q4 budget numbers by Thursday?",
        reply_to_sent=SENT, from_name="Dana Reyes", from_addr="dana@example.com",
        recipients=(("Alice Wong", "alice@northwind.example"),), cc=(("Bob Stone", "bob@northwind.example"),),
        business_days_waiting=3)
    base.update(kw)
    return DraftInput(**base)  # type: ignore[arg-type]



@pytest.mark.parametrize("step", [1, 2, 3])
def test_rendered_drafts_match_golden_files(step: int) -> None:
    draft = build_draft(draft_input(step), environment(None), NOW, NY)
    check_golden(f"followup-step{step}.eml", draft.raw.decode().replace("\r\n", "\n"))
    assert "{{" not in draft.raw.decode() and "{%" not in draft.raw.decode()
    # what a server hands back (CRLF → LF, as pymap's Maildir does) is still "untouched"; any edit is not
    assert message_digest(draft.raw.replace(b"\r\n", b"\n")) == draft.body_sha256
    assert message_digest(draft.raw.replace(b"Subject: Re:", b"Subject: RE:")) != draft.body_sha256


def test_message_id_is_deterministic_per_thread_and_step() -> None:
    env = environment(None)
    one = build_draft(draft_input(1), env, NOW, NY)
    assert one.message_id == build_draft(draft_input(1), env, NOW.replace(hour=15), NY).message_id
    assert one.message_id != build_draft(draft_input(2), env, NOW, NY).message_id
    assert one.message_id.endswith("@example.com>")


def test_headers_from_mail_cannot_inject_headers() -> None:
    evil = draft_input(tracked_subject="Hello\r\nBcc: evil@attacker.example",
                       recipients=(("Alice\r\nBcc: evil@attacker.example", "alice@northwind.example"),),
                       from_name="Dana\nX-Injected: 1")
    raw = build_draft(evil, environment(None), NOW, NY).raw
    msg = email.message_from_bytes(raw, policy=default)
    assert msg["Bcc"] is None and msg["X-Injected"] is None
    assert msg["Subject"] == "Re: Hello Bcc: evil@attacker.example"


@pytest.mark.parametrize(("source", "message"), [
    ("{{ greeting ", "followup/step1.txt.j2 line 1: template syntax error"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "refused by the template sandbox"),
    ("{{ no_such_variable }}", "'no_such_variable' is undefined"),
])
def test_template_errors_are_clear(tmp_path: Path, source: str, message: str) -> None:
    (tmp_path / "followup").mkdir()
    (tmp_path / "followup" / "step1.txt.j2").write_text(source)
    with pytest.raises(TemplateError, match=message.replace("(", r"\(").replace("[", r"\[")):
        build_draft(draft_input(), environment(str(tmp_path)), NOW, NY)


def test_user_templates_override_shipped_ones(tmp_path: Path) -> None:
    (tmp_path / "followup").mkdir()
    (tmp_path / "followup" / "step1.txt.j2").write_text("Yo {{ names }}! Step {{ step }}.")
    raw = build_draft(draft_input(), environment(str(tmp_path)), NOW, NY).raw.decode()
    assert "Yo Alice! Step 1." in raw


@pytest.mark.parametrize(("display", "address", "expected"), [
    ("Alice Wong", "a@x", "Alice"), ("Wong, Alice", "a@x", "Alice"), ('"Bob"', "b@x", "Bob"),
    ("", "carol.diaz@x.example", "Carol"), ("", "jsmith@x.example", None), ("", "j.smith@x", None),
    ("sales@corp.example", "sales@corp.example", None), ("Jean-Luc Picard", "j@x", "Jean-Luc"),
])
def test_first_name(display: str, address: str, expected: str | None) -> None:
    assert first_name(display, address) == expected


def test_greeting_subject_and_when() -> None:
    assert greeting(["Alice"]) == "Alice" and greeting(["Alice", "Bob", "Carol"]) == "Alice, Bob and Carol"
    assert greeting([None]) == "there" and greeting(["Alice", None]) == "there"
    assert reply_subject("RE: Re: Budget") == "Re: Budget" and reply_subject("Fwd: x") == "Re: Fwd: x"
    assert when_in_words(SENT, NOW, NY) == "on Monday"
    assert when_in_words(NOW.replace(day=4), NOW, NY) == "yesterday"
    assert when_in_words(datetime(2026, 10, 20, tzinfo=NY), NOW, NY) == "on Tuesday, October 20"


@pytest.mark.parametrize(("template", "message"), [
    ("Hi\n{{ recipients|map(attribute='__class__')|list }}\n", "line 2: refused by the template sandbox"),
    ("Hi\n{{ recipients|map(attribute='nope')|list }}\n", "line 2: 'dict object' has no attribute 'nope'"),
    ("Hi\n\n{{ nothing_like_this }}\n", "line 3: 'nothing_like_this' is undefined"),
])
def test_a_user_template_never_prints_undefined(tmp_path: Path, template: str, message: str) -> None:
    (tmp_path / "followup").mkdir()
    (tmp_path / "followup" / "step1.txt.j2").write_text(template, encoding="utf-8")
    with pytest.raises(TemplateError, match=re.escape(f"followup/step1.txt.j2 {message}")):
        render(environment(str(tmp_path)), ["followup/step1.txt.j2"], {"recipients": [{"name": "Alice"}]})


def test_a_draft_handed_back_with_a_servers_bookkeeping_headers_is_still_untouched() -> None:
    raw = b"From: Me <me@example.com>\r\nTo: Kim <kim@example.org>\r\nSubject: Re: Q\r\n\r\nJust following up.\r\n"
    mailutils = (b"X-IMAPbase: 1764000000 3\r\nStatus: RO\r\nX-UID: 2\r\n" + raw.replace(b"\r\n\r\n", b"\r\n"
                 b"X-Status: D\r\n\r\n", 1))
    assert message_digest(mailutils) == message_digest(raw)
    assert message_digest(raw.replace(b"Just", b"Only")) != message_digest(raw)

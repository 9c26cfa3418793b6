"""The shared word lists and what is built on them: subject prefixes, no-reply and mail-system senders."""

from __future__ import annotations

import pytest

from assistant.analysis.threads import base_subject
from assistant.drafts.compose import reply_subject
from assistant.message import is_mailer_daemon, is_noreply
from assistant.message import vocabulary as vocab


@pytest.mark.parametrize("address", [
    "no-reply@x.example", "noreply@x.example", "do_not_reply@x.example", "donot-reply@x.example",
    "notifications+abc@github.example", "alerts2@x.example", "auto_confirm@x.example", "MAILER-DAEMON@mx.example",
    "postmaster@x.example", "mailer.daemon@x.example", "bounces-123@lists.example",
])
def test_no_person_reads_these(address: str) -> None:
    assert is_noreply(address)


@pytest.mark.parametrize("address", ["nora@x.example", "notifyme@x.example", "bouncer@x.example", "dana@x.example"])
def test_people_are_no_noreply(address: str) -> None:
    assert not is_noreply(address)


def test_mail_systems_are_known_by_exact_local_part() -> None:
    assert is_mailer_daemon("MAILER-DAEMON@mx.example") and is_mailer_daemon("post-master@x.example")
    assert not is_mailer_daemon("postmaster-team@x.example") and not is_mailer_daemon("noreply@x.example")


@pytest.mark.parametrize(("subject", "base"), [
    ("Re: Fwd: RE[2]: Budget", "budget"), ("AW: WG: Budget", "budget"), ("回复：预算", "预算"),
    ("Odp: Fw(3): Budget", "budget"), ("SV: VS: Budget", "budget"), ("Reply needed", "reply needed"),
])
def test_one_prefix_list_for_threads(subject: str, base: str) -> None:
    assert base_subject(subject) == base


@pytest.mark.parametrize(("subject", "reply"), [
    ("Budget", "Re: Budget"), ("Re: Budget", "Re: Budget"), ("RE[2]: AW: Budget", "Re: Budget"),
    ("Antwort: Budget", "Re: Budget"), ("Fwd: Budget", "Re: Fwd: Budget"),
])
def test_a_reply_subject_never_doubles_a_prefix(subject: str, reply: str) -> None:
    assert reply_subject(subject) == reply


def test_reply_and_forward_prefixes_are_one_list() -> None:
    assert vocab.REPLY_OR_FORWARD_PREFIX.match("Fwd: Re: x") and vocab.FORWARD_PREFIX.match("WG: x")
    assert not vocab.FORWARD_PREFIX.match("Re: x")

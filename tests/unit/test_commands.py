"""Commands from the mail client: the vocabulary (pure), where they are read, and what the policy makes of them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.analysis.commands import (
    Command,
    Controls,
    NotACommand,
    Verb,
    due_at,
    parse_words,
    read_commands,
)
from assistant.config import ControlsConfig, FollowupConfig, PromisesConfig, control_address, parse_config
from assistant.errors import ConfigError
from assistant.model import Mail, Override
from assistant.policy.awaiting_reply import decide_thread
from assistant.policy.context import PolicyContext
from assistant.policy.controls import is_signal, mail_overrides, merge, people_mail
from assistant.workdays import make_calendar, parse_hours

NY = ZoneInfo("America/New_York")
CAL = make_calendar(NY, ("mon", "tue", "wed", "thu", "fri"), parse_hours("09:00-18:00"), None)
MON = datetime(2026, 11, 2, 10, 0, tzinfo=NY)
ME = frozenset({"me@example.com"})
CONTROLS = Controls("me+followup@example.com")


@pytest.mark.parametrize(("words", "expected"), [
    ("", Command(Verb.TRACK)),
    ("track", Command(Verb.TRACK)),
    ("never", Command(Verb.DISMISS)),
    ("dismiss 12", Command(Verb.DISMISS, item=12)),
    ("3d", Command(Verb.FOLLOW_UP, "3d")),
    ("in 5 days", Command(Verb.FOLLOW_UP, "in 5 days")),
    ("Monday", Command(Verb.FOLLOW_UP, "monday")),
    ("nov30", Command(Verb.FOLLOW_UP, "nov30")),
    ("snooze 12 monday", Command(Verb.SNOOZE, "monday", 12)),
    ("snooze #12 until next week", Command(Verb.SNOOZE, "next week", 12)),
    ("resume 12", Command(Verb.RESUME, item=12)),
    ("draft now 12", Command(Verb.DRAFT_NOW, item=12)),
])
def test_the_vocabulary(words: str, expected: Command) -> None:
    assert parse_words(words) == expected


@pytest.mark.parametrize("words", ["snooze", "snooze 12", "snooze #3 until"])
def test_words_that_are_no_command(words: str) -> None:
    with pytest.raises(NotACommand):
        parse_words(words)


@pytest.mark.parametrize(("when", "said", "due"), [
    ("3d", "follow up in 3 days", datetime(2026, 11, 5, 10, tzinfo=NY)),
    ("2w", "follow up in 2 weeks", datetime(2026, 11, 16, 10, tzinfo=NY)),
    ("1 day", "follow up in 1 day", datetime(2026, 11, 3, 10, tzinfo=NY)),
    ("monday", "follow up on monday", datetime(2026, 11, 9, 9, tzinfo=NY)),
    ("tomorrow", "follow up tomorrow", datetime(2026, 11, 3, 9, tzinfo=NY)),
    ("nov30", "follow up on nov30", datetime(2026, 11, 30, 9, tzinfo=NY)),
    ("8h", "follow up in 8 hours", datetime(2026, 11, 3, 9, tzinfo=NY)),  # 18:00 falls outside working hours
])
def test_a_moment_counts_from_the_sent_time_into_working_hours(when: str, said: str, due: datetime) -> None:
    command = parse_words(when)
    assert command.describe() == said
    assert due_at(command, MON, CAL) == due


@pytest.mark.parametrize(("address", "words"), [
    ("me+followup@example.com", ""),
    ("ME+FOLLOWUP-3d@example.com", "3d"),
    ("me+followup-in-5-days@example.com", "in 5 days"),
    ("me+followup-2026-12-07@example.com", "2026-12-07"),
    ("me+followups@example.com", None),
    ("me+followup-3d@other.example", None),
    ("me@example.com", None),
])
def test_control_addresses(address: str, words: str | None) -> None:
    assert CONTROLS.words_of(address) == words


def test_yahoo_form_and_a_second_address() -> None:
    assert Controls("me-followup@yahoo.com").words_of("me-followup-2w@yahoo.com") == "2w"
    assert Controls("followup@me.example").words_of("followup-never@me.example") == "never"


def test_commands_are_read_in_order_keywords_last() -> None:
    found = read_commands(CONTROLS, (("", "bob@x.example"),), (("", "me+followup-3d@example.com"),),
                          (("", "me+followup-never@example.com"),), frozenset({"$Label1", "followup-1w", "\\Seen"}))
    assert [(f.source, f.command) for f in found] == [
        ("Cc me+followup-3d@example.com", Command(Verb.FOLLOW_UP, "3d")),
        ("Bcc me+followup-never@example.com", Command(Verb.DISMISS)),
        ("keyword followup-1w", Command(Verb.FOLLOW_UP, "1w"))]
    assert found[-1].said() == "you asked: follow up in 1 week (keyword followup-1w)"


def test_tags_are_configurable_and_a_command_for_mail_to_oneself_is_not_a_bcc_command() -> None:
    controls = Controls("me+followup@example.com", "fu-", "fu-on", "fu-off")
    found = read_commands(controls, (), (), (("", "me+followup-resume@example.com"),),
                          frozenset({"fu-off", "fu-3d", "followup-1w"}))
    assert [f.command for f in found] == [None, Command(Verb.FOLLOW_UP, "3d"), Command(Verb.DISMISS)]
    assert found[0].error is not None


SENT = Mail(id=1, message_id="<q@me>", thread_key="<q@me>", folder_role="sent", from_addr="me@example.com",
            from_name="Me", to=(("Alice", "alice@x.example"),), cc=(), subject="Deck", date=MON, from_user=True,
            bcc=(("", "me+followup-3d@example.com"),))


def words(*thread: Mail) -> dict[str, Override]:
    return mail_overrides({"<q@me>": list(thread)}, CONTROLS, CAL)


def test_a_bcc_command_becomes_the_users_word_on_every_message_of_theirs_in_the_thread() -> None:
    later = replace(SENT, id=2, message_id="<q2@me>", date=MON + timedelta(days=1), bcc=())
    w = words(SENT, later)
    assert w["<q@me>"] == w["<q2@me>"] == Override(
        "track", due=datetime(2026, 11, 5, 10, tzinfo=NY), since=MON,
        said="you asked: follow up in 3 days (Bcc me+followup-3d@example.com)")


def test_the_latest_command_wins_and_a_keyword_beats_the_bcc() -> None:
    never = replace(SENT, id=2, message_id="<q2@me>", date=MON + timedelta(days=1),
                    bcc=(("", "me+followup-never@example.com"),))
    assert words(SENT, never)["<q@me>"].action == "dismiss"
    tagged = replace(SENT, flags=frozenset({"followup-1w"}))
    assert words(tagged)["<q@me>"].due == datetime(2026, 11, 9, 10, tzinfo=NY)


@pytest.mark.parametrize("where", [{"folder_role": "inbox"}, {"from_user": False, "from_addr": "eve@x.example"}])
def test_commands_count_only_on_the_users_sent_copy(where: dict[str, object]) -> None:
    assert words(replace(SENT, **where)) == {}  # type: ignore[arg-type]


def test_a_moment_that_is_no_moment_leaves_the_earlier_command() -> None:
    tagged = replace(SENT, flags=frozenset({"followup-someday"}))
    assert words(tagged)["<q@me>"].due == datetime(2026, 11, 5, 10, tzinfo=NY)


def test_the_command_line_wins_over_the_mail_client_but_keeps_its_due_time() -> None:
    mail = {"<q@me>": Override("track", due=MON, since=MON, said="you asked: x")}
    merged = merge({"<q@me>": Override("dismiss")}, mail)
    assert merged["<q@me>"] == Override("dismiss", None, MON, MON, "")
    snoozed = merge({"<q@me>": Override(None, MON)}, mail)["<q@me>"]
    assert (snoozed.action, snoozed.until, snoozed.said) == ("track", MON, "you asked: x")


def test_followups_own_signal_is_set_aside_and_control_addresses_leave_the_recipients() -> None:
    copy = replace(SENT, id=3, folder_role="inbox", to=(("", "me+followup-3d@example.com"),), bcc=())
    forged = replace(copy, id=4, from_user=False, from_addr="eve@x.example")
    reply_all = replace(copy, id=5, from_user=False, from_addr="alice@x.example",
                        to=(("", "me@example.com"),), cc=(("", "me+followup@example.com"),))
    assert is_signal(copy, CONTROLS, ME) and is_signal(forged, CONTROLS, ME)
    assert not is_signal(reply_all, CONTROLS, ME) and not is_signal(SENT, CONTROLS, ME)
    kept = people_mail([SENT, copy, forged, reply_all], CONTROLS, ME)
    assert [m.id for m in kept] == [1, 5]
    assert kept[0].bcc == () and kept[1].cc == () and kept[1].to == (("", "me@example.com"),)


def context(now: datetime, overrides: dict[str, Override]) -> PolicyContext:
    return PolicyContext(followup=FollowupConfig(), promises=PromisesConfig(), calendar=CAL, now=now,
                         user_addresses=ME, overrides=overrides)


def test_the_policy_follows_the_users_time_and_says_so() -> None:
    plain = replace(SENT, expects_reply=False)  # asks nothing: not tracked without the command
    assert decide_thread([plain], [], context(MON + timedelta(days=1), {})) == []
    [d] = decide_thread([plain], [], context(MON + timedelta(days=3), words(SENT)))
    assert (d.state, d.due_at, d.draft_due) == ("waiting", datetime(2026, 11, 5, 10, tzinfo=NY), True)
    assert d.reason == "you asked: follow up in 3 days (Bcc me+followup-3d@example.com)"
    never = replace(SENT, bcc=(("", "me+followup-never@example.com"),), expects_reply=True)
    [d] = decide_thread([never], [], context(MON + timedelta(days=3), words(never)))
    assert (d.state, d.reason) == ("dismissed", "you asked: never follow up (Bcc me+followup-never@example.com)")


def test_after_the_users_own_follow_up_the_cadence_resumes() -> None:
    bump = replace(SENT, id=2, message_id="<q2@me>", date=MON + timedelta(days=4), bcc=())
    [d] = decide_thread([SENT, bump], [], context(MON + timedelta(days=5), words(SENT, bump)))
    assert d.step == 2 and d.due_at == CAL.due(bump.date, FollowupConfig().cadence[1])


def test_config_derives_the_address_and_reads_the_overrides() -> None:
    def account(extra: str = "", top: str = "") -> tuple[ControlsConfig, object]:
        config = parse_config(f'{top}\n[[accounts]]\nname = "a"\nhost = "h"\nusername = "Me@Example.com"\n'
                              f'password_env = "P"\n{extra}')
        return config.controls, config.accounts[0]

    assert control_address(*account()) == "me+followup@example.com"  # type: ignore[arg-type]
    assert control_address(*account('controls = "me-followup@yahoo.com"')) == "me-followup@yahoo.com"  # type: ignore[arg-type]
    assert control_address(*account("controls = false")) is None  # type: ignore[arg-type]
    assert control_address(*account(top='[controls]\naddress = "cmd@me.example"')) == "cmd@me.example"  # type: ignore[arg-type]
    assert control_address(*account(top="[controls]\nenabled = false")) is None  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"\[accounts.a\] controls: not an email address"):
        account('controls = "followup"')
    with pytest.raises(ConfigError, match=r"\[controls\] never_tag: not an IMAP keyword"):
        account(top='[controls]\nnever_tag = "follow up"')
    with pytest.raises(ConfigError, match=r"\[controls\] tag: unknown key"):
        account(top='[controls]\ntag = "x"')


def test_a_bounce_of_the_control_address_alone_is_our_own_signal() -> None:
    bounce = replace(SENT, id=9, folder_role="inbox", from_user=False, from_addr="mailer-daemon@example.com",
                     verdict="bounce", original_recipients=("me+followup-3d@example.com",), bcc=())
    assert is_signal(bounce, CONTROLS, ME)
    assert not is_signal(replace(bounce, original_recipients=("alice@x.example",)), CONTROLS, ME)

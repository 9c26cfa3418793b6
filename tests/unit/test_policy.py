"""The follow-up policy on hand-built threads: pure, no server, time handed in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.config import FollowupConfig, Person, PromisesConfig
from assistant.model import Mail, Override
from assistant.policy.awaiting_reply import decide_thread
from assistant.policy.common import is_ignored, is_noreply
from assistant.policy.context import PolicyContext
from assistant.workdays import Duration, make_calendar, parse_hours

NY = ZoneInfo("America/New_York")
CAL = make_calendar(NY, ("mon", "tue", "wed", "thu", "fri"), parse_hours("09:00-18:00"), None)
MON = datetime(2026, 11, 2, 10, 0, tzinfo=NY)
ME = frozenset({"me@example.com"})
CONFIG = FollowupConfig()

SENT = Mail(id=1, message_id="<q@me>", thread_key="<q@me>", folder_role="sent", from_addr="me@example.com",
            from_name="Me", to=(("Alice", "alice@x.example"),), cc=(), subject="Deck", date=MON, from_user=True,
            expects_reply=True, expects_reason="asks a question")


def reply(n: int, at: datetime, **kw: object) -> Mail:
    base = Mail(id=100 + n, message_id=f"<r{n}@x>", thread_key="<q@me>", folder_role="inbox",
                from_addr="alice@x.example", from_name="Alice", to=(("", "me@example.com"),), cc=(),
                subject="Re: Deck", date=at, from_user=False)
    return replace(base, **kw)  # type: ignore[arg-type]


def context(now: datetime, overrides: dict[str, Override] | None = None, config: FollowupConfig = CONFIG,
            lists: frozenset[str] = frozenset()) -> PolicyContext:
    return PolicyContext(followup=config, promises=PromisesConfig(), calendar=CAL, now=now, user_addresses=ME,
                         list_addresses=lists, overrides=overrides or {})


def decide(thread: list[Mail], now: datetime, bounces: list[Mail] | None = None,
           overrides: dict[str, Override] | None = None, config: FollowupConfig = CONFIG,
           lists: frozenset[str] = frozenset()) -> list:
    return decide_thread(thread, bounces or [], context(now, overrides, config, lists))


def test_waiting_then_due() -> None:
    [d] = decide([SENT], MON + timedelta(days=1))
    assert (d.state, d.step, d.draft_due) == ("waiting", 1, False)
    assert d.due_at == datetime(2026, 11, 5, 10, tzinfo=NY)
    [d] = decide([SENT], datetime(2026, 11, 5, 10, tzinfo=NY))
    assert d.draft_due


@pytest.mark.parametrize(("verdict", "state"), [
    ("human", "replied"), ("auto_reply", "waiting"), ("receipt", "waiting"), ("delivery_delay", "waiting"),
    ("list", "replied"),  # Alice herself, through a list in Cc
    ("bulk", "waiting"), ("notification", "waiting"), ("bounce", "waiting"),
])
def test_only_a_human_reply_closes(verdict: str, state: str) -> None:
    [d] = decide([SENT, reply(1, MON + timedelta(hours=1), verdict=verdict)], MON + timedelta(days=1))
    assert d.state == state


def test_reply_before_the_question_does_not_count() -> None:
    [d] = decide([reply(1, MON - timedelta(hours=1)), SENT], MON + timedelta(days=1))
    assert d.state == "waiting"


def test_out_of_office_moves_the_due_date_past_the_return() -> None:
    ooo = reply(1, MON + timedelta(minutes=1), verdict="auto_reply", return_date=date(2026, 11, 9))
    [d] = decide([SENT, ooo], MON + timedelta(days=3))
    # back Monday Nov 9: the follow-up waits for the start of their first working day back
    assert d.due_at == datetime(2026, 11, 9, 9, tzinfo=NY) and not d.draft_due
    assert "out of office, back Mon Nov 9" in d.reason
    weekend = replace(ooo, return_date=date(2026, 11, 7))  # back on a Saturday → Monday
    assert decide([SENT, weekend], MON + timedelta(days=3))[0].due_at == datetime(2026, 11, 9, 9, tzinfo=NY)


def test_bounce_matched_by_message_id_or_recipient_and_subject() -> None:
    by_id = reply(1, MON + timedelta(minutes=5), verdict="bounce", from_addr="mailer-daemon@x.example",
                  thread_key="<other>", original_message_id="<q@me>", verdict_reason="status 5.1.1")
    [d] = decide([SENT], MON + timedelta(days=4), bounces=[by_id])
    assert d.state == "bounced" and "5.1.1" in d.reason
    by_rcpt = replace(by_id, original_message_id=None, original_recipients=("alice@x.example",),
                      original_subject="Deck")
    assert decide([SENT], MON + timedelta(days=4), bounces=[by_rcpt])[0].state == "bounced"
    other = replace(by_rcpt, original_subject="Something else")
    assert decide([SENT], MON + timedelta(days=4), bounces=[other])[0].state == "waiting"


def test_cadence_steps_and_cold() -> None:
    bump = replace(SENT, id=2, message_id="<b@me>", date=MON + timedelta(days=4), expects_reply=False)
    [d] = decide([SENT, bump], MON + timedelta(days=4, hours=1))
    assert d.step == 2 and d.latest.message_id == "<b@me>"
    assert d.due_at == datetime(2026, 11, 17, 10, tzinfo=NY)  # Fri Nov 6 + 7 business days
    third = replace(SENT, id=3, message_id="<c@me>", date=MON + timedelta(days=15), expects_reply=False)
    [d] = decide([SENT, bump, third], MON + timedelta(days=16))
    assert d.state == "cold" and d.due_at is None


def test_not_tracked() -> None:
    assert decide([replace(SENT, expects_reply=False)], MON) == []  # thanks / FYI
    assert decide([replace(SENT, to=(("", "me@example.com"),))], MON) == []  # note to self
    assert decide([replace(SENT, to=(("", "dev@lists.example.org"),))], MON,
                  lists=frozenset({"dev@lists.example.org"})) == []
    assert decide([replace(SENT, to=(("", "noreply@shop.example"),))], MON) == []
    ignoring = FollowupConfig(ignore=("@x.example",))
    assert decide([SENT], MON, config=ignoring) == []


def test_overrides_and_flags() -> None:
    plain = replace(SENT, expects_reply=False)
    assert decide([replace(plain, flags=frozenset({"\\Flagged"}))], MON)[0].reason == "you starred it (\\Flagged)"
    assert decide([plain], MON, overrides={"<q@me>": Override("track")})[0].state == "waiting"
    assert decide([SENT], MON, overrides={"<q@me>": Override("dismiss")})[0].state == "dismissed"
    until = datetime(2026, 11, 20, 12, tzinfo=NY)
    [d] = decide([SENT], MON + timedelta(days=5), overrides={"<q@me>": Override(None, until)})
    assert d.state == "snoozed" and d.due_at == until and not d.draft_due
    assert decide([replace(plain)], MON, config=FollowupConfig(track="all"))[0].reason == 'track = "all"'


def test_a_new_question_after_a_reply_is_tracked_anew() -> None:
    answer = reply(1, MON + timedelta(hours=1))
    again = replace(SENT, id=3, message_id="<q2@me>", date=MON + timedelta(hours=2))
    states = {d.message_id: d.state for d in decide([SENT, answer, again], MON + timedelta(days=1))}
    assert states == {"<q@me>": "replied", "<q2@me>": "waiting"}


def test_helpers() -> None:
    assert is_noreply("no-reply@x.example") and is_noreply("notifications+abc@github.example")
    assert not is_noreply("nora@x.example")
    assert is_ignored("bob@corp.example", ["@corp.example"]) and is_ignored("x@y.z", ["*@y.z"])
    assert not is_ignored("bob@corp.example.org", ["@corp.example"])


def test_mail_long_overdue_goes_cold_instead_of_a_flood_of_drafts() -> None:
    late = datetime(2026, 11, 5, 10, tzinfo=NY) + timedelta(days=14, minutes=1)
    first_seen_late = replace(SENT, seen_at=late)  # a first run over old mail
    [d] = decide([first_seen_late], late)
    assert d.state == "cold" and "overdue by more than 14 days" in d.reason and not d.draft_due
    assert decide([replace(SENT, seen_at=late - timedelta(minutes=2))], late)[0].draft_due
    # seen in time, then an outage: the draft comes late rather than never
    assert decide([replace(SENT, seen_at=MON)], late + timedelta(days=30))[0].draft_due
    assert decide([first_seen_late], late, overrides={"<q@me>": Override("track")})[0].draft_due


def test_a_long_snooze_never_turns_cold_and_keeps_a_track() -> None:
    until = datetime(2026, 12, 1, 9, tzinfo=NY)  # beyond max_overdue from the first due date
    plain = replace(SENT, expects_reply=False)
    [d] = decide([plain], datetime(2026, 11, 25, tzinfo=NY), overrides={"<q@me>": Override("track", until)})
    assert d.state == "snoozed" and d.due_at == until
    [d] = decide([plain], until, overrides={"<q@me>": Override("track", until)})
    assert d.state == "waiting" and d.draft_due


def test_a_participant_answering_through_a_list_counts_as_a_reply() -> None:
    cc_list = replace(SENT, cc=(("Team", "team@groups.example"),))
    via_list = reply(1, MON + timedelta(hours=1), verdict="list")
    assert decide([cc_list, via_list], MON + timedelta(days=1))[0].state == "replied"
    stranger = replace(via_list, from_addr="someone@else.example")
    assert decide([cc_list, stranger], MON + timedelta(days=1))[0].state == "waiting"


# --- promises -------------------------------------------------------------------------------------

def promises(thread: list[Mail], now: datetime, overrides: dict[str, Override] | None = None) -> list:
    from assistant.policy.promises import decide_promises

    return decide_promises(thread, frozenset(), context(now, overrides))


THEIRS = reply(1, MON, promises=(("I'll send the contract Thursday.", "the contract",
                                  datetime(2026, 11, 5, 18, tzinfo=NY)),))


def test_their_promise_kept_when_they_write_again() -> None:
    [d] = promises([SENT, THEIRS], datetime(2026, 11, 9, 10, tzinfo=NY))
    assert (d.kind, d.state, d.draft_due) == ("their_promise", "waiting", True)  # Thu 18:00 + 1 bd → Fri 18:00
    assert d.draft_to == (("Alice", "alice@x.example"),) and d.draft_from == ("Me", "me@example.com")
    later = reply(2, datetime(2026, 11, 6, 9, tzinfo=NY), subject="Re: Deck")
    [d] = promises([SENT, THEIRS, later], datetime(2026, 11, 9, 10, tzinfo=NY))
    assert d.state == "kept" and d.reason.startswith("kept: Alice wrote again on Fri Nov 6")
    assert promises([SENT, THEIRS], datetime(2026, 11, 9, 10, tzinfo=NY),
                    {"their_promise:<r1@x>": Override("dismiss")})[0].state == "dismissed"


def test_my_promise_without_a_deadline_gets_the_default_and_a_reminder() -> None:
    mine = replace(SENT, expects_reply=False, promises=(("I'll get back to you.", None, None),))
    [d] = promises([mine], MON)
    # default_due 2 business days → Wed Nov 4 10:00; the reminder the working day before: Tue 09:00
    assert d.due_at == datetime(2026, 11, 4, 10, tzinfo=NY) and not d.draft_due
    assert promises([mine], datetime(2026, 11, 3, 9, tzinfo=NY))[0].draft_due
    # a promise due today: the reminder cannot come before it was made
    today = replace(mine, promises=(("I'll send it by EOD.", "it", datetime(2026, 11, 2, 18, tzinfo=NY)),))
    assert promises([today], MON)[0].draft_due


# --- relationships ----------------------------------------------------------------------------------

def test_a_check_back_after_answering_a_request_with_an_attachment_only_when_on() -> None:
    from assistant.policy.relationships import decide_check_backs

    asked = reply(1, MON - timedelta(days=1), expects_reply=True, subject="Deck?")
    answer = replace(SENT, id=2, message_id="<a@me>", expects_reply=False, attachments=("deck.pdf",))
    assert decide_check_backs([asked, answer], context(MON)) == []  # check_back unset: off
    on = replace(context(MON + timedelta(days=8)), promises=PromisesConfig(check_back=Duration(5, "business days")))
    [d] = decide_check_backs([asked, answer], on)
    assert (d.kind, d.what, d.due_at, d.draft_due) == ("check_back", "deck.pdf", datetime(2026, 11, 9, 10, tzinfo=NY),
                                                       True)


def test_a_check_in_comes_from_the_user_when_a_keep_in_touch_person_has_gone_quiet() -> None:
    from assistant.policy.relationships import decide_check_ins

    people = (Person("alice@x.example", keep_in_touch=Duration(2, "weeks")),)
    ctx = replace(context(MON + timedelta(days=15)), people=people, user_name="Me", user_address="me@example.com")
    [d] = decide_check_ins([SENT], {}, ctx)
    assert (d.kind, d.due_at, d.draft_due) == ("check_in", datetime(2026, 11, 16, 10, tzinfo=NY), True)
    assert d.draft_from == ("Me", "me@example.com") and d.draft_to == (("Alice", "alice@x.example"),)
    assert not decide_check_ins([SENT], {}, replace(ctx, now=MON + timedelta(days=13)))[0].draft_due


def test_no_check_in_while_the_person_waits_on_the_user_the_reason_says_answer_them() -> None:
    from assistant.policy.relationships import ANSWER_THEM, decide_check_ins, waiting_on_user

    people = (Person("alice@x.example", keep_in_touch=Duration(2, "weeks")),)
    ctx = replace(context(MON + timedelta(days=27)), people=people, user_name="Me", user_address="me@example.com")
    question = reply(1, MON, expects_reply=True, expects_reason='asks a question: "Any news on the deck?"')
    assert waiting_on_user("Alice@X.example", [SENT, question]) == question
    [d] = decide_check_ins([SENT, question], {}, ctx)
    assert not d.draft_due and d.state == "waiting"
    assert d.reason == f'{ANSWER_THEM}: Alice wrote on Mon Nov 2 and asks a question: "Any news on the deck?"'
    # once the user answers, it is a plain keep-in-touch again
    answer = replace(SENT, id=3, message_id="<a@me>", date=MON + timedelta(hours=2), expects_reply=False)
    assert waiting_on_user("alice@x.example", [SENT, question, answer]) is None
    [d] = decide_check_ins([SENT, question, answer], {}, ctx)
    assert d.draft_due and d.reason.startswith("keep in touch every 2 weeks")
    # a thank-you asks nothing: the check-in is drafted
    thanks = replace(question, expects_reply=False, expects_reason="thanks only")
    assert decide_check_ins([SENT, thanks], {}, ctx)[0].draft_due

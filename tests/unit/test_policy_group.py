"""A question to several people ([followup] group = "any" | "each", and `group` on [[people]]): who
answered, who is still awaited, and whom the draft goes to. Pure: hand-built threads, time handed in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.config import FollowupConfig, Person, PromisesConfig
from assistant.model import Decision, Mail
from assistant.policy.awaiting_reply import decide_thread
from assistant.policy.context import PolicyContext
from assistant.workdays import make_calendar, parse_hours

NY = ZoneInfo("America/New_York")
CAL = make_calendar(NY, ("mon", "tue", "wed", "thu", "fri"), parse_hours("09:00-18:00"), None)
MON = datetime(2026, 11, 2, 10, 0, tzinfo=NY)
THU = datetime(2026, 11, 5, 10, 0, tzinfo=NY)  # three business days on: the first follow-up is due
ALICE, BOB, CAROL = ("Alice", "alice@x.example"), ("Bob", "bob@x.example"), ("Carol", "carol@x.example")

SENT = Mail(id=1, message_id="<q@me>", thread_key="<q@me>", folder_role="sent", from_addr="me@example.com",
            from_name="Me", to=(ALICE, BOB), cc=(CAROL,), subject="Venue", date=MON, from_user=True,
            expects_reply=True, expects_reason="asks a question")


def reply(who: tuple[str, str], hours: float, **kw: object) -> Mail:
    """A reply-all from `who`: to the user, the others in Cc."""
    others = tuple(p for p in (ALICE, BOB, CAROL) if p != who)
    base = Mail(id=100 + int(hours * 10), message_id=f"<{who[0]}{hours}@x>", thread_key="<q@me>",
                folder_role="inbox", from_addr=who[1], from_name=who[0], to=(("", "me@example.com"),), cc=others,
                subject="Re: Venue", date=MON + timedelta(hours=hours), from_user=False)
    return replace(base, **kw)  # type: ignore[arg-type]


def decide(thread: list[Mail], group: str = "any", people: tuple[Person, ...] = (), now: datetime = THU) -> Decision:
    ctx = PolicyContext(followup=FollowupConfig(group=group), promises=PromisesConfig(), calendar=CAL, now=now,
                        user_addresses=frozenset({"me@example.com"}), people=people)
    [d] = decide_thread(thread, [], ctx)
    return d


def names(people: tuple[tuple[str, str], ...]) -> list[str]:
    return [n for n, _ in people]


@pytest.mark.parametrize(("case", "group", "people", "thread", "state", "answered", "waiting"), [
    ("nobody answered yet", "any", (), [SENT], "waiting", [], ["Alice", "Bob"]),
    ("nobody answered yet", "each", (), [SENT], "waiting", [], ["Alice", "Bob"]),
    ("one of two answers: any", "any", (), [SENT, reply(ALICE, 2)], "replied", ["Alice"], []),
    ("one of two answers: each", "each", (), [SENT, reply(ALICE, 2)], "waiting", ["Alice"], ["Bob"]),
    ("Alice twice is still one", "each", (), [SENT, reply(ALICE, 2), reply(ALICE, 3)], "waiting", ["Alice"],
     ["Bob"]),
    ("both answer; Cc'd Carol is informed, not asked", "each", (), [SENT, reply(ALICE, 2), reply(BOB, 3)], "replied",
     ["Alice", "Bob"], []),
    ("Carol's answer answers no one in each", "each", (), [SENT, reply(CAROL, 2)], "waiting", ["Carol"],
     ["Alice", "Bob"]),
    ("Carol's answer answers all in any", "any", (), [SENT, reply(CAROL, 2)], "replied", ["Carol"], []),
    ("an out-of-office from Bob answers nobody", "each",
     (), [SENT, reply(ALICE, 2), reply(BOB, 3, verdict="auto_reply")], "waiting", ["Alice"], ["Bob"]),
    ("a bounce answers nobody", "any", (), [SENT, reply(BOB, 3, verdict="bounce")], "waiting", [],
     ["Alice", "Bob"]),
    ("each via [[people]]: Bob's own answer", "any", (Person("bob@x.example", group="each"),),
     [SENT, reply(ALICE, 2)], "waiting", ["Alice"], ["Bob"]),
    ("each via a domain: Bob answers, Alice is covered", "any", (Person("@x.example", group="each"),),
     [SENT, reply(BOB, 2)], "waiting", ["Bob"], ["Alice"]),
    ("Bob is each, Alice any: Bob's answer covers Alice", "any", (Person("bob@x.example", group="each"),),
     [SENT, reply(BOB, 2)], "replied", ["Bob"], []),
    ("a person can opt out of each", "each", (Person("bob@x.example", group="any"),),
     [SENT, reply(ALICE, 2)], "replied", ["Alice"], []),
])
def test_who_answered_and_who_is_waiting(case: str, group: str, people: tuple[Person, ...], thread: list[Mail],
                                         state: str, answered: list[str], waiting: list[str]) -> None:
    d = decide(thread, group, people)
    assert (d.state, names(d.answered), names(d.waiting)) == (state, answered, waiting), case


def test_the_draft_goes_only_to_those_still_awaited_the_others_in_cc() -> None:
    d = decide([SENT, reply(ALICE, 2)], "each")
    assert d.draft_due and d.draft_to == (BOB,) and d.draft_cc == (ALICE, CAROL)
    assert "answered: Alice, waiting on Bob" in d.reason
    untouched = decide([SENT], "each")  # nobody answered: the draft goes as the question did
    assert untouched.draft_to == (ALICE, BOB) and untouched.draft_cc == (CAROL,)


def test_all_in_cc_are_asked_when_there_is_no_to() -> None:
    sent = replace(SENT, to=(), cc=(ALICE, BOB))
    d = decide([sent, reply(ALICE, 2)], "each")
    assert (names(d.answered), names(d.waiting)) == (["Alice"], ["Bob"])
    assert d.draft_to == (BOB,) and d.draft_cc == (ALICE,)


def test_any_closes_on_the_first_reply_as_before() -> None:
    d = decide([SENT, reply(BOB, 2), reply(ALICE, 3)], "any")
    assert d.state == "replied" and d.reason == "Bob replied on Mon Nov 2"


def test_each_closes_on_the_last_awaited_answer() -> None:
    d = decide([SENT, reply(ALICE, 2), reply(BOB, 30)], "each")
    assert d.state == "replied" and d.reason == "Bob replied on Tue Nov 3" and d.waiting == ()


def test_an_answered_persons_out_of_office_delays_nothing() -> None:
    ooo = reply(ALICE, 3, verdict="auto_reply", return_date=date(2026, 11, 16))
    d = decide([SENT, reply(ALICE, 2), ooo], "each")
    assert d.due_at == THU and d.draft_due
    bobs = replace(ooo, from_addr=BOB[1], from_name="Bob", message_id="<ooo-bob@x>")
    d = decide([SENT, reply(ALICE, 2), bobs], "each")
    assert d.due_at == datetime(2026, 11, 16, 9, tzinfo=NY) and not d.draft_due


def test_the_users_own_later_message_is_the_next_step_while_someone_is_awaited() -> None:
    bump = replace(SENT, id=2, message_id="<bump@me>", to=(BOB,), cc=(ALICE,), subject="Re: Venue",
                   date=MON + timedelta(hours=5), expects_reply=False)
    d = decide([SENT, reply(ALICE, 2), bump], "each", now=MON + timedelta(days=1))
    assert (d.state, d.step, d.latest.message_id) == ("waiting", 2, "<bump@me>")

"""The weekly report's build on hand-made items and mail: pure, time handed in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.model import Mail, Tracked
from assistant.report.build import AGE_GROUPS, Bounds, age_group, build_report

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=NY)  # a Monday, 08:00
ME = frozenset({"me@example.com"})


def calendar():  # type: ignore[no-untyped-def]
    from assistant.workdays import make_calendar, parse_hours

    return make_calendar(NY, ("mon", "tue", "wed", "thu", "fri"), parse_hours("09:00-18:00"), None)


def tracked(**kw: object) -> Tracked:
    base = Tracked(id=1, kind="awaiting_reply", state="waiting", message_id="<q@me.example>", subject="Budget",
                   to=["alice@x.example"], sent_at=NOW - timedelta(days=3), due_at=NOW, step=1, what=None,
                   updated_at=NOW - timedelta(minutes=5), draft_waiting=False,
                   reason='asks a question: "Could you send the Q4 budget?"', thread_key="<q@me.example>")
    return replace(base, **kw)  # type: ignore[arg-type]


def mail(n: int, at: datetime, **kw: object) -> Mail:
    base = Mail(id=n, message_id=f"<m{n}@x.example>", thread_key=f"<m{n}@x.example>", folder_role="inbox",
                from_addr="alice@x.example", from_name="Alice", to=(("", "me@example.com"),), cc=(),
                subject=f"Subject {n}", date=at, from_user=False, expects_reply=True,
                expects_reason='asks a question: "Can we talk?"')
    return replace(base, **kw)  # type: ignore[arg-type]


def build(items: list[Tracked], messages: list[Mail] = (), gmail: bool = False):  # type: ignore[assignment,no-untyped-def]
    return build_report("work", items, list(messages), NOW, calendar(), Bounds(), ME, gmail=gmail)


def test_a_draft_is_dated_when_it_was_drafted_not_when_the_last_poll_touched_its_item() -> None:
    drafted = datetime(2026, 11, 19, 10, 0, tzinfo=NY)
    report = build([tracked(draft_waiting=True, state="drafted", step=2, drafted_at=drafted)])
    [draft] = report.drafts
    assert draft.at == "2026-11-19T10:00-05:00" and draft.note == "follow-up 2"


def test_a_first_contact_comes_early_but_is_not_urgent_unless_something_else_makes_it_so() -> None:
    known = mail(1, NOW - timedelta(days=6), from_addr="carol@x.example", from_name="Carol")
    answered_before = mail(2, NOW - timedelta(days=20), from_addr="me@example.com", from_user=True,
                           folder_role="sent", to=(("", "carol@x.example"),), thread_key="<old@x.example>")
    new = mail(3, NOW - timedelta(days=4), from_addr="sam@lead.example", from_name="Sam")
    angry_new = mail(4, NOW - timedelta(days=5), from_addr="pat@new.example", from_name="Pat",
                     text="The order arrived damaged. I want a refund.", expects_reply=False)
    report = build([], [known, answered_before, new, angry_new])
    assert [(i.who, i.urgent) for i in report.waiting_on_me] == [(["Pat"], True), (["Sam"], False),
                                                                 (["Carol"], False)]
    assert report.waiting_on_me[1].note == "first contact: a new correspondent"
    assert report.waiting_on_me[0].why == 'says "damaged"'
    assert report.waiting_on_me[2].why == 'asks a question: "Can we talk?"'


def test_every_item_carries_its_reason() -> None:
    items = [tracked(),
             tracked(id=2, kind="my_promise", message_id="<p@me.example>", due_at=NOW - timedelta(days=1),
                     what="the deck", reason='you promised: "I\'ll send the deck by Friday."'),
             tracked(id=3, kind="check_in", message_id="<check-in.1@followup.invalid>", due_at=NOW,
                     reason="keep in touch every 2 weeks: last mail either way Mon Nov 2")]
    report = build(items)
    assert report.awaiting_reply[0].why == 'no reply for 3 days; asks a question: "Could you send the Q4 budget?"'
    assert report.my_promises[0].why == 'you promised: "I\'ll send the deck by Friday."'
    assert report.check_in[0].why.startswith("keep in touch every 2 weeks")
    assert report.check_in[0].note == "no mail either way for a while"
    as_json = report.as_json()["awaiting_reply"][0]
    assert {"subject", "message_id", "who", "at", "days", "note", "group", "draft_waiting", "urgent", "why",
            "away_until", "link", "web_link", "answered", "waiting"} == set(as_json)


def test_a_check_in_with_someone_who_waits_on_the_user_says_answer_them() -> None:
    item = tracked(kind="check_in", message_id="<check-in.1@followup.invalid>", due_at=NOW,
                   reason='answer them: Ann wrote on Mon Oct 26 and asks a question: "Any news?"')
    [check_in] = build([item]).check_in
    assert check_in.note == "answer them" and check_in.why.endswith('"Any news?"')


@pytest.mark.parametrize(("back", "shown"), [(date(2026, 12, 7), "2026-12-07"), (date(2026, 11, 23), None)])
def test_the_latest_out_of_office_in_the_thread_shows_while_they_are_away(back: date, shown: str | None) -> None:
    item = tracked()
    earlier = mail(1, NOW - timedelta(days=2, hours=23), thread_key="<q@me.example>", verdict="auto_reply",
                   return_date=date(2026, 11, 30), expects_reply=False)
    latest = replace(earlier, id=2, message_id="<m2@x.example>", date=NOW - timedelta(days=1), return_date=back)
    before = replace(earlier, id=3, message_id="<m3@x.example>", date=NOW - timedelta(days=5),
                     return_date=date(2027, 1, 4))  # an auto-reply to an earlier message
    assert build([item], [earlier, latest, before]).awaiting_reply[0].away_until == shown


def test_the_chart_and_the_list_put_an_item_in_the_same_age_group() -> None:
    # sent a week ago by the calendar, but 6 days and 15 hours ago by the clock
    item = tracked(sent_at=datetime(2026, 11, 16, 17, 0, tzinfo=NY))
    report = build([item])
    [listed] = report.awaiting_reply
    assert listed.days == 7 and listed.group == "1–2 weeks" == age_group(7)
    assert [a["label"] for a in report.stats.waiting_ages if a["count"]] == ["1–2 weeks"]
    assert [a["label"] for a in report.stats.waiting_ages] == [label for label, _ in AGE_GROUPS]
    assert [age_group(d) for d in (0, 2, 3, 6, 13, 14, 27, 28, 400)] == [
        "< 3 days", "< 3 days", "3–6 days", "3–6 days", "1–2 weeks", "2–4 weeks", "2–4 weeks", "older", "older"]


def test_items_link_to_their_message_and_gmail_accounts_get_the_web_search_too() -> None:
    check_in = tracked(id=2, kind="check_in", message_id="<check-in.1@followup.invalid>", due_at=NOW)
    plain = build([tracked(), check_in], [mail(1, NOW - timedelta(days=4))])
    assert plain.awaiting_reply[0].link == "mid:q@me.example" and plain.awaiting_reply[0].web_link == ""
    assert plain.waiting_on_me[0].link == "mid:m1@x.example"
    assert plain.check_in[0].link == ""  # a check-in's key names no message
    gmail = build([tracked()], [mail(1, NOW - timedelta(days=4))], gmail=True)
    assert gmail.awaiting_reply[0].web_link == "https://mail.google.com/mail/#search/rfc822msgid%3Aq%40me.example"
    assert gmail.waiting_on_me[0].web_link.endswith("rfc822msgid%3Am1%40x.example")


def test_gmail_is_told_by_its_imap_host() -> None:
    from assistant.report.links import is_gmail

    assert is_gmail("imap.gmail.com") and is_gmail("IMAP.googlemail.com.") and not is_gmail("imap.fastmail.com")

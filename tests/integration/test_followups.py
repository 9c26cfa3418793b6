"""Follow-up scenarios on real servers (Dovecot and pymap), with --now time travel.

The user sends mail; replies, auto-replies and bounces arrive; polls at chosen moments must create the
draft exactly when due, never twice, and clean up after themselves.
"""

from __future__ import annotations

import email
from datetime import datetime, timedelta
from email.policy import default as default_policy
from zoneinfo import ZoneInfo

import imapclient
import pytest
from conftest import Mailbox
from servers import make_message

from assistant.clock import FixedClock
from assistant.service import PollResult, poll_account
from assistant.store.items import FollowupStore

NY = ZoneInfo("America/New_York")
MON = datetime(2026, 11, 2, 10, 0, tzinfo=NY)  # Monday; 3 business days later is Thursday Nov 5, 10:00


class Scene:
    def __init__(self, box: Mailbox, config_extra: str = "", account_extra: str = "") -> None:
        self.box = box
        self.me = box.user
        self.config = box.config(extra_account=account_extra, extra=config_extra)
        self.count = 0

    def send(self, subject: str, body: str, to: str = "Alice Wong <alice@client.example>", at: datetime = MON,
             **kw: str) -> str:
        self.count += 1
        mid = kw.pop("message_id", f"<sent{self.count}@example.com>")
        frm = kw.pop("from_", f"Me Myself <{self.me}>")
        self.box.deliver("Sent", make_message(from_=frm, to=to, subject=subject, body=body, date=at,
                                              message_id=mid, **kw), when=at)
        return mid

    def receive(self, subject: str, body: str, at: datetime, frm: str = "Alice Wong <alice@client.example>",
                **kw: str) -> str:
        self.count += 1
        mid = kw.pop("message_id", f"<in{self.count}@client.example>")
        self.box.deliver("INBOX", make_message(from_=frm, to=self.me, subject=subject, body=body, date=at,
                                               message_id=mid, **kw), when=at, flags="")
        return mid

    def poll(self, at: datetime, dry_run: bool = False) -> PollResult:
        store = self.box.store()
        try:
            return poll_account(self.config, self.config.accounts[0], store, FixedClock(at), dry_run)
        finally:
            store.close()

    def imap(self) -> imapclient.IMAPClient:
        client = imapclient.IMAPClient(self.box.server.host, port=self.box.server.port, ssl=False)
        client.login(self.me, self.box.password)
        return client

    def drafts(self) -> list[email.message.EmailMessage]:
        client = self.imap()
        client.select_folder("Drafts")
        data = client.fetch(client.search(["ALL"]), ["BODY.PEEK[]", "FLAGS"])
        client.logout()
        out = []
        for d in data.values():
            msg = email.message_from_bytes(d[b"BODY[]"], policy=default_policy)
            msg["X-Test-Flags"] = " ".join(f.decode() for f in d[b"FLAGS"])
            out.append(msg)
        return out

    def items(self) -> dict[str, object]:
        store = self.box.store()
        try:
            return {f.message_id: f for f in FollowupStore(store).followups("work")}
        finally:
            store.close()

    def state(self, message_id: str) -> str:
        return self.items()[message_id].state  # type: ignore[attr-defined,no-any-return]


def text_of(draft: email.message.EmailMessage) -> str:
    return str(draft.get_body(("plain",)).get_content()).replace("\r\n", "\n")  # type: ignore[union-attr]


QUESTION = "Hi Alice,\n\nCould you send me the signed contract?\n\nThanks,\nMe"


def test_unanswered_gets_a_draft_at_the_right_time_and_not_before(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    mid = scene.send("Contract", QUESTION, cc="Bob <bob@client.example>")
    assert scene.poll(MON + timedelta(days=3, hours=-0.1)).actions == []  # Thu 09:54: not yet
    assert scene.state(mid) == "waiting" and scene.drafts() == []
    actions = scene.poll(MON + timedelta(days=3))  # Thu 10:00
    assert [a.kind for a in actions.actions] == ["drafted"]
    [draft] = scene.drafts()
    assert draft["Subject"] == "Re: Contract" and draft["In-Reply-To"] == mid and draft["References"] == mid
    assert draft["To"] == "Alice Wong <alice@client.example>" and draft["Cc"] == "Bob <bob@client.example>"
    assert draft["From"] == f"Me Myself <{scene.me}>"
    assert "\\Draft" in draft["X-Test-Flags"]
    body = text_of(draft)
    # the question asked, named again; the greeting and sign-off the user wrote to Alice
    assert body.startswith("Hi Alice,\n\nJust following up on my note on Monday. Could you send me the signed "
                           "contract?\n\nThanks,\nMe\n")
    assert "> Could you send me the signed contract?" in body
    assert scene.state(mid) == "drafted"
    assert scene.poll(MON + timedelta(days=3, hours=1)).actions == []  # polling again: no duplicate
    assert len(scene.drafts()) == 1


def test_answered_and_answered_by_a_colleague(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    a = scene.send("Budget", "Can you confirm the budget?", message_id="<a@example.com>")
    scene.receive("Re: Budget", "Confirmed.", MON + timedelta(hours=2), in_reply_to=a, references=a)
    b = scene.send("Plan", "Could you review the plan?", to="alice@client.example", message_id="<b@example.com>")
    scene.receive("RE: Plan", "Alice is out; I reviewed it, all good.", MON + timedelta(hours=3),
                  frm="Carol <carol@client.example>", references=b)
    scene.poll(MON + timedelta(days=10))
    assert scene.state(a) == "replied" and scene.state(b) == "replied"
    assert scene.drafts() == []


def test_reply_with_broken_threading_headers_counts(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    mid = scene.send("Quote for 20 seats", "Could you send a quote?")
    scene.receive("Re: Quote for 20 seats", "Attached.", MON + timedelta(days=1))  # no In-Reply-To
    scene.poll(MON + timedelta(days=10))
    assert scene.state(mid) == "replied" and scene.drafts() == []


def test_thanks_list_self_and_noreply_are_not_tracked(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    scene.receive("[dev] release", "Release is out.", MON - timedelta(days=1), frm="Dev <dev@lists.example.org>",
                  extra={"List-Id": "Developers <dev.lists.example.org>",
                         "List-Post": "<mailto:dev@lists.example.org>"})
    scene.send("Thanks", "Thanks, got it!")
    scene.send("Note", "Can I remember to buy milk?", to=scene.me)
    scene.send("Re: [dev] release", "Does it include the fix?", to="dev@lists.example.org")
    scene.send("Account", "Can you close my account?", to="no-reply@shop.example")
    scene.poll(MON + timedelta(days=10))
    assert scene.items() == {} and scene.drafts() == []


def test_alias_identity_and_flagged_message_are_tracked(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    alias = scene.send("From my alias", "Can you send it over?", from_="Me <me@alias.example.com>")
    starred = scene.send("FYI", "Here is the report.")
    client = scene.imap()
    client.select_folder("Sent")
    client.add_flags(client.search(["SUBJECT", "FYI"]), [b"\\Flagged"])
    client.logout()
    result = scene.poll(MON + timedelta(days=4))
    assert scene.state(alias) == "drafted" and scene.state(starred) == "drafted"
    drafts = {d["In-Reply-To"]: d for d in scene.drafts()}
    assert drafts[alias]["From"] == "Me <me@alias.example.com>"
    assert "starred" in next(d.reason for d in result.decisions if d.message_id == starred)


def test_weekend_holiday_and_working_hours(mailbox: Mailbox) -> None:
    scene = Scene(mailbox, config_extra='[followup]\nholidays = "US"\n')
    fri = datetime(2026, 11, 20, 20, 30, tzinfo=NY)  # Friday evening, before Thanksgiving week
    mid = scene.send("Offer", "Can you accept the offer?", at=fri)
    scene.poll(fri + timedelta(minutes=1))
    item = scene.items()[mid]
    # Mon 23, Tue 24, Wed 25 are business days 1-3; 20:30 is after hours → Thu 26 is Thanksgiving → Fri 27 09:00
    assert item.due_at.astimezone(NY) == datetime(2026, 11, 27, 9, 0, tzinfo=NY)  # type: ignore[attr-defined]


def test_user_bumps_the_thread_then_sends_the_draft_then_it_goes_cold(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    mid = scene.send("Invoice", "Did you receive the invoice?")
    bump = scene.send("Re: Invoice", "Any news?", at=MON + timedelta(days=2), in_reply_to=mid, references=mid)
    scene.poll(MON + timedelta(days=6))  # second wait (7 business days) runs from the bump on Wednesday
    item = scene.items()[mid]
    assert item.step == 2 and item.due_at.astimezone(NY) == datetime(2026, 11, 13, 10, tzinfo=NY)  # type: ignore
    scene.poll(datetime(2026, 11, 13, 10, 0, tzinfo=NY))
    [draft] = scene.drafts()
    assert draft["In-Reply-To"] == bump and draft["References"] == f"{mid} {bump}"
    assert text_of(draft).startswith("Hi Alice,\n\nI wanted to check in once more")
    # the user sends it: it leaves Drafts and lands in Sent
    sent_at = datetime(2026, 11, 13, 11, 0, tzinfo=NY)
    client = scene.imap()
    client.select_folder("Drafts")
    client.delete_messages(client.search(["ALL"]))
    client.expunge()
    client.logout()
    scene.send("Re: Invoice", "Hi Alice, checking in once more.", at=sent_at, in_reply_to=bump,
               references=f"{mid} {bump}", message_id=draft["Message-ID"])
    result = scene.poll(sent_at + timedelta(hours=1))
    assert [a.kind for a in result.actions] == ["sent"]
    assert scene.state(mid) == "cold"  # cadence has two waits: after the third message, no more drafts


def test_reply_after_the_draft_removes_it_but_an_edited_draft_stays(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    a = scene.send("Specs", "Can you send the specs?", message_id="<specs@example.com>")
    b = scene.send("Dates", "Can you confirm the dates?", message_id="<dates@example.com>",
                   to="Dan <dan@client.example>")
    scene.poll(MON + timedelta(days=3))
    assert len(scene.drafts()) == 2
    # the user edits the Dates draft: the client saves a new draft and deletes ours
    client = scene.imap()
    client.select_folder("Drafts")
    ours = [d for d in scene.drafts() if d["In-Reply-To"] == b][0]
    client.append("Drafts", make_message(from_=scene.me, to="dan@client.example", subject="Re: Dates",
                                         body="Dan, my own words.", date=MON + timedelta(days=3, hours=1),
                                         message_id="<edited@example.com>", in_reply_to=b, references=b),
                  flags=[b"\\Draft"])
    client.select_folder("Drafts")
    client.delete_messages(client.search(["HEADER", "Message-ID", ours["Message-ID"]]))
    client.expunge()
    client.logout()
    scene.receive("Re: Specs", "Here they are.", MON + timedelta(days=3, hours=2), in_reply_to=a, references=a)
    scene.receive("Re: Dates", "Dates confirmed.", MON + timedelta(days=3, hours=2),
                  frm="Dan <dan@client.example>", in_reply_to=b, references=b)
    result = scene.poll(MON + timedelta(days=3, hours=3))
    kinds = sorted(a.kind for a in result.actions)
    assert kinds == ["edited", "removed"]
    assert [d["Message-ID"] for d in scene.drafts()] == ["<edited@example.com>"]
    assert scene.state(a) == "replied" and scene.state(b) == "replied"


def test_deleting_our_draft_dismisses_the_thread(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    mid = scene.send("Lunch", "Shall we have lunch on Friday?")
    scene.poll(MON + timedelta(days=3))
    client = scene.imap()
    client.select_folder("Drafts")
    client.delete_messages(client.search(["ALL"]))
    client.expunge()
    client.logout()
    # first look: gone from Drafts, no sent copy yet; the server confirms it is gone; wait for a second look
    assert scene.poll(MON + timedelta(days=3, hours=1)).actions == []
    assert scene.state(mid) == "drafted"
    result = scene.poll(MON + timedelta(days=3, hours=1, minutes=15))
    assert [a.kind for a in result.actions] == ["dismissed"]
    scene.poll(MON + timedelta(days=30))
    assert scene.state(mid) == "dismissed" and scene.drafts() == []


def test_crash_between_append_and_commit_leaves_exactly_one_draft(mailbox: Mailbox,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    scene = Scene(mailbox)
    scene.send("Renewal", "Can you confirm the renewal?")
    original = FollowupStore.mark_draft

    def crash(self: FollowupStore, draft_id: int, state: str, *args: object, **kw: object) -> None:
        if state == "present":
            raise KeyboardInterrupt  # killed right after APPEND, before the UID is recorded
        original(self, draft_id, state, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(FollowupStore, "mark_draft", crash)
    with pytest.raises(KeyboardInterrupt):
        scene.poll(MON + timedelta(days=3))
    monkeypatch.setattr(FollowupStore, "mark_draft", original)
    assert len(scene.drafts()) == 1
    scene.poll(MON + timedelta(days=3, minutes=5))
    scene.poll(MON + timedelta(days=3, minutes=10))
    assert len(scene.drafts()) == 1


def test_dry_run_writes_nothing(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    scene.send("Quote", "Could you send the quote?")
    result = scene.poll(MON + timedelta(days=3), dry_run=True)
    assert [a.kind for a in result.actions] == ["would-draft"]
    assert scene.drafts() == []


def test_dry_run_tells_every_step_a_poll_would_take(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    lunch = scene.send("Lunch", "Shall we have lunch on Friday?", message_id="<lunch@example.com>")
    specs = scene.send("Specs", "Can you send the specs?", message_id="<specs@example.com>",
                       to="Dan <dan@client.example>")
    scene.poll(MON + timedelta(days=3))
    client = scene.imap()
    client.select_folder("Drafts")
    client.delete_messages(client.search(["HEADER", "In-Reply-To", lunch]))
    client.expunge()
    client.logout()
    scene.receive("Re: Specs", "Here they are.", MON + timedelta(days=3, minutes=30),
                  frm="Dan <dan@client.example>", in_reply_to=specs, references=specs)
    first = MON + timedelta(days=3, hours=1)
    assert sorted(a.kind for a in scene.poll(first, dry_run=True).actions) == ["would-look-again", "would-remove"]
    assert len(scene.drafts()) == 1 and scene.state(specs) == "drafted"
    assert [a.kind for a in scene.poll(first).actions] == ["removed"]
    later = first + timedelta(minutes=15)
    result = scene.poll(later, dry_run=True)
    assert [(a.kind, a.detail) for a in result.actions] == [
        ("would-dismiss", "you deleted the draft: no more follow-ups here")]
    assert scene.state(lunch) == "drafted"
    assert [a.kind for a in scene.poll(later).actions] == ["dismissed"]
    assert scene.state(lunch) == "dismissed"


def test_out_of_office_without_and_with_a_return_date(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    plain = scene.send("Proposal", "Could you review the proposal?", message_id="<p@example.com>")
    dated = scene.send("Pricing", "Could you approve the pricing?", message_id="<pr@example.com>",
                       to="Bob Stone <bob@client.example>")
    auto = {"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"}
    scene.receive("Automatic reply: Proposal", "I am out of the office with limited access to email.",
                  MON + timedelta(minutes=2), in_reply_to=plain, references=plain, extra=auto)
    scene.receive("Out of Office: Pricing", "I am out of the office until Tuesday, November 10, 2026 "
                  "and will reply when I am back.", MON + timedelta(minutes=2), frm="Bob Stone <bob@client.example>",
                  in_reply_to=dated, references=dated, extra=auto)
    result = scene.poll(MON + timedelta(days=3))
    assert {a.subject for a in result.actions if a.kind == "drafted"} == {"Proposal"}  # an OOO is no reply
    item = scene.items()["<pr@example.com>"]
    # away through Tue Nov 10, back Wed Nov 11: the follow-up waits for that morning
    assert item.due_at.astimezone(NY) == datetime(2026, 11, 11, 9, tzinfo=NY)  # type: ignore[attr-defined]
    assert "out of office, back Wed Nov 11" in item.reason  # type: ignore[attr-defined]


def test_exchange_auto_reply_without_auto_submitted_and_a_human_with_suppress_header(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    a = scene.send("Agenda", "Can you add my item to the agenda?", message_id="<ag@example.com>")
    b = scene.send("Venue", "Can you book the venue?", message_id="<ve@example.com>",
                   to="Carol <carol@client.example>")
    scene.receive("Automatic reply: Agenda", "I'm away this week.", MON + timedelta(minutes=1),
                  in_reply_to=a, references=a,
                  extra={"X-MS-Exchange-Generated-Message-Source": "Mailbox Rules Agent",
                         "X-Auto-Response-Suppress": "All"})
    scene.receive("RE: Venue", "Booked it.", MON + timedelta(hours=1), frm="Carol <carol@client.example>",
                  in_reply_to=b, references=b, extra={"X-Auto-Response-Suppress": "All"})
    scene.poll(MON + timedelta(days=1))
    assert scene.state(a) == "waiting" and scene.state(b) == "replied"


def test_bounce_marks_the_thread_bounced_and_a_read_receipt_is_no_reply(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    mid = scene.send("Intro", "Could we set up a call next week?", to="ghost@client.example",
                     message_id="<intro@example.com>")
    receipt = scene.send("Report", "Can you sign off the report?", message_id="<rep@example.com>")
    boundary = "b1"
    dsn = (f"--{boundary}\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
           f"--{boundary}\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.client.example\n\n"
           "Final-Recipient: rfc822; ghost@client.example\nAction: failed\nStatus: 5.1.1\n\n"
           f"--{boundary}\nContent-Type: text/rfc822-headers\n\nMessage-ID: {mid}\nSubject: Intro\n"
           f"To: ghost@client.example\n\n--{boundary}--\n")
    scene.receive("Undelivered Mail Returned to Sender", dsn, MON + timedelta(minutes=1),
                  frm="MAILER-DAEMON@mx.client.example (Mail Delivery System)",
                  content_type=f'multipart/report; report-type=delivery-status; boundary="{boundary}"')
    mdn = (f"--{boundary}\nContent-Type: text/plain\n\nYour message was displayed.\n"
           f"--{boundary}\nContent-Type: message/disposition-notification\n\n"
           f"Final-Recipient: rfc822; alice@client.example\nOriginal-Message-ID: {receipt}\n"
           "Disposition: manual-action/MDN-sent-manually; displayed\n\n"
           f"--{boundary}--\n")
    scene.receive("Read: Report", mdn, MON + timedelta(minutes=5), in_reply_to=receipt,
                  content_type=f'multipart/report; report-type=disposition-notification; boundary="{boundary}"')
    result = scene.poll(MON + timedelta(days=3))
    assert scene.state(mid) == "bounced" and "5.1.1" in scene.items()[mid].reason  # type: ignore[attr-defined]
    assert [a.subject for a in result.actions if a.kind == "drafted"] == ["Report"]


def test_sending_the_draft_starts_the_next_wait(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    mid = scene.send("Samples", "Could you ship the samples?")
    scene.poll(MON + timedelta(days=3))
    [draft] = scene.drafts()
    # the user's client sends it under a new Message-ID (as Outlook does) and drops the draft
    client = scene.imap()
    client.select_folder("Drafts")
    client.delete_messages(client.search(["ALL"]))
    client.expunge()
    client.logout()
    sent = MON + timedelta(days=3, hours=1)
    scene.send("Re: Samples", text_of(draft).split("\n\nOn ")[0], at=sent, in_reply_to=mid, references=mid,
               message_id="<outlook-new-id@example.com>")
    result = scene.poll(sent + timedelta(minutes=5))
    assert [a.kind for a in result.actions] == ["sent"]
    item = scene.items()[mid]
    assert item.state == "waiting" and item.step == 2  # type: ignore[attr-defined]
    # Thu Nov 5 11:00 + 7 business days = Mon Nov 16 11:00
    assert item.due_at.astimezone(NY) == datetime(2026, 11, 16, 11, tzinfo=NY)  # type: ignore[attr-defined]
    assert scene.poll(datetime(2026, 11, 16, 11, tzinfo=NY)).actions[0].detail.startswith("follow-up 2 to")


def test_a_draft_the_user_changed_under_our_message_id_is_never_removed(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    mid = scene.send("Terms", "Can you confirm the terms?", message_id="<terms@example.com>")
    scene.poll(MON + timedelta(days=3))
    [ours] = scene.drafts()
    # the user's client re-saves our draft with the same Message-ID and text, adding a Cc
    del ours["X-Test-Flags"]
    ours["Cc"] = "Carol <carol@client.example>"
    client = scene.imap()
    client.append("Drafts", ours.as_bytes(), flags=[b"\\Draft"])
    client.select_folder("Drafts")
    old = [u for u, d in client.fetch(client.search(["ALL"]), ["BODY.PEEK[HEADER.FIELDS (CC)]"]).items()
           if b"carol" not in next(v for k, v in d.items() if k.startswith(b"BODY"))]
    client.delete_messages(old)
    client.expunge()
    client.logout()
    scene.receive("Re: Terms", "Confirmed.", MON + timedelta(days=3, hours=2), in_reply_to=mid, references=mid)
    result = scene.poll(MON + timedelta(days=3, hours=3))
    assert [(a.kind, a.detail) for a in result.actions] == [("kept", "you changed the draft, so it stays")]
    assert [d["Cc"] for d in scene.drafts()] == ["Carol <carol@client.example>"]


# --- promises -------------------------------------------------------------------------------------

def test_my_promise_gets_a_reminder_the_working_day_before_and_closes_when_kept(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    mid = scene.send("Deck", "Hi Alice,\n\nThanks for the call. I'll send you the revised deck by Friday.\n\nBest,\nMe")
    scene.poll(MON + timedelta(hours=1))
    store = mailbox.store()
    rows = {(f.kind, f.message_id): f for f in FollowupStore(store).followups("work")}
    store.close()
    promise = rows[("my_promise", mid)]
    assert promise.what == "the revised deck" and promise.text.startswith("I'll send you the revised deck")
    # due Friday Nov 6 18:00; the reminder comes at the start of Thursday's working day
    assert promise.due_at.astimezone(NY) == datetime(2026, 11, 6, 18, tzinfo=NY)
    assert scene.poll(datetime(2026, 11, 5, 8, 59, tzinfo=NY)).actions == []
    result = scene.poll(datetime(2026, 11, 5, 9, 0, tzinfo=NY))
    assert [(a.kind, a.detail) for a in result.actions] == [
        ("drafted", "reminder of your promise to alice@client.example")]
    [draft] = scene.drafts()
    assert text_of(draft).startswith("Hi Alice,\n\nAs promised, here is the revised deck.")
    assert draft["In-Reply-To"] == mid and draft["To"] == "Alice Wong <alice@client.example>"
    # the user keeps it: a message of theirs in the thread, with the deck
    scene.send("Re: Deck", "Here it is.", at=datetime(2026, 11, 5, 15, tzinfo=NY), in_reply_to=mid,
               references=mid)
    result = scene.poll(datetime(2026, 11, 5, 15, 30, tzinfo=NY))
    assert ("removed", "draft removed: kept: you wrote again on Thu Nov 5") in [(a.kind, a.detail)
                                                                               for a in result.actions]
    assert scene.drafts() == []


def test_their_promise_is_nudged_after_the_grace_period(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    scene.send("Contract", "Could you send the signed contract?", message_id="<ask@example.com>")
    promise = scene.receive("Re: Contract", "Sure — I'll send the signed contract tomorrow.",
                            MON + timedelta(hours=1), in_reply_to="<ask@example.com>",
                            references="<ask@example.com>")
    # due Tue Nov 3 18:00, grace 1 business day: Wed 18:00, the end of the day → Thu Nov 5 09:00
    assert scene.poll(datetime(2026, 11, 5, 8, 59, tzinfo=NY)).actions == []
    result = scene.poll(datetime(2026, 11, 5, 9, 0, tzinfo=NY))
    assert [(a.kind, a.detail) for a in result.actions] == [
        ("drafted", "nudge about their promise to alice@client.example")]
    [draft] = scene.drafts()
    assert draft["In-Reply-To"] == promise and draft["To"] == "Alice Wong <alice@client.example>"
    assert draft["From"] == f"Me Myself <{scene.me}>"
    assert text_of(draft).startswith("Hi Alice,\n\nYou mentioned you'd get the signed contract to me by Tuesday.")
    # the question itself was answered by her promise: no follow-up for it
    assert scene.state("<ask@example.com>") == "replied"


def test_quoted_promises_and_auto_replies_are_ignored(mailbox: Mailbox) -> None:
    scene = Scene(mailbox)
    mid = scene.send("Plan", "Thanks, noted.\n\nOn Mon, Nov 2, 2026 at 9:00 AM Alice wrote:\n"
                             "> I'll send the plan by Friday.\n", message_id="<plan@example.com>")
    scene.receive("Automatic reply: Plan", "I'm out. I will reply to your message on Monday.",
                  MON + timedelta(minutes=1), in_reply_to=mid, references=mid,
                  extra={"Auto-Submitted": "auto-replied"})
    scene.poll(MON + timedelta(days=10))
    store = mailbox.store()
    kinds = [f.kind for f in FollowupStore(store).followups("work")]
    store.close()
    assert kinds == [] and scene.drafts() == []


def test_a_german_thread_gets_a_german_follow_up_in_the_users_own_voice(dovecot_mailbox: Mailbox) -> None:
    """Earlier sent mail teaches the greeting and sign-off; the thread's language picks the German templates;
    the register is the user's ("du"); dates and the attribution line are German; "AW:" stays as it is."""
    scene = Scene(dovecot_mailbox)
    frank = "Frank Moss <frank@kunde.example>"
    scene.send("Workshop", "Hallo Frank,\n\ndanke dir für den Workshop gestern, das war richtig gut.\n\n"
               "Beste Grüße aus Köln\nDana", to=frank, at=MON - timedelta(days=30))
    scene.send("Rechnung", "Hallo Frank,\n\ndie Rechnung für Oktober geht heute raus.\n\n"
               "Beste Grüße aus Köln\nDana", to=frank, at=MON - timedelta(days=20))
    first = scene.receive("Angebot Q4", "Hallo Dana,\n\nanbei unser Angebot für Q4.\n\nViele Grüße\nFrank",
                          MON - timedelta(days=1), frm=frank)
    mid = scene.send("AW: Angebot Q4", "Hallo Frank,\n\ndanke dir! Kannst du mir noch die Preise für die "
                     "Wartung schicken?\n\nBeste Grüße aus Köln\nDana", to=frank, in_reply_to=first,
                     references=first)
    scene.poll(MON + timedelta(days=1))
    assert scene.state(mid) == "waiting" and scene.drafts() == []
    actions = scene.poll(MON + timedelta(days=3))  # Thu 10:00: three business days
    assert [a.kind for a in actions.actions] == ["drafted"]
    [draft] = scene.drafts()
    assert draft["Subject"] == "AW: Angebot Q4" and draft["In-Reply-To"] == mid
    body = text_of(draft)
    assert body.startswith("Hallo Frank,\n\nich wollte kurz an meine Nachricht vom Montag anknüpfen. "
                           "Kannst du mir noch die Preise für die Wartung schicken?\n\nBeste Grüße aus Köln\nDana\n")
    assert "Am 02.11.2026 um 10:00 schrieb Me Myself:\n> Hallo Frank," in body
    assert "following up" not in body and "Sie " not in body

"""The scale benchmark's mailbox: two years of seeded, realistic mail written straight into Maildir.

Threads the user starts with a question (answered, unanswered, bumped, met by an out-of-office or a
bounce), promises the user makes and keeps, questions put to the user, HTML-only replies with a Gmail
quote container, attachments, mailing lists, newsletters and no-reply notifications. Most of it is old;
a recent band of unanswered questions falls due within the next week, and an older one is due now.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from servers import Server, make_message

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)  # a Friday noon
HISTORY = timedelta(days=730)
ME_NAME = "Dana Reyes"

FIRST = ("Alice", "Bob", "Carol", "Dan", "Eve", "Frank", "Grace", "Hiro", "Ines", "Jonas", "Kemal", "Lena",
         "Maya", "Nils", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor", "Wen", "Yusuf")
LAST = ("Wong", "Stone", "Diaz", "Ito", "Park", "Moss", "Okafor", "Novak", "Silva", "Berg", "Kaur", "Meyer",
        "Rossi", "Haddad", "Larsen", "Costa", "Nakamura", "Dubois", "Kowalski", "Singh")
DOMAINS = ("northwind.example", "contoso.example", "fabrikam.example", "adatum.example", "tailspin.example",
           "litware.example", "woodgrove.example", "proseware.example", "lucerne.example", "wingtip.example")
PROJECTS = ("Atlas", "Q4 budget", "the onboarding flow", "the Berlin offsite", "the pricing page", "Helios",
            "the vendor contract", "the hiring plan", "release 2.4", "the customer survey", "the roadmap")
ASKS = ("Could you send me the latest numbers for {p}?", "Can you review the draft for {p} by Thursday?",
        "Would Tuesday or Wednesday work for a call about {p}?", "Do you have an update on {p}?",
        "Could you confirm the budget for {p} before we sign?", "Can you let me know who owns {p} now?",
        "Any chance you could share the slides on {p}?", "What do you think about moving {p} to next month?")
PROMISES = ("Thanks for the call. I'll send you the revised deck for {p} by Friday.",
            "I will get back to you on {p} by Wednesday.", "I'll share the contract for {p} tomorrow.",
            "Let me check with finance about {p} and I'll get back to you next week.")
ANSWERS = ("Here are the numbers. Marketing is still pending, the rest is final.",
           "Looks good to me. Two small comments inline, nothing blocking.",
           "Wednesday at 10 works. I'll bring Sam along.", "Done, it's all in the shared folder now.",
           "Finance signed off this morning, so we're good to go.", "I talked to the team; we can move it.")
THANKS = ("Thanks, that works.", "Perfect, thank you!", "Great, appreciated.", "Got it, thanks a lot.")
FILLER = ("We went through the last round of feedback on Monday and most of it is addressed.",
          "The team is mostly back from holidays, so the schedule should hold.",
          "Legal still wants to look at the wording of the second section.",
          "I've attached nothing yet because the numbers keep moving.",
          "For context, this came up again in the leadership meeting last week.",
          "Nothing urgent, but it would help to settle it before the end of the month.")
LISTS = (("dev", "lists.python.example"), ("announce", "lists.debian.example"), ("users", "lists.postgres.example"))
BRANDS = ("Acme Weekly", "The Morning Brief", "Product Hunt Digest", "Stratechery Update", "Figma News")
SERVICES = (("GitHub", "notifications@github.example", "[repo] Build #{n} passed"),
            ("Jira", "jira@acme.atlassian.example", "[PROJ-{n}] Status changed to Done"),
            ("Google Calendar", "calendar-notification@google.example", "Reminder: Weekly sync @ 10:00"),
            ("Bank", "no-reply@bank.example", "Your statement #{n} is ready"))


@dataclass
class Awaiting:
    """A sent question with no answer yet: the benchmark delivers a reply to one of them."""

    message_id: str
    subject: str
    contact: str
    sent_at: str
    text: str


@dataclass
class Generated:
    messages: int = 0
    megabytes: float = 0.0
    awaiting: list[Awaiting] = field(default_factory=list)  # the band due now (drafted by the first poll)
    added: list[str] = field(default_factory=list)  # files the benchmark added later, removed on reuse

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> Generated:
        data = json.loads(path.read_text())
        return cls(data["messages"], data["megabytes"], [Awaiting(**a) for a in data["awaiting"]], data["added"])


class MailWriter:
    """Delivers into the user's Maildir until the limit; later mail than NOW is left out."""

    def __init__(self, server: Server, user: str, limit: int) -> None:
        self.server, self.user, self.limit = server, user, limit
        self.written = self.bytes = 0

    @property
    def full(self) -> bool:
        return self.written >= self.limit

    def put(self, folder: str, when: datetime, raw: bytes) -> bool:
        if self.full or when > NOW:
            return False
        unread = folder == "INBOX" and NOW - when < timedelta(days=3)
        self.server.deliver(self.user, folder, raw, when=when, flags="" if unread else "S")
        self.written += 1
        self.bytes += len(raw)
        return True


@dataclass
class Msg:
    """One message of a thread, kept to quote and reference it in the next."""

    sender: str
    text: str
    when: datetime
    message_id: str


class Threads:
    """Writes whole conversations; each method is one kind of thread."""

    def __init__(self, writer: MailWriter, rng: random.Random) -> None:
        self.w, self.rng, self.me = writer, rng, f"{ME_NAME} <{writer.user}>"
        self.seq = 0
        names = [(rng.choice(FIRST), rng.choice(LAST)) for _ in range(400)]
        self.contacts = [f"{first} {last} <{first.lower()}.{last.lower()}{i}@{rng.choice(DOMAINS)}>"
                         for i, (first, last) in enumerate(names)]

    def mid(self, domain: str) -> str:
        self.seq += 1
        return f"<{self.seq}.{self.rng.getrandbits(40):010x}@{domain}>"

    def contact(self) -> str:
        return self.contacts[min(int(self.rng.paretovariate(1.2)) - 1, len(self.contacts) - 1)]  # a few often

    def gap(self, when: datetime, hours: float = 48) -> datetime:
        return when + timedelta(hours=self.rng.uniform(0.3, hours))

    def body(self, lead: str, sender: str) -> str:
        first = sender.split()[0]
        return f"Hi,\n\n{lead}\n\n" + " ".join(self.rng.sample(FILLER, self.rng.randint(0, 3))) + f"\n\nBest,\n{first}"

    def send(self, folder: str, frm: str, to: str, subject: str, text: str, when: datetime,
             thread: list[Msg], html: bool = False, attach: bool = False,
             extra: dict[str, str] | None = None) -> Msg | None:
        """One human message, quoting and referencing the previous one of the thread."""
        domain = (frm.split("@")[-1]).rstrip(">")
        msg = Msg(frm, text, when, self.mid(domain))
        prev = thread[-1] if thread else None
        content, ctype = text, "text/plain; charset=utf-8"
        if prev and html:
            content, ctype = gmail_html(text, prev), "text/html; charset=utf-8"
        elif prev:
            quoted = "\n".join("> " + line for line in prev.text.splitlines()[:12])
            content = f"{text}\n\nOn {format_datetime(prev.when)}, {prev.sender} wrote:\n{quoted}\n"
        if attach:
            content, ctype = with_attachment(content, ctype, self.rng, self.seq)
        refs = " ".join(m.message_id for m in thread[-8:])
        raw = make_message(from_=frm, to=to, subject=("Re: " if prev else "") + subject, body=content, date=when,
                           message_id=msg.message_id, in_reply_to=prev.message_id if prev else None,
                           references=refs or None, content_type=ctype, extra=extra)
        if not self.w.put(folder, when, raw):
            return None
        thread.append(msg)
        return msg

    def mine(self, to: str, subject: str, text: str, when: datetime, thread: list[Msg], attach: bool = False) -> Msg | None:
        attach = attach or self.rng.random() < 0.03
        return self.send("Sent", self.me, to, subject, self.body(text, self.me), when, thread, attach=attach)

    def theirs(self, frm: str, subject: str, text: str, when: datetime, thread: list[Msg]) -> Msg | None:
        return self.send("INBOX", frm, self.me, subject, self.body(text, frm), when, thread,
                         html=self.rng.random() < 0.25, attach=self.rng.random() < 0.1)

    def ask(self) -> str:
        return self.rng.choice(ASKS).format(p=self.rng.choice(PROJECTS))

    # kinds of thread

    def asked(self, start: datetime, answered: bool = True) -> None:
        """The user asks; back and forth; answered, or not (then perhaps a bump)."""
        who, subject = self.contact(), self.rng.choice(PROJECTS).capitalize()
        thread: list[Msg] = []
        when = start
        if not self.mine(who, subject, self.ask(), when, thread, attach=self.rng.random() < 0.05):
            return
        for _ in range(self.rng.choice((0, 0, 1, 1, 2)) if answered else 0):
            when = self.gap(when)
            if not self.theirs(who, subject, self.rng.choice(ANSWERS) + " " + self.ask(), when, thread):
                return
            when = self.gap(when)
            if not self.mine(who, subject, self.rng.choice(ANSWERS), when, thread):
                return
        if answered:
            when = self.gap(when)
            if self.theirs(who, subject, self.rng.choice(ANSWERS), when, thread) and self.rng.random() < 0.5:
                self.mine(who, subject, self.rng.choice(THANKS), self.gap(when, 6), thread)
        elif self.rng.random() < 0.2:
            self.mine(who, subject, "Just bumping this up. " + self.ask(), self.gap(when, 200), thread)

    def asked_recently(self, start: datetime) -> Awaiting | None:
        who, subject = self.contact(), self.rng.choice(PROJECTS).capitalize()
        thread: list[Msg] = []
        text = self.ask()
        sent = self.mine(who, subject, text, start, thread)
        return Awaiting(sent.message_id, subject, who, start.isoformat(), text) if sent else None

    def out_of_office(self, start: datetime) -> None:
        who, subject = self.contact(), self.rng.choice(PROJECTS).capitalize()
        thread: list[Msg] = []
        if not self.mine(who, subject, self.ask(), start, thread):
            return
        back = start + timedelta(days=self.rng.randint(3, 14))
        text = f"I am out of the office until {back:%A, %B} {back.day} with limited access to email."
        raw = make_message(from_=who, to=self.me, subject=f"Automatic reply: {subject}", body=text,
                           date=start + timedelta(minutes=1), message_id=self.mid("ooo.example"),
                           in_reply_to=thread[0].message_id, extra={"Auto-Submitted": "auto-replied"})
        self.w.put("INBOX", start + timedelta(minutes=1), raw)
        if self.rng.random() < 0.5:
            self.theirs(who, subject, self.rng.choice(ANSWERS), back + timedelta(hours=3), thread)

    def bounced(self, start: datetime) -> None:
        domain = self.rng.choice(DOMAINS)
        ghost, subject = f"ghost{self.seq}@{domain}", self.rng.choice(PROJECTS).capitalize()
        thread: list[Msg] = []
        if not self.mine(ghost, subject, self.ask(), start, thread):
            return
        b = f"dsn{self.seq}"
        dsn = (f"--{b}\nContent-Type: text/plain\n\nYour message could not be delivered: no such user.\n"
               f"--{b}\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.{domain}\n\n"
               f"Final-Recipient: rfc822; {ghost}\nAction: failed\nStatus: 5.1.1\n\n"
               f"--{b}\nContent-Type: text/rfc822-headers\n\nMessage-ID: {thread[0].message_id}\n"
               f"Subject: {subject}\nTo: {ghost}\n\n--{b}--\n")
        when = start + timedelta(minutes=2)
        self.w.put("INBOX", when, make_message(
            from_=f"Mail Delivery System <MAILER-DAEMON@mx.{domain}>", to=self.me,
            subject="Undelivered Mail Returned to Sender", body=dsn, date=when, message_id=self.mid(f"mx.{domain}"),
            content_type=f'multipart/report; report-type=delivery-status; boundary="{b}"'))

    def promised(self, start: datetime) -> None:
        """The user promises something; mostly keeps it with an attachment; sometimes thanked."""
        who, project = self.contact(), self.rng.choice(PROJECTS)
        thread: list[Msg] = []
        subject = project.capitalize()
        if not self.mine(who, subject, self.rng.choice(PROMISES).format(p=project), start, thread):
            return
        if self.rng.random() < 0.7:
            when = self.gap(start, 72)
            if self.mine(who, subject, "As promised, here it is.", when, thread, attach=True) \
                    and self.rng.random() < 0.5:
                self.theirs(who, subject, self.rng.choice(THANKS), self.gap(when), thread)

    def asked_me(self, start: datetime, answered: bool = True) -> None:
        who, subject = self.contact(), self.rng.choice(PROJECTS).capitalize()
        thread: list[Msg] = []
        if self.theirs(who, subject, self.ask(), start, thread) and answered:
            self.mine(who, subject, self.rng.choice(ANSWERS), self.gap(start, 30), thread)

    def mailing_list(self, start: datetime) -> None:
        name, host = self.rng.choice(LISTS)
        address, when = f"{name}@{host}", start
        thread: list[Msg] = []
        subject = f"[{name}] " + self.rng.choice(("Release 3.2 is out", "Question about the build", "RFC: new API",
                                                   "Meeting notes", "Security advisory"))
        extra = {"List-Id": f"<{name}.{host}>", "List-Post": f"<mailto:{address}>", "Precedence": "list",
                 "List-Unsubscribe": f"<mailto:{name}-leave@{host}>"}
        for _ in range(self.rng.randint(1, 5)):
            who = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)} <{self.rng.choice(FIRST).lower()}@{host}>"
            if not self.send("INBOX", who, address, subject, self.body(self.ask(), who), when, thread, extra=extra):
                return
            when = self.gap(when, 20)

    def newsletter(self, start: datetime) -> None:
        brand = self.rng.choice(BRANDS)
        host = brand.lower().replace(" ", "") + ".example"
        style = 'style="font-family:Helvetica,Arial,sans-serif;font-size:16px;line-height:24px;color:#333333"'
        items = "".join(f'<tr><td {style}><h2 {style}>Story {i}</h2><p {style}>{self.rng.choice(FILLER)} '
                        f'{self.rng.choice(FILLER)}</p><a {style} href="https://{host}/s/{self.seq}/{i}?utm_source='
                        f'newsletter&amp;utm_medium=email">Read more</a></td></tr>\n'
                        for i in range(self.rng.randint(8, 30)))
        html = (f"<html><body><table>{items}</table><p><a href=\"https://{host}/unsubscribe\">Unsubscribe</a>"
                "</p></body></html>")
        self.w.put("INBOX", start, make_message(
            from_=f"{brand} <news@{host}>", to=self.w.user, subject=f"{brand}: this week", body=html, date=start,
            message_id=self.mid(host), content_type="text/html; charset=utf-8",
            extra={"List-Id": f"<weekly.{host}>", "List-Unsubscribe": f"<https://{host}/u/{self.seq}>",
                   "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "Precedence": "bulk"}))

    def notification(self, start: datetime) -> None:
        name, address, subject = self.rng.choice(SERVICES)
        n = self.rng.randint(100, 9999)
        text = f"{subject.format(n=n)}.\n\nView it at https://example.invalid/{n}\n\nDo not reply to this email."
        self.w.put("INBOX", start, make_message(
            from_=f"{name} <{address}>", to=self.w.user, subject=subject.format(n=n), body=text, date=start,
            message_id=self.mid(address.split("@")[1]), extra={"Auto-Submitted": "auto-generated"}))


def gmail_html(text: str, prev: Msg) -> str:
    quoted = "<br>".join(line for line in prev.text.splitlines()[:12])
    answer = "<br>".join(text.splitlines())
    return (f'<div dir="ltr">{answer}</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
            f"On {format_datetime(prev.when)}, {prev.sender.replace('<', '&lt;').replace('>', '&gt;')} wrote:<br>"
            '</div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid '
            f'rgb(204,204,204);padding-left:1ex">{quoted}</blockquote></div>')


def with_attachment(content: str, ctype: str, rng: random.Random, n: int) -> tuple[str, str]:
    size = int(rng.lognormvariate(11, 1.2))  # median 60 KB, mean 120 KB, now and then a few MB
    data = base64.encodebytes(rng.randbytes(size)).decode()
    b = f"mixed{n}"
    return (f"--{b}\nContent-Type: {ctype}\n\n{content}\n--{b}\nContent-Type: application/pdf\n"
            f'Content-Disposition: attachment; filename="doc-{n}.pdf"\nContent-Transfer-Encoding: base64\n\n'
            f"{data}--{b}--\n"), f'multipart/mixed; boundary="{b}"'


def generate(writer: MailWriter, seed: int) -> Generated:
    """The recent bands first (so they are there at any size), then history until the mailbox is full."""
    rng = random.Random(seed)
    threads = Threads(writer, rng)
    recent = max(20, min(400, writer.limit // 25))
    generated = Generated()
    for _ in range(recent // 4):  # sent 6 to 12 days ago: due now
        start = NOW - timedelta(days=rng.uniform(6, 12))
        if (awaiting := threads.asked_recently(start)) is not None:
            generated.awaiting.append(awaiting)
    for _ in range(recent):  # sent in the last 3 days: due within the next week
        threads.asked_recently(NOW - timedelta(hours=rng.uniform(0.2, 72)))
    kinds: tuple[tuple[Callable[[datetime], None], int], ...] = (
        (threads.asked, 12), (lambda s: threads.asked(s, answered=False), 4), (threads.out_of_office, 2),
        (threads.bounced, 1), (threads.promised, 3), (threads.asked_me, 10),
        (lambda s: threads.asked_me(s, answered=False), 5), (threads.mailing_list, 14),
        (threads.newsletter, 14), (threads.notification, 18))
    pick, weights = zip(*kinds, strict=True)
    while not writer.full:
        start = NOW - HISTORY * rng.random() ** 0.9  # a little more mail lately
        rng.choices(pick, weights)[0](start.replace(hour=rng.randint(7, 19)))
    generated.messages, generated.megabytes = writer.written, writer.bytes / 1e6
    return generated


def human_reply(to: Awaiting, user: str, when: datetime) -> bytes:
    quoted = "\n".join("> " + line for line in to.text.splitlines())
    body = (f"Sorry for the delay, here you go: everything is in the shared folder.\n\n"
            f"On {format_datetime(datetime.fromisoformat(to.sent_at))}, {ME_NAME} <{user}> wrote:\n{quoted}\n")
    domain = to.contact.split("@")[-1].rstrip(">")
    return make_message(from_=to.contact, to=f"{ME_NAME} <{user}>", subject=f"Re: {to.subject}", body=body,
                        date=when, message_id=f"<reply.{when.timestamp():.0f}@{domain}>",
                        in_reply_to=to.message_id, references=to.message_id)

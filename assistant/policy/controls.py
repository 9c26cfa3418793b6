"""The user's word from the mail client, for the policies. Pure.

Commands are read only from the user's own mail in Sent (the To, Cc and Bcc of the Sent copy, and its
keywords), which only the user can write to; the latest command of a thread wins, and on one message a
keyword (which can be added after sending) wins over an address. They become the same Override the
command line records (`followup track/dismiss/snooze`), so the policies honour both alike.

Mail that arrives at the control address is Followup's own signal (the copy a Bcc delivers to INBOX, or
a forged command): it is set aside before deciding, never mail from a person, never waiting on the user,
never a reply. A control address is never a recipient of a draft nor "the person" of a report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from assistant.analysis.commands import Controls, Found, Verb, due_at, read_commands
from assistant.model import Mail, Override
from assistant.when import NotAMoment
from assistant.workdays import WorkCalendar


def mail_overrides(threads: Mapping[str, Sequence[Mail]], controls: Controls,
                   calendar: WorkCalendar) -> dict[str, Override]:
    """The user's word from the mail client on each of their sent messages (by Message-ID, the key of the
    item awaiting a reply): the thread's latest command, for every message of theirs in the thread."""
    out: dict[str, Override] = {}
    for thread in threads.values():
        word = latest_word(thread, controls, calendar)
        if word is None:
            continue
        for m in thread:
            if m.from_user and m.message_id and m.folder_role != "drafts":
                out[m.message_id] = word
    return out


def latest_word(thread: Iterable[Mail], controls: Controls, calendar: WorkCalendar) -> Override | None:
    """The latest command the user gave on their Sent copies in this thread, as an Override."""
    sent = sorted((m for m in thread if m.folder_role == "sent" and m.from_user), key=lambda m: (m.date, m.id))
    for m in reversed(sent):
        for found in reversed(read_commands(controls, m.to, m.cc, m.bcc, m.flags)):
            word = as_override(found, m, calendar)
            if word is not None:
                return word
    return None


def as_override(found: Found, m: Mail, calendar: WorkCalendar) -> Override | None:
    """A command read on sent message `m` as the user's word; None if it says nothing we can act on (a
    moment that is no moment is skipped, and an earlier command counts instead)."""
    command = found.command
    if command is None:
        return None
    if command.verb == Verb.FOLLOW_UP:
        try:
            due = due_at(command, m.date, calendar)
        except NotAMoment:
            return None
        return Override("track", due=due, since=m.date, said=found.said())
    return Override("track" if command.verb == Verb.TRACK else "dismiss", since=m.date, said=found.said())


def merge(stored: Mapping[str, Override], from_mail: Mapping[str, Override]) -> dict[str, Override]:
    """The command line's word (stored) on top of the mail client's: its track or dismiss, and its snooze,
    win; the mail's due time stays."""
    out = dict(from_mail)
    for key, said in stored.items():
        word = from_mail.get(key)
        if word is None:
            out[key] = said
        else:
            out[key] = Override(said.action or word.action, said.until, word.due, word.since,
                                word.said if not said.action else said.said)
    return out


def is_signal(m: Mail, controls: Controls, user_addresses: frozenset[str]) -> bool:
    """Mail in INBOX sent to the control address and to none of the user's own: Followup's own signal (a
    copy of the user's command, or a forged one), not mail from a person; or a bounce of the control address
    alone."""
    if m.folder_role != "inbox":
        return False
    if m.verdict == "bounce" and m.original_recipients:
        # a provider without plus addressing bounces the Bcc: the command still counts, the mail got through
        return all(controls.is_control(a) for a in m.original_recipients)
    to = [a.lower() for _, a in m.recipients]
    return any(controls.is_control(a) for a in to) and not any(a in user_addresses for a in to)


def without_controls(m: Mail, controls: Controls) -> Mail:
    """The message with control addresses taken out of its recipients."""
    def keep(people: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple((n, a) for n, a in people if not controls.is_control(a))

    if not any(controls.is_control(a) for _, a in (*m.recipients, *m.bcc)):
        return m
    return replace(m, to=keep(m.to), cc=keep(m.cc), bcc=keep(m.bcc))


def people_mail(mail: Iterable[Mail], controls: Controls | None, user_addresses: frozenset[str]) -> list[Mail]:
    """The mail the policies and the report read: Followup's own signals set aside, control addresses out."""
    if controls is None:
        return list(mail)
    return [without_controls(m, controls) for m in mail if not is_signal(m, controls, user_addresses)]

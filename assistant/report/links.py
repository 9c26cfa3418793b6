"""Links that open a message in the user's mail client. Pure.

A Message-ID comes from mail, so it is percent-encoded whole: nothing in it can end the URL, start a new
one or break out of an HTML attribute (the templates escape it as well).
"""

from __future__ import annotations

from urllib.parse import quote

GMAIL_HOSTS = frozenset({"imap.gmail.com", "imap.googlemail.com"})  # Gmail and Google Workspace alike


def is_gmail(host: str) -> bool:
    return host.strip().lower().rstrip(".") in GMAIL_HOSTS


def _bare(message_id: str) -> str:
    return message_id.strip().removeprefix("<").removesuffix(">").strip()


def mid_url(message_id: str) -> str:
    """RFC 2392's `mid:` URL (the Message-ID without <>, percent-encoded), which desktop clients open
    (Thunderbird, Apple Mail, mutt with a handler); "" without a Message-ID."""
    bare = _bare(message_id)
    return f"mid:{quote(bare, safe='@')}" if bare else ""


def gmail_url(message_id: str) -> str:
    """Gmail's web search for the message (`rfc822msgid:`), which opens its conversation; "" without one."""
    bare = _bare(message_id)
    return f"https://mail.google.com/mail/#search/rfc822msgid%3A{quote(bare, safe='')}" if bare else ""

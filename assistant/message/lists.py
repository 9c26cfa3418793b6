"""Which mailing list a message came through, by its List-Post and List-Id headers. Pure.

Read once per message at sync and stored with it, so deciding never parses list headers again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_MAILTO = re.compile(r"mailto:([^>?\s,]+)")
_LIST_ID = re.compile(r"<([^<>@\s]+)>")


def list_addresses_of(headers: Mapping[str, str]) -> set[str]:
    """A list's posting address from List-Post (mailto:) and its List-Id ("<dev.lists.example.org>")."""
    out = {a.lower() for a in _MAILTO.findall(headers.get("List-Post", ""))}
    list_id = _LIST_ID.search(headers.get("List-Id", ""))
    if list_id and "." in list_id.group(1):
        local, _, domain = list_id.group(1).partition(".")
        out.add(f"{local}@{domain}".lower())
    return out

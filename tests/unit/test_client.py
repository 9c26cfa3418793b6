"""The client's pure helpers, and its second look when a server's UID SEARCH answers nothing (Mailutils)."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.mailbox.client import MAX_UID_SET, MailboxClient, compact, uid_sets


@pytest.mark.parametrize(("uids", "expected"), [
    ([], ""), ([7], "7"), ([1, 2, 3], "1:3"), ([3, 1, 2, 9, 10, 12], "1:3,9:10,12"),
    (list(range(251, 501)), "251:500"),
])
def test_uid_sets_go_out_as_ranges(uids: list[int], expected: str) -> None:
    assert compact(uids) == expected


def test_every_uid_set_fits_a_short_command_line() -> None:
    scattered = list(range(1, 40_000, 2))  # no two adjacent: the worst case
    sets = uid_sets(scattered)
    assert all(len(s) <= MAX_UID_SET for s in sets)
    assert sorted(int(u) for s in sets for u in s.split(",")) == scattered


class _Mailutils:
    """What GNU Mailutils imap4d answers: nothing to UID SEARCH UID n:*, the truth to a sequence search."""

    use_uid = True

    def search(self, criteria: list[Any]) -> list[int]:
        return [] if self.use_uid else [1, 2, 3]


class _Client(MailboxClient):
    def __init__(self) -> None:  # no connection: only the search logic is under test
        self._imap = _Mailutils()
        self._exists = 3
        self.account = type("A", (), {"name": "work", "where": "[accounts.work]"})()  # type: ignore[assignment]

    def _fetch_range(self, uid_range: str, items: list[str], modifiers: list[str] | None,
                     uid: bool = True) -> dict[int, Any]:
        assert not uid and uid_range == "1:3" and items == ["UID"]
        return {1: {b"UID": 11}, 2: {b"UID": 12}, 3: {b"UID": 14}}


def test_an_empty_uid_search_over_a_folder_with_mail_gets_a_second_look() -> None:
    assert _Client().uids_after(11) == [12, 14]

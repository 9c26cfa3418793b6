"""The drafts plan on hand-built rows: what a cycle does to Drafts, decided with no server and no clock.

Each row: the items' decisions, our draft rows, the mirrored mail, the user's overrides, and the steps
expected, written `do #followup` (a recovery adds what its answers lead to)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.drafts.plan import MISSING_GRACE, Do, Step, plan
from assistant.model import Decision, DraftState, Kind, Mail, Override, State
from assistant.store.items import DraftRow

NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 11, 5, 10, 0, tzinfo=NY)  # our drafts were made then
NOW = T0 + timedelta(hours=2)


def _tracked(n: int) -> Mail:
    return Mail(id=n, message_id=f"<t{n}@me>", thread_key=f"<t{n}@me>", folder_role="sent", from_addr="me@example.com",
                from_name="Me", to=(("Alice", "alice@x.example"),), cc=(), subject=f"Subject {n}",
                date=T0 - timedelta(days=3), from_user=True)


def item(n: int = 1, state: State = State.WAITING, step: int = 1, due: bool = True, reason: str = "asks") -> Decision:
    """The decision on tracked item #n (its followup id is n)."""
    tracked = _tracked(n)
    return Decision(message_id=tracked.message_id or "", thread_key=tracked.thread_key, state=state, step=step,
                    due_at=T0, reason=reason, tracked=tracked, latest=tracked, draft_due=due,
                    draft_to=tracked.to)


def draft(n: int = 1, step: int = 1, state: DraftState = DraftState.PRESENT, updated: datetime = T0) -> DraftRow:
    """Our draft for item #n's step (row id 10n + step, so older steps come first)."""
    return DraftRow(id=10 * n + step, followup_id=n, step=step, message_id=f"<d{n}.{step}@me>", state=state,
                    folder="Drafts", uid=None, body_sha256="", raw=b"", created_at=T0, updated_at=updated)


def in_drafts(n: int = 1, step: int = 1) -> Mail:
    """The mirror shows our draft for item #n's step in Drafts."""
    return replace(_tracked(n), id=1000 + 10 * n + step, message_id=f"<d{n}.{step}@me>", folder_role="drafts",
                   date=T0)


def users(n: int = 1, folder: str = "sent", at: datetime = T0 + timedelta(hours=1),
          message_id: str = "<mine@me>") -> Mail:
    """A message of the user's in item #n's thread (sent, or a draft of their own)."""
    return replace(_tracked(n), id=2000 + n, message_id=message_id, folder_role=folder, date=at)


@dataclass(frozen=True)
class Row:
    decisions: tuple[Decision, ...] = ()
    drafts: tuple[DraftRow, ...] = ()
    mail: tuple[Mail, ...] = ()
    overrides: tuple[tuple[int, Override], ...] = ()  # (item, override)
    unsaved: tuple[int, ...] = ()  # items with no followup row yet (--dry-run)
    now: datetime = NOW


def show(step: Step) -> str:
    text = f"{step.do} #{step.followup_id}"
    if step.do == Do.RECOVER:
        text += f" then={step.then}" + (" append" if step.append else "")
    return text


def run(row: Row) -> list[str]:
    ids = {d.key: int(d.message_id[2:-4]) for d in row.decisions if int(d.message_id[2:-4]) not in row.unsaved}
    overrides = {f"<t{n}@me>": o for n, o in row.overrides}
    return [show(s) for s in plan(row.decisions, ids, row.mail, row.drafts, overrides, row.now)]


P, M, E = DraftState.PRESENT, DraftState.MISSING, DraftState.EDITED
TRACK = Override("track")

CASES: dict[str, tuple[Row, list[str]]] = {
    # --- new drafts ---
    "due, no draft yet: create": (Row((item(),)), ["create #1"]),
    "not yet due: nothing": (Row((item(due=False),)), []),
    "snoozed: nothing": (Row((item(state=State.SNOOZED),)), []),
    "an unsaved item (dry-run) is created as #0": (Row((item(),), unsaved=(1,)), ["create #0"]),
    "each item on its own, in decision order": (Row((item(2), item(1, due=False), item(3))),
                                                ["create #2", "create #3"]),
    # --- our draft is there ---
    "live draft for the step: marked drafted": (Row((item(),), (draft(),), (in_drafts(),)), ["mark-drafted #1"]),
    "live draft, not due: still drafted": (Row((item(due=False),), (draft(),), (in_drafts(),)),
                                           ["mark-drafted #1"]),
    "the user's edited draft holds the step": (Row((item(),), (draft(state=E),)), ["mark-drafted #1"]),
    "replied: remove": (Row((item(state=State.REPLIED),), (draft(),), (in_drafts(),)), ["remove #1"]),
    "bounced: remove": (Row((item(state=State.BOUNCED),), (draft(),), (in_drafts(),)), ["remove #1"]),
    "dismissed: remove": (Row((item(state=State.DISMISSED),), (draft(),), (in_drafts(),)), ["remove #1"]),
    "promise kept: remove": (Row((item(state=State.KEPT),), (draft(),), (in_drafts(),)), ["remove #1"]),
    "no longer tracked: remove": (Row((), (draft(),), (in_drafts(),)), ["remove #1"]),
    "cold: the last chance is kept": (Row((item(state=State.COLD),), (draft(),), (in_drafts(),)), []),
    "snoozed: its draft leaves Drafts": (Row((item(state=State.SNOOZED),), (draft(),), (in_drafts(),)),
                                         ["remove #1"]),
    "snoozed, the user's edited draft: left alone": (Row((item(state=State.SNOOZED),), (draft(state=E),)), []),
    "step overtaken: remove the old, create the new": (
        Row((item(step=2),), (draft(),), (in_drafts(),)), ["remove #1", "create #1"]),
    "step overtaken, next not due: remove only": (
        Row((item(step=2, due=False),), (draft(),), (in_drafts(),)), ["remove #1"]),
    "missing draft back in Drafts: found, drafted": (
        Row((item(),), (draft(state=M),), (in_drafts(),)), ["found #1", "mark-drafted #1"]),
    "missing draft back, no longer wanted: found, removed": (
        Row((item(state=State.REPLIED),), (draft(state=M),), (in_drafts(),)), ["found #1", "remove #1"]),
    # --- our draft is gone from the mirror ---
    "gone, the user sent mail in the thread since: sent": (
        Row((item(step=2, due=False),), (draft(),), (users(),)), ["sent #1"]),
    "gone, our draft sent as it is (its copy in Sent): sent": (
        Row((item(step=2, due=False),), (draft(),), (users(message_id="<d1.1@me>"),)), ["sent #1"]),
    "gone, a newer draft of the user's in the thread: edited, still drafted": (
        Row((item(),), (draft(),), (users(folder="drafts"),)), ["edited #1", "mark-drafted #1"]),
    "gone, mail sent before our draft does not count: look again": (
        Row((item(),), (draft(),), (users(at=T0 - timedelta(minutes=1)),)), ["look-again #1", "mark-drafted #1"]),
    "gone, mail in another thread does not count: look again": (
        Row((item(), item(2, due=False)), (draft(),), (users(2),)), ["look-again #1", "mark-drafted #1"]),
    "gone the first time: look again (held meanwhile)": (
        Row((item(),), (draft(),)), ["look-again #1", "mark-drafted #1"]),
    "gone while no longer wanted: look again, no remove": (
        Row((item(state=State.REPLIED),), (draft(),)), ["look-again #1"]),
    "missing within the grace: wait, still drafted": (
        Row((item(),), (draft(state=M, updated=NOW - MISSING_GRACE + timedelta(seconds=1)),)),
        ["mark-drafted #1"]),
    "missing beyond the grace: deleted, the item dismissed, nothing created": (
        Row((item(),), (draft(state=M, updated=NOW - MISSING_GRACE),)), ["deleted #1"]),
    "missing beyond the grace, but sent meanwhile: sent": (
        Row((item(step=2, due=False),), (draft(state=M, updated=NOW - timedelta(days=1)),), (users(),)),
        ["sent #1"]),
    "sent draft at the item's step, due again: created again (as always)": (
        Row((item(),), (draft(state=DraftState.SENT),)), ["create #1"]),
    "removed draft at the item's step, due again: created again": (
        Row((item(),), (draft(state=DraftState.REMOVED),)), ["create #1"]),
    # --- the user deleted our draft once ---
    "deleted draft for this step: never again": (
        Row((item(),), (draft(state=DraftState.DELETED),)), ["never-again #1"]),
    "deleted draft for this step, not due: never again all the same": (
        Row((item(due=False),), (draft(state=DraftState.DELETED),)), ["never-again #1"]),
    "deleted draft, then `followup track`: the newer word wins": (
        Row((item(),), (draft(state=DraftState.DELETED),), overrides=((1, TRACK),)), ["create #1"]),
    "deleted draft, a snooze is no `track`": (
        Row((item(),), (draft(state=DraftState.DELETED),), overrides=((1, Override(None, NOW)),)),
        ["never-again #1"]),
    "deleted draft of an earlier step: the next is made": (
        Row((item(step=2),), (draft(state=DraftState.DELETED),)), ["create #1"]),
    "deleted draft, the item closed: nothing": (
        Row((item(state=State.REPLIED),), (draft(state=DraftState.DELETED),)), []),
    # --- a draft pending after a crash ---
    "pending, still due: recover (append if absent), drafted": (
        Row((item(),), (draft(state=DraftState.PENDING),)), ["recover #1 then=look-again append",
                                                             "mark-drafted #1"]),
    "pending, step overtaken: recover (drop if absent), create the next": (
        Row((item(step=2),), (draft(state=DraftState.PENDING),)), ["recover #1 then=look-again", "create #1"]),
    "pending, no longer due: recover without append": (
        Row((item(state=State.REPLIED, due=False),), (draft(state=DraftState.PENDING),)),
        ["recover #1 then=look-again"]),
    "pending, untracked: recover without append": (
        Row((), (draft(state=DraftState.PENDING),)), ["recover #1 then=look-again"]),
    "pending, sent since: recover, a gone draft is sent": (
        Row((item(step=2, due=False),), (draft(state=DraftState.PENDING),), (users(),)), ["recover #1 then=sent"]),
    "pending, edited since: recover, a gone draft is edited": (
        Row((item(),), (draft(state=DraftState.PENDING),), (users(folder="drafts"),)),
        ["recover #1 then=edited append", "mark-drafted #1"]),
    "pending and in the mirror: still a recovery (the server decides)": (
        Row((item(),), (draft(state=DraftState.PENDING),), (in_drafts(),)),
        ["recover #1 then=look-again append", "mark-drafted #1"]),
    # --- several at once ---
    "drafts reviewed first, in the store's order, then new drafts": (
        Row((item(1, state=State.REPLIED), item(2), item(3, step=2)),
            (draft(3), draft(1)), (in_drafts(3), in_drafts(1))),
        ["remove #3", "remove #1", "create #2", "create #3"]),
    "a deleted draft dismisses its item only": (
        Row((item(1), item(2)), (draft(1, state=M, updated=T0 - timedelta(days=1)),)),
        ["deleted #1", "create #2"]),
}


@pytest.mark.parametrize("row, expected", CASES.values(), ids=CASES.keys())
def test_plan(row: Row, expected: list[str]) -> None:
    assert run(row) == expected


def test_steps_carry_what_the_applier_needs() -> None:
    old, kept = draft(1), item(1, state=State.REPLIED, reason="Alice replied")
    [remove] = plan([kept], {kept.key: 1}, [in_drafts(1)], [old], {}, NOW)
    assert (remove.draft, remove.decision, remove.why, remove.subject) == (old, kept, "Alice replied", "Subject 1")
    [untracked] = plan([], {}, [in_drafts(1)], [old], {}, NOW)
    assert (untracked.why, untracked.subject) == ("no longer tracked", "<d1.1@me>")
    due = item(2, step=2)
    [create] = plan([due], {due.key: 2}, [], [], {}, NOW)
    assert (create.decision, create.draft, create.subject) == (due, None, "Subject 2")


def test_kinds_of_items_plan_alike() -> None:
    promise = replace(item(), kind=Kind.MY_PROMISE)
    assert [show(s) for s in plan([promise], {promise.key: 7}, [], [], {}, NOW)] == ["create #7"]

"""What to do in Drafts this cycle, decided from the policy's decisions, the mirrored mail and our draft rows.

Pure: no server, no store, no clock (`now` is handed in). Where only the server can tell (is the draft
still there after all? did the user change it? did an APPEND happen before a crash?) the plan names
the question as a step of its own and says what each answer leads to; the applier asks and acts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from assistant.model import DRAFT_HELD, DRAFT_LIVE, Decision, DraftState, Mail, Override, State

if TYPE_CHECKING:  # a value type only: the plan never reaches the store
    from assistant.store.items import DraftRow

MISSING_GRACE = timedelta(minutes=10)  # a vanished draft is "deleted" only if no sent copy shows up by then
# A cold item's draft is the user's last chance: kept. A snoozed one leaves Drafts (untouched: an edited
# draft is the user's) and is made again when the snooze ends.
REMOVE_WHEN: frozenset[str] = frozenset({State.REPLIED, State.BOUNCED, State.DISMISSED, State.KEPT, State.SNOOZED})
# Our draft for the item's step exists (or may): the item is drafted and no new one is made.
HELD = DRAFT_HELD
REVIEWED: frozenset[str] = DRAFT_LIVE | {DraftState.MISSING}  # drafts whose fate we still follow


class Do(StrEnum):
    """What a step does. The last three ask the server first; the applier acts on its answer."""

    CREATE = "create"  # render the due draft, commit the intent, APPEND it
    MARK_DRAFTED = "mark-drafted"  # the item's draft for its step is held (kept if the draft still is)
    FOUND = "found"  # a missing draft is back in Drafts: present again
    SENT = "sent"  # gone from Drafts, and the user sent mail in the thread since
    EDITED = "edited"  # gone, but a newer draft of the user's is in the thread: theirs now
    DELETED = "deleted"  # missing beyond the grace: the user deleted it, the item is dismissed
    NEVER_AGAIN = "never-again"  # this very draft was deleted once: dismiss the item, never append it again
    LOOK_AGAIN = "look-again"  # gone from the mirror: search Drafts; absent there too → missing
    REMOVE = "remove"  # no longer wanted: fetch it, and remove it only if its digest is still ours
    RECOVER = "recover"  # pending after a crash: search Drafts for its Message-ID, then see `then`/`append`


@dataclass(frozen=True)
class Step:
    do: Do
    followup_id: int  # 0: an item not yet saved (--dry-run)
    subject: str
    draft: DraftRow | None = None  # the draft it is about (None for CREATE and NEVER_AGAIN)
    decision: Decision | None = None  # None: the item is no longer tracked
    why: str = ""  # REMOVE: why the draft is no longer wanted
    then: Do | None = None  # RECOVER: appended once and gone from Drafts since → SENT, EDITED or LOOK_AGAIN
    append: bool = False  # RECOVER: never appended → APPEND it (still due at its step) or drop it


def obsolete(draft: DraftRow, decision: Decision | None) -> bool:
    """Our draft is no longer wanted: untracked, closed, or its step was overtaken."""
    return decision is None or decision.state in REMOVE_WHEN or decision.step > draft.step


def vanished(draft: DraftRow, decision: Decision | None, mail: Sequence[Mail], now: datetime) -> Do | None:
    """What our draft's absence from the mirrored Drafts means (None: wait for the grace to pass)."""
    thread = decision.thread_key if decision else None
    # (a client that sends our draft as it is keeps its Message-ID: that copy sits in Sent)
    later = [m for m in mail if m.thread_key == thread and m.from_user and m.date >= draft.created_at
             and not (m.folder_role == "drafts" and m.message_id == draft.message_id)]
    if any(m.folder_role != "drafts" for m in later):
        return Do.SENT
    if later:
        return Do.EDITED
    if draft.state != DraftState.MISSING:
        return Do.LOOK_AGAIN  # only the server's word and a second look, after Sent had time to sync
    return Do.DELETED if now - draft.updated_at >= MISSING_GRACE else None


# What a step leaves a draft as, where the plan can know it.
_AFTER = {Do.SENT: DraftState.SENT, Do.EDITED: DraftState.EDITED, Do.DELETED: DraftState.DELETED,
          Do.LOOK_AGAIN: DraftState.MISSING, Do.FOUND: DraftState.PRESENT}


def plan(decisions: Sequence[Decision], ids: Mapping[str, int], mail: Sequence[Mail], drafts: Sequence[DraftRow],
         overrides: Mapping[str, Override], now: datetime) -> list[Step]:
    """Every step of one cycle, in order: first what became of our drafts (oldest first), then each
    waiting item's draft. `ids` maps decision keys to followup ids (an unsaved item has none)."""
    by_followup = {ids[d.key]: d for d in decisions if d.key in ids}
    review = list(_review(drafts, by_followup, mail, now))
    after = {s.draft.id: _AFTER[s.do] for s in review if s.draft is not None and s.do in _AFTER}
    held = {(d.followup_id, d.step): d for d in drafts if after.get(d.id, d.state) in HELD}
    dismissed = {s.followup_id for s in review if s.do == Do.DELETED}
    deleted = {(d.followup_id, d.step) for d in drafts if d.state == DraftState.DELETED}
    steps = review
    for d in decisions:
        fid = ids.get(d.key, 0)
        if d.state != State.WAITING or fid in dismissed:
            continue
        override = overrides.get(d.key)
        if (fid, d.step) in deleted and not (override is not None and override.action == "track"):
            # the user deleted this very draft once: never again, unless `followup track` came after
            steps.append(Step(Do.NEVER_AGAIN, fid, d.tracked.subject, decision=d))
        elif (fid, d.step) in held:
            steps.append(Step(Do.MARK_DRAFTED, fid, d.tracked.subject, held[fid, d.step], d))
        elif d.draft_due:
            steps.append(Step(Do.CREATE, fid, d.tracked.subject, decision=d))
    return steps


def _review(drafts: Sequence[DraftRow], decisions: Mapping[int, Decision], mail: Sequence[Mail],
            now: datetime) -> Iterator[Step]:
    """What became of each draft we still follow."""
    in_drafts = {m.message_id for m in mail if m.folder_role == "drafts" and m.message_id}
    for draft in (d for d in drafts if d.state in REVIEWED):
        decision = decisions.get(draft.followup_id)
        subject = decision.tracked.subject if decision else draft.message_id
        if draft.state == DraftState.PENDING:
            due = decision is not None and decision.draft_due and decision.step == draft.step
            yield Step(Do.RECOVER, draft.followup_id, subject, draft, decision,
                       then=vanished(draft, decision, mail, now), append=due)
        elif draft.message_id in in_drafts:
            if draft.state == DraftState.MISSING:
                yield Step(Do.FOUND, draft.followup_id, subject, draft, decision)
            if obsolete(draft, decision):
                why = decision.reason if decision else "no longer tracked"
                yield Step(Do.REMOVE, draft.followup_id, subject, draft, decision, why=why)
        elif (outcome := vanished(draft, decision, mail, now)) is not None:
            yield Step(outcome, draft.followup_id, subject, draft, decision)

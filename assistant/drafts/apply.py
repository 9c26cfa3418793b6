"""Carry out a plan (drafts/plan.py) against the Drafts folder and the store, one item at a time; or, for
--dry-run, say what each step would do, rendering every would-be draft and changing nothing.

The user's own mail is never touched. A draft's Message-ID is decided from (thread, step) and its intent
committed before APPEND; Drafts is searched for it first, so a crash between APPEND and commit never
leaves two drafts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from jinja2.sandbox import SandboxedEnvironment

from assistant.analysis.language import detect_language
from assistant.drafts.compose import RenderedDraft, build_draft, draft_input, message_digest
from assistant.drafts.personal import personal
from assistant.drafts.plan import HELD, Do, Step
from assistant.drafts.voice import Voice, VoiceBook, learn
from assistant.errors import ConnectionLost, FollowupError
from assistant.mailbox.client import MailboxClient
from assistant.model import Decision, DraftState, Mail, State, label
from assistant.store.items import DraftRow, FollowupStore
from assistant.workdays import WorkCalendar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Action:
    """What the service reports of a step: drafted, removed, sent, edited, dismissed, kept, failed, report,
    and with --dry-run would-draft, would-remove, would-mark-sent, …"""

    kind: str
    followup_id: int
    subject: str
    detail: str


@dataclass
class Renderer:
    """Renders the draft a decision calls for (reading the quoted text from the store), in the thread's
    language and the user's voice (learned from their sent mail once, when the first draft needs it)."""

    account: str
    store: FollowupStore
    env: SandboxedEnvironment
    calendar: WorkCalendar
    tz: ZoneInfo
    now: datetime
    threads: Mapping[str, Sequence[Mail]] = field(default_factory=dict)
    language: str = "en"  # [followup] language: when the thread tells none
    overrides: Mapping[str, Voice] = field(default_factory=dict)  # [voice]
    learn: bool = True
    _voice: VoiceBook | None = None

    def voice(self) -> VoiceBook:
        if self._voice is None:
            own = self.store.own_texts(self.account) if self.learn else []
            self._voice = learn(own, detect_language, self.overrides)
        return self._voice

    def __call__(self, d: Decision) -> RenderedDraft:
        waiting = self.calendar.business_days_between(d.tracked.date, self.now)
        mine = personal(d, self.threads.get(d.thread_key, ()), detect_language, self.voice(), self.language)
        return build_draft(draft_input(self.account, d, self.store.full_text(d.latest.id), waiting, **mine),
                           self.env, self.now, self.tz)


def _to(d: Decision) -> str:
    return ", ".join(a for _, a in d.draft_to) or "?"


def _isolated(account: str, step: Step, run: Callable[[], Action | None]) -> Action | None:
    """One item's failure (a template error, a refused APPEND) is reported; the others go on."""
    try:
        return run()
    except ConnectionLost:
        raise  # every other item would fail the same way: the cycle stops, said once
    except FollowupError as e:
        log.error("%s: item #%s %r: %s", account, step.followup_id, step.subject, e)
        return Action("failed", step.followup_id, step.subject, str(e))


@dataclass
class Applier:
    client: MailboxClient
    store: FollowupStore
    account: str
    folder: str  # the Drafts folder's name
    render: Renderer
    now: datetime
    _states: dict[int, str] = field(default_factory=dict)  # what this run made of each draft

    def apply(self, steps: Sequence[Step]) -> list[Action]:
        actions = (_isolated(self.account, s, partial(self._do, s)) for s in steps)
        return [a for a in actions if a is not None]

    def _do(self, step: Step) -> Action | None:
        draft, d = step.draft, step.decision
        if step.do == Do.CREATE:
            assert d is not None
            return self._create(step.followup_id, d)
        if step.do == Do.NEVER_AGAIN:
            self.store.dismiss_for_deleted_draft(step.followup_id, None, self.now)
            return None
        assert draft is not None
        if step.do == Do.MARK_DRAFTED:
            if self._states.get(draft.id, draft.state) in HELD:  # a recovery may have found it sent
                self.store.set_state(step.followup_id, State.DRAFTED, self.now)
            return None
        if step.do == Do.REMOVE:
            return self._remove(step, draft)
        if step.do == Do.RECOVER:
            return self._recover(step, draft)
        return self._settle(step.do, step, draft)

    def _mark(self, draft: DraftRow, state: DraftState, uid: int | None = None,
              uidvalidity: int | None = None) -> None:
        self.store.mark_draft(draft.id, state, self.now, uid=uid, uidvalidity=uidvalidity)
        self._states[draft.id] = state

    def _settle(self, do: Do, step: Step, draft: DraftRow) -> Action | None:
        """Record what became of a draft that left Drafts (or came back)."""
        if do == Do.FOUND:
            self._mark(draft, DraftState.PRESENT)
            return None
        if do == Do.SENT:
            self._mark(draft, DraftState.SENT)
            return Action("sent", step.followup_id, step.subject, f"you sent follow-up {draft.step}")
        if do == Do.EDITED:
            self._mark(draft, DraftState.EDITED)
            return Action("edited", step.followup_id, step.subject, "you are editing the draft: it is yours now")
        if do == Do.LOOK_AGAIN:
            if self.client.find_by_message_id(self.folder, draft.message_id) is None:
                self._mark(draft, DraftState.MISSING)
            return None
        assert do == Do.DELETED
        self.store.dismiss_for_deleted_draft(step.followup_id, draft.id, self.now)
        self._states[draft.id] = DraftState.DELETED
        return Action("dismissed", step.followup_id, step.subject, "you deleted the draft: no more follow-ups here")

    def _remove(self, step: Step, draft: DraftRow) -> Action:
        uid = self.client.find_by_message_id(self.folder, draft.message_id)
        raw = self.client.fetch_whole(self.folder, uid) if uid else None
        if uid is None or raw is None:
            return Action("kept", step.followup_id, step.subject, "the draft is gone already")
        if message_digest(raw) != draft.body_sha256:
            self._mark(draft, DraftState.EDITED)
            return Action("kept", step.followup_id, step.subject, "you changed the draft, so it stays")
        if not self.client.can_remove_drafts:  # said once: the draft leaves our care
            self._mark(draft, DraftState.BY_HAND)
            return Action("kept", step.followup_id, step.subject,
                          f"{step.why}; delete the draft by hand (the server lacks UIDPLUS, so Followup cannot "
                          "remove one message safely)")
        self.client.delete_draft(self.folder, uid)
        self._mark(draft, DraftState.REMOVED)
        return Action("removed", step.followup_id, step.subject, f"draft removed: {step.why}")

    def _create(self, followup_id: int, d: Decision) -> Action:
        rendered = self.render(d)
        draft = self.store.add_draft(self.account, followup_id, d.step, rendered.message_id, self.folder,
                                     rendered.raw, rendered.body_sha256, self.now)
        self._append(draft)
        self.store.set_state(followup_id, State.DRAFTED, self.now)
        return Action("drafted", followup_id, d.tracked.subject, f"{label(d.kind, d.step)} to {_to(d)}")

    def _append(self, draft: DraftRow) -> None:
        uid = self.client.find_by_message_id(self.folder, draft.message_id)
        uidvalidity = None
        if uid is None:
            uidvalidity, uid = self.client.append_draft(self.folder, draft.raw, self.now)
            log.info("%s/%s: appended draft %s (UID %s)", self.account, self.folder, draft.message_id, uid)
        self._mark(draft, DraftState.PRESENT, uid=uid, uidvalidity=uidvalidity)

    def _recover(self, step: Step, draft: DraftRow) -> Action | None:
        """A draft whose APPEND may or may not have happened before a crash."""
        uid = self.client.find_by_message_id(self.folder, draft.message_id)
        if uid is not None:
            self._mark(draft, DraftState.PRESENT, uid=uid)
            return None
        if self.store.seen_in_drafts(self.account, draft.message_id, draft.created_at):
            # It was appended, synced, and has since left Drafts: the user acted on it; never re-append.
            self._mark(draft, DraftState.PRESENT)
            assert step.then is not None
            return self._settle(step.then, step, draft)
        if step.append:
            self._append(draft)
            return Action("drafted", step.followup_id, step.subject,
                          f"follow-up {draft.step} (recovered after an interruption)")
        self._mark(draft, DraftState.REMOVED)
        return None


# --- --dry-run ------------------------------------------------------------------------------------------

_WOULD = {
    Do.SENT: ("would-mark-sent", "you sent follow-up {step}"),
    Do.EDITED: ("would-mark-edited", "you are editing the draft: it would be yours"),
    Do.DELETED: ("would-dismiss", "you deleted the draft: no more follow-ups here"),
    Do.NEVER_AGAIN: ("would-dismiss", "you deleted this draft once: it is never made again"),
    Do.LOOK_AGAIN: ("would-look-again", "gone from Drafts: a second look in Drafts decides if it is missing"),
}


def preview(steps: Sequence[Step], render: Renderer) -> list[Action]:
    """What `apply` would do, changing nothing: every would-be draft is rendered, so a template error shows
    now. Bookkeeping no one sees (an item marked drafted, a missing draft found again) is left out."""
    actions = (_isolated(render.account, s, partial(_would, s, render)) for s in steps)
    return [a for a in actions if a is not None]


def _would(step: Step, render: Renderer) -> Action | None:
    d, draft = step.decision, step.draft
    if step.do == Do.CREATE:
        assert d is not None
        render(d)
        return Action("would-draft", step.followup_id, step.subject, f"{label(d.kind, d.step)} to {_to(d)}")
    if step.do == Do.REMOVE:
        return Action("would-remove", step.followup_id, step.subject, step.why)
    if step.do == Do.RECOVER:
        assert draft is not None
        then = "append it if it is not there" if step.append else "forget it if it is not there"
        return Action("would-recover", step.followup_id, step.subject,
                      f"follow-up {draft.step} was interrupted: would look for it in Drafts, {then}")
    if step.do in _WOULD:
        kind, detail = _WOULD[step.do]
        return Action(kind, step.followup_id, step.subject, detail.format(step=draft.step if draft else 0))
    return None

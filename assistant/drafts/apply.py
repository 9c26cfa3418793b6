"""Apply follow-up decisions to the Drafts folder: create due drafts, notice what the user did with ours,
and remove our untouched drafts that are no longer needed. The user's own mail is never touched.

A draft's Message-ID is decided from (thread, step) and its intent committed before APPEND; on recovery
Drafts is searched for it first, so a crash between APPEND and commit never leaves two drafts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from jinja2.sandbox import SandboxedEnvironment

from assistant.config import AccountConfig
from assistant.drafts.compose import DraftInput, build_draft, message_digest
from assistant.errors import ConnectionLost, FollowupError
from assistant.mailbox.client import MailboxClient
from assistant.model import Decision, Mail
from assistant.store.items import DraftRow, FollowupStore
from assistant.workdays import WorkCalendar

log = logging.getLogger(__name__)

OPEN = ("pending", "present")
TEMPLATES = {"my_promise": ("promise/mine.txt.j2",), "their_promise": ("promise/theirs.txt.j2",),
             "check_in": ("checkin.txt.j2",), "check_back": ("checkback.txt.j2",)}
MISSING_GRACE = timedelta(minutes=10)  # a vanished draft is "deleted" only if no sent copy shows up by then
REMOVE_WHEN = ("replied", "bounced", "dismissed", "kept")  # a cold item's draft is the user's last chance: kept


def _obsolete(draft: DraftRow, decision: Decision | None) -> bool:
    """Our draft is no longer wanted: untracked, closed, or its step was overtaken."""
    return decision is None or decision.state in REMOVE_WHEN or decision.step > draft.step


@dataclass(frozen=True)
class Action:
    kind: str  # drafted | removed | sent | edited | dismissed | would-draft | would-remove | kept
    followup_id: int
    subject: str
    detail: str


@dataclass
class Lifecycle:
    client: MailboxClient | None  # None with --dry-run: decide only
    store: FollowupStore
    account: AccountConfig
    drafts_folder: str
    env: SandboxedEnvironment
    calendar: WorkCalendar
    tz: ZoneInfo
    now: datetime

    def apply(self, decisions: list[Decision], ids: dict[str, int], mail: list[Mail]) -> list[Action]:
        by_followup = {ids[d.key]: d for d in decisions}
        actions = self._review_existing(by_followup, mail)
        drafts = self.store.drafts(self.account.name)
        live = {(d.followup_id, d.step) for d in drafts if d.state in (*OPEN, "missing", "edited")}
        deleted = {(d.followup_id, d.step) for d in drafts if d.state == "deleted"}
        if deleted:  # `followup track` after the deletion is the user's newer word: it wins
            deleted = {key for key in deleted if not self._tracked_by_user(key[0], by_followup)}
        dismissed = {a.followup_id for a in actions if a.kind == "dismissed"}
        for fid, d in by_followup.items():
            if d.state != "waiting" or fid in dismissed:
                continue
            if (fid, d.step) in deleted:  # the user deleted this very draft once: never append it again
                self.store.dismiss_for_deleted_draft(fid, None, self.now)
                continue
            if (fid, d.step) in live:
                self.store.set_state(fid, "drafted", self.now)
            elif d.draft_due:
                done = self._isolated(fid, d.tracked.subject, partial(self._create, fid, d))
                actions += [done] if done else []
        return actions

    def _tracked_by_user(self, followup_id: int, decisions: dict[int, Decision]) -> bool:
        d = decisions.get(followup_id)
        if d is None:
            return False
        override = self.store.overrides(self.account.name).get(d.key)
        return override is not None and override.action == "track"

    def _isolated(self, followup_id: int, subject: str, step: Callable[[], Action | None]) -> Action | None:
        """One item's failure (a template error, a refused APPEND) is reported; the others go on."""
        try:
            return step()
        except ConnectionLost:
            raise  # every other item would fail the same way: the cycle stops, said once
        except FollowupError as e:
            log.error("%s: item #%s %r: %s", self.account.name, followup_id, subject, e)
            return Action("failed", followup_id, subject, str(e))

    def preview(self, decisions: list[Decision], ids: dict[str, int]) -> list[Action]:
        """--dry-run: what a poll would do to Drafts, changing nothing there."""
        live = {(d.followup_id, d.step): d for d in self.store.drafts(self.account.name, (*OPEN, "edited"))}
        actions = []
        for d in decisions:
            fid = ids.get(d.key, 0)
            draft = next((x for (f, _), x in live.items() if f == fid and x.state in OPEN), None)
            if draft and _obsolete(draft, d):
                actions.append(Action("would-remove", fid, d.tracked.subject, d.reason))
            elif d.draft_due and (fid, d.step) not in live:
                build_draft(self._input(d), self.env, self.now, self.tz)  # a template error shows now
                actions.append(Action("would-draft", fid, d.tracked.subject, f"{self._what(d)} to {self._to(d)}"))
        return actions

    # --- what happened to drafts we made ----------------------------------------------------------

    def _review_existing(self, decisions: dict[int, Decision], mail: list[Mail]) -> list[Action]:
        in_drafts = {m.message_id for m in mail if m.folder_role == "drafts" and m.message_id}
        actions: list[Action | None] = []
        for draft in self.store.drafts(self.account.name, (*OPEN, "missing")):
            decision = decisions.get(draft.followup_id)
            subject = decision.tracked.subject if decision else draft.message_id
            if draft.state == "pending":
                actions.append(self._isolated(draft.followup_id, subject,
                                              partial(self._recover, draft, decision, mail)))
            elif draft.message_id in in_drafts:
                if draft.state == "missing":
                    self.store.mark_draft(draft.id, "present", self.now)
                if _obsolete(draft, decision):
                    actions.append(self._isolated(draft.followup_id, subject,
                                                  partial(self._remove, draft, subject, decision)))
            else:
                actions.append(self._isolated(draft.followup_id, subject,
                                              partial(self._vanished, draft, subject, decision, mail)))
        return [a for a in actions if a is not None]

    def _vanished(self, draft: DraftRow, subject: str, decision: Decision | None, mail: list[Mail]) -> Action | None:
        """Our draft is no longer in Drafts: sent, taken over by an edit, or deleted by the user."""
        thread = decision.thread_key if decision else None
        # (a client that sends our draft as it is keeps its Message-ID: that copy sits in Sent)
        later = [m for m in mail if m.thread_key == thread and m.from_user and m.date >= draft.created_at
                 and not (m.folder_role == "drafts" and m.message_id == draft.message_id)]
        if any(m.folder_role != "drafts" for m in later):
            self.store.mark_draft(draft.id, "sent", self.now)
            return Action("sent", draft.followup_id, subject, f"you sent follow-up {draft.step}")
        if later:
            self.store.mark_draft(draft.id, "edited", self.now)
            return Action("edited", draft.followup_id, subject, "you are editing the draft: it is yours now")
        if draft.state != "missing":
            # Only the server's word and a second look, after Sent had time to sync, make it "deleted".
            if self.client is not None and self.client.find_by_message_id(self.drafts_folder, draft.message_id):
                return None
            self.store.mark_draft(draft.id, "missing", self.now)
            return None
        if self.now - draft.updated_at < MISSING_GRACE:
            return None
        self.store.dismiss_for_deleted_draft(draft.followup_id, draft.id, self.now)
        return Action("dismissed", draft.followup_id, subject, "you deleted the draft: no more follow-ups here")

    def _remove(self, draft: DraftRow, subject: str, decision: Decision | None) -> Action:
        why = decision.reason if decision else "no longer tracked"
        if self.client is None:
            return Action("would-remove", draft.followup_id, subject, why)
        uid = self.client.find_by_message_id(self.drafts_folder, draft.message_id)
        raw = self.client.fetch_whole(self.drafts_folder, uid) if uid else None
        if uid is None or raw is None:
            return Action("kept", draft.followup_id, subject, "the draft is gone already")
        if message_digest(raw) != draft.body_sha256:
            self.store.mark_draft(draft.id, "edited", self.now)
            return Action("kept", draft.followup_id, subject, "you changed the draft, so it stays")
        if not self.client.can_remove_drafts:  # said once: the draft leaves our care
            self.store.mark_draft(draft.id, "by-hand", self.now)
            return Action("kept", draft.followup_id, subject,
                          f"{why}; delete the draft by hand (the server lacks UIDPLUS, so Followup cannot remove "
                          "one message safely)")
        self.client.delete_draft(self.drafts_folder, uid)
        self.store.mark_draft(draft.id, "removed", self.now)
        return Action("removed", draft.followup_id, subject, f"draft removed: {why}")

    # --- new drafts ---------------------------------------------------------------------------------

    def _create(self, followup_id: int, d: Decision) -> Action:
        rendered = build_draft(self._input(d), self.env, self.now, self.tz)
        if self.client is None:
            return Action("would-draft", followup_id, d.tracked.subject, f"{self._what(d)} to {self._to(d)}")
        draft = self.store.add_draft(self.account.name, followup_id, d.step, rendered.message_id,
                                     self.drafts_folder, rendered.raw, rendered.body_sha256, self.now)
        self._append(draft)
        self.store.set_state(followup_id, "drafted", self.now)
        return Action("drafted", followup_id, d.tracked.subject, f"{self._what(d)} to {self._to(d)}")

    @staticmethod
    def _what(d: Decision) -> str:
        return {"my_promise": "reminder of your promise", "their_promise": "nudge about their promise",
                "check_in": "check-in", "check_back": "check-back"}.get(d.kind, f"follow-up {d.step}")

    def _append(self, draft: DraftRow) -> None:
        assert self.client is not None
        uid = self.client.find_by_message_id(self.drafts_folder, draft.message_id)
        uidvalidity = None
        if uid is None:
            uidvalidity, uid = self.client.append_draft(self.drafts_folder, draft.raw, self.now)
            log.info("%s/%s: appended draft %s (UID %s)", self.account.name, self.drafts_folder,
                     draft.message_id, uid)
        self.store.mark_draft(draft.id, "present", self.now, uid=uid, uidvalidity=uidvalidity)

    def _recover(self, draft: DraftRow, decision: Decision | None, mail: list[Mail]) -> Action | None:
        """A draft whose APPEND may or may not have happened before a crash."""
        assert self.client is not None
        uid = self.client.find_by_message_id(self.drafts_folder, draft.message_id)
        if uid is not None:
            self.store.mark_draft(draft.id, "present", self.now, uid=uid)
            return None
        if self.store.seen_in_drafts(self.account.name, draft.message_id):
            # It was appended, synced, and has since left Drafts: the user acted on it; never re-append.
            self.store.mark_draft(draft.id, "present", self.now)
            return self._vanished(draft, decision.tracked.subject if decision else draft.message_id, decision, mail)
        if decision is not None and decision.draft_due and decision.step == draft.step:
            self._append(draft)
            return Action("drafted", draft.followup_id, decision.tracked.subject,
                          f"follow-up {draft.step} (recovered after an interruption)")
        self.store.mark_draft(draft.id, "removed", self.now)
        return None

    def _to(self, d: Decision) -> str:
        return ", ".join(a for _, a in d.draft_to) or "?"

    def _input(self, d: Decision) -> DraftInput:
        latest = d.latest
        return DraftInput(
            account=self.account.name, step=d.step, tracked_id=d.key, tracked_subject=d.tracked.subject,
            tracked_sent=d.tracked.date, reply_to_id=latest.message_id or d.message_id,
            reply_to_references=latest.references, reply_to_text=self.store.full_text(latest.id),
            reply_to_sent=latest.date, reply_to_author=latest.from_name or latest.from_addr,
            from_name=d.draft_from[0], from_addr=d.draft_from[1], recipients=d.draft_to, cc=d.draft_cc,
            business_days_waiting=self.calendar.business_days_between(d.tracked.date, self.now),
            templates=TEMPLATES.get(d.kind, ()), promise_text=d.text, promise_what=d.what, promise_due=d.due_at,
            new_thread=d.new_thread,
        )

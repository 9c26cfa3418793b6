"""What makes a draft the user's own: the thread's language, the register they use in it, their greeting,
sign-off and signature, the question they asked, the reply prefix the thread uses. Pure: handed the thread
and the voice learned from sent mail (drafts/voice.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from assistant.drafts.compose import thread_prefix
from assistant.drafts.voice import VoiceBook, asked_clause, greeting_line, is_formal
from assistant.model import Decision, Mail

Detect = Callable[[str], "str | None"]


def thread_language(d: Decision, thread: Sequence[Mail], detect: Detect) -> str | None:
    """The language of the user's own message being followed up (its new text); else of the thread's
    texts, newest first; None when none tells."""
    own = [d.tracked] if d.tracked.from_user else []
    own += [m for m in (d.latest, *sorted(thread, key=lambda m: m.date, reverse=True)) if m.from_user]
    others = sorted(thread, key=lambda m: m.date, reverse=True)
    for m in [*own, d.latest, *others]:
        found = detect(m.text)
        if found:
            return found
    return None


def personal(d: Decision, thread: Sequence[Mail], detect: Detect, voice: VoiceBook,
             default_language: str) -> dict[str, Any]:
    """The keyword arguments of compose.draft_input that make this draft personal."""
    language = thread_language(d, thread, detect) or default_language
    mine = [m for m in sorted(thread, key=lambda m: m.date, reverse=True) if m.from_user and m.text]
    if d.tracked.from_user and d.tracked not in mine:
        mine.insert(0, d.tracked)
    formal = None
    for m in mine:  # the user's newest message in the thread that tells
        formal = is_formal(greeting_line(m.text), m.text, language)
        if formal is not None:
            break
    chosen = voice.pick(language, d.draft_to)
    if formal is None and chosen.greeting:  # the thread tells nothing: the greeting the draft will use does
        formal = is_formal(chosen.greeting, chosen.greeting, language)
    asked = asked_clause(d.tracked.expects_reason, d.tracked.text) if d.tracked.from_user else ""
    subjects = [m.subject for m in sorted(thread, key=lambda m: m.date, reverse=True)] + [d.latest.subject]
    return {"languages": (language, default_language), "formal": formal, "greeting": chosen.greeting,
            "signoff": chosen.signoff, "signature": chosen.signature, "asked": asked,
            "reply_prefix": thread_prefix(subjects)}

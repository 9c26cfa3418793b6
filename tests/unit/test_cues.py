"""The cheap gates before costly regexes: the words a pattern needs, read from the pattern, and proof by
example that a gate never hides a match (case folding and curly apostrophes included)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from assistant.analysis import intent, promises
from assistant.analysis.cues import Cue, Gated, cue, needed_words
from assistant.analysis.promises import find_promises

CASELESS = re.IGNORECASE


@pytest.mark.parametrize(("pattern", "words"), [
    (r"\b(can|could) (you|u)\b", {"can you", "can u", "could you", "could u"}),
    (r"(?<![\w'])(?:please|kindly)\b(?!d)", {"please", "kindly"}),
    (r"^\W*(?:will|shall)\s+(?!not\b)", {"will", "shall"}),
    (r"\bi (?:'ll|will)\s+\w+", {"i 'll", "i will"}),  # "i" alone is less telling than the pair
    (r"\blet me\s+(?:just\s+)?(?:send|call)\b", {"let me"}),
    (r"(?:x\d+y)+", {"x"}),  # a repeat needs what one round needs
    (r"colou?r", {"color", "colour"}),  # an optional part is spelt both ways
    (r"\w+ing\b", {"ing"}),
])
def test_needed_words_are_read_from_the_pattern(pattern: str, words: set[str]) -> None:
    assert needed_words(re.compile(pattern, CASELESS)) == words


@pytest.mark.parametrize("pattern", [r"\w+\d", r"(?:send|\d+)", r"a?", r"(?:  |x)"])
def test_no_gate_where_a_match_needs_nothing_known(pattern: str) -> None:
    assert needed_words(re.compile(pattern, CASELESS)) is None
    assert cue(re.compile(pattern, CASELESS)) is None
    assert Gated(re.compile(pattern, CASELESS)).search("sending 42  x") is not None


def test_a_cue_compares_as_ignorecase_does() -> None:
    found = Cue(frozenset({"please", "kindly"}))
    assert found("PLEASE send it") and found("Kindly note")
    assert found("pleaſe send it")  # long s: IGNORECASE matches it with "s", lower() does not
    assert found("KINDLY from İstanbul")  # non-ASCII text takes the regex path
    assert not found("pleas send it") and not found("")


# Sentences that must pass a gate and sentences that must not, for the promise gate and some intent gates.
@pytest.mark.parametrize(("gate", "passes", "stopped"), [
    (promises._COMMITTING, "I'll send you the deck by Friday.", "The deck was sent on Friday."),
    (promises._COMMITTING, "Let me check and get back to you.", "Thanks for the update, all good."),
    (promises._COMMITTING, "Expect it by the 20th.", "It arrived on the 20th."),
    (intent._REQUEST.cue, "Could you send me the file?", "The file is on the share."),
    (intent._PROPOSAL.cue, "Shall we meet on Tuesday?", "The numbers are final."),
    (intent._MARKETING.cue, "Click here to unsubscribe.", "Here is the contract."),
    (intent._NO_REPLY.cue, "No need to reply.", "Reply when you can."),
])
def test_gate(gate: Cue | None, passes: str, stopped: str) -> None:
    assert gate is not None
    assert gate(passes)
    assert not gate(stopped)


SENTENCES = [
    *intent.__doc__.split("."),  # a few dozen real sentences with quotes, requests and promises in them
    "Could you send me the file?", "PLEASE LET ME KNOW", "Let’s meet Tuesday?", "No need to reply.",
    "Click here to unsubscribe.", "I'd appreciate your thoughts", "Would Tuesday work for you?",
    "pleaſe send it", "We would like to move the meeting to 2 p.m.", "Don't forget to sign.",
    "İ'd like you to meet Sam.", "Isn't it great?", "I was wondering if you could help.",
]


@pytest.mark.parametrize("name", [n for n in dir(intent) if isinstance(getattr(intent, n), Gated)])
def test_gated_intent_patterns_find_what_the_patterns_find(name: str) -> None:
    gated = getattr(intent, name)
    assert gated.cue is not None, f"{name} lost its gate"
    for sentence in SENTENCES:
        assert bool(gated.search(sentence)) == bool(gated.pattern.search(sentence)), (name, sentence)


def test_the_promise_gate_stops_nothing_that_promises() -> None:
    wed = datetime(2026, 11, 18, 10, tzinfo=UTC)
    for text in ("I’ll send it Friday.", 'She said "I will send it" but I’ll call you tomorrow.',
                 "We're shipping it on Monday.", "You'll have it by EOD.", "Will do."):
        assert find_promises(text, wed), text
    assert find_promises("The deck went out on Friday.", wed) == []


def test_the_shipped_cue_table_is_what_the_patterns_need_today() -> None:
    """cue_words.json spares every process seconds of reading pattern trees: it must say what the detectors'
    patterns need today (after changing a pattern: python -m assistant.analysis.cues)."""
    import subprocess
    import sys

    check = (
        "import json\n"
        "import assistant.analysis.intent, assistant.analysis.promises\n"
        "from assistant.analysis import cues\n"
        "table = json.loads(cues._TABLE.read_text(encoding='utf-8'))\n"
        "assert cues.SEEN and set(table) == set(cues.SEEN), 'stale: run python -m assistant.analysis.cues'\n"
        "for key, p in cues.SEEN.items():\n"
        "    words = cues.needed_words(p)\n"
        "    assert table[key] == (None if words is None else sorted(words)), p.pattern[:80]\n")
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

"""Cheap gates before costly regexes: the words a pattern cannot match without, read from the pattern itself.

Most sentences hold none of the words a long alternation needs ("please", "could you", "let's", "I'll"), yet
the regex engine tries every alternative at every position to find that out. A cue is one regex of such
plain words, compared as IGNORECASE compares: when it finds none in the text, the pattern cannot match
there, so its search is skipped. The words are derived from the pattern's own syntax tree, never listed by hand, so a word added to
a pattern is a cue at once and a gate can never hide a match. A pattern the derivation cannot read (a part
that matches anything) gets no gate: it always runs. Pure.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
from pathlib import Path
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any, Protocol

_MAX_EXACT = 256  # strings a part may match that are still spelt out; beyond that only what it needs is kept
_RARE_ENOUGH = 5  # a word this rare (see _rarity) is selective enough: fewer words then matter more
_MAX_CLASS = 8  # a character class of at most this many single characters is spelt out
_Strings = frozenset[str]


class _Reading:
    """What one part of a pattern matches: exactly these strings (`exact`), or text that holds one of
    `needs` (None: nothing known)."""

    __slots__ = ("exact", "needs")

    def __init__(self, exact: _Strings | None = None, needs: _Strings | None = None) -> None:
        self.exact, self.needs = exact, needs

    def necessary(self) -> _Strings | None:
        """Strings one of which every match contains."""
        return _better(_usable(self.exact), self.needs)


_EMPTY = _Reading(exact=frozenset({""}))
_UNKNOWN = _Reading()


def _rarity(word: str) -> int:
    """How seldom a word is likely to occur: its length, a space or a mark counting double ("i'm", "% off")."""
    return len(word) + sum(not ch.isalnum() for ch in word)


def _better(a: _Strings | None, b: _Strings | None) -> _Strings | None:
    """The more selective of two sets of needed strings: rarer words first (up to _RARE_ENOUGH), then fewer
    of them, since each is one more thing to look for."""
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b, key=lambda s: (min(_RARE_ENOUGH, min(map(_rarity, s))), -len(s), min(map(_rarity, s))))


def _item(op: Any, av: Any) -> _Reading:
    if op is c.LITERAL:
        return _Reading(exact=frozenset({chr(av)}))
    if op is c.IN:
        if len(av) <= _MAX_CLASS and all(o is c.LITERAL for o, _ in av):
            return _Reading(exact=frozenset(chr(ch) for _, ch in av))
        return _UNKNOWN
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # match no text of their own
        return _EMPTY
    if op is c.SUBPATTERN:
        return _sequence(av[-1])
    if op is c.ATOMIC_GROUP:
        return _sequence(av)
    if op is c.BRANCH:
        return _branch(av[1])
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, high, child = av
        inner = _sequence(child)
        if low == high == 1:
            return inner
        if low == 0:
            if high == 1 and inner.exact is not None:
                return _Reading(exact=inner.exact | {""})
            return _UNKNOWN
        return _Reading(needs=inner.necessary())
    return _UNKNOWN  # ANY, NOT_LITERAL, categories, backreferences, conditionals


def _branch(alternatives: list[Any]) -> _Reading:
    readings = [_sequence(a) for a in alternatives]
    exact: _Strings | None = None
    if all(r.exact is not None for r in readings):
        exact = frozenset().union(*(r.exact for r in readings if r.exact is not None))
        if len(exact) > _MAX_EXACT:
            exact = None
    needs = [r.necessary() for r in readings]
    union = None if any(n is None for n in needs) else frozenset().union(*(n for n in needs if n is not None))
    return _Reading(exact=exact, needs=union)


def _sequence(items: Any) -> _Reading:
    """A run of parts: spelt out while every part is, else the most selective needed strings of any part or
    of any spelt-out run of neighbouring parts ("can you" rather than "can" or "you")."""
    readings = [_item(op, av) for op, av in items]
    best: _Strings | None = None
    for reading in readings:
        if reading.exact is None:
            best = _better(best, reading.needs)
    whole: _Strings | None = None
    for start in range(len(readings)):
        run: _Strings = frozenset({""})
        for end in range(start, len(readings)):
            part = readings[end].exact
            if part is None or len(run) * len(part) > _MAX_EXACT:
                break
            run = frozenset(a + b for a, b in itertools.product(run, part))
            best = _better(best, _usable(run))
            if start == 0 and end == len(readings) - 1:
                whole = run
    if not readings:
        whole = frozenset({""})
    return _Reading(exact=whole, needs=best)


def _usable(strings: _Strings | None) -> _Strings | None:
    """Strings fit to look for: none empty, none holding another (finding "any" is enough, "any news" adds
    nothing). Edge spaces are cut off (what is left is needed all the same), so that blanking a quoted
    phrase to spaces cannot make a cue appear."""
    if not strings:
        return None
    stripped = {s.strip(" ") for s in strings}
    if "" in stripped or any("  " in s for s in stripped):
        return None
    return frozenset(s for s in stripped if not any(o != s and o in s for o in stripped))


def needed_words(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings one of which every match of `pattern` contains (compared without case); None if unknown."""
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - a parser that changed shape leaves the pattern ungated, never wrong
        return None
    return _usable(_sequence(tree).necessary())


# Characters that IGNORECASE matches with an ASCII letter although lower() does not make them that letter.
_ASCII_FOLD = str.maketrans({"ı": "i", "İ": "i", "ſ": "s", "K": "k"})


def _trie(words: list[str]) -> str:
    """The words as one regex that branches on a character at a time ("call (?:me|us)"): the engine then
    tries a handful of letters at each position, not every word."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        if "" in node:  # a word ends here: finding it is enough
            return ""
        alternatives = [re.escape(ch) + emit(child) for ch, child in sorted(node.items())]
        return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"

    return emit(root) if root else "(?!)"  # no words: never found


class Cue:
    """Finds whether a text holds any of some words, compared as the regex engine compares without case."""

    __slots__ = ("ascii", "folded", "words")

    def __init__(self, words: frozenset[str]) -> None:
        words = _usable(words) or frozenset()  # "will do" adds nothing to "will"
        self.words = tuple(sorted(words))
        self.folded = re.compile(_trie(sorted({w.lower() for w in words})), re.IGNORECASE)
        # ASCII text, lowered, against the words an ASCII text can hold: the same answer, several times faster.
        ascii_words = sorted({f for f in (w.translate(_ASCII_FOLD).lower() for w in words) if f.isascii()})
        self.ascii = re.compile(_trie(ascii_words)) if ascii_words else None

    def __call__(self, text: str) -> bool:
        if text.isascii():
            return self.ascii is not None and self.ascii.search(text.lower()) is not None
        return self.folded.search(text) is not None


# Reading a pattern's tree takes seconds for the large alternations: what every shipped pattern needs is
# read once, ahead, into cue_words.json (`python -m assistant.analysis.cues` writes it; a unit test checks it
# equals what needed_words reads today). A pattern missing from it is read on the spot.
_TABLE = Path(__file__).with_name("cue_words.json")
SEEN: dict[str, re.Pattern[str]] = {}  # every pattern a cue was asked for, by key: what the table holds


def pattern_key(pattern: re.Pattern[str]) -> str:
    return hashlib.sha256(f"{pattern.flags}\0{pattern.pattern}".encode()).hexdigest()[:20]


@functools.cache
def _table() -> dict[str, list[str] | None]:
    try:
        data: dict[str, list[str] | None] = json.loads(_TABLE.read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        return {}


def cached_needed_words(pattern: re.Pattern[str]) -> frozenset[str] | None:
    key = pattern_key(pattern)
    SEEN[key] = pattern
    table = _table()
    if key in table:
        words = table[key]
        return None if words is None else frozenset(words)
    return needed_words(pattern)


def write_table() -> int:
    """Read every pattern the detectors gate and write what each needs to cue_words.json."""
    import assistant.analysis.intent  # noqa: F401 - importing them asks for their cues
    import assistant.analysis.promises  # noqa: F401

    table = {key: (None if (w := needed_words(p)) is None else sorted(w)) for key, p in sorted(SEEN.items())}
    _TABLE.write_text(json.dumps(table, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return len(table)


def cue(*patterns: re.Pattern[str]) -> Cue | None:
    """A cue that finds a word some match of any of `patterns` needs; None when one of them needs nothing
    known (then nothing can be skipped)."""
    words: set[str] = set()
    for pattern in patterns:
        needed = cached_needed_words(pattern)
        if needed is None:
            return None
        words |= needed
    return Cue(frozenset(words))


class Searcher(Protocol):
    """A compiled pattern, or one behind its cue."""

    def search(self, text: str) -> re.Match[str] | None: ...


class Gated:
    """A pattern behind its cue: `search` gives what the pattern's would, trying it only where the cue is."""

    __slots__ = ("cue", "pattern")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.cue = cue(pattern)

    def search(self, text: str) -> re.Match[str] | None:
        if self.cue is not None and not self.cue(text):
            return None
        return self.pattern.search(text)


if __name__ == "__main__":  # run as a script, this file is not the module the detectors import
    from assistant.analysis import cues

    print(f"{cues.write_table()} patterns written to {cues._TABLE}")

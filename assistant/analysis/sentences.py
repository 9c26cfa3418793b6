"""A text's sentences, with quoted phrases masked: the one splitter the intent and promise readers share. Pure.

A phrase in quotation marks is someone else's words: its "?" is not the writer's question, its "I'll send
it" not the writer's promise. Masking keeps offsets, so a sentence can be shown as written. A sentence ends
at . ! or ? followed by a capital or digit (not after "Nov." or "Dr."), at the end of a line, and a line
that ends mid-sentence goes on in the next when it was long or the next starts in lower case (the mailer
wrapped it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.message import vocabulary as vocab

QUOTED = re.compile(r"\"[^\"\n]{1,300}\"|“[^”\n]{1,300}”|‘[^’\n]{1,300}’|(?<![\w'])'[^'\n]{1,300}'(?!\w)"
                    r"|&quot;.{1,300}?&quot;")
_ABBREVIATIONS = (*(m.capitalize() for m in vocab.MONTH_ABBREVIATIONS), "Mr", "Mrs", "Ms", "Dr")
_NOT_ABBREVIATED = "".join(rf"(?<!\b{word})" for word in _ABBREVIATIONS)
_END = rf"{_NOT_ABBREVIATED}[.!?]+[\"')\]”’]*(?=\s+[\"'(\[“‘]?[A-Z0-9])"
# Runs without . ! ? are taken whole and the end test is tried only at a punctuation mark: fast, and no
# backtracking (the runs and the marks cannot overlap).
_SENTENCE = re.compile(rf"[^\n.!?]*(?:(?!{_END})[.!?][^\n.!?]*)*(?:{_END}|$)", re.MULTILINE)
_WRAPPED = 60  # a line this long that ends mid-sentence was wrapped by the mailer: join it to the next


@dataclass(frozen=True)
class Sentence:
    text: str  # as written
    masked: str  # the same, quoted phrases blanked and curly apostrophes made plain


def mask_quoted(text: str) -> str:
    """`text` with every quoted phrase blanked, offsets kept."""
    return QUOTED.sub(lambda m: " " * len(m.group()), text)


def unwrap(text: str) -> str:
    """Lines the mailer wrapped, joined again."""
    lines = text.splitlines()
    joined = []
    for line, following in zip(lines, [*lines[1:], ""], strict=False):
        open_ended = not line.rstrip().endswith((".", "!", "?", ":", ";", ","))
        wrapped = open_ended and (len(line) >= _WRAPPED or following.lstrip()[:1].islower())
        joined.append(line + (" " if wrapped and following.strip() else "\n"))
    return "".join(joined)


def sentences(text: str) -> list[Sentence]:
    """The sentences of `text` (already unwrapped, if it needs it), in order."""
    masked = mask_quoted(text).replace("’", "'")
    return [Sentence(text[m.start():m.end()], m.group()) for m in _SENTENCE.finditer(masked) if m.group().strip()]

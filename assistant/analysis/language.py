"""The language a text is written in, offline: py3langid (langid.py's model) over its 97 languages.

Chosen by `benchmarks/language.py`: on short business sentences in the seven languages drafts ship in, on
real replies and on real (English) mail it was as accurate as lingua (and more than langdetect) at a
twentieth of lingua's size, and the fastest (about 0.1 ms a text; the model loads once, only when asked).
All its languages are kept: a Swedish thread is Swedish, and drafts fall back to `[followup] language`
unless the user's templates add Swedish, rather than being called Dutch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

MIN_LETTERS = 12  # fewer letters than this ("800.713.8600 code: 80435", "Thanks!") tell no language
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_NOISE = re.compile(r"(?:https?://|www\.)\S+|<[^<>\s]+>|\S+@\S+")


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # numpy and the model: only when asked

    return LanguageIdentifier.from_model_file(MODEL_FILE)


def detect_language(text: str) -> str | None:
    """An ISO 639-1 code ("de"), or None when the text has too few letters to tell."""
    text = _NOISE.sub(" ", text)
    if len(_LETTER.findall(text)) < MIN_LETTERS:
        return None
    return str(_identifier().classify(text[:2000])[0])


def first_language(texts: Iterable[str]) -> str | None:
    """The language of the first text that tells one."""
    for text in texts:
        found = detect_language(text)
        if found:
            return found
    return None

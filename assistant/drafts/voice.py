"""The user's own voice, learned from their sent mail: the greeting, sign-off and signature they use, per
language and per correspondent; the register (formal or not) of a thread; the question a follow-up names.
Pure: handed the texts and a language detector.

With a person, the greeting and sign-off used with them last; else the most common in that language (seen at
least twice, and only greetings that name nobody or just the first name, which is filled in for the new
reader); else none, and the template says its own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from babel import UnknownLocaleError
from babel.lists import format_list

from assistant.drafts.compose import first_name
from assistant.message import vocabulary as vocab
from assistant.model import OwnText

MIN_COMMON = 2  # uses before a greeting or sign-off counts as the user's usual one
NAME = "{name}"  # where a learned greeting puts the reader's first name

_GREETING = re.compile(r"^(?:" + vocab.alternation(vocab.GREETINGS) + r")(?![\w])", re.IGNORECASE)
_NAME_ONLY = re.compile(r"^[A-ZÀ-Ý][\w'’-]+(?: [A-ZÀ-Ý][\w'’-]+)?\s*[,!]$")  # "Frank," on its own line
_SIGN_OFF = re.compile(r"^(?:" + vocab.alternation(vocab.SIGN_OFFS) + r")\s*[,.!:;–-]*(?:\s+[\w.'’-]+){0,3}\s*[,.!]?$",
                       re.IGNORECASE)
_FORMAL = re.compile(r"(?<![\w.])(?:" + vocab.alternation(vocab.FORMAL_GREETING_WORDS) + r")(?![\w])", re.IGNORECASE)


@dataclass(frozen=True)
class Voice:
    """What a draft says hello and goodbye with: "" where nothing was learned or set (the template's own)."""

    greeting: str = ""
    signoff: str = ""
    signature: str = ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]


def greeting_line(text: str) -> str:
    """The greeting a message opens with ("Hi Frank,", "Sehr geehrter Herr Moss,"), or ""."""
    lines = _lines(text)
    if not lines:
        return ""
    line = lines[0]
    if len(line) > 60 or len(line.split()) > 7 or "?" in line:
        return ""
    if _GREETING.match(line) and (line[-1] in ",!:" or len(line.split()) <= 4) and not line.endswith("."):
        return line
    return line if _NAME_ONLY.match(line) else ""


def signoff_lines(text: str) -> str:
    """The sign-off a message closes with and the name under it ("Best,\\nDana", "Thanks, Dana"), or ""."""
    lines = _lines(text)
    for i in range(len(lines) - 1, max(len(lines) - 4, 0) - 1, -1):
        if _SIGN_OFF.match(lines[i]):
            tail = lines[i:i + 3]
            if i == 0 or any(len(t) > 40 or "?" in t for t in tail):
                return ""
            return "\n".join(tail)
    return ""


def _words_in(words: Iterable[str], text: str) -> int:
    """How often these words occur; a capitalised one ("Sie", "Lei") only so, and not opening a sentence,
    where it may be "she" or "they"."""
    count = 0
    for word in words:
        pattern = r"(?<![\w'’])" + re.escape(word) + ("" if word.endswith("'") else r"(?![\w])")
        if word[:1].isupper():
            count += len(re.findall(r"(?<![.!?:]\s)(?<![.!?:])(?<!^)" + pattern, text, re.MULTILINE))
        else:
            count += len(re.findall(pattern, text, re.IGNORECASE))
    return count


def is_formal(greeting: str, text: str, language: str) -> bool | None:
    """Whether the user writes formally in a thread (Sie, vous, usted, Lei, u): a title or formal opener in
    their greeting says so; else how they address the reader in the text; else a greeting by first name says
    not; None when nothing tells."""
    if greeting and _FORMAL.search(greeting):
        return True
    informal, formal = vocab.ADDRESS_WORDS.get(language, ((), ()))
    body = "\n".join(_lines(text)[1:] if greeting else _lines(text))
    score = _words_in(formal, body) - _words_in(informal, body)
    if score:
        return score > 0
    return False if greeting and len(greeting.split()) >= 2 else None


def names_of(recipients: Sequence[tuple[str, str]], language: str) -> str:
    """The readers' first names as a list in the language ("Frank und Ana"); "" when any is unknown."""
    names = [first_name(n, a) for n, a in recipients]
    if not names or not all(names):
        return ""
    try:
        return format_list([n for n in names if n], locale=language)
    except (UnknownLocaleError, ValueError):
        return ", ".join(n for n in names if n)


def _general(greeting: str, to: Sequence[tuple[str, str]]) -> str | None:
    """The greeting as a pattern for anyone ("Hi {name},"), or None when it names someone in particular."""
    if len(to) == 1:
        name = first_name(*to[0])
        if name:
            greeting = re.sub(r"(?<![\w])" + re.escape(name) + r"(?![\w])", NAME, greeting)
    opener = _GREETING.match(greeting)
    rest = greeting[opener.end():] if opener else greeting
    if _FORMAL.search(greeting) or any(w[:1].isupper() for w in re.findall(r"[^\W\d_][\w'’-]*", rest)):
        return None
    return greeting


@dataclass
class LanguageVoice:
    messages: int = 0
    greetings: Counter[str] = field(default_factory=Counter)  # patterns: "Hi {name},"
    signoffs: Counter[str] = field(default_factory=Counter)
    signatures: Counter[str] = field(default_factory=Counter)


@dataclass
class VoiceBook:
    """What the user's sent mail says of their voice; `pick` chooses for one draft."""

    languages: dict[str, LanguageVoice] = field(default_factory=dict)
    last: dict[tuple[str, str], Voice] = field(default_factory=dict)  # (language, address): newest
    overrides: Mapping[str, Voice] = field(default_factory=dict)  # the config's: "" for all languages, or "de"

    def pick(self, language: str, to: Sequence[tuple[str, str]]) -> Voice:
        person = self.last.get((language, to[0][1].lower())) if len(to) == 1 else None
        learned = self.languages.get(language, LanguageVoice())
        names = names_of(to, language)

        def common(counter: Counter[str]) -> str:
            for value, count in counter.most_common():
                if count < MIN_COMMON:
                    break
                if NAME not in value:
                    return value
                if names:
                    return value.replace(NAME, names)
            return ""

        chosen = Voice(
            greeting=(person.greeting if person and person.greeting else common(learned.greetings)),
            signoff=(person.signoff if person and person.signoff else common(learned.signoffs)),
            signature=(person.signature if person and person.signature else common(learned.signatures)))
        for key in ("", language):
            o = self.overrides.get(key)
            if o:
                chosen = Voice(greeting=(o.greeting.replace(NAME, names or "") if o.greeting else chosen.greeting),
                               signoff=o.signoff or chosen.signoff, signature=o.signature or chosen.signature)
        return chosen


def learn(own: Iterable[OwnText], language_of: Callable[[str], str | None],
          overrides: Mapping[str, Voice] | None = None) -> VoiceBook:
    """From the user's sent mail, newest first."""
    book = VoiceBook(overrides=overrides or {})
    for m in own:
        language = language_of(m.text)
        if not language:
            continue
        greeting, signoff, signature = greeting_line(m.text), signoff_lines(m.text), m.signature.strip()
        lv = book.languages.setdefault(language, LanguageVoice())
        lv.messages += 1
        pattern = _general(greeting, m.to) if greeting else None
        if pattern:
            lv.greetings[pattern] += 1
        if signoff:
            lv.signoffs[signoff] += 1
        if signature:
            lv.signatures[signature] += 1
        if len(m.to) == 1:
            book.last.setdefault((language, m.to[0][1].lower()), Voice(greeting, signoff, signature))
    return book


# --- what was asked ------------------------------------------------------------------------------------------

_ASKED = re.compile(r'^asks a question: "(.+)"$', re.DOTALL)
_LEAD = re.compile(r"^(?:(?:" + vocab.alternation(vocab.GREETINGS) + r")\b[^,!?]{0,30}[,!]\s*)?"
                   r"(?:(?:also|and|so|but|btw|by the way|quick question|one more thing|außerdem|und|"
                   r"aussi|et|también|y|inoltre|e|ook|en|também)\s*[,:-]?\s+)?", re.IGNORECASE)
_CUTS = (", so ", ", because ", ", since ", ", as ", "; ", " – ", " — ", " - ", ", which ", ", damit ", ", weil ",
         ", da ", ", pour ", ", car ", ", porque ", ", para ", ", perché ", ", così ", ", omdat ", ", zodat ",
         ", para que ")
MAX_ASKED = 100


def asked_clause(reason: str, text: str) -> str:
    """The question that made Followup track a message, trimmed to a clause ("Did you get a chance to look at
    the Q4 budget numbers?"); "" when the reason is not a clear question (a request, a long sentence)."""
    m = _ASKED.match(reason or "")
    if not m:
        return ""
    sentence = m.group(1)
    if sentence.endswith("…"):  # the reason holds the start of it: find it whole in the text
        flat = " ".join(text.split())
        at = flat.find(sentence[:-1])
        end = flat.find("?", at) if at >= 0 else -1
        if end < 0:
            return ""
        sentence = flat[at:end + 1]
    sentence = _LEAD.sub("", " ".join(sentence.split()), count=1)
    if len(sentence) > MAX_ASKED:
        for cut in _CUTS:
            at = sentence.find(cut, 15)
            if 0 < at <= MAX_ASKED:
                sentence = sentence[:at].rstrip(" ,;") + "?"
                break
    if not sentence.endswith("?") or len(sentence) > MAX_ASKED or len(sentence.split()) < 3:
        return ""
    return sentence[:1].upper() + sentence[1:]

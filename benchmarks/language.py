"""Which language detector reads the language of a short business email best: accuracy and speed.

    python benchmarks/language.py [--errors NAME]

Candidates (none needs the network; install them to compare: `pip install py3langid langdetect
lingua-language-detector`), each restricted to the seven languages Followup ships drafts in:

  py3langid    langid.py's model, numpy; `set_languages` (py3langid-all: its 97 languages, for comparison)
  langdetect   the port of Google's language-detection, pure Python; seeded, best of the seven
  lingua       lingua-language-detector (Rust); `from_languages`, high- and low-accuracy modes

and `followup`: assistant.analysis.language.detect_language as shipped (py3langid over all its languages, no
answer for a text of fewer than 12 letters: that counts as a miss here, and a draft falls back to the thread).

Sets measured:
  written      tests/data/language.tsv: short business sentences written for this, 14 per language
  replies      own text of tests/data/judgement/replies in those languages (the name says which)
  zones        own text of the hand-annotated real mail in ../shared/data/zones (English; skipped when absent)
  zones-short  its first line of 20+ characters only: a one-line message
  others       own text of the replies in other languages (sv, ru, ja, …): a detector held to the seven calls
               them one of the seven, and a Swedish thread would get a Dutch draft instead of the default

Prints accuracy per set, the worst language, load time and microseconds per text; asserts nothing.

Figures when py3langid was chosen (2 shared cores; installed size with what each pulls in):
               written replies zones zones-short others  µs/text  installed
  py3langid     1.000   1.000  0.995   0.983     0.000      61    4.6 MB + numpy 57 MB
  py3langid-all 1.000   1.000  0.988   0.970     1.000      91    (the same)
  langdetect    0.959   1.000  0.984   0.956     0.000    2608    2.3 MB + six; pure Python, seeded
  lingua        1.000   1.000  0.992   0.975     0.000     279    100 MB (its models)
  lingua-low    0.969   1.000  0.980   0.953     0.000      98    (the same)
  followup      1.000   1.000  0.984   0.963     1.000     110    (py3langid-all; "don't know" is a miss)
py3langid is as accurate as lingua on short texts at a twentieth of the size (numpy aside, which is common
and has wheels everywhere), 3-25 times faster than the others, offline, maintained; kept to all its
languages, it also knows a Swedish thread is not Dutch. langdetect misreads short Dutch and French.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout, not an installed copy
LANGS = ("en", "de", "fr", "es", "it", "nl", "pt")
ZONES = ROOT.parent / "shared" / "data" / "zones"
Detector = Callable[[str], str]


def written() -> list[tuple[str, str]]:
    rows = []
    for line in (ROOT / "tests" / "data" / "language.tsv").read_text(encoding="utf-8").split("\n"):
        if line and not line.startswith("#"):
            lang, text = line.split("\t", 1)
            rows.append((lang, text))
    return rows


def replies(ours: bool = True) -> list[tuple[str, str]]:
    rows = []
    for path in sorted((ROOT / "tests" / "data" / "judgement" / "replies").glob("*.json")):
        lang = next((t for t in path.stem.split("-") if len(t) == 2), None)  # <client>-<lang>-<what>
        text = json.loads(path.read_text(encoding="utf-8"))["own_text"].strip()
        if lang and text and (lang in LANGS) == ours and lang not in ("zh", "no"):  # zh-tw, nb: codes differ
            rows.append((lang, text))
    return rows


def zones(short: bool) -> list[tuple[str, str]]:
    rows = []
    for name in ("enron-train.jsonl", "asf-train.jsonl"):
        path = ZONES / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as f:
            for line in f:
                text = json.loads(line)["own_text"].strip()
                if short:
                    text = next((s.strip() for s in text.split("\n") if len(s.strip()) >= 20), "")
                if len(text) >= 20:
                    rows.append(("en", text))
    return rows


def py3langid(restricted: bool = True) -> Callable[[], Detector]:
    def make() -> Detector:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        ident = LanguageIdentifier.from_model_file(MODEL_FILE)  # a fresh one: the module's own is shared
        if restricted:
            ident.set_languages(list(LANGS))
        return lambda text: str(ident.classify(text)[0])
    return make


def langdetect() -> Detector:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0  # otherwise it answers differently from run to run

    def detect(text: str) -> str:
        try:
            return next((g.lang for g in detect_langs(text) if g.lang in LANGS), "?")
        except LangDetectException:
            return "?"
    return detect


def lingua(low: bool = False) -> Callable[[], Detector]:
    def make() -> Detector:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in LANGS]
        builder = LanguageDetectorBuilder.from_languages(*languages)
        detector = (builder.with_low_accuracy_mode() if low else builder).build()

        def detect(text: str) -> str:
            found = detector.detect_language_of(text)
            return found.iso_code_639_1.name.lower() if found else "?"
        return detect
    return make


def followup() -> Detector:
    from assistant.analysis.language import detect_language

    return lambda text: detect_language(text) or "?"


CANDIDATES: dict[str, Callable[[], Detector]] = {
    "followup": followup,  # what drafts use: py3langid-all, and no answer from fewer than 12 letters
    "py3langid": py3langid(), "py3langid-all": py3langid(restricted=False), "langdetect": langdetect, "lingua": lingua(), "lingua-low": lingua(low=True)}


def measure(name: str, make: Callable[[], Detector], sets: dict[str, list[tuple[str, str]]],
            errors: bool) -> None:
    start = time.perf_counter()
    try:
        detect = make()
        detect("Please warm up the model first.")
    except ImportError as e:
        print(f"{name:11} not installed ({e.name})")
        return
    load = time.perf_counter() - start
    figures, timings = [], []
    for set_name, rows in sets.items():
        if not rows:
            continue
        right = 0
        per_lang: dict[str, list[bool]] = {}
        for lang, text in rows:
            t0 = time.perf_counter()
            got = detect(text)
            timings.append(time.perf_counter() - t0)
            right += got == lang
            per_lang.setdefault(lang, []).append(got == lang)
            if errors and got != lang:
                print(f"  {name} {set_name}: {lang} → {got}: {text[:90]!r}")
        worst = min(per_lang, key=lambda k: sum(per_lang[k]) / len(per_lang[k]))
        share = sum(per_lang[worst]) / len(per_lang[worst])
        figures.append(f"{set_name} {right / len(rows):.3f}" + (f" (worst {worst} {share:.2f})"
                                                              if len(per_lang) > 1 else ""))
    print(f"{name:11} load {load:5.2f} s  {statistics.median(timings) * 1e6:7.0f} µs/text (median)  "
          + "  ".join(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--errors", choices=sorted(CANDIDATES), help="list one candidate's misses")
    parser.add_argument("--only", choices=sorted(CANDIDATES), action="append", help="measure only these")
    args = parser.parse_args()
    sets = {"written": written(), "replies": replies(), "zones": zones(False), "zones-short": zones(True),
            "others": replies(ours=False)}
    print("texts: " + ", ".join(f"{k} {len(v)}" for k, v in sets.items()))
    for name, make in CANDIDATES.items():
        if not args.only or name in args.only:
            measure(name, make, sets, errors=args.errors == name)


if __name__ == "__main__":
    main()

"""Quality and speed of `expects_reply` on labelled sentences from business mail (Enron).

    python benchmarks/expects_reply.py [--data PATH] [--errors dev|held-out|all] [--limit N] [--compare-model]

Each sentence is treated as the whole new text of a sent message. The file is split deterministically:
every 5th line is held out (rules are developed on the rest), and both splits are reported with the
whole file. The dataset also labels the writer's own dated commitments ("I will call you tomorrow") as
Yes; those belong to the promises stage, so each split is reported again without them. Prints figures;
asserts nothing (tests/unit/test_intent.py holds the floors).

--compare-model measures the alternative that was rejected: a logistic regression over word 1-2-grams
(pure Python), alone and as a fallback for sentences where the rules find nothing. It is scored on
out-of-fold predictions (5 folds along the same every-5th-line split), so no sentence is scored by a
model that saw it.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not an installed copy
from assistant.analysis.intent import expects_reply  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "intent-train.tsv"
HOLD_OUT_EVERY = 5

_FIRST_PERSON_FUTURE = re.compile(
    r"\b(i|we)\s*('ll|will|shall|'m going to|am going to|are going to|plan to|intend to|expect to|"
    r"should be able to)\b", re.IGNORECASE)
_TIME = re.compile(
    r"\b(today|tonight|tomorrow|tmrw|this (morning|afternoon|evening|week|weekend|month|am|pm)|"
    r"(next|by|on|until|before|after) (week|month|morning|afternoon|evening|weekend|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|eod|cob|noon)|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|end of (the )?(day|week|month)|eod|cob|asap|"
    r"first thing|\d{1,2}(:\d\d)?\s*(am|pm|a\.m\.|p\.m\.)|"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}|\d{1,2}/\d{1,2})\b",
    re.IGNORECASE)


def dated_commitment(sentence: str) -> bool:
    """First-person future plus a time expression: the promises stage's business, not this one's."""
    return bool(_FIRST_PERSON_FUTURE.search(sentence) and _TIME.search(sentence))


@dataclass(frozen=True)
class Example:
    line: int
    label: bool
    text: str


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fp + self.tn + self.fn
        return (self.tp + self.tn) / total if total else 0.0

    def line(self, name: str) -> str:
        n = self.tp + self.fp + self.tn + self.fn
        return (f"{name:<44} n={n:<5} precision={self.precision:.3f} recall={self.recall:.3f} "
                f"accuracy={self.accuracy:.3f}  tp={self.tp} fp={self.fp} tn={self.tn} fn={self.fn}")


def load(path: Path) -> list[Example]:
    examples = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        label, sep, text = raw.partition("\t")
        if sep and label in ("Yes", "No"):
            examples.append(Example(number, label == "Yes", text))
    return examples


def held_out(example: Example) -> bool:
    return example.line % HOLD_OUT_EVERY == 0


def score(examples: Sequence[Example], predicted: dict[int, bool]) -> Scores:
    tp = sum(1 for e in examples if e.label and predicted[e.line])
    fp = sum(1 for e in examples if not e.label and predicted[e.line])
    fn = sum(1 for e in examples if e.label and not predicted[e.line])
    return Scores(tp, fp, len(examples) - tp - fp - fn, fn)


_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|[?!]")
_LINK = re.compile(r"(?:https?://|www\.|mailto:)\S+|\$LINK|\S+@\S+")
MODEL_FALLBACK_THRESHOLD = 0.7  # the model may add a Yes only when fairly sure: precision comes first


def ngrams(text: str) -> set[str]:
    words = ["<s>", *_TOKEN.findall(_LINK.sub(" link ", text.lower()))]
    return set(words) | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}


def train_logistic(examples: Sequence[Example], epochs: int = 15, rate: float = 0.1,
                   l2: float = 0.01) -> tuple[dict[str, float], float]:
    """Plain SGD, seeded: the same data gives the same weights."""
    weights: dict[str, float] = {}
    bias = 0.0
    rows = [(ngrams(e.text), e.label) for e in examples]
    rng = random.Random(0)
    for _ in range(epochs):
        rng.shuffle(rows)
        for features, label in rows:
            z = bias + sum(weights.get(f, 0.0) for f in features)
            error = 1 / (1 + math.exp(-max(-30.0, min(30.0, z)))) - label
            bias -= rate * error
            for f in features:
                w = weights.get(f, 0.0)
                weights[f] = w - rate * (error + l2 * w)
    return weights, bias


def compare_model(examples: Sequence[Example], rules: dict[int, bool], reasons: dict[int, str]) -> None:
    probability: dict[int, float] = {}
    for fold in range(HOLD_OUT_EVERY):
        weights, bias = train_logistic([e for e in examples if e.line % HOLD_OUT_EVERY != fold])
        for e in examples:
            if e.line % HOLD_OUT_EVERY == fold:
                z = bias + sum(weights.get(f, 0.0) for f in ngrams(e.text))
                probability[e.line] = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
    model = {line: p >= 0.5 for line, p in probability.items()}
    hybrid = {line: rules[line] or (reasons[line] == "no question or request"
                                    and probability[line] >= MODEL_FALLBACK_THRESHOLD) for line in rules}
    print("\nmodel comparison (each sentence scored by a model trained on the other four folds):")
    held = [e for e in examples if held_out(e)]
    rest = [e for e in examples if not (e.label and dated_commitment(e.text))]
    contenders = (("rules only (this module, written on the dev split)", rules),
                  ("n-gram logistic regression alone", model),
                  (f"rules, then model if p >= {MODEL_FALLBACK_THRESHOLD}", hybrid))
    for name, predicted in contenders:
        print(f"  {name}:")
        print(score(held, predicted).line("    held-out (every 5th line)"))
        print(score(examples, predicted).line("    whole file"))
        print(score(rest, predicted).line("    whole file without dated commitments"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled TSV (Yes/No TAB sentence)")
    parser.add_argument("--errors", choices=("dev", "held-out", "all"),
                        help="print the misclassified sentences of a split")
    parser.add_argument("--limit", type=int, default=0, help="print at most N errors of each kind")
    parser.add_argument("--compare-model", action="store_true",
                        help="also score a word n-gram model, alone and behind the rules (out-of-fold)")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"error: {args.data}: no such file (use --data PATH)", file=sys.stderr)
        return 2
    examples = load(args.data)

    start = time.perf_counter()
    intents = {e.line: expects_reply(e.text) for e in examples}
    elapsed = time.perf_counter() - start
    predicted = {line: intent.expects_reply for line, intent in intents.items()}

    splits = {
        "dev (4/5)": [e for e in examples if not held_out(e)],
        "held-out (every 5th line)": [e for e in examples if held_out(e)],
        "whole file": examples,
    }
    print(f"data: {args.data} ({len(examples)} sentences)")
    for name, subset in splits.items():
        print(score(subset, predicted).line(name))
    print("without Yes-sentences that look like dated commitments (first-person future + a time expression):")
    for name, subset in splits.items():
        rest = [e for e in subset if not (e.label and dated_commitment(e.text))]
        print(score(rest, predicted).line(f"  {name}"))
    print(f"throughput: {len(examples) / elapsed:,.0f} texts/s ({elapsed * 1000:.0f} ms for {len(examples)})")

    if args.compare_model:
        compare_model(examples, predicted, {line: intent.reason for line, intent in intents.items()})
    if args.errors:
        chosen = {"dev": splits["dev (4/5)"], "held-out": splits["held-out (every 5th line)"],
                  "all": examples}
        for kind, wanted in (("false positive", False), ("false negative", True)):
            wrong = [e for e in chosen[args.errors] if e.label == wanted and predicted[e.line] != wanted]
            print(f"\n{kind}s ({len(wrong)}):")
            for e in wrong[: args.limit or None]:
                print(f"  {e.line:>5} {e.text[:150]!r}  [{intents[e.line].reason[:60]}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())

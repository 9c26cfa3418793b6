"""Quality and speed of `expects_reply` on labelled sentences from business mail (Enron).

    python benchmarks/expects_reply.py [--data PATH] [--errors dev|held-out|all] [--limit N] [--tracked]

Each sentence is treated as the whole new text of a sent message. The file is split deterministically:
every 5th line is held out (the rules are developed on the rest, so dev and whole-file figures flatter them and the
held-out line is the honest one). Three measures, each on dev, held-out and the whole file:

  expects_reply     the verdict itself (rules only)
  tracked           expects_reply OR holds a (dated) promise: the dataset's Yes also covers the writer's own
                    dated commitments ("I will call you tomorrow"), which the promises stage tracks

Prints figures; asserts nothing (tests/unit/test_intent.py holds the floors).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not an installed copy
from assistant.analysis.intent import expects_reply  # noqa: E402
from assistant.analysis.promises import find_promises  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "intent-train.tsv"
HOLD_OUT_EVERY = 5


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled TSV (Yes/No TAB sentence)")
    parser.add_argument("--errors", choices=("dev", "held-out", "all"),
                        help="print the misclassified sentences of a split")
    parser.add_argument("--limit", type=int, default=0, help="print at most N errors of each kind")
    parser.add_argument("--tracked", action="store_true",
                        help="with --errors: errors of the tracked measure instead of expects_reply")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"error: {args.data}: no such file (use --data PATH)", file=sys.stderr)
        return 2
    examples = load(args.data)

    start = time.perf_counter()
    intents = {e.line: expects_reply(e.text) for e in examples}
    elapsed = time.perf_counter() - start
    sent = datetime(2026, 11, 2, 10, tzinfo=UTC)  # the dataset has no dates; any Monday will do
    promised = {e.line: find_promises(e.text, sent) for e in examples}
    measures = {
        "expects_reply": {line: i.expects_reply for line, i in intents.items()},
        "tracked = expects_reply OR holds a promise (analysis/promises.py)": {
            line: i.expects_reply or bool(promised[line]) for line, i in intents.items()},
        "tracked = expects_reply OR holds a dated promise (the dataset's Yes: a commitment tied to a date)": {
            line: i.expects_reply or any(p.due for p in promised[line]) for line, i in intents.items()},
    }

    splits = {
        "dev (4/5)": [e for e in examples if not held_out(e)],
        "held-out (every 5th line)": [e for e in examples if held_out(e)],
        "whole file": examples,
    }
    print(f"data: {args.data} ({len(examples)} sentences)")
    for measure, predicted in measures.items():
        print(f"{measure}:")
        for name, subset in splits.items():
            print(score(subset, predicted).line(f"  {name}"))
    print(f"throughput: {len(examples) / elapsed:,.0f} texts/s ({elapsed * 1000:.0f} ms for {len(examples)})")

    if args.errors:
        tracked = "tracked = expects_reply OR holds a dated promise (the dataset's Yes: a commitment tied to a date)"
        predicted = measures[tracked if args.tracked else "expects_reply"]
        chosen = {"dev": splits["dev (4/5)"], "held-out": splits["held-out (every 5th line)"],
                  "all": examples}
        for kind, wanted in (("false positive", False), ("false negative", True)):
            wrong = [e for e in chosen[args.errors] if e.label == wanted and predicted[e.line] != wanted]
            print(f"\n{kind}s ({len(wrong)}):")
            for e in wrong[: args.limit or None]:
                dated = next((p.text for p in promised[e.line] if p.due), None)
                why = intents[e.line].reason if intents[e.line].expects_reply or not dated else (
                    f"dated promise: {dated}")
                print(f"  {e.line:>5} {e.text[:150]!r}  [{why[:60]}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())

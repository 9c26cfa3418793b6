"""Quality and speed of `find_promises` on the labelled set tests/data/promises.tsv.

    python benchmarks/promises.py [--data PATH] [--compare] [--errors dev|held-out|all]

Each row is the whole new text of one message. A row counts as found when find_promises returns at least
one promise; its due date is that of the first promise, and is right only when it equals the expected
moment exactly, offset included (an empty expectation matches None). Figures are given on the whole file,
on 4/5 of it and on every 5th row. The rules were written with rows 1-362 in view, so their held-out fifth
flatters them; rows 363-473 ("fresh 1") and 474-553 ("fresh 2") were written later, each measured once
before the rules learnt from its misses. Those first readings are the honest ones (rules only):
  fresh 1: precision 1.000, recall 0.848, due 0.946      fresh 2: 1.000, 1.000, 0.920
and on fresh 2, before any change, the due accuracy of dateparser + rules was 0.880, parsedatetime +
rules 0.880, dateparser searching the sentence first 0.720.

  precision, recall   of "this message holds a promise"
  due accuracy        share of the true promises found whose due date is exactly right
  what accuracy       share of the true promises found whose `what` is exactly right (not a target)

--compare also reads day phrases with a library instead of the rules (dateparser, locked to English, and
parsedatetime), and with dateparser searching the whole sentence first; each needs the library installed
(`pip install dateparser parsedatetime`), none is a dependency of the package.
Prints figures; asserts nothing (tests/unit/test_promises.py holds the floors).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not an installed copy
from assistant.analysis import promises as rules  # noqa: E402
from assistant.analysis.promises import DateSpan, Promise, find_promises, rule_day  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "promises.tsv"
HOLD_OUT_EVERY = 5
# Two batches were written after the rules: the first measured the rules frozen, then taught them; the
# second measured the result, and the libraries, once.
FRESH_ROWS = {"fresh 1": (363, 473), "fresh 2": (474, 10**6)}
THROUGHPUT_ROUNDS = 5
Finder = Callable[[str, datetime], list[Promise]]
DayReader = Callable[[DateSpan, datetime], "date | None"]  # a library in place of rule_day, for --compare


@dataclass(frozen=True)
class Example:
    row: int  # 1-based, header excluded
    promise: bool
    sent: datetime
    due: datetime | None
    what: str | None
    text: str


@dataclass
class Result:
    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0
    due_ok: int = 0
    what_ok: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def due_accuracy(self) -> float:
        return self.due_ok / self.tp if self.tp else 0.0

    @property
    def what_accuracy(self) -> float:
        return self.what_ok / self.tp if self.tp else 0.0

    def line(self, name: str) -> str:
        n = self.tp + self.fp + self.tn + self.fn
        return (f"{name:<28} n={n:<4} precision={self.precision:.3f} recall={self.recall:.3f} "
                f"due={self.due_accuracy:.3f} what={self.what_accuracy:.3f}  "
                f"tp={self.tp} fp={self.fp} fn={self.fn} due_wrong={self.tp - self.due_ok}")


def load(path: Path) -> list[Example]:
    examples = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for row, raw in enumerate(lines[1:], start=1):
        label, sent, due, what, text = raw.split("\t")
        examples.append(Example(row, label == "promise", datetime.fromisoformat(sent),
                                datetime.fromisoformat(due) if due else None, what or None,
                                text.replace("\\n", "\n")))
    return examples


def held_out(example: Example) -> bool:
    return example.row % HOLD_OUT_EVERY == 0


def same_moment(found: datetime | None, expected: datetime | None) -> bool:
    if found is None or expected is None:
        return found is expected
    return found == expected and found.utcoffset() == expected.utcoffset()


def evaluate(examples: Sequence[Example], find: Finder) -> Result:
    result = Result()
    for e in examples:
        promises = find(e.text, e.sent)
        if not promises:
            result.tn += not e.promise
            result.fn += e.promise
            if e.promise:
                result.errors.append(f"missed    {e.row:>4} {e.text[:110]!r}")
            continue
        if not e.promise:
            result.fp += 1
            result.errors.append(f"false     {e.row:>4} {e.text[:110]!r}")
            continue
        result.tp += 1
        first = promises[0]
        if same_moment(first.due, e.due):
            result.due_ok += 1
        else:
            result.errors.append(f"due       {e.row:>4} {e.text[:80]!r} sent {e.sent:%a %Y-%m-%d %H:%M} "
                                 f"expected {_show(e.due)} got {_show(first.due)}")
        if first.what == e.what:
            result.what_ok += 1
        else:
            result.errors.append(f"what      {e.row:>4} {e.text[:80]!r} expected {e.what!r} "
                                 f"got {first.what!r}")
    return result


def _show(moment: datetime | None) -> str:
    return moment.strftime("%a %Y-%m-%d %H:%M%z") if moment else "None"


def throughput(examples: Sequence[Example], find: Finder) -> float:
    start = time.perf_counter()
    for _ in range(THROUGHPUT_ROUNDS):
        for e in examples:
            find(e.text, e.sent)
    return THROUGHPUT_ROUNDS * len(examples) / (time.perf_counter() - start)


# --- libraries, for --compare ------------------------------------------------------------------------------

# Phrases a date library is asked to read; the business idioms (EOD, end of week, early/mid/late next
# week, end of month, "next Friday" as Friday of next week) and the guard against 9/8 stay with the rules
# in every variant. The rule layer hands the library a normalised phrase, to give it its best chance.
LIBRARY_KINDS = {"iso", "dotted", "month_day", "day_month", "ordinal", "tomorrow", "after_tomorrow",
                 "weekday", "in_days"}
_LEADING = ("by ", "on ", "until ", "till ", "before ", "eod ", "cob ")
_NORMALISE = ((r"\bwithin\b", "in"), (r"\bthe next\s+", ""), (r"\b(?:a )?couple of\b", "2"),
              (r"\bweds?\b", "wednesday"), (r"\bthu(?:rs?)?\b", "thursday"), (r"\btues?\b", "tuesday"),
              (r"\bmon\b", "monday"), (r"\bfri\b", "friday"), (r"\bsat\b", "saturday"),
              (r"\bsun\b", "sunday"))


def _phrase(span: DateSpan) -> str:
    text = span.match.group().lower().rstrip(".")
    while text.startswith(_LEADING):
        text = text.split(" ", 1)[1]
    for old, new in _NORMALISE:
        text = re.sub(old, new, text)
    return text


def _library_reads(span: DateSpan) -> bool:
    if span.kind == "weekday" and (span.match.group("mod") or "").lower() == "next":
        return False
    if span.kind == "in_days" and span.match.group("unit").lower().startswith(("business", "working")):
        return False
    return span.kind in LIBRARY_KINDS


def dateparser_reader() -> DayReader:
    import dateparser  # type: ignore[import-untyped]

    def read(span: DateSpan, sent: datetime) -> date | None:
        if not _library_reads(span):
            return rule_day(span, sent)
        settings: dict[str, Any] = {"RELATIVE_BASE": sent.replace(tzinfo=None), "PREFER_DATES_FROM": "future"}
        found = dateparser.parse(_phrase(span), languages=["en"], settings=settings)
        return found.date() if found else None

    return read


def parsedatetime_reader() -> DayReader:
    import parsedatetime  # type: ignore[import-untyped]

    calendar = parsedatetime.Calendar(parsedatetime.Constants("en_US"))

    def read(span: DateSpan, sent: datetime) -> date | None:
        if not _library_reads(span):
            return rule_day(span, sent)
        found, status = calendar.parseDT(_phrase(span), sourceTime=sent.replace(tzinfo=None))
        return found.date() if status else None

    return read


def dateparser_search_first(workday_end_hour: int = 18) -> Finder:
    """dateparser searches each promise's sentence; the rules answer only where it finds nothing."""
    from dateparser.search import search_dates  # type: ignore[import-untyped]

    def find(text: str, sent: datetime) -> list[Promise]:
        promises = []
        for p in find_promises(text, sent):
            settings: dict[str, Any] = {"RELATIVE_BASE": sent.replace(tzinfo=None),
                                        "PREFER_DATES_FROM": "future"}
            hits = search_dates(p.text, languages=["en"], settings=settings) or []
            if not hits:
                promises.append(p)
                continue
            moment = hits[0][1]
            if moment.time() in (sent.replace(tzinfo=None).time(), datetime.min.time()):
                moment = moment.replace(hour=workday_end_hour, minute=0, second=0, microsecond=0)
            promises.append(Promise(p.text, p.what, moment.replace(tzinfo=sent.tzinfo)))
        return promises

    return find


def _with(reader: DayReader) -> Finder:
    """find_promises with `reader` in place of the rules that turn a day phrase into a date. The package
    has no hook for this: the benchmark swaps the module's rule_day for the length of one call."""
    def find(text: str, sent: datetime) -> list[Promise]:
        with mock.patch.object(rules, "rule_day", lambda span, sent, _calendar=None: reader(span, sent)):
            return find_promises(text, sent)

    return find


def variants() -> dict[str, Finder]:
    found: dict[str, Finder] = {"rules only": find_promises}
    readers = (("dateparser + rules", dateparser_reader), ("parsedatetime + rules", parsedatetime_reader))
    for name, make in readers:
        try:
            reader = make()
        except ImportError:
            print(f"({name}: not installed)")
            continue
        found[name] = _with(reader)
    try:
        found["dateparser search first"] = dateparser_search_first()
    except ImportError:
        pass
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled TSV")
    parser.add_argument("--compare", action="store_true", help="rules only against library + rules")
    parser.add_argument("--errors", choices=("dev", "held-out", "fresh", "all"),
                        help="print the errors of a split")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"error: {args.data}: no such file (use --data PATH)", file=sys.stderr)
        return 2
    examples = load(args.data)
    splits = {
        "whole file": examples,
        "dev (4/5)": [e for e in examples if not held_out(e)],
        "held-out (every 5th row)": [e for e in examples if held_out(e)],
    }
    for name, (first, last) in FRESH_ROWS.items():
        rows = [e for e in examples if first <= e.row <= last]
        splits[f"{name} (rows {first}-{min(last, len(examples))})"] = rows
    promises = sum(e.promise for e in examples)
    print(f"data: {args.data.name} ({len(examples)} rows: {promises} promises, "
          f"{len(examples) - promises} none)")
    for name, find in (variants() if args.compare else {"rules only": find_promises}).items():
        print(f"{name}:")
        for split, subset in splits.items():
            print(evaluate(subset, find).line(f"  {split}"))
        print(f"  throughput: {throughput(examples, find):,.0f} messages/s")
    if args.errors:
        chosen = {"dev": splits["dev (4/5)"], "held-out": splits["held-out (every 5th row)"], "all": examples,
                  "fresh": [e for e in examples if e.row >= FRESH_ROWS["fresh 1"][0]]}
        for error in evaluate(chosen[args.errors], find_promises).errors:
            print(error)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How well Followup judges real mail: machines vs people, own words vs quotes and signatures, requests.

    python benchmarks/judgement.py [--errors automated|zones|replies|intent] [--limit N] [--set enron|asf]

Prints, for each data set, the figures that issue 11 asks for; asserts nothing (tests/unit/test_judgement.py
holds the floors, a little under these figures):

  automated   tests/data/automated and tests/data/judgement/automated (the folder names the expected kind):
              automated mail taken for human, human mail taken for a machine, and the exact kind
  zones       ../shared/data/zones (hand-annotated Enron and Apache mail, train split): own text kept,
              quote kept out, signature kept out, both own-text measures at once
  replies     tests/data/judgement/replies (.eml + .json pairs, many clients and languages): the same
  heldout     tests/data/judgement/heldout: automated mail and replies written apart from the code and the other
              fixtures, measured once and never tuned on (--errors heldout lists its misses, to read afterwards)
  intent      ../shared/data/intent-train.tsv, held out (every 5th line) and whole file: accuracy,
              precision, recall, and precision with the negatives reweighted to a 30% share of Yes

The text measure is the one the zones README describes, which tolerates re-wrapping: lines of at least 20
characters (white space collapsed) with a letter or digit. Own text is kept when every such line of the
annotated own text is in the collapsed new text; the quote is kept out when no such line found only in the
quoted part is; the signature is kept out when no signature line (here of at least 10 characters, since
signature lines are short) found only in the signature is.
"""

from __future__ import annotations

import argparse
import json
import quopri
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout, not an installed copy
from assistant.analysis.automated import classify  # noqa: E402
from assistant.analysis.intent import expects_reply  # noqa: E402
from assistant.message import parse_message  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
ZONES = SHARED / "zones"
INTENT = SHARED / "intent-train.tsv"
AUTOMATED = (ROOT / "tests" / "data" / "automated", ROOT / "tests" / "data" / "judgement" / "automated")
REPLIES = ROOT / "tests" / "data" / "judgement" / "replies"
HELDOUT = ROOT / "tests" / "data" / "judgement" / "heldout"  # written apart from the code, measured, never tuned on
HOLD_OUT_EVERY = 5
REALISTIC_YES = 0.30  # share of requests in real mail, for the precision a user feels

# The expectations of the first fixture set (tests/data/automated), whose folder does not name the kind.
_LEGACY_KIND = {
    "amazon-ses-bounce": "bounce", "exchange-online-ndr": "bounce", "exim-bounce": "bounce",
    "gmail-bounce": "bounce", "postfix-bounce": "bounce", "qmail-bounce": "bounce", "sendmail-bounce": "bounce",
    "yahoo-bounce": "bounce", "gmail-delay": "delivery_delay", "postfix-delay": "delivery_delay",
    "exchange-ooo": "auto_reply", "exchange-ooo-no-auto-submitted": "auto_reply", "french-ooo": "auto_reply",
    "german-abwesenheitsnotiz": "auto_reply", "gmail-vacation": "auto_reply", "icloud-vacation": "auto_reply",
    "notes-auto": "auto_reply", "zimbra-ooo": "auto_reply", "outlook-read-receipt": "receipt",
    "thunderbird-read-receipt": "receipt", "google-calendar-invitation": "calendar",
    "outlook-meeting-accepted": "calendar", "mailing-list": "list", "newsletter": "bulk",
    "marketing-list-unsubscribe": "bulk", "noreply-notification": "notification", "cron-output": "notification",
    "human-reply": "human", "human-outlook-suppress": "human", "human-re-out-of-office": "human",
}


# --- automated mail --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Labelled:
    path: Path
    kind: str


def automated_fixtures(heldout: bool = False) -> list[Labelled]:
    if heldout:
        return [Labelled(p, p.parent.name) for p in sorted((HELDOUT / "automated").glob("*/*.eml"))]
    out = [Labelled(p, _LEGACY_KIND[p.stem]) for p in sorted(AUTOMATED[0].glob("*.eml")) if p.stem in _LEGACY_KIND]
    out += [Labelled(p, p.parent.name) for p in sorted(AUTOMATED[1].glob("*/*.eml"))]
    return out


@dataclass
class AutomatedScore:
    machines: int = 0
    machines_as_human: list[str] = field(default_factory=list)
    humans: int = 0
    humans_as_machine: list[str] = field(default_factory=list)
    wrong_kind: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.machines + self.humans

    @property
    def machine_accuracy(self) -> float:
        return 1 - len(self.machines_as_human) / self.machines if self.machines else 0.0

    @property
    def kind_accuracy(self) -> float:
        return 1 - len(self.wrong_kind) / self.total if self.total else 0.0


def score_automated(fixtures: Sequence[Labelled]) -> AutomatedScore:
    score = AutomatedScore()
    for f in fixtures:
        verdict = classify(parse_message(f.path.read_bytes()))
        name = f"{f.path.parent.name}/{f.path.name}: {verdict.kind} ({verdict.reason})"
        if f.kind == "human":
            score.humans += 1
            if verdict.kind != "human":
                score.humans_as_machine.append(name)
        else:
            score.machines += 1
            if verdict.kind == "human":
                score.machines_as_human.append(name)
        if verdict.kind != f.kind:
            score.wrong_kind.append(f"expected {f.kind}: {name}")
    return score


# --- own text, quotes and signatures ---------------------------------------------------------------------

_WS = re.compile(r"\s+")


def _collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


def measured_lines(text: str, minimum: int = 20) -> set[str]:
    out = set()
    for line in text.split("\n"):
        c = _collapse(line)
        if len(c) >= minimum and any(ch.isalnum() for ch in c):
            out.add(c)
    return out


@dataclass(frozen=True)
class Annotated:
    id: str
    raw: bytes
    own_text: str
    signature: str
    quoted: str


@dataclass(frozen=True)
class Outcome:
    own_kept: bool
    quote_out: bool
    signature_out: bool | None  # None: no signature to keep out

    @property
    def both(self) -> bool:
        return self.own_kept and self.quote_out


def judge_split(item: Annotated, new_text: str) -> Outcome:
    new = _collapse(new_text)
    own = measured_lines(item.own_text)
    own_short = measured_lines(item.own_text, 10)
    only_quoted = measured_lines(item.quoted) - measured_lines(item.own_text)
    only_sig = measured_lines(item.signature, 10) - own_short
    return Outcome(
        own_kept=all(line in new for line in own),
        quote_out=not any(line in new for line in only_quoted),
        signature_out=(not any(line in new for line in only_sig)) if only_sig else None,
    )


def _read_lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as f:  # never splitlines(): real mail holds U+2028
        yield from f


def zone_records(name: str) -> list[Annotated]:
    path = ZONES / f"{name}-train.jsonl"
    out = []
    for line in _read_lines(path):
        rec = json.loads(line)
        raw = rec["raw"]
        header = raw[:rec["body_start"]].lower()
        fields = (rec["own_text"], rec["signature"], rec["quoted"])
        if "quoted-printable" in header:  # the annotation kept the undecoded text; the parser decodes it
            fields = tuple(quopri.decodestring(x.encode("utf-8")).decode("utf-8", "replace") for x in fields)
        out.append(Annotated(rec["id"], raw.encode("utf-8"), *fields))
    return out


def reply_fixtures(heldout: bool = False) -> list[Annotated]:
    out = []
    for eml in sorted((HELDOUT / "replies" if heldout else REPLIES).glob("*.eml")):
        meta = eml.with_suffix(".json")
        if not meta.is_file():
            continue
        expected = json.loads(meta.read_text(encoding="utf-8"))
        out.append(Annotated(eml.stem, eml.read_bytes(), expected.get("own_text", ""),
                             expected.get("signature", ""), expected.get("quoted", "")))
    return out


@dataclass
class SplitScore:
    n: int = 0
    own_kept: int = 0
    quote_out: int = 0
    both: int = 0
    signed: int = 0
    signature_out: int = 0
    failures: list[tuple[str, Outcome, str]] = field(default_factory=list)

    def line(self, name: str) -> str:
        def pct(a: int, b: int) -> str:
            return f"{a / b:6.1%}" if b else "   n/a"
        return (f"{name:<26} n={self.n:<4} own text kept {pct(self.own_kept, self.n)}  quote kept out "
                f"{pct(self.quote_out, self.n)}  both {pct(self.both, self.n)}  signature kept out "
                f"{pct(self.signature_out, self.signed)} (of {self.signed} signed)")


def score_split(items: Sequence[Annotated]) -> SplitScore:
    score = SplitScore()
    for item in items:
        new_text = parse_message(item.raw).new_text
        o = judge_split(item, new_text)
        score.n += 1
        score.own_kept += o.own_kept
        score.quote_out += o.quote_out
        score.both += o.both
        if o.signature_out is not None:
            score.signed += 1
            score.signature_out += o.signature_out
        if not (o.both and o.signature_out is not False):
            score.failures.append((item.id, o, new_text))
    return score


# --- expects a reply -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IntentScore:
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / max(1, self.tp + self.fp + self.tn + self.fn)

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / max(1, self.tp + self.fn)

    def precision_at(self, share: float) -> float:
        """Precision had the negatives been reweighted so that Yes makes up `share` of the mail."""
        pos, neg = self.tp + self.fn, self.fp + self.tn
        if not pos or not neg:
            return 0.0
        weight = (pos * (1 - share) / share) / neg
        return self.tp / max(1e-9, self.tp + self.fp * weight)

    def accuracy_at(self, share: float) -> float:
        pos, neg = self.tp + self.fn, self.fp + self.tn
        if not pos or not neg:
            return 0.0
        return share * self.recall + (1 - share) * self.tn / neg

    def line(self, name: str) -> str:
        return (f"{name:<26} n={self.tp + self.fp + self.tn + self.fn:<5} accuracy {self.accuracy:.3f}  "
                f"precision {self.precision:.3f}  recall {self.recall:.3f}  | at 30% Yes: precision "
                f"{self.precision_at(REALISTIC_YES):.3f} accuracy {self.accuracy_at(REALISTIC_YES):.3f}")


def intent_examples() -> list[tuple[int, bool, str]]:
    out = []
    for number, raw in enumerate(_read_lines(INTENT), start=1):
        label, sep, text = raw.rstrip("\n").partition("\t")
        if sep and label in ("Yes", "No"):
            out.append((number, label == "Yes", text))
    return out


def score_intent(examples: Sequence[tuple[int, bool, str]]) -> tuple[IntentScore, list[tuple[bool, str, str]]]:
    tp = fp = tn = fn = 0
    wrong = []
    for _, label, text in examples:
        intent = expects_reply(text)
        got = intent.expects_reply
        tp += label and got
        fp += got and not label
        fn += label and not got
        tn += not label and not got
        if got != label:
            wrong.append((label, text, intent.reason))
    return IntentScore(tp, fp, tn, fn), wrong


def held_out(line: int) -> bool:
    return line % HOLD_OUT_EVERY == 0


# --- the report ------------------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--errors", choices=("automated", "zones", "replies", "intent", "heldout"),
                        help="list the failures of one data set")
    parser.add_argument("--set", choices=("enron", "asf"), help="with --errors zones: one corpus")
    parser.add_argument("--limit", type=int, default=40, help="failures listed at most (default 40)")
    args = parser.parse_args(argv)
    start = time.perf_counter()

    auto = score_automated(automated_fixtures())
    held_auto = score_automated(automated_fixtures(heldout=True))
    for title, a in (("automated mail (tests/data/automated, tests/data/judgement/automated)", auto),
                     ("automated mail, held out (tests/data/judgement/heldout/automated)", held_auto)):
        if not a.total:
            continue
        print(title)
        print(f"  {a.machines} automated: {a.machine_accuracy:.1%} never taken for human "
              f"({len(a.machines_as_human)} taken for human)")
        print(f"  {a.humans} human: {len(a.humans_as_machine)} taken for a machine")
        print(f"  exact kind right: {a.kind_accuracy:.1%} of {a.total}")

    print("own text / quote / signature")
    zone_scores = {}
    if ZONES.is_dir():
        for name in ("enron", "asf"):
            zone_scores[name] = score_split(zone_records(name))
            print("  " + zone_scores[name].line(f"zones/{name} (train)"))
        both = SplitScore()
        for s in zone_scores.values():
            for key in ("n", "own_kept", "quote_out", "both", "signed", "signature_out"):
                setattr(both, key, getattr(both, key) + getattr(s, key))
        print("  " + both.line("zones, all"))
    else:
        print(f"  {ZONES}: not found, skipped")
    replies = score_split(reply_fixtures())
    print("  " + replies.line("reply fixtures"))
    held_replies = score_split(reply_fixtures(heldout=True))
    if held_replies.n:
        print("  " + held_replies.line("reply fixtures, held out"))

    intent_held = intent_all = None
    if INTENT.is_file():
        examples = intent_examples()
        intent_held, wrong_held = score_intent([e for e in examples if held_out(e[0])])
        intent_all, _ = score_intent(examples)
        print("expects a reply (intent-train.tsv)")
        print("  " + intent_held.line("held-out (every 5th)"))
        print("  " + intent_all.line("whole file"))
    print(f"({time.perf_counter() - start:.1f} s)")

    limit = args.limit
    if args.errors == "automated":
        for title, rows in (("automated taken for human", auto.machines_as_human),
                            ("human taken for a machine", auto.humans_as_machine),
                            ("wrong kind", auto.wrong_kind)):
            print(f"\n{title} ({len(rows)}):")
            for row in rows[:limit]:
                print("  " + row)
    elif args.errors in ("zones", "replies", "heldout"):
        if args.errors == "heldout":  # to read after measuring, for the next fixture set: never tune on these
            for row in held_auto.machines_as_human + held_auto.humans_as_machine + held_auto.wrong_kind:
                print("  " + row)
        if args.errors == "zones":
            failures = [f for name, s in zone_scores.items() if args.set in (None, name) for f in s.failures]
        else:
            failures = replies.failures if args.errors == "replies" else held_replies.failures
        print(f"\nfailures ({len(failures)}):")
        for ident, o, new_text in failures[:limit]:
            print(f"--- {ident}: own kept {o.own_kept}, quote out {o.quote_out}, signature out {o.signature_out}")
            print("    " + new_text[:600].replace("\n", "\n    "))
    elif args.errors == "intent" and INTENT.is_file():
        for label, text, reason in wrong_held[:limit]:
            print(f"  {'miss' if label else 'false alarm'}: {text[:140]!r}  [{reason[:70]}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())

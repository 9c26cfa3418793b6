"""Speed of the pure detectors (intent, promises, HTML to text, parse) on real and generated mail.

    python benchmarks/detectors.py [--generated 3000] [--seed 1] [--rounds 1] [--only intent,promises]
                                   [--dump OUT.jsonl] [--profile DETECTOR]

Texts, read where they live (never copied into the project; a source that is absent is skipped):
  ../shared/data/zones/*.jsonl      real mail: each raw message (parse), its own text and its whole body
                                    (intent, promises), and its text laid out as HTML with a quote container
                                    (blockquote, gmail_quote, divRplyFwdMsg, ...) in turn (html)
  ../shared/data/intent-train.tsv   real sentences, each one a text (intent, promises)
  benchmarks/scale_mail.py          a seeded mailbox of --generated messages, kept in memory: the raw messages
                                    (parse), their HTML parts (html) and their new text (intent, promises)

Prints the CPU time per 1,000 texts for each detector (the best of --rounds). --dump writes every detector's output on every text, one
JSON object a line in a fixed order, so two runs (before and after a change) can be compared with `cmp`.
--profile runs one detector under cProfile and prints the top functions. Asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import email
import email.policy
import json
import pstats
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "benchmarks")]  # this checkout, not an installed copy
from scale_mail import MailWriter, generate  # noqa: E402

from assistant.analysis.intent import expects_reply  # noqa: E402
from assistant.analysis.promises import find_promises  # noqa: E402
from assistant.message.html import html_to_text  # noqa: E402
from assistant.message.parse import parse_message  # noqa: E402

DATA = REPO.parent / "shared" / "data"
SENT = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)  # a Wednesday morning: "by Friday", "tomorrow" all resolve


@dataclasses.dataclass(frozen=True)
class Corpus:
    texts: list[tuple[str, str]]  # (id, text) for intent and promises
    html: list[tuple[str, str]]  # (id, HTML) for html_to_text
    raw: list[tuple[str, bytes]]  # (id, message) for parse


class _Memory:
    """Stands in for the IMAP server scale_mail delivers to: keeps each message in order."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes]] = []

    def deliver(self, user: str, folder: str, raw: bytes, when: datetime, flags: str = "") -> None:
        self.messages.append((folder, raw))


def zones() -> Iterator[dict[str, Any]]:
    for name in ("enron-train.jsonl", "asf-train.jsonl"):
        path = DATA / "zones" / name
        if path.exists():
            with open(path, encoding="utf-8") as lines:  # a line at a time: bodies hold U+2028
                for line in lines:
                    yield json.loads(line)


def intent_sentences() -> Iterator[str]:
    path = DATA / "intent-train.tsv"
    if path.exists():
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                label, _, sentence = line.rstrip("\n").partition("\t")
                if label in ("Yes", "No"):
                    yield sentence


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _lines_html(text: str) -> str:
    return "<br>".join(_escape(line) for line in text.split("\n"))


# Quote containers as mail clients write them; the zones' quoted part goes in one of these, in turn.
_CONTAINERS = (
    lambda q: f'<blockquote type="cite">{q}</blockquote>',
    lambda q: f'<div class="gmail_quote"><div class="gmail_attr">wrote:</div><blockquote>{q}</blockquote></div>',
    lambda q: f'<div id="divRplyFwdMsg"><b>From:</b> someone</div><div>{q}</div><p>{q[:200]}</p>',
    lambda q: f'<div id="appendonsend"></div><hr><div><p>{q}</p></div>',
    lambda q: f'<div class="moz-cite-prefix">On Monday, X wrote:</div><blockquote>{q}</blockquote>',
    lambda q: f'<div class="yahoo_quoted"><div>{q}</div></div>',
    lambda q: f'<div id="mail-editor-reference-message-container"><div>{q}</div></div>',
    lambda q: f"<div><p>{q}</p></div>",  # no container: a quote the HTML does not mark
)


def zones_html(rec: dict[str, Any], n: int) -> str:
    own = "".join(f"<p>{_lines_html(p)}</p>" for p in rec["own_text"].split("\n\n"))
    sig = f'<div class="signature">{_lines_html(rec["signature"])}</div>' if rec["signature"] else ""
    quoted = _CONTAINERS[n % len(_CONTAINERS)](_lines_html(rec["quoted"])) if rec["quoted"] else ""
    return (f"<html><head><title>t</title><style>p {{margin:0}}</style></head><body>"
            f"<div dir=\"ltr\">{own}{sig}</div>{quoted}<script>var x = '<p>';</script></body></html>")


def html_parts(raw: bytes) -> list[str]:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return [part.get_content() for part in msg.walk() if part.get_content_type() == "text/html"]


def collect(generated: int, seed: int) -> Corpus:
    texts: list[tuple[str, str]] = []
    html: list[tuple[str, str]] = []
    raw: list[tuple[str, bytes]] = []
    for n, rec in enumerate(zones()):
        raw.append((rec["id"], rec["raw"].encode("utf-8")))
        texts.append((rec["id"] + "#own", rec["own_text"]))
        texts.append((rec["id"] + "#body", rec["raw"][rec["body_start"]:]))
        html.append((rec["id"] + "#html", zones_html(rec, n)))
    texts.extend((f"intent-train/{n}", s) for n, s in enumerate(intent_sentences(), start=1))
    if generated:
        memory = _Memory()
        generate(MailWriter(memory, "dana@example.org", generated), seed)  # type: ignore[arg-type]
        for n, (folder, message) in enumerate(memory.messages):
            ident = f"generated/{seed}/{n}/{folder}"
            raw.append((ident, message))
            html.extend((f"{ident}#html{i}", part) for i, part in enumerate(html_parts(message)))
        rng = random.Random(seed)  # new text for intent and promises: of the people's mail, not the bulk
        for ident, message in raw[-len(memory.messages):]:
            parsed = parse_message(message)
            if "Auto-Submitted" not in parsed.headers and "List-Id" not in parsed.headers and rng.random() < 0.9:
                texts.append((ident + "#new", parsed.new_text))
    return Corpus(texts, html, raw)


def _plain(value: Any) -> Any:
    """A detector's output as JSON: dataclasses as dicts, datetimes and the like as their repr."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


Detector = tuple[str, Callable[[Any], Any], Callable[[Corpus], list[tuple[str, Any]]]]
DETECTORS: tuple[Detector, ...] = (
    ("intent", expects_reply, lambda c: c.texts),
    ("promises", lambda text: find_promises(text, SENT), lambda c: c.texts),
    ("html", html_to_text, lambda c: c.html),
    ("parse", parse_message, lambda c: c.raw),
)


def run_all(detector: Callable[[Any], Any], items: list[tuple[str, Any]]) -> list[Any]:
    return [detector(x) for _, x in items]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generated", type=int, default=3000, help="messages of the seeded mailbox (0: none)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1, help="timed runs per detector; the best is shown")
    parser.add_argument("--only", default="", help="comma-separated detectors (intent,promises,html,parse)")
    parser.add_argument("--dump", type=Path, help="write every output here, JSON lines")
    parser.add_argument("--profile", help="run this detector under cProfile")
    args = parser.parse_args()
    t0 = time.perf_counter()
    corpus = collect(args.generated, args.seed)
    print(f"texts {len(corpus.texts)}, HTML {len(corpus.html)}, messages {len(corpus.raw)} "
          f"(collected in {time.perf_counter() - t0:.1f} s)")
    chosen = [d for d in DETECTORS if not args.only or d[0] in args.only.split(",")]
    dump = open(args.dump, "w", encoding="utf-8") if args.dump else None  # noqa: SIM115
    try:
        for name, detector, inputs in chosen:
            items = inputs(corpus)
            if args.profile == name:
                profile = cProfile.Profile()
                profile.runcall(run_all, detector, items)
                pstats.Stats(profile).sort_stats("tottime").print_stats(25)
            best = float("inf")
            for _ in range(args.rounds):
                start = time.process_time()  # CPU time: the machine may be shared, and CPU is what is saved
                outputs = run_all(detector, items)
                best = min(best, time.process_time() - start)
            print(f"{name:<9} {len(items):>6} inputs  {best * 1000 / len(items) * 1000:8.1f} ms per 1,000")
            if dump:
                for (ident, _), output in zip(items, outputs, strict=True):
                    dump.write(json.dumps({"detector": name, "id": ident, "output": _plain(output)},
                                          ensure_ascii=False, sort_keys=True) + "\n")
    finally:
        if dump:
            dump.close()


if __name__ == "__main__":
    main()

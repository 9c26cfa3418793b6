"""Does a sent message expect a reply: clear cases both ways, reasons, and quality floors on labelled mail."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from assistant.analysis.intent import Intent, expects_reply

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "intent-train.tsv"
# Measured by benchmarks/expects_reply.py on the whole file: accuracy 0.823, precision 0.878.
ACCURACY_FLOOR = 0.80
PRECISION_FLOOR = 0.855

EXPECTS_REPLY = [
    # questions
    "Could you send the deck?",
    "Can you take a look at section 3 before the call?",
    "Do you have the numbers for Q3",
    "When can we meet?",
    "What time works for you tomorrow?",
    "Which version should I send to the client?",
    "Are you free for lunch on Thursday",
    "Have you had a chance to review the draft?",
    "Any update on the contract?",
    "Would Tuesday work for you?",
    "I was wondering whether you had a chance to look at the proposal.",
    "Chris, did the invoice go out?",
    # requests
    "Please confirm the booking.",
    "Please advise.",
    "Please review the attached draft and send me your comments.",
    "Let me know what you think.",
    "I'd appreciate your comments by Monday.",
    "Send me the file when you can.",
    "Give me a call when you get a minute.",
    "Looking forward to hearing from you.",
    "When you get a chance, forward this to Sally.",
    # proposals
    "How about Tuesday at 3?",
    "Let's meet next week to go over the numbers.",
    "Shall we say 10am?",
    "Can we move the call to 4pm?",
    "Maybe we can grab coffee after the meeting.",
    "I would like to discuss this with you tomorrow if you are available.",
    # mixed with text that alone would not count
    "Thanks for the update. Could you send the final version by Friday?",
    "Attached is the deck.\n\nCould you take a look before the call?",
    "See https://example.com/search?q=budget for the figures. Can you check them?",
]

NO_REPLY_EXPECTED = [
    # thanks, acknowledgements, FYI
    "Thanks!",
    "Thank you so much for your help.",
    "Got it, thanks",
    "Sounds good",
    "Will do",
    "Noted.",
    "FYI, see below",
    "Please find attached the minutes from today's meeting.",
    "Have a great weekend!",
    "Here is the report you asked for.",
    # the writer's own commitments are the promises stage's business
    "I'll send it by Friday.",
    "Thanks for sending this over. I'll review it tomorrow.",
    # a "?" that is not the writer's question
    "Details are at https://example.com/search?q=test&page=2 if useful.",
    "Here's the link: http://example.com/page?id=42",
    'He kept asking "why bother?" all through the meeting.',
    "Who knew budget season could be this much fun?",
    "Can you believe it's already December?",
    # no reply wanted
    "No need to reply.",
    "Here are the slides from today. No need to respond.",
    "Do not reply to this automated message.",
    # marketing and boilerplate
    "Click here to claim your prize.",
    "Act now!",
    "Call now to get 50% off your first order.",
    "Reply STOP to unsubscribe.",
    "Please add news@shop.example to your address book to ensure delivery.",
    "If you have any questions, please contact us at support@example.com.",
    "If you would like to stop receiving these emails, please update your preferences.",
]


@pytest.mark.parametrize("text", EXPECTS_REPLY)
def test_expects_a_reply(text: str) -> None:
    intent = expects_reply(text)
    assert intent.expects_reply, intent.reason


@pytest.mark.parametrize("text", NO_REPLY_EXPECTED)
def test_expects_no_reply(text: str) -> None:
    intent = expects_reply(text)
    assert not intent.expects_reply, intent.reason


@pytest.mark.parametrize(("text", "reason"), [
    ("Could you send the deck?", 'asks a question: "Could you send the deck?"'),
    ("Thanks for the notes. Please confirm the room.", 'makes a request: "Please confirm the room."'),
    ("Let's meet on Friday.", 'proposes: "Let\'s meet on Friday."'),
    ("Thanks!", "thanks only"),
    ("Got it, thanks", "acknowledgement only"),
    ("FYI, see below", "FYI only"),
    ("Click here to win.", "marketing or boilerplate only"),
    ("No need to reply.", 'says no reply is needed: "No need to reply."'),
    ("The meeting went well.", "no question or request"),
    ("", "no text"),
    ("  \n ", "no text"),
])
def test_reason_names_the_rule_and_quotes_the_sentence(text: str, reason: str) -> None:
    assert expects_reply(text).reason == reason


def test_a_long_sentence_is_quoted_truncated() -> None:
    text = "Could you " + "please " * 30 + "send it?"
    reason = expects_reply(text).reason
    quoted = reason.split(": ", 1)[1]
    assert reason.startswith('asks a question: "Could you please')
    assert quoted.endswith('…"') and len(quoted) <= 82


def test_no_need_to_reply_wins_over_a_question() -> None:
    assert not expects_reply("Want the raw data too? No need to reply, I'll bring it.").expects_reply


def test_the_verdict_is_a_frozen_value() -> None:
    intent = expects_reply("Could you send the deck?")
    assert intent == Intent(True, 'asks a question: "Could you send the deck?"')
    with pytest.raises(dataclasses.FrozenInstanceError):
        intent.expects_reply = False  # type: ignore[misc]


def test_fast_enough_for_a_whole_mailbox() -> None:
    texts = [t for t in EXPECTS_REPLY + NO_REPLY_EXPECTED] * 40
    start = time.perf_counter()
    for text in texts:
        expects_reply(text)
    rate = len(texts) / (time.perf_counter() - start)
    assert rate > 1_000, f"{rate:.0f} texts/s"  # ~10,000/s on a laptop; the floor leaves room for slow CI


def test_quality_on_labelled_business_mail() -> None:
    if not DATA.is_file():
        pytest.skip(f"labelled data not found at {DATA} (it lives in shared/, beside the repository)")
    tp = fp = tn = fn = 0
    for line in DATA.read_text(encoding="utf-8").splitlines():
        label, sep, text = line.partition("\t")
        if not sep or label not in ("Yes", "No"):
            continue
        predicted, actual = expects_reply(text).expects_reply, label == "Yes"
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
        tn += not predicted and not actual
    accuracy = (tp + tn) / (tp + fp + tn + fn)
    precision = tp / (tp + fp)
    assert tp + fp + tn + fn > 3_000
    assert accuracy >= ACCURACY_FLOOR, f"accuracy {accuracy:.3f} (tp={tp} fp={fp} tn={tn} fn={fn})"
    assert precision >= PRECISION_FLOOR, f"precision {precision:.3f} (tp={tp} fp={fp} tn={tn} fn={fn})"

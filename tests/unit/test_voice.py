"""Personal drafts: the thread's language, the user's register and voice, the question they asked.

Golden drafts for each shipped language (register, dates, attribution line, reply prefix), then the pieces:
language detection, greetings and sign-offs, register, learning, the asked clause.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from golden_files import check_golden

from assistant.analysis.language import detect_language
from assistant.drafts.compose import DraftInput, build_draft, reply_subject, thread_prefix
from assistant.drafts.personal import personal, thread_language
from assistant.drafts.voice import Voice, asked_clause, greeting_line, is_formal, learn, signoff_lines
from assistant.model import Decision, Mail, OwnText, State
from assistant.templates import environment

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=BERLIN)  # a Thursday
TUESDAY = datetime(2026, 12, 1, 9, 30, tzinfo=BERLIN)
WEEKS_AGO = datetime(2026, 11, 24, 11, 0, tzinfo=BERLIN)
DATA = Path(__file__).resolve().parents[1] / "data"
SHIPPED = ("en", "de", "fr", "es", "it", "nl", "pt")
KINDS: dict[str, dict[str, object]] = {
    "step1": {"step": 1}, "step2": {"step": 2}, "default": {"step": 3},
    "mine": {"templates": ("promise/mine.txt.j2",)},
    "theirs": {"templates": ("promise/theirs.txt.j2",), "promise_due": TUESDAY},
    "checkin": {"templates": ("checkin.txt.j2",), "new_thread": True},
    "checkback": {"templates": ("checkback.txt.j2",)}}


def draft(language: str, **kw: object) -> str:
    base: dict[str, object] = dict(
        account="work", step=1, tracked_id="<q1@example.com>", tracked_subject="AW: Angebot Q4",
        tracked_sent=WEEKS_AGO, reply_to_id="<q1@example.com>", reply_to_references=(),
        reply_to_text="Frank,\n\nwhere are we on the offer?", reply_to_sent=WEEKS_AGO,
        from_name="Dana Reyes", from_addr="dana@example.com", recipients=(("Frank Moss", "frank@example.de"),),
        cc=(), business_days_waiting=7, languages=(language,), reply_prefix="AW:")
    base.update(kw)
    raw = build_draft(DraftInput(**base), environment(None), NOW, BERLIN).raw  # type: ignore[arg-type]
    return raw.decode().replace("\r\n", "\n")


# One golden draft per language: informal for some, formal for others; a learned voice in one; a date for
# some and a weekday for others; each language's attribution line; "AW:" kept as the thread has it.
GOLDEN: dict[str, dict[str, object]] = {
    "en": {"asked": "Did you get a chance to look at the Q4 budget numbers?", "reply_prefix": "RE:",
           "greeting": "Hi Frank,", "signoff": "Cheers,\nDana", "signature": "Dana Reyes\nNorthwind Traders"},
    "de": {"formal": False, "greeting": "Hallo Frank,", "signoff": "Viele Grüße\nDana"},
    "fr": {"formal": True, "tracked_sent": TUESDAY, "reply_to_sent": TUESDAY, "reply_prefix": "Re:"},
    "es": {"formal": False},
    "it": {"formal": True, "asked": "Potrebbe inviarmi il contratto firmato entro venerdì?"},
    "nl": {"formal": False, "tracked_sent": TUESDAY, "reply_to_sent": TUESDAY, "reply_prefix": "Re:"},
    "pt": {"formal": True},
}


@pytest.mark.parametrize("language", SHIPPED)
def test_drafts_in_each_language_match_golden_files(language: str) -> None:
    text = draft(language, **GOLDEN[language])
    check_golden(f"followup-{language}.eml", re.sub(r"(?m)^Date: .*$", "Date: (scrubbed)", text))


@pytest.mark.parametrize("language", SHIPPED)
@pytest.mark.parametrize("formal", [True, False])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_in_every_language_and_register(language: str, formal: bool, kind: str) -> None:
    text = draft(language, formal=formal, promise_text="", **KINDS[kind])  # type: ignore[arg-type]
    assert "{{" not in text and "{%" not in text and "None" not in text and "  " not in text.split("\n\n", 1)[1]
    if kind == "checkin":
        assert "In-Reply-To" not in text and "AW:" not in text
    else:
        assert "Subject: AW: Angebot Q4" in text
        attribution = text.split("\n>")[0].rsplit("\n", 1)[1]
        assert "Frank" not in attribution and "Dana Reyes" in attribution  # the quoted message is the user's


@pytest.mark.parametrize("language", SHIPPED)
@pytest.mark.parametrize("formal", [True, False])
def test_step_two_never_repeats_step_one(language: str, formal: bool) -> None:
    def sentences(text: str) -> set[str]:
        body = text.split("\n\n", 1)[1].split("\n>")[0]
        return {s.strip() for s in re.split(r"(?<=[.?!])\s+", body.split("\n\n")[1]) if len(s.strip()) > 12}

    one, two = (sentences(draft(language, formal=formal, step=n)) for n in (1, 2))
    assert one and two and not one & two


def test_register_shows_in_the_words() -> None:
    assert "Hatten Sie schon" in draft("de", formal=True) and "Hattest du schon" in draft("de", formal=False)
    assert "Guten Tag Frank Moss," in draft("de", formal=True) and "Hallo Frank," in draft("de", formal=False)
    assert "vous" in draft("fr", formal=True) and "toi" in draft("fr", formal=False)
    assert "Ha tenido" in draft("es", formal=True) and "Has podido" in draft("es", formal=False)
    assert "Heeft u" in draft("nl", formal=True) and "Heb je" in draft("nl", formal=False)


def test_dates_and_attribution_through_babel() -> None:
    de = draft("de")
    assert "vom 24. November" in de and "Am 24.11.2026 um 11:00 schrieb Dana Reyes:" in de
    assert "vom Dienstag" in draft("de", tracked_sent=TUESDAY)
    assert "Le mar. 24 nov. 2026 à 11:00, Dana Reyes a écrit :" in draft("fr")
    assert "El mar, 24 nov 2026, a las 11:00, Dana Reyes escribió:" in draft("es")
    assert "On Tue, Nov 24, 2026 at 11:00 AM, Dana Reyes wrote:" in draft("en")
    theirs = draft("de", templates=("promise/theirs.txt.j2",), promise_due=TUESDAY, formal=False)
    assert "dich bis Dienstag zu melden" in theirs


def test_a_language_without_templates_falls_back_and_a_user_directory_adds_one(tmp_path: Path) -> None:
    assert "Just following up" in draft("sv", languages=("sv", "en"))
    assert "ich wollte" in draft("de", languages=("sv", "de"))
    (tmp_path / "followup").mkdir()
    (tmp_path / "followup" / "step1.sv.txt.j2").write_text("{{ greeting or 'Hej ' ~ names ~ ',' }}\n\nNå?\n")
    base = dict(account="w", step=1, tracked_id="<a@x>", tracked_subject="Offert", tracked_sent=WEEKS_AGO,
                reply_to_id="<a@x>", reply_to_references=(), reply_to_text="Hej", reply_to_sent=WEEKS_AGO,
                from_name="Dana", from_addr="d@x.example", recipients=(("Frank Moss", "f@x"),), cc=(),
                business_days_waiting=1, languages=("sv",))
    raw = build_draft(DraftInput(**base), environment(str(tmp_path)), NOW, BERLIN).raw.decode()  # type: ignore[arg-type]
    assert "Hej Frank," in raw and "Nå?" in raw
    assert "On Tue, Nov 24, 2026" in raw  # no Swedish attribution line: the English one


def test_reply_prefix_as_the_thread_has_it_never_doubled() -> None:
    assert thread_prefix(["AW: AW: Angebot", "Angebot"]) == "AW:"
    assert thread_prefix(["Angebot", "RE: Angebot"]) == "RE:"
    assert thread_prefix(["Angebot"]) == "Re:"
    assert reply_subject("AW: Re: AW: Angebot", "AW:") == "AW: Angebot"
    assert "Subject: AW: Angebot Q4\n" in draft("de")


@pytest.mark.parametrize(("language", "text"), [
    (lang, text) for lang, text in (line.split("\t", 1) for line in
                                    (DATA / "language.tsv").read_text(encoding="utf-8").split("\n")
                                    if line and not line.startswith("#"))])
def test_language_of_short_business_texts(language: str, text: str) -> None:
    assert detect_language(text) == language


def test_too_little_text_tells_no_language() -> None:
    assert detect_language("Thanks!") is None and detect_language("800.713.8600 code: 80435") is None
    assert detect_language("https://example.com/a/very/long/path/indeed") is None


@pytest.mark.parametrize(("text", "greeting", "signoff"), [
    ("Hi Frank,\n\nany news?\n\nBest,\nDana", "Hi Frank,", "Best,\nDana"),
    ("Sehr geehrter Herr Moss,\n\nanbei das Angebot.\n\nMit freundlichen Grüßen\nDana Reyes",
     "Sehr geehrter Herr Moss,", "Mit freundlichen Grüßen\nDana Reyes"),
    ("Frank,\n\nwhere are we?\n\nThanks, Dana", "Frank,", "Thanks, Dana"),
    ("Bonjour Claire,\nPouvez-vous confirmer ?\nCordialement\nDana", "Bonjour Claire,", "Cordialement\nDana"),
    ("Could you send the numbers? I need them today.\nDana", "", ""),
    ("Hi Frank, could you send me the numbers by Friday?\n\nThanks", "", "Thanks"),
])
def test_greeting_and_signoff_lines(text: str, greeting: str, signoff: str) -> None:
    assert greeting_line(text) == greeting and signoff_lines(text) == signoff


@pytest.mark.parametrize(("greeting", "text", "language", "formal"), [
    ("Sehr geehrter Herr Moss,", "", "de", True),
    ("Hallo Frank,", "kannst du mir das schicken?", "de", False),
    ("Hallo Frank,", "können Sie mir das schicken? Ich danke Ihnen.", "de", True),
    ("Hallo Frank,", "", "de", False),
    ("", "Anbei das Angebot.", "de", None),
    ("Bonjour Claire,", "Pouvez-vous me confirmer votre accord ?", "fr", True),
    ("Salut Claire,", "Tu peux me confirmer ?", "fr", False),
    ("Estimado Sr. García,", "", "es", True),
    ("Hola Lucía,", "¿Puedes revisar el presupuesto?", "es", False),
    ("Beste Jan,", "Kunt u het adres bevestigen?", "nl", True),
    ("Ciao Marco,", "Hai visto il preventivo?", "it", False),
])
def test_register(greeting: str, text: str, language: str, formal: bool | None) -> None:
    assert is_formal(greeting, (greeting + "\n\n" + text) if greeting else text, language) is formal


def own(to: tuple[str, str], text: str, day: int, signature: str = "") -> OwnText:
    return OwnText(to=(to,), date=datetime(2026, 11, day, 9, tzinfo=BERLIN), text=text, signature=signature)


FRANK, ANA, OLGA = ("Frank Moss", "frank@example.de"), ("Ana Costa", "ana@example.pt"), ("Olga Berg", "olga@x.de")
SENT = [  # newest first, as the store gives them
    own(FRANK, "Hallo Frank,\n\nkannst du mir das Angebot schicken?\n\nBeste Grüße\nDana", 20, "Dana Reyes\nNorthwind"),
    own(OLGA, "Hallo Olga,\n\nhast du die Zahlen schon gesehen?\n\nViele Grüße\nDana", 18),
    own(ANA, "Hi Ana,\n\ncould you send me the signed contract?\n\nBest,\nDana", 17),
    own(FRANK, "Lieber Frank,\n\nvielen Dank für das Gespräch gestern, das war sehr hilfreich.\n\nViele Grüße\nDana",
        10),
    own(("Tom Hart", "tom@x.com"), "Hi Tom,\n\nany news on the invoice from last week?\n\nBest,\nDana", 9),
    own(OLGA, "Hallo Olga,\n\nwie besprochen schicke ich dir die Unterlagen morgen.\n\nViele Grüße\nDana", 5),
]


def test_voice_with_a_person_is_the_one_used_last() -> None:
    book = learn(SENT, detect_language)
    frank = book.pick("de", (FRANK,))
    assert frank == Voice("Hallo Frank,", "Beste Grüße\nDana", "Dana Reyes\nNorthwind")


def test_voice_with_someone_new_is_the_most_common_with_their_name() -> None:
    book = learn(SENT, detect_language)
    assert book.pick("de", (("Jens Ohm", "jens@x.de"),)) == Voice("Hallo Jens,", "Viele Grüße\nDana", "")
    assert book.pick("en", (("Lee Park", "lee@x.com"),)) == Voice("Hi Lee,", "Best,\nDana", "")
    assert book.pick("de", (("", "info@x.de"),)).greeting == ""  # no name to fill in: the template's own
    assert book.pick("fr", (FRANK,)) == Voice()  # nothing learned in French
    assert book.languages["de"].messages == 4 and book.languages["de"].greetings["Hallo {name},"] == 3


def test_config_overrides_what_was_learned() -> None:
    book = learn(SENT, detect_language, {"": Voice(signoff="Cheers,\nD."), "de": Voice(greeting="Moin {name},")})
    assert book.pick("de", (FRANK,)) == Voice("Moin Frank,", "Cheers,\nD.", "Dana Reyes\nNorthwind")
    assert book.pick("en", (ANA,)).signoff == "Cheers,\nD."


@pytest.mark.parametrize(("reason", "text", "asked"), [
    ('asks a question: "Did you get a chance to look at the Q4 budget numbers?"', "",
     "Did you get a chance to look at the Q4 budget numbers?"),
    ('asks a question: "Hi Frank, could you send me the signed contract?"', "", "Could you send me the signed contract?"),
    ('asks a question: "Could you send me the signed contract by Friday, so we can close this out befor…"',
     "Hi,\nCould you send me the signed contract by Friday, so we can close this out before\nthe holidays "
     "and move on to the next phase of the project?\nThanks", "Could you send me the signed contract by Friday?"),
    ('asks a question: "hast du schon Zeit gehabt, dir das Angebot anzusehen?"', "",
     "Hast du schon Zeit gehabt, dir das Angebot anzusehen?"),
    ('makes a request: "Let me know what you think."', "", ""),
    ("asks a question or makes a request", "", ""),
    ('asks a question: "Thoughts?"', "", ""),
])
def test_asked_clause(reason: str, text: str, asked: str) -> None:
    assert asked_clause(reason, text) == asked


def mail(text: str, from_user: bool, day: int, subject: str = "Angebot", reason: str = "") -> Mail:
    return Mail(id=day, message_id=f"<{day}@x>", thread_key="t", folder_role="sent" if from_user else "inbox",
                from_addr="dana@example.com" if from_user else "frank@example.de", from_name="", to=(FRANK,),
                cc=(), subject=subject, date=datetime(2026, 11, day, 9, tzinfo=BERLIN), from_user=from_user,
                text=text, expects_reason=reason)


def decision(tracked: Mail, latest: Mail) -> Decision:
    return Decision(tracked.message_id or "", "t", State.WAITING, 1, None, "", tracked, latest, True,
                    draft_to=(FRANK,))


def test_the_language_is_the_users_message_then_the_thread_then_the_config() -> None:
    theirs = mail("Hallo Dana, anbei unser Angebot für das nächste Quartal.", False, 2, "Angebot")
    mine = mail("Danke! Kannst du mir noch die Preise für die Wartung schicken?", True, 3, "AW: Angebot",
                'asks a question: "Kannst du mir noch die Preise für die Wartung schicken?"')
    d = decision(mine, mine)
    got = personal(d, [theirs, mine], detect_language, learn([], detect_language), "en")
    assert got["languages"] == ("de", "en") and got["formal"] is False and got["reply_prefix"] == "AW:"
    assert got["asked"] == "Kannst du mir noch die Preise für die Wartung schicken?"
    short = mail("Und?", True, 4, "AW: Angebot")
    assert thread_language(decision(short, short), [theirs, short], detect_language) == "de"  # from the thread
    assert thread_language(decision(short, short), [short], detect_language) is None  # → [followup] language

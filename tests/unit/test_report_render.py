"""The weekly report as people read it: golden HTML and text, escaping, no remote content, a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import unavailable
from golden_files import check_golden

from assistant.errors import TemplateError
from assistant.report.build import Item, Report
from assistant.report.render import render_html, render_text, report_from_json

TESTS = Path(__file__).resolve().parents[1]
OUTPUT = TESTS / "output"
HEADINGS = ("Waiting on you", "Awaiting a reply", "Promises you made", "Promises made to you",
            "Drafts to review", "Bounced", "People to check in with", "The week in numbers")


@pytest.fixture
def sample() -> Report:
    return report_from_json(json.loads((TESTS / "data" / "report-sample.json").read_text()))



def empty() -> Report:
    return Report(account="work", week_of="2026-11-23", generated_at="2026-11-23T08:00-05:00")


def test_sample_round_trips_through_json(sample: Report) -> None:
    assert report_from_json(sample.as_json()) == sample
    assert isinstance(sample.waiting_on_me[0], Item) and sample.stats.reply_rate == 0.67


def test_html_matches_golden_file(sample: Report) -> None:
    check_golden("report.html", render_html(sample))


def test_text_matches_golden_file(sample: Report) -> None:
    text = render_text(sample)
    check_golden("report.txt", text)
    assert all(len(line) <= 72 for line in text.splitlines()), "the text part is 72 columns wide"


def test_subject_markup_is_escaped_in_html_and_left_alone_in_text(sample: Report) -> None:
    html = render_html(sample)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Lunch next week?" in html
    assert "Contract &lt;draft&gt; &amp; terms" in html
    assert "<script" not in html.lower()
    assert "<script>alert(1)</script> Lunch next week?" in render_text(sample)


def test_html_loads_nothing_remote(sample: Report) -> None:
    html = render_html(sample).lower()
    for forbidden in ("<img", "src=", "<script", "<link", "@import", "url("):
        assert forbidden not in html, forbidden
    assert not re.search(r"https?:", html)  # the sample is no Gmail account: mid: links only


def headings(html: str, text: str) -> tuple[list[str], list[str]]:
    """The <h2> titles of the HTML, and the text lines underlined with '='."""
    lines = text.splitlines()
    return ([h.strip() for h in re.findall(r"<h2[^>]*>([^<]*)", html)],
            [re.sub(r" \(\d+\)$", "", lines[i - 1])
             for i, line in enumerate(lines) if line.startswith("===")])


def test_every_section_is_there_in_order(sample: Report) -> None:
    in_html, in_text = headings(render_html(sample), render_text(sample))
    assert in_html == list(HEADINGS)
    assert in_text == [h.upper() for h in HEADINGS]


def test_urgent_first_with_a_label_and_days_in_words(sample: Report) -> None:
    html = render_html(sample)
    first_urgent, new, plain = (html.find(s) for s in ("Order arrived damaged", "Partnership inquiry",
                                                        "Lunch next week?"))
    # a first contact is shown early, marked as such, but it is not urgent by itself
    assert 0 < first_urgent < new < plain and html.count(">urgent</span>") == 1
    assert "first contact: a new correspondent" in html
    assert "draft waiting" in html and "67%" in html and "5.5 h" in html and "2.9 days" in html
    assert "week of Mon Nov 23" in html and "Mon Nov 2 " in html and "nothing is ever sent for you" in html


def test_an_empty_report_says_nothing_is_waiting() -> None:
    html, text = render_html(empty()), render_text(empty())
    for rendered in (html, text):
        assert "Nothing is waiting on you" in rendered and rendered.count("Nothing here.") == 7
    assert headings(html, text) == (list(HEADINGS), [h.upper() for h in HEADINGS])


def test_a_user_template_wins_and_its_mistakes_name_the_file(tmp_path: Path, sample: Report) -> None:
    (tmp_path / "report.txt.j2").write_text("{{ account }}: {{ counts.waiting_on_me }} waiting\n")
    assert render_text(sample, str(tmp_path)) == "work: 3 waiting\n"
    (tmp_path / "report.html.j2").write_text("<p>{{ account }</p>\n")
    with pytest.raises(TemplateError, match=r"report\.html\.j2 line 1: template syntax error"):
        render_html(sample, str(tmp_path))
    (tmp_path / "report.txt.j2").write_text("{{ nonsense }}\n")
    with pytest.raises(TemplateError, match="nonsense"):
        render_text(sample, str(tmp_path))


def test_html_renders_in_headless_chromium(sample: Report, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        unavailable("Chromium is not installed: apt-get install chromium")
        return
    OUTPUT.mkdir(exist_ok=True)
    page, png = OUTPUT / "report.html", OUTPUT / "report.png"
    page.write_text(render_html(sample))
    png.unlink(missing_ok=True)
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
                    "--window-size=800,1800", f"--screenshot={png}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    assert png.exists(), "chromium wrote no screenshot"
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000, len(data)


def test_every_item_says_why_it_is_there_in_text_and_html(sample: Report) -> None:
    text, html = render_text(sample), render_html(sample)
    assert 'why: no reply for 4 days; asks a question: "Could you confirm the' in text
    assert "Why: you promised: &#34;I&#39;ll send you the revised deck by Friday.&#34;" in html
    listed = [i for key in ("waiting_on_me", "awaiting_reply", "my_promises", "their_promises", "drafts",
                            "bounced", "check_in") for i in getattr(sample, key)]
    assert all(i.why for i in listed)
    assert text.count("\n      why: ") == html.count(">Why: ") == len(listed)


def test_an_out_of_office_return_date_is_shown_on_the_item(sample: Report) -> None:
    assert "      away until Mon Dec 7\n" in render_text(sample)
    assert ">away until Mon Dec 7</span>" in render_html(sample)


def test_items_link_to_their_message_with_mid_urls(sample: Report) -> None:
    html = render_html(sample)
    assert '<a href="mid:inv@example.com" ' in html and '<a href="mid:c@example.com" ' in html
    assert "mid:" not in render_text(sample)  # links are for HTML (and JSON)
    assert "check-in.1@followup.invalid" not in html  # a check-in names no message to open


def test_gmail_links_open_the_web_search_and_a_hostile_message_id_stays_inside_its_attribute() -> None:
    from assistant.report.links import gmail_url, mid_url

    hostile = '<a"><script>alert(1)</script> b@x.example>'
    item = Item("Hi", hostile, ["x@x.example"], "2026-11-20T10:00-05:00", 3, "", "3–6 days",
                link=mid_url(hostile), web_link=gmail_url(hostile))
    report = Report(account="work", week_of="2026-11-23", generated_at="2026-11-23T08:00-05:00",
                    awaiting_reply=[item])
    html = render_html(report)
    assert item.link == "mid:a%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E%20b@x.example"
    assert item.web_link == ("https://mail.google.com/mail/#search/rfc822msgid%3A"
                             "a%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E%20b%40x.example")
    assert f'<a href="{item.web_link}" ' in html and f'<a href="{item.link}" ' in html  # the mail app's too
    assert "<script" not in html.lower() and "src=" not in html.lower()
    assert report_from_json(report.as_json()) == report


def test_a_question_to_several_shows_who_answered_and_who_is_waiting() -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from assistant.model import Tracked
    from assistant.report.build import Bounds, build_report
    from assistant.workdays import make_calendar, parse_hours

    ny = ZoneInfo("America/New_York")
    now = datetime(2026, 11, 9, 8, tzinfo=ny)
    calendar = make_calendar(ny, ("mon", "tue", "wed", "thu", "fri"), parse_hours("09:00-18:00"), None)
    alice, bob = ("Alice", "alice@x.example"), ("", "bob@x.example")

    def tracked(ident: int, answered: tuple[tuple[str, str], ...], waiting: tuple[tuple[str, str], ...]) -> Tracked:
        return Tracked(id=ident, kind="awaiting_reply", state="waiting", message_id=f"<{ident}@me>",
                       subject=f"Venue {ident}", to=["alice@x.example", "bob@x.example"], sent_at=now - timedelta(days=3),
                       due_at=now, step=1, what=None, updated_at=now, draft_waiting=False, answered=answered,
                       waiting=waiting)
    report = build_report("work", [tracked(1, (alice,), (bob,)), tracked(2, (), (alice, bob))], [], now, calendar,
                          Bounds(), frozenset({"me@example.com"}))
    partial, untouched = sorted(report.awaiting_reply, key=lambda i: i.subject)
    assert (partial.answered, partial.waiting) == (["Alice"], ["bob@x.example"])  # a name, else the address
    assert (untouched.answered, untouched.waiting) == ([], ["Alice", "bob@x.example"])
    assert report.as_json()["awaiting_reply"][0]["waiting"] in (["bob@x.example"], ["Alice", "bob@x.example"])
    text, html = render_text(report), render_html(report)
    for out in (text, html):
        assert out.count("answered: Alice · waiting: bob@x.example") == 1  # only while some have answered

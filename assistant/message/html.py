"""HTML mail → visible text and the text of its quoted blocks (Gmail, Outlook, Yahoo, Thunderbird). Pure."""

from __future__ import annotations

from typing import Any

_QUOTE_SELECTORS = (
    "blockquote", "div.gmail_quote", "div.gmail_extra", "div.yahoo_quoted", "div#appendonsend",
    "div#divRplyFwdMsg", "div.moz-cite-prefix", "div#mail-editor-reference-message-container",
)


# What a selector needs somewhere in the page, lower-cased: its tag alone, or a div whose class or id holds
# its name. Tags are only taken away while the selectors run, so what was absent before stays absent.
_MARKERS = {selector: selector.replace("#", ".").rpartition(".")[2].lower() for selector in _QUOTE_SELECTORS}


def _containers(soup: Any) -> str:
    """The tag names of the blockquotes, and the class and id values of the divs, lower-cased, in one string."""
    found = []
    for tag in soup.find_all(["blockquote", "div"]):
        if tag.name == "blockquote":
            found.append("blockquote")
            continue
        for attribute in ("class", "id"):
            value = tag.get(attribute)
            if value:
                found.append((" ".join(value) if isinstance(value, list) else str(value)).lower())
    return "\n".join(found)


def html_to_text(html: str) -> tuple[str, str]:
    """HTML → (visible text, text of quoted blocks), block elements on their own lines."""
    from bs4 import BeautifulSoup  # imported on first use: most commands never read HTML (0.2 s saved)

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title"]):
        tag.decompose()
    quoted_parts = []
    present = _containers(soup)
    for selector in _QUOTE_SELECTORS:
        if _MARKERS[selector] not in present:
            continue  # nothing in the page can match it: a CSS select walks the whole tree to find that out
        for tag in soup.select(selector):
            quoted_parts.append(tag.get_text("\n"))
            # Outlook puts everything after #appendonsend / #divRplyFwdMsg in siblings
            if selector in ("div#appendonsend", "div#divRplyFwdMsg"):
                for sibling in list(tag.find_next_siblings()):
                    quoted_parts.append(sibling.get_text("\n"))
                    sibling.decompose()
            tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(["p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table"]):
        block.insert_after("\n")
    text = soup.get_text()
    return text, "\n".join(quoted_parts)

"""HTML mail → visible text and the text of its quoted blocks (Gmail, Outlook, Yahoo, Thunderbird). Pure."""

from __future__ import annotations

_QUOTE_SELECTORS = (
    "blockquote", "div.gmail_quote", "div.gmail_extra", "div.yahoo_quoted", "div#appendonsend",
    "div#divRplyFwdMsg", "div.moz-cite-prefix", "div#mail-editor-reference-message-container",
)


def html_to_text(html: str) -> tuple[str, str]:
    """HTML → (visible text, text of quoted blocks), block elements on their own lines."""
    from bs4 import BeautifulSoup  # imported on first use: most commands never read HTML (0.2 s saved)

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title"]):
        tag.decompose()
    quoted_parts = []
    for selector in _QUOTE_SELECTORS:
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

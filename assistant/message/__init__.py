"""bytes → ParsedMessage: parse (the whole message) · mime (headers, parts) · quotes (new text, quoted
text, signature) · reports (DSN, MDN, ARF) · lists (the mailing list it came through) · senders (mail
systems, no-reply mailboxes) · vocabulary (the shared word lists). Pure."""

from assistant.message.html import html_to_text
from assistant.message.mime import Address, clean_header, decode_words, parse_ids
from assistant.message.parse import KEPT_HEADERS, ParsedMessage, parse_message
from assistant.message.quotes import TEXT_CAP, Split, split, split_text
from assistant.message.reports import Report, extract_report
from assistant.message.senders import is_mailer_daemon, is_noreply

__all__ = ["KEPT_HEADERS", "TEXT_CAP", "Address", "ParsedMessage", "Report", "Split", "clean_header", "decode_words",
           "extract_report", "html_to_text", "is_mailer_daemon", "is_noreply", "parse_ids", "parse_message", "split",
           "split_text"]

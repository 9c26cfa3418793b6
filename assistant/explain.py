"""`followup explain`: how Followup reads one message, so a user can see why it acted."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from assistant.analysis.commands import Controls, Verb, controls_for, due_at, read_commands
from assistant.analysis.language import detect_language
from assistant.analysis.read import read
from assistant.config import AccountConfig, Config
from assistant.drafts.voice import greeting_line, is_formal, learn, signoff_lines
from assistant.errors import FollowupError
from assistant.mailbox.sync import text_reader
from assistant.message import parse_message
from assistant.service import calendar_for
from assistant.store.items import FollowupStore
from assistant.store.repo import Store
from assistant.when import NotAMoment

Addresses = tuple[tuple[str, str], ...]


def _pairs(stored: str) -> Addresses:
    return tuple((n, a) for n, a in json.loads(stored or "[]"))


def _user_addresses(config: Config) -> set[str]:
    return {a for account in config.accounts for a in account.addresses}


def commands(controls: Controls | None, sent: datetime | None, honoured: bool, to: Addresses, cc: Addresses,
             bcc: Addresses, flags: frozenset[str], config: Config) -> list[dict[str, Any]]:
    """The commands a message carries (a control address among its recipients, a keyword), what each says,
    and whether it counts: only on the user's own copy in Sent."""
    if controls is None:
        return []
    out = []
    for found in read_commands(controls, to, cc, bcc, flags):
        shown: dict[str, Any] = {"source": found.source, "command": found.command.describe() if found.command else None,
                                 "error": found.error, "honoured": honoured and found.command is not None,
                                 "due_at": None}
        if found.command is not None and found.command.verb == Verb.FOLLOW_UP and sent is not None:
            try:
                shown["due_at"] = due_at(found.command, sent, calendar_for(config)).astimezone(config.tz).isoformat()
            except NotAMoment as e:
                shown["error"], shown["honoured"] = str(e), False
        out.append(shown)
    return out


def _explanation(source: str, config: Config, *, kind: str, reason: str, return_date: date | None,
                 from_user: bool, subject: str, message_id: str | None, new_text: str, quoted_text: str,
                 signature: str, expects: bool, expects_reason: str,
                 promises: list[tuple[str, str | None, str, datetime | None]], defects: list[str],
                 quote_rule: str | None = None, signature_rule: str | None = None,
                 commands: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The one shape of `explain --json`, for a file and for a stored message alike."""
    language = detect_language(new_text)
    greeting = greeting_line(new_text)
    return {"source": source, "kind": kind, "reason": reason, "commands": commands or [],
            "return_date": return_date.isoformat() if return_date else None,
            "from_user": from_user, "subject": subject, "message_id": message_id,
            "new_text": new_text, "quoted_text": quoted_text, "signature": signature,
            # how a draft in reply would read it: the language (None: too little text to tell) and register
            "language": language, "greeting": greeting, "signoff": signoff_lines(new_text),
            "formal": is_formal(greeting, new_text, language) if language else None,
            "quote_rule": quote_rule, "signature_rule": signature_rule,
            "expects_reply": expects, "expects_reply_reason": expects_reason,
            "promises": [{"text": text, "what": what, "by": by,
                          "due_at": due.astimezone(config.tz).isoformat() if due else None}
                         for text, what, by, due in promises],
            "defects": defects}


def explain_file(path: Path, config: Config, as_sent: bool) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise FollowupError(f"{path}: cannot read: {e.strerror}") from e
    p = parse_message(raw)
    # the same reading sync stores: the same zone step, the same calendar, so the same due dates
    reading = read(p, p.date or datetime.fromtimestamp(path.stat().st_mtime, UTC), calendar_for(config))
    from_user = as_sent or bool(p.from_ and p.from_.email in _user_addresses(config))
    owner = next((a for a in config.accounts if p.from_ and a.is_user(p.from_.email)),
                 config.accounts[0] if config.accounts else None)
    controls = controls_for(config, owner) if owner else None
    pairs = [tuple((a.name, a.email) for a in people) for people in (p.to, p.cc, p.bcc)]
    return _explanation(
        str(path), config, kind=reading.kind, reason=reading.reason, return_date=reading.return_date,
        from_user=from_user, subject=p.subject,
        message_id=p.message_id, new_text=p.new_text, quoted_text=p.quoted_text, signature=p.signature,
        expects=reading.expects_reply, expects_reason=reading.expects_reason,
        promises=[(x.text, x.what, x.by, x.due) for x in reading.promises], defects=list(p.defects),
        quote_rule=reading.quote_rule, signature_rule=reading.signature_rule,
        # a file is in no folder: its commands would count if it were the user's Sent copy
        commands=commands(controls, p.date, from_user, pairs[0], pairs[1], pairs[2], frozenset(), config))


def explain_stored(store: Store, config: Config, message_id: str, as_sent: bool) -> dict[str, Any] | None:
    """How a synced message was read, from what sync stored (nothing is analysed again; the text of old
    mail that sync left unread is read now, as a decision would read it, and stored)."""
    wanted = "<" + message_id.strip().strip("<>") + ">"
    for account in config.accounts:
        for m in store.messages_with_id(account.name, wanted)[:1]:
            if not m.analysed:
                store.read_text([m.id], text_reader(calendar_for(config)))
                [m] = [r for r in store.messages_with_id(account.name, wanted) if r.id == m.id]
            promises = [(x["text"], x.get("what"), x.get("by", "sender"),
                         datetime.fromisoformat(x["due"]) if x.get("due") else None)
                        for x in json.loads(m.promises_json or "[]")]
            return _explanation(
                wanted, config, kind=m.verdict or "human", reason=m.verdict_reason or "", return_date=m.return_date,
                from_user=as_sent or m.from_user, subject=m.subject, message_id=m.message_id,
                new_text=m.new_text, quoted_text=m.quoted_text, signature=m.signature,
                expects=bool(m.expects_reply), expects_reason=m.expects_reason or "", promises=promises,
                defects=[d for d in m.defects.split("; ") if d], quote_rule=m.quote_rule,
                signature_rule=m.signature_rule,
                commands=commands(controls_for(config, account), m.date, m.folder_role == "sent" and m.from_user,
                                  _pairs(m.to_json), _pairs(m.cc_json), _pairs(m.bcc_json),
                                  frozenset(m.flags.split()), config))
    return None


def explain_voice(store: Store, config: Config, account: AccountConfig) -> dict[str, Any]:
    """`followup voice`: what the user's sent mail says of their greeting, sign-off and signature, per
    language and per correspondent, and what [voice] in the config sets over it."""
    own = FollowupStore(store).own_texts(account.name)
    book = learn(own, detect_language)

    def counted(counter: Counter[str]) -> list[dict[str, Any]]:
        return [{"text": text, "count": count} for text, count in counter.most_common()]

    return {
        "account": account.name, "messages": len(own), "learn": config.voice.learn,
        "languages": {lang: {"messages": lv.messages, "greetings": counted(lv.greetings),
                             "signoffs": counted(lv.signoffs), "signatures": counted(lv.signatures)}
                      for lang, lv in sorted(book.languages.items(), key=lambda kv: -kv[1].messages)},
        "people": [{"language": lang, "address": address, "greeting": v.greeting, "signoff": v.signoff,
                    "signature": v.signature} for (lang, address), v in book.last.items()],
        "overrides": {lang or "*": {"greeting": w.greeting, "signoff": w.signoff, "signature": w.signature}
                      for lang, w in config.voice.words},
    }

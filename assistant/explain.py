"""`followup explain`: how Followup reads one message, so a user can see why it acted."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.analysis.automated import classify
from assistant.analysis.intent import expects_reply
from assistant.analysis.promises import find_promises
from assistant.config import Config
from assistant.errors import FollowupError
from assistant.message import parse_message
from assistant.store.repo import Store
from assistant.workdays import parse_hours


def _user_addresses(config: Config) -> set[str]:
    return {a for account in config.accounts for a in account.addresses}


def explain_file(path: Path, config: Config, as_sent: bool) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise FollowupError(f"{path}: cannot read: {e.strerror}") from e
    p = parse_message(raw)
    verdict = classify(p)
    intent = expects_reply(p.new_text)
    sent = p.date or datetime.fromtimestamp(path.stat().st_mtime, UTC)
    found = find_promises(p.new_text, sent, parse_hours(config.followup.working_hours)[1]) \
        if verdict.kind == "human" else []
    promises = [{"text": x.text, "what": x.what, "by": x.by,
                 "due_at": x.due.astimezone(config.tz).isoformat() if x.due else None} for x in found]
    from_user = as_sent or bool(p.from_ and p.from_.email in _user_addresses(config))
    return {"source": str(path), "kind": verdict.kind, "reason": verdict.reason,
            "return_date": verdict.return_date.isoformat() if verdict.return_date else None,
            "from_user": from_user, "subject": p.subject, "message_id": p.message_id,
            "new_text": p.new_text, "quoted_text": p.quoted_text, "signature": p.signature,
            "expects_reply": intent.expects_reply, "expects_reply_reason": intent.reason,
            "promises": promises, "defects": list(p.defects)}


def explain_stored(store: Store, config: Config, message_id: str, as_sent: bool) -> dict[str, Any] | None:
    wanted = "<" + message_id.strip().strip("<>") + ">"
    for account in config.accounts:
        for m in store.messages_with_id(account.name, wanted)[:1]:
            intent = expects_reply(m.new_text)
            return {"source": wanted, "kind": m.verdict or "human", "reason": m.verdict_reason or "",
                    "return_date": m.return_date.isoformat() if m.return_date else None,
                    "from_user": as_sent or m.from_user, "subject": m.subject, "message_id": m.message_id,
                    "new_text": m.new_text, "quoted_text": m.quoted_text, "signature": m.signature,
                    "expects_reply": intent.expects_reply, "expects_reply_reason": intent.reason,
                    "promises": [{"text": x["text"], "what": x.get("what"), "by": x.get("by", "sender"),
                                  "due_at": datetime.fromisoformat(x["due"]).astimezone(config.tz).isoformat()
                                  if x.get("due") else None} for x in json.loads(m.promises_json or "[]")],
                    "defects": [d for d in m.defects.split("; ") if d]}
    return None

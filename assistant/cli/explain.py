"""`followup explain`: how Followup reads a message, for a user (or a bug report) asking why."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.cli.command import ACCOUNT, JSON, Context, Group, arg
from assistant.cli.output import out
from assistant.errors import FollowupError

log = logging.getLogger("assistant")  # the logger name users have always seen on these lines

group = Group()


@group.command("explain", JSON,
               arg("--as-sent", action="store_true", help="read each message as if you had sent it"),
               arg("sources", nargs="+", metavar="FILE.eml|MESSAGE-ID"))
def cmd_explain(ctx: Context) -> int:
    """Show how Followup reads messages: automation verdict, new text vs quoted text, expects-reply.

    Takes .eml files or Message-IDs of synced mail. Needs no account for files.

    example: followup explain --json message.eml
    """
    from assistant.explain import explain_file, explain_stored

    results, failed = [], False
    for source in ctx.args.sources:
        if Path(source).is_file():
            try:
                results.append(explain_file(Path(source), ctx.config, ctx.args.as_sent))
            except Exception as e:  # noqa: BLE001 - one unreadable file never costs the others their output
                log.error("%s: cannot explain: %s: %s", source, e.__class__.__name__, e)
                failed = True
            continue
        store = ctx.store()
        try:
            found = explain_stored(store, ctx.config, source, ctx.args.as_sent)
        finally:
            store.close()
        if found is None:
            raise FollowupError(f"{source}: neither a file nor the Message-ID of a synced message")
        results.append(found)
    for r in results:
        if ctx.args.json:
            out(json.dumps(r, ensure_ascii=False))
        else:
            _print_reading(r)
    return 1 if failed else 0


@group.command("voice", JSON, ACCOUNT)
def cmd_voice(ctx: Context) -> int:
    """Show what Followup learned of your voice from your sent mail: greetings, sign-offs, signatures.

    Per language (with how often each was used; "{name}" stands for the reader's first name) and per
    person (the last ones used with them, which a draft to them uses first). Correct it with [voice] in
    the config: `greeting`, `signoff`, `signature`, for every language or in [voice.de] for one.

    example: followup voice --json
    """
    from assistant.explain import explain_voice

    store = ctx.store()
    try:
        results = [explain_voice(store, ctx.config, account) for account in ctx.accounts()]
    finally:
        store.close()
    for r in results:
        if ctx.args.json:
            out(json.dumps(r, ensure_ascii=False))
        else:
            _print_voice(r)
    return 0


def _one_line(text: str) -> str:
    return " / ".join(line.strip() for line in text.split("\n") if line.strip())


def _print_voice(r: dict[str, Any]) -> None:
    out(f"{r['account']}: learned from {r['messages']} sent messages" + ("" if r["learn"] else
                                                                          " (not used: [voice] learn = false)"))
    for lang, lv in r["languages"].items():
        out(f"  {lang} ({lv['messages']} messages)")
        for key, label in (("greetings", "greetings"), ("signoffs", "sign-offs"), ("signatures", "signatures")):
            found = ", ".join(f"{_one_line(x['text'])!r} ×{x['count']}" for x in lv[key][:5])
            out(f"    {label}: {found or 'none found'}")
    if r["people"]:
        out(f"  last used with ({len(r['people'])} people):")
        for p in r["people"][:20]:
            out(f"    {p['address']} ({p['language']}): {_one_line(p['greeting']) or '-'} · "
                f"{_one_line(p['signoff']) or '-'}")
    for lang, w in r["overrides"].items():
        set_ = ", ".join(f"{k} {_one_line(v)!r}" for k, v in w.items() if v)
        out(f"  [voice{'' if lang == '*' else '.' + lang}] sets: {set_}")


def _print_reading(r: dict[str, Any]) -> None:
    out(f"{r['source']}:")
    out(f"  kind: {r['kind']} ({r['reason']})" + (f", back {r['return_date']}" if r["return_date"] else ""))
    out(f"  expects a reply: {'yes' if r['expects_reply'] else 'no'} ({r['expects_reply_reason']})")
    out(f"  from you: {'yes' if r['from_user'] else 'no'}")
    register = {True: ", formal", False: ", informal"}.get(r["formal"], "")
    out(f"  language: {r['language'] or 'too little text to tell'}{register}")
    for c in r.get("commands", []):
        due = f", due {c['due_at']}" if c.get("due_at") else ""
        if c["honoured"]:
            out(f"  command: {c['command']} ({c['source']}){due}")
        else:
            why = c["error"] or "not your own copy in Sent: ignored"
            out(f"  command ignored: {c['source']}: {why}")
    for key, rule in (("new_text", None), ("quoted_text", "quote_rule"), ("signature", "signature_rule")):
        text = " ".join(r[key].split())
        found_by = f"  (found by: {r[rule]})" if rule and r.get(rule) else ""
        out(f"  {key}: {text[:200]!r}{found_by}")
    promises = r.get("promises") or []
    out(f"  promises: {len(promises) or 'none found'}")
    for p in promises:
        out(f"    {p['text']!r}")
        due = _due(p.get("due_at"))
        out(f"      what: {p.get('what') or '(not named)'} · by: {p.get('by') or 'sender'} · due: {due}")


def _due(iso: str | None) -> str:
    """"Fri Nov 6 2026 18:00 -05:00" from the ISO due moment (in the configured zone), or "no date"."""
    if not iso:
        return "no date"
    moment = datetime.fromisoformat(iso)
    return f"{moment:%a %b} {moment.day} {moment:%Y %H:%M} {moment.isoformat()[-6:]}"

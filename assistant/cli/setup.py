"""Commands for getting set up: people to mark, the demo, a starter config, shell completion."""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.cli.command import ACCOUNT, JSON, Context, Group, arg
from assistant.cli.mail import check_lines, cmd_check
from assistant.cli.output import iso, out
from assistant.config import AccountConfig, default_config_path, load_config

if TYPE_CHECKING:
    from assistant.demo import DemoRun
    from assistant.onboarding import init
    from assistant.onboarding.password import Terminal

group = Group()


@group.command("people", JSON, ACCOUNT,
               arg("--suggest", action="store_true", help="list the correspondents you might mark"))
def cmd_people(ctx: Context) -> int:
    """The people who matter: with --suggest, those you write to most and answer fastest, with counts,
    so you can mark them in [[people]] (vip, keep_in_touch).

    example: followup people --suggest
    """
    from dataclasses import asdict

    from assistant.message.lists import list_addresses_of
    from assistant.report.people import suggest
    from assistant.store.items import FollowupStore

    if not ctx.args.suggest:
        _print_people(ctx)
        return 0
    account = ctx.accounts()[0]
    store = ctx.store()
    try:
        followups = FollowupStore(store)
        rows = suggest(followups.mail(account.name), ctx.config.people, frozenset(account.addresses),
                       followups.list_addresses(account.name, list_addresses_of))
    finally:
        store.close()
    if ctx.args.json:
        out(json.dumps([asdict(r) for r in rows], indent=2))
        return 0
    out(f"{'who':<40} {'sent':>5} {'received':>8}  you answer in  marked")
    for r in rows:
        speed = f"{r.median_reply_hours:g} h" if r.median_reply_hours is not None else "-"
        mark = ", ".join(x for x in ("VIP" if r.vip else "", f"every {r.keep_in_touch}" if r.keep_in_touch else "")
                         if x) or "-"
        who = f"{r.name} <{r.address}>" if r.name else r.address
        out(f"{who[:40]:<40} {r.sent:>5} {r.received:>8}  {speed:>13}  {mark}")
    return 0


def _print_people(ctx: Context) -> None:
    for p in ctx.config.people:
        out(f"{p.match}: {'VIP' if p.vip else 'not VIP'}"
            + (f", keep in touch every {p.keep_in_touch}" if p.keep_in_touch else ""))
    if not ctx.config.people:
        out("no [[people]] configured (followup people --suggest lists candidates)")


@group.command("demo", JSON,
               arg("--keep", action="store_true", help="leave the demo IMAP server running for your client"))
def cmd_demo(ctx: Context) -> int:
    """See Followup at work in seconds, with no config and no network.

    Starts an embedded IMAP server (pymap) on loopback, fills a mailbox with a realistic week (questions
    answered and not, an out-of-office, a bounce, promises made and received, a mailing list, a
    complaint), then runs the real pipeline through the week with time travel: what is tracked and why,
    the drafts that appear in Drafts, the ones that vanish when replies come, and the weekly report.
    --keep leaves the server running so you can open the demo mailbox in your own mail client.

    example: followup demo --keep
    """
    from assistant.demo import run_demo

    with run_demo(ctx.clock.now()) as run:
        if ctx.args.json:
            out(json.dumps(_demo_json(ctx, run), indent=2))
        else:
            _print_demo(ctx, run)
        if ctx.args.keep:
            _keep_serving(run)
    return 0


def _demo_json(ctx: Context, run: DemoRun) -> dict[str, object]:
    return {
        "server": f"{run.server.host}:{run.server.port}",
        "days": [{"at": iso(ctx, d.at), "actions": [{"action": a.kind, "subject": a.subject,
                                                       "detail": a.detail} for a in d.actions]}
                 for d in run.days],
        "items": [{"kind": f.kind, "state": f.state, "subject": f.subject, "reason": f.reason}
                  for f in run.items],
        "drafts": len(run.drafts), "report": str(run.report_path)}


def _print_demo(ctx: Context, run: DemoRun) -> None:
    from assistant.demo import USER

    out(f"An IMAP server (pymap) is running on {run.server.host}:{run.server.port} with the mailbox "
        f"{USER}:\na week of mail, polled every morning and evening as `followup run` would.\n")
    for day in run.days:
        out(f"{day.at.astimezone(ctx.config.tz if ctx.config.path else run.config.tz):%a %b %-d %H:%M}")
        for a in day.actions:
            out(f"  {a.kind:<9} {a.subject!r}: {a.detail}")
    out("\nWhat Followup tracks, and why:")
    for f in run.items:
        out(f"  {f.kind:<14} {f.state:<9} {f.subject[:32]:<32} {f.reason[:70]}")
    out(f"\nIn the Drafts folder now ({len(run.drafts)}), for Dana to review and send:")
    for raw in run.drafts:
        _print_draft(raw)
    out(f"\nThe weekly report: {run.report_path}")
    out("\nTo try it on your own mailbox, run `followup init`, or put these lines in "
        "~/.config/followup/config.toml:\n"
        '  [[accounts]]\n  host = "imap.example.com"\n  username = "you@example.com"\n'
        '  password_env = "FOLLOWUP_PASSWORD"')


def _print_draft(raw: bytes) -> None:
    import email
    from email.policy import default as default_policy

    msg = email.message_from_bytes(raw, policy=default_policy)
    body = str(msg.get_body(("plain",)).get_content()).replace("\r\n", "\n")  # type: ignore[union-attr]
    out(f"  ┌ To: {msg['To']}\n  │ Subject: {msg['Subject']}")
    mine = body.split("\n>")[0].strip().splitlines()
    for line in "\n".join(mine[:-1] if ">" in body else mine).strip().splitlines():  # no quote, no attribution
        out(f"  │ {line}")
    out("  └")


def _keep_serving(run: DemoRun) -> None:
    import threading

    from assistant.demo import PASSWORD, USER

    out(f"\nThe demo server keeps running: IMAP {run.server.host} port {run.server.port}, no TLS, "
        f"user {USER}, password {PASSWORD}. Press Ctrl-C to stop it.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass  # the server stops as the demo ends


@group.command(
    "init",
    arg("--email", metavar="ADDRESS", help="your address (asked for when omitted on a terminal)"),
    arg("--provider", metavar="KEY", help="gmail, google-workspace, outlook, microsoft365, "
        "fastmail, icloud, yahoo or generic (default: from the address)"),
    arg("--name", metavar="NAME", help="the account's short name"),
    arg("--host", metavar="HOST", help="the IMAP server (asked for an unknown domain on a terminal)"),
    arg("--port", metavar="PORT", type=int, help="its port (default: 993 for tls, 143 for starttls)"),
    arg("--security", choices=("tls", "starttls", "none"), help="tls (default), starttls, or none (loopback)"),
    arg("--username", metavar="USER", help="the login name (default: the address)"),
    arg("--password-env", metavar="VAR", help="the environment variable with the password", exclusive="secret"),
    arg("--password-command", metavar="CMD", help="a command that prints the password", exclusive="secret"),
    arg("--password-keyring", action="store_true", help="keep the password in the system keyring (needs the "
        "keyring extra)", exclusive="secret"),
    arg("--store-password", action="store_true", help="write the password into the file (discouraged)",
        exclusive="secret"),
    arg("--token-command", metavar="CMD", help="with OAuth2 (Outlook.com, Microsoft 365): a command that "
        "prints an access token"),
    arg("--add", action="store_true", help="add an account to the existing config, leaving the rest as it is"),
    arg("--force", action="store_true", help="replace an existing config file"),
    arg("--no-check", action="store_true", help="do not test the login"),
    arg("--example", action="store_true", help="print the example config, every setting documented, and stop"),
    arg("--service-unit", action="store_true", help="print the systemd user unit for `followup run`, and stop"),
    needs_config=False)
def cmd_init(ctx: Context) -> int:
    """Write a config for your mailbox (or --add one to it), with a login that works.

    Recognises common providers from the address (Gmail, Google Workspace, Outlook.com, Microsoft 365,
    Fastmail, iCloud, Yahoo; anything else as plain IMAP, asking for its server) from a built-in table,
    without looking anything up on the network, and explains how each one logs in (app passwords,
    OAuth2). On a terminal it asks for the password (hidden), tests it as `followup check` does, and
    asks where to keep it: the system keyring, a password command, or an environment variable. It goes
    into the file only with --store-password. Every question has a flag, so init runs unattended too.

    example: followup init --email me@gmail.com
    """
    from assistant.onboarding import init, service_unit

    explicit = ctx.args.config or (Path(os.environ["FOLLOWUP_CONFIG"]) if os.environ.get("FOLLOWUP_CONFIG") else None)
    if ctx.args.example:
        out(init.example_config().rstrip("\n"))
        return 0
    if ctx.args.service_unit:
        out(service_unit.service_unit(_executable(), explicit).rstrip("\n"))
        return 0
    path = explicit or default_config_path()
    result = init.run_init(path, _terminal(), _init_options(ctx.args), _login)
    code = 0
    if not result.tested and not ctx.args.no_check:
        ctx.config = load_config(path)
        ctx.args.json, ctx.args.account = False, result.name  # `check`'s own options, for the new account
        code = cmd_check(ctx)
    if code == 0 and not ctx.args.no_check:
        for line in service_unit.next_steps(_executable(), explicit, result.password_env, ctx.args.add):
            out(line)
    return code


def _init_options(args: argparse.Namespace) -> init.Options:
    from assistant.onboarding import init

    return init.Options(
        address=args.email, provider=args.provider, name=args.name, host=args.host, port=args.port,
        security=args.security, username=args.username, password_env=args.password_env,
        password_command=args.password_command, password_keyring=args.password_keyring,
        token_command=args.token_command, store_password=args.store_password, force=args.force, add=args.add,
        check=not args.no_check)


def _terminal() -> Terminal:
    import getpass

    from assistant.onboarding.password import Terminal

    def ask(prompt: str, default: str | None) -> str:
        answer = input(f"{prompt}{f' [{default}]' if default else ''}: ").strip()
        return answer or (default or "")

    return Terminal(ask=ask, secret=lambda prompt: getpass.getpass(f"{prompt}: "), say=out,
                    interactive=sys.stdin.isatty())


def _login(account: AccountConfig) -> list[str]:
    from assistant import service

    return check_lines(account, service.check_account(account))


def _executable() -> str:
    """The followup command as installed, for the unit's ExecStart."""
    import shutil

    found = shutil.which("followup")
    return found or "%h/.local/bin/followup"


@group.command("completion", arg("shell", choices=("bash", "zsh", "fish")), needs_config=False)
def cmd_completion(ctx: Context) -> int:
    """Print a shell completion script for bash, zsh or fish.

    example: followup completion bash > ~/.local/share/bash-completion/completions/followup
    example: followup completion fish > ~/.config/fish/completions/followup.fish
    """
    from assistant.cli.app import COMMANDS, GLOBAL_ARGS  # app imports this module: only at run time

    if ctx.args.shell == "fish":
        out(_fish(COMMANDS, GLOBAL_ARGS))
        return 0

    helps = ["-h", "--help"]
    cases = "\n".join(f'        {c.name}) opts="{" ".join(helps + c.option_strings)}" ;;' for c in COMMANDS.values())
    everything = list(COMMANDS) + helps + [o for a in GLOBAL_ARGS for o in a.option_strings]
    script = f"""# followup {ctx.args.shell} completion
_followup() {{
    local cur cmd opts
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    cmd=""
    for w in "${{COMP_WORDS[@]:1:COMP_CWORD-1}}"; do
        case "$w" in -*) ;; *) cmd="$w"; break ;; esac
    done
    case "$cmd" in
{cases}
        *) opts="{" ".join(everything)}" ;;
    esac
    COMPREPLY=( $(compgen -W "$opts" -f -- "$cur") )
}}
"""
    if ctx.args.shell == "zsh":
        script += "autoload -U +X bashcompinit && bashcompinit\n"
    out(script + "complete -F _followup followup\n")
    return 0


def _fish(commands: dict[str, Any], global_args: tuple[Any, ...]) -> str:
    """Fish completions: each command with its summary, then each command's options with their help."""
    from assistant.cli.app import summary

    def quoted(text: str) -> str:
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def option(a: Any, condition: str) -> list[str]:
        lines = []
        for flag in a.option_strings:
            kind = f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}"
            choices = a.options.get("choices")
            extra = f" -x -a {quoted(' '.join(choices))}" if choices else ""
            if a.options.get("type") is Path or a.options.get("metavar") in ("PATH", "FILE"):
                extra = " -r -F"  # a file name
            described = a.options.get("help") or flag.lstrip("-")
            lines.append(" ".join(filter(None, ("complete -c followup", condition, kind + extra,
                                                 f"-d {quoted(described)}"))))
        return lines

    def sentence(text: str) -> str:
        first = text.split(". ")[0].rstrip(".")
        return first if len(first) <= 90 else first[:first.rfind(" ", 0, 88)] + "…"

    lines = ["# followup fish completion", "complete -c followup -f"]
    for a in global_args:
        lines += option(a, "")
    for name, command in commands.items():
        doc = inspect.cleandoc(command.run.__doc__ or "")
        lines.append(f"complete -c followup -n __fish_use_subcommand -a {name} -d {quoted(sentence(summary(doc)))}")
        for a in command.args:
            lines += option(a, f"-n {quoted('__fish_seen_subcommand_from ' + name)}")
            choices = a.options.get("choices") if not a.option_strings else None
            if choices:
                lines.append(f"complete -c followup -n {quoted('__fish_seen_subcommand_from ' + name)} "
                             f"-a {quoted(' '.join(choices))}")
    return "\n".join(lines)

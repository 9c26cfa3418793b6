"""The CLI as a user meets it: `followup check` and `followup sync`, exit codes and exact messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Mailbox
from servers import free_port, make_message
from test_sync import NOW, msg

from assistant.cli import main
from assistant.onboarding.password import PASSWORD_PROMPT
from assistant.onboarding.providers import KEYS


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_prints_folders_and_capabilities(mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--config", str(mailbox.write_config()), "check")
    assert code == 0, err
    how = "special-use" if mailbox.kind == "dovecot" else "name"
    assert f"work: ok ({mailbox.user} at 127.0.0.1:{mailbox.server.port}, none)" in out
    assert f"  sent    Sent  (found by {how})" in out and f"  drafts  Drafts  (found by {how})" in out
    assert "IMAP4REV1" in out
    code, out, _ = run(capsys, "--config", str(mailbox.write_config()), "check", "--json")
    data = json.loads(out)
    assert data[0]["ok"] and data[0]["folders"] == {"inbox": "INBOX", "sent": "Sent", "drafts": "Drafts"}
    assert ("CONDSTORE" in data[0]["capabilities"]) == (mailbox.kind == "dovecot")


def test_sync_prints_a_line_per_folder(mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    mailbox.deliver("INBOX", msg(1))
    mailbox.deliver("INBOX", msg(2))
    mailbox.deliver("Sent", msg(3, sent=True, user=mailbox.user))
    config = str(mailbox.write_config())
    code, out, err = run(capsys, "--config", config, "--now", NOW.isoformat(), "sync")
    assert code == 0, err
    assert out.splitlines() == ["work/INBOX: 2 new, 0 changed, 0 gone", "work/Sent: 1 new, 0 changed, 0 gone",
                                "work/Drafts: 0 new, 0 changed, 0 gone"]
    code, out, _ = run(capsys, "--config", config, "sync", "--json")
    report = json.loads(out)
    assert code == 0 and [f["new"] for f in report[0]["folders"]] == [0, 0, 0]


def test_wrong_password(mailbox: Mailbox, capsys: pytest.CaptureFixture[str],
                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWUP_TEST_PASSWORD", "wrong")
    code, out, err = run(capsys, "--config", str(mailbox.write_config()), "check")
    assert code == 1
    assert err == (f"error: [accounts.work]: the server refused the login for '{mailbox.user}'\n"
                   "  hint: check the username and $FOLLOWUP_TEST_PASSWORD; some providers need an app password\n")
    assert "wrong" not in err and "Traceback" not in err


def _config(tmp_path: Path, account: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/f.db"\n[[accounts]]\nname = "work"\n'
                    f'username = "me@example.com"\npassword_env = "FOLLOWUP_TEST_PASSWORD"\n{account}')
    return str(path)


def test_connection_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWUP_TEST_PASSWORD", "x")
    port = free_port()
    code, _, err = run(capsys, "--config", _config(tmp_path, f'host = "127.0.0.1"\nport = {port}\n'), "check")
    assert code == 1
    assert err.splitlines()[0] == f"error: [accounts.work] 127.0.0.1:{port}: the connection was refused"


def test_host_not_found(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWUP_TEST_PASSWORD", "x")
    code, _, err = run(capsys, "--config", _config(tmp_path, 'host = "no-such-host.invalid"\n'), "check")
    assert code == 1
    assert err.splitlines()[0] == "error: [accounts.work] host: cannot find the server 'no-such-host.invalid'"


def test_tls_certificate_is_verified(dovecot_mailbox: Mailbox, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    box = dovecot_mailbox
    account = f'host = "127.0.0.1"\nport = {box.server.tls_port}\nusername = "{box.user}"\n'
    path = box.tmp / "tls.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{box.tmp}/f.db"\n[[accounts]]\nname = "work"\n'
                    f'password_env = "FOLLOWUP_TEST_PASSWORD"\n{account}')
    code, _, err = run(capsys, "--config", str(path), "check")
    assert code == 1
    assert err.splitlines()[0].startswith(
        f"error: [accounts.work] 127.0.0.1:{box.server.tls_port}: the server's TLS certificate could not be "
        "verified (")
    assert err.splitlines()[1] == "  hint: set ca_file to the certificate that signed it"
    path.write_text(path.read_text() + f'ca_file = "{box.server.ca_file}"\n')
    code, out, err = run(capsys, "--config", str(path), "check")
    assert code == 0, err
    assert "tls)" in out
    # STARTTLS on the plain port, with the same certificate checks
    path.write_text(path.read_text().replace(str(box.server.tls_port), str(box.server.port))
                    + 'security = "starttls"\n')
    code, out, err = run(capsys, "--config", str(path), "check")
    assert code == 0, err
    assert "starttls)" in out


def test_tls_on_a_plain_port_says_what_to_change(dovecot_mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    box = dovecot_mailbox
    path = box.write_config()
    path.write_text(path.read_text().replace('security = "none"', 'security = "tls"'))
    code, _, err = run(capsys, "--config", str(path), "check")
    assert code == 1
    assert "the TLS handshake failed" in err.splitlines()[0]
    assert err.splitlines()[1] == '  hint: port 993 speaks tls; port 143 usually needs security = "starttls"'


def test_bad_config_key_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--config", _config(tmp_path, 'host = "h"\nhots = "x"\n'), "check")
    assert code == 2
    assert err == f"error: {tmp_path}/config.toml [accounts.work] hots: unknown key\n  hint: did you mean 'host'?\n"


def test_bad_now_and_no_accounts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--now", "yesterday", "check")
    assert code == 2 and err.startswith("error: --now: not an ISO 8601 time: 'yesterday'")
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    code, _, err = run(capsys, "--config", str(empty), "sync")
    assert code == 2 and err.startswith(f"error: no [[accounts]] in {empty}")


def test_one_unreadable_message_is_counted_not_fatal(mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    mailbox.deliver("INBOX", b"\x00\xff garbage without headers")
    mailbox.deliver("INBOX", make_message(from_="a@b.example", to=mailbox.user, subject="fine", body="ok",
                                          date=NOW, message_id="<fine@test>"))
    code, out, err = run(capsys, "--config", str(mailbox.write_config()), "sync")
    assert code == 0, err
    assert out.splitlines()[0] == "work/INBOX: 2 new, 0 changed, 0 gone"


def test_init_writes_a_private_starter_config_then_checks_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import stat

    monkeypatch.delenv("FOLLOWUP_GMAIL_PASSWORD", raising=False)
    path = tmp_path / "cfg" / "config.toml"
    code, out, err = run(capsys, "--config", str(path), "init", "--email", "dana@gmail.com")
    assert out.startswith("Recognised Gmail for gmail.com: imap.gmail.com:993 (tls).")
    assert "app password" in out and "export FOLLOWUP_GMAIL_PASSWORD=" in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "password =" not in path.read_text()
    # then `check` runs: without the password in the environment it says exactly what to export
    assert code == 1 and err.startswith("error: [accounts.gmail] password_env: the environment variable "
                                        "FOLLOWUP_GMAIL_PASSWORD is not set")
    code, _, err = run(capsys, "--config", str(path), "init", "--email", "dana@gmail.com", "--no-check")
    assert code == 2 and err.startswith(f"error: {path}: a config file already exists")


def test_completion_script_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    code, out, _ = run(capsys, "completion", "bash")
    assert code == 0 and "complete -F _followup followup" in out and "poll) opts=" in out and "--dry-run" in out
    assert subprocess.run(["bash", "-n"], input=out, text=True).returncode == 0
    code, out, _ = run(capsys, "completion", "fish")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "# followup fish completion"
    for name in ("poll", "snooze", "resume", "completion"):
        assert any(f"__fish_use_subcommand -a {name} -d '" in line for line in lines), name
    assert "complete -c followup -n '__fish_seen_subcommand_from poll' -l dry-run -d" in out
    assert "-n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'" in out
    assert "complete -c followup -l config -r -F -d 'config file to use'" in out
    for line in lines[1:]:  # fish's single quotes: \' and \\ escape, every quote closes
        assert line.startswith("complete -c followup ") and _fish_quotes_close(line), line
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("followup ")


def _fish_quotes_close(line: str) -> bool:
    inside, i = False, 0
    while i < len(line):
        if inside and line[i] == "\\":
            i += 2
            continue
        if line[i] == "'":
            inside = not inside
        i += 1
    return not inside


class Typist:
    """A person at a terminal: stdin is a tty, and each prompt (typed or hidden) gets the next answer."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
        import getpass
        import sys

        self.answers, self.prompts = list(answers), []
        monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
        monkeypatch.setattr("builtins.input", self.answer)
        monkeypatch.setattr(getpass, "getpass", self.answer)

    def answer(self, prompt: str = "") -> str:
        self.prompts.append(prompt)
        return self.answers.pop(0)


def test_init_on_a_terminal_tests_the_password_on_the_server(dovecot_mailbox: Mailbox, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    box = dovecot_mailbox
    monkeypatch.setitem(__import__("sys").modules, "keyring", None)  # the keyring extra is not installed
    path = tmp_path / "new.toml"
    typist = Typist(monkeypatch, "", "127.0.0.1", str(box.server.port), "none", "", "wrong", box.password,
                    "env", "MY_MAIL_PASSWORD")
    code, out, err = run(capsys, "--config", str(path), "init", "--email", box.user)
    assert code == 0, err
    assert typist.prompts[:5] == [f"Who hosts mail for example.com? ({', '.join(KEYS)}) [generic]: ",
                                  "IMAP server [imap.example.com]: ", "Port [993]: ",
                                  "Security (tls, starttls, none) [starttls]: ", f"Username [{box.user}]: "]
    assert typist.prompts[5] == typist.prompts[6] == f"{PASSWORD_PROMPT}: "
    assert f"[accounts.example]: the server refused the login for '{box.user}'. Try again." in out
    assert f"The login works.\nexample: ok ({box.user} at 127.0.0.1:{box.server.port}, none)" in out
    assert "  drafts  Drafts  (found by special-use)" in out
    assert f"Using the IMAP server 127.0.0.1:{box.server.port} (none) for example.com." in out
    assert "guess" not in out and box.password not in out + err + path.read_text()
    assert "  systemctl --user daemon-reload && systemctl --user enable --now followup" in out
    assert "A service does not see your shell's variables: put MY_MAIL_PASSWORD=… in ~/.config/followup/env" in out
    assert f" --config {path} run" in out  # ExecStart, with this config
    monkeypatch.setenv("MY_MAIL_PASSWORD", box.password)
    code, out, err = run(capsys, "--config", str(path), "check")
    assert code == 0, err


def test_init_add_without_prompts_then_checks_the_new_account(dovecot_mailbox: Mailbox,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    box = dovecot_mailbox
    path = box.write_config()
    before = path.read_bytes()
    code, out, err = run(capsys, "--config", str(path), "init", "--add", "--email", "other@example.org",
                         "--name", "second", "--host", "127.0.0.1", "--port", str(box.server.port),
                         "--security", "none", "--username", box.user, "--password-env", "FOLLOWUP_TEST_PASSWORD")
    assert code == 0, err
    assert path.read_bytes().startswith(before)
    assert f"Added the account 'second' to {path}." in out
    assert f"second: ok ({box.user} at 127.0.0.1:{box.server.port}, none)" in out and "work: ok" not in out
    assert "If the service already runs: systemctl --user restart followup" in out


def test_init_microsoft_names_a_missing_token_helper(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import sys

    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + ":/nonexistent")
    path = tmp_path / "config.toml"
    code, out, err = run(capsys, "--config", str(path), "init", "--email", "dana@contoso.example",
                         "--provider", "microsoft365")
    assert "https://outlook.office.com/IMAP.AccessAsUser.All offline_access" in out and "Entra ID" in out
    assert code == 1  # `check` ran, and says why the account cannot log in
    assert err.splitlines()[0] == "error: [accounts.contoso] oauth2_token_command: oama: command not found"
    assert "exit status" not in err and "systemctl" not in out


def test_init_example_and_the_errors_that_point_at_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parents[2]
    code, out, _ = run(capsys, "init", "--example")
    assert code == 0 and out == (root / "config.example.toml").read_text()
    code, _, err = run(capsys, "--config", str(tmp_path / "nope.toml"), "check")
    assert code == 2 and err == (f"error: {tmp_path}/nope.toml: no such config file\n"
                                 "  hint: write one with `followup init` (or see every setting with "
                                 "`followup init --example`)\n")
    code, _, err = run(capsys, "--config", str(tmp_path), "check")
    assert code == 2 and err == (f"error: {tmp_path} is a directory, not a config file\n"
                                 f"  hint: name the file itself, e.g. {tmp_path}/config.toml\n")
    code, out, _ = run(capsys, "init", "--service-unit")
    assert code == 0 and "ExecStart=" in out and out.rstrip().endswith("WantedBy=default.target")

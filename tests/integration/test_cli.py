"""The CLI as a user meets it: `followup check` and `followup sync`, exit codes and exact messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Mailbox
from servers import free_port, make_message
from test_sync import NOW, msg

from assistant.cli import main


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
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("followup ")

"""The step after `init`: `followup run` as a systemd user service. contrib/followup.service is this unit."""

from __future__ import annotations

import shlex
from pathlib import Path

UNIT_PATH = "~/.config/systemd/user/followup.service"
ENV_FILE = "~/.config/followup/env"


def service_unit(executable: str = "%h/.local/bin/followup", config: Path | None = None) -> str:
    """The unit text; `config` adds --config for a file other than the default one."""
    command = executable + (f" --config {shlex.quote(str(config))}" if config else "") + " run"
    return f"""# systemd user unit for Followup: copy to {UNIT_PATH}, then
#   systemctl --user daemon-reload && systemctl --user enable --now followup
# Logs: journalctl --user -u followup -f
[Unit]
Description=Followup: drafts follow-ups for mail awaiting a reply
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
# The password comes from the environment (password_env) or a command (password_command), never the unit:
EnvironmentFile=-%h/.config/followup/env
ExecStart={command}
Restart=on-failure
RestartSec=30
# SIGTERM finishes the current step and exits 0
KillSignal=SIGTERM
TimeoutStopSec=20

[Install]
WantedBy=default.target
"""


def next_steps(executable: str, config: Path | None, password_env: str | None, added: bool) -> list[str]:
    """What to run to keep Followup going: the unit, and the commands that install and start it."""
    followup = "followup" + (f" --config {shlex.quote(str(config))}" if config else "")
    lines = ["", "Next: keep Followup running with `followup run` as a systemd user service (it polls every few",
             "minutes and clears a draft within seconds of a reply). The unit:", "",
             *service_unit(executable, config).splitlines(), "",
             "To install and start it:",
             "  mkdir -p ~/.config/systemd/user",
             f"  {followup} init --service-unit > {UNIT_PATH}",
             "  systemctl --user daemon-reload && systemctl --user enable --now followup",
             f"  {followup} status            # and its logs: journalctl --user -u followup -f"]
    if added:
        lines.append("If the service already runs: systemctl --user restart followup")
    if password_env:
        lines += [f"A service does not see your shell's variables: put {password_env}=… in {ENV_FILE}",
                  f"(chmod 600 {ENV_FILE}), which the unit reads."]
    return lines

"""`followup` that kills itself (SIGKILL) right after its K-th database commit: the crash-point sweep.

    FOLLOWUP_KILL_AFTER_COMMIT=K python tests/kill_after_commit.py --config … poll

A test hook that lives in tests/, never in assistant/: it listens to every ORM session's commit.
"""

from __future__ import annotations

import os
import signal
import sys

from sqlalchemy import event
from sqlalchemy.orm import Session

KILL_AT = int(os.environ.get("FOLLOWUP_KILL_AFTER_COMMIT", "0"))
commits = 0


def arm(kill_at: int) -> None:
    """In a forked child: die after the kill_at-th commit from now (0: never)."""
    global KILL_AT, commits
    KILL_AT, commits = kill_at, 0


@event.listens_for(Session, "after_commit")
def _count(session: Session) -> None:
    global commits
    commits += 1
    if commits == KILL_AT:
        os.kill(os.getpid(), signal.SIGKILL)


def run_killed(args: list[str], kill_at: int) -> int:
    """`followup ARGS` in a forked child armed to die after its kill_at-th commit: its exit code, or minus
    the signal that ended it. Forking skips a new interpreter's start-up, so a sweep of many points is quick."""
    from assistant.cli import main

    pid = os.fork()
    if pid == 0:  # the child: never returns into the test runner
        code = 70
        try:
            arm(kill_at)
            code = main(args)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


if __name__ == "__main__":
    from assistant.cli import main

    sys.exit(main())

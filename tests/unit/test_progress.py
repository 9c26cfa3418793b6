"""Progress shows on a terminal only."""

from __future__ import annotations

import io

from assistant.progress import NoProgress, TerminalProgress, progress_for


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_on_a_terminal_nothing_on_a_pipe() -> None:
    assert isinstance(progress_for(io.StringIO(), quiet=False), NoProgress)
    assert isinstance(progress_for(Tty(), quiet=True), NoProgress)
    stream = Tty()
    bar = progress_for(stream, quiet=False)
    assert isinstance(bar, TerminalProgress)
    bar.start(200, "work/INBOX")
    bar.advance(100)
    bar.advance(100)
    bar.finish()
    last = stream.getvalue().rstrip("\n").split("\r")[-1]
    assert last.startswith("work/INBOX [" + "#" * 30 + "] 200/200 ") and "msg/s ETA 0s" in last

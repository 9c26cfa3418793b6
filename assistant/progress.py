"""Progress on long work: a bar on a terminal (count, rate, ETA), nothing on a pipe."""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO


class Progress(Protocol):
    def start(self, total: int, label: str) -> None: ...
    def advance(self, n: int) -> None: ...
    def finish(self) -> None: ...


class NoProgress:
    def start(self, total: int, label: str) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def finish(self) -> None:
        pass


class TerminalProgress:
    """Redraws one stderr line at most ten times a second."""

    def __init__(self, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.stream, self.width = stream, width
        self.total, self.done, self.label = 0, 0, ""
        self.started = self.drawn = 0.0

    def start(self, total: int, label: str) -> None:
        self.total, self.done, self.label = total, 0, label
        self.started = time.monotonic()
        self.drawn = 0.0
        self._draw()

    def advance(self, n: int) -> None:
        self.done += n
        if time.monotonic() - self.drawn >= 0.1 or self.done >= self.total:
            self._draw()

    def finish(self) -> None:
        if self.total:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
        self.total = 0

    def _draw(self) -> None:
        self.drawn = time.monotonic()
        elapsed = max(self.drawn - self.started, 1e-6)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate else 0.0
        filled = int(self.width * self.done / self.total) if self.total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} {rate:,.0f} msg/s ETA {eta:,.0f}s ")
        self.stream.flush()


def progress_for(stream: TextIO, quiet: bool) -> Progress:
    return TerminalProgress(stream) if stream.isatty() and not quiet else NoProgress()

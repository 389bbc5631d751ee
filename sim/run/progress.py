"""Progress of many runs: a bar with ETA on a terminal, one plain line per run otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 30
REDRAW_S = 0.2


def clock(seconds: float) -> str:
    """``h:mm:ss`` (or ``m:ss``) for a duration in seconds."""
    seconds = max(int(round(seconds)), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Counts finished runs and shows progress on ``stream`` (stderr by default).

    Args:
        total: runs to do in this session.
        skipped: runs already finished before (``--resume``), shown but not timed.
        quiet: show nothing.
        stream: where to write; a terminal gets a redrawn bar, anything else plain lines.
    """

    def __init__(
        self, total: int, skipped: int = 0, quiet: bool = False, stream: TextIO | None = None
    ):
        self.total, self.skipped, self.quiet = total, skipped, quiet
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = self.failed = 0
        self.t0 = time.perf_counter()
        self._drawn = 0.0

    def eta(self) -> float | None:
        """Seconds left, from the mean time per finished run (None before the first)."""
        if not self.done:
            return None
        return (time.perf_counter() - self.t0) / self.done * (self.total - self.done)

    def _status(self) -> str:
        eta = self.eta()
        left = "?" if eta is None else clock(eta)
        failed = f", {self.failed} failed" if self.failed else ""
        return f"elapsed {clock(time.perf_counter() - self.t0)}, ETA {left}{failed}"

    def update(self, label: str, replicate: int, ok: bool) -> None:
        """Count one finished run and show it."""
        self.done += 1
        self.failed += not ok
        if self.quiet:
            return
        if self.tty:
            self._draw(force=self.done == self.total)
        else:
            state = "ok" if ok else "FAILED"
            line = f"[{self.done}/{self.total}] {label} r{replicate} {state}; {self._status()}"
            print(line, file=self.stream, flush=True)

    def _draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self._drawn < REDRAW_S:
            return
        self._drawn = now
        frac = self.done / self.total if self.total else 1.0
        bar = "#" * int(frac * BAR_WIDTH)
        text = f"\r[{bar:<{BAR_WIDTH}}] {self.done}/{self.total} {frac:4.0%} {self._status()}"
        self.stream.write(text + "\x1b[K")
        self.stream.flush()

    def start(self) -> None:
        """Say what is about to run."""
        if self.quiet:
            return
        resumed = f" ({self.skipped} already finished)" if self.skipped else ""
        print(f"{self.total} runs to do{resumed}", file=self.stream, flush=True)
        if self.tty:
            self._draw(force=True)

    def close(self) -> None:
        """End the bar's line."""
        if self.tty and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()

"""The contract every hostile input or fault must keep, shared by the ``test_hostile_*`` files.

A case runs ``sim`` in a child process (so signals, exit codes and stderr are real) and checks:
exit 0 or 2 (or what the case names), at most one line on stderr on exit 2, no traceback, and
nothing written where the case says to look.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK = ["--years", "1", "--scale", "0.02", "--quiet"]


@dataclass
class Outcome:
    """What a ``sim`` child process did."""

    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        """The non-empty lines on stderr."""
        return [line for line in self.stderr.splitlines() if line.strip()]


def env() -> dict[str, str]:
    """The child's environment: this checkout's package first on the path."""
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), out.get("PYTHONPATH")]))
    out.pop("DASK_SCHEDULER_ADDRESS", None)
    return out


def sim(*args: str | Path, cwd: Path | None = None, timeout: float = 300, **kw) -> Outcome:
    """Run ``python -m sim ARGS`` to the end; returns its exit code and output."""
    proc = subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)],
        cwd=cwd,
        env=env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        **kw,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path below ``folder`` with its size and modification time (to see writes)."""
    if not folder.exists():
        return {}
    out = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        out[str(path.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return out


def assert_refused(outcome: Outcome, *, mentions: str | None = None) -> None:
    """Exit 2 with exactly one line on stderr, no traceback; ``mentions`` is in that line."""
    assert outcome.code == 2, (outcome.code, outcome.stderr[-2000:])
    assert "Traceback" not in outcome.stderr, outcome.stderr[-2000:]
    assert len(outcome.lines) == 1, outcome.stderr[-2000:]
    if mentions is not None:
        assert mentions in outcome.lines[0], outcome.lines[0]


def assert_clean(outcome: Outcome, codes: tuple[int, ...] = (0, 2)) -> None:
    """An allowed exit code and no traceback; exit 2 also means one line on stderr."""
    assert outcome.code in codes, (outcome.code, outcome.stderr[-2000:])
    assert "Traceback" not in outcome.stderr, outcome.stderr[-2000:]
    if outcome.code == 2:
        assert len(outcome.lines) == 1, outcome.stderr[-2000:]

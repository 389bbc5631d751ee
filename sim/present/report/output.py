"""Where the report goes: the HTML file and its figures folder, checked first, written beside.

The report never overwrites a file it did not write: an existing ``--out`` must be an earlier
report (its ``generator`` tag or its title). Everything is drawn into a hidden staging folder
next to the target and moved into place only when complete, so a failure leaves nothing
behind; a staging folder left by a killed ``sim report`` is removed on the next start.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import InputError
from sim.present.i18n import LANGS, load_dictionary
from sim.present.report.html import esc
from sim.run.durable import fsync_dir, fsync_file
from sim.run.ownership import stale

GENERATOR = '<meta name="generator" content="sim report">'
STAGING = ".sim-report-"


def _is_report(path: Path) -> bool:
    """Whether ``path`` starts like a report of ``sim report`` (tag, or an older one's title)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    titles = [f"<title>{esc(load_dictionary(code)['report.title'])}</title>" for code in LANGS]
    return head.startswith("<!DOCTYPE html>") and any(t in head for t in [GENERATOR, *titles])


def existing_ancestor(path: Path) -> Path:
    """The nearest existing folder above ``path``; InputError when that is not a folder."""
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{path}: --out: {parent} is not a folder")
    return parent


def check_out(out: Path, figures: Path) -> Path:
    """Refuse an unusable ``--out`` before anything is drawn; returns where to stage."""
    if out.is_dir():
        raise InputError(f"{out}: --out: is a folder (give the HTML file)")
    if out.exists() and not (out.is_file() and _is_report(out)):
        raise InputError(f"{out}: --out: exists and is not a report; not overwritten")
    if figures.exists() and not figures.is_dir():
        raise InputError(f"{figures}: figures folder of --out: exists and is not a folder")
    return existing_ancestor(out)


def _remove_stale(folder: Path) -> None:
    """Remove staging folders whose ``sim report`` process is gone (the tool's one rule)."""
    for path in folder.glob(f"{STAGING}*"):
        if stale(path.name):
            shutil.rmtree(path, ignore_errors=True)


@contextmanager
def staged(out: Path, figures: Path) -> Iterator[Path]:
    """A staging folder: write ``report.html`` and ``figures/`` into it; moved on success.

    Raises:
        InputError: when the place cannot be written (read-only, full disk, no permission);
            nothing is left behind.
    """
    base = check_out(out, figures)
    try:
        _remove_stale(base)
        tmp = Path(tempfile.mkdtemp(prefix=f"{STAGING}{os.getpid()}-", dir=base))
    except OSError as exc:
        raise InputError(f"{out}: --out: cannot write in {base}: {exc.strerror}") from None
    try:
        yield tmp
        _move(tmp, out, figures)
    except OSError as exc:
        raise InputError(f"{out}: --out: cannot write: {exc.strerror}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _move(tmp: Path, out: Path, figures: Path) -> None:
    """Move the staged figures (file by file: other files in the folder stay) and the HTML."""
    out.parent.mkdir(parents=True, exist_ok=True)
    drawn = tmp / "figures"
    if drawn.is_dir():
        figures.mkdir(exist_ok=True)
        for path in sorted(drawn.iterdir()):
            fsync_file(path)
            os.replace(path, figures / path.name)
        fsync_dir(figures)
    fsync_file(tmp / "report.html")
    os.replace(tmp / "report.html", out)
    fsync_dir(out.parent)

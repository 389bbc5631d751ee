"""Print the HTML report to PDF with headless Chromium (the Debian ``chromium`` package).

The page's print style (A4, no navigation bar) decides the layout; Chromium prints the file
exactly as a reader's browser would. The PDF is written beside the HTML under a temporary name
and renamed when complete; no browser is downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sim.errors import InputError
from sim.run.durable import fsync_file

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_S = 180


def find_browser() -> str | None:
    """The path of a Chromium on this machine (``SIM_CHROMIUM`` overrides), or None."""
    override = os.environ.get("SIM_CHROMIUM")
    if override:
        return override if Path(override).is_file() else None
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


def pdf_path(html: Path) -> Path:
    """``report-nb.html`` → ``report-nb.pdf``."""
    return Path(html).with_suffix(".pdf")


def check_pdf(pdf: Path, results: Path) -> None:
    """Refuse to print over a file the tool did not write (before anything is built).

    The tool's own: a PDF that the results folder's manifest records, or a PDF printed by
    Chromium (its ``Skia/PDF`` producer) beside an HTML report of ``sim report``.

    Raises:
        InputError: ``pdf`` exists and is neither.
    """
    from sim.errors import InputError
    from sim.present.report.output import _is_report
    from sim.run.ownership import recorded

    pdf = Path(pdf)
    if not pdf.exists() and not pdf.is_symlink():
        return
    inside = pdf.resolve().parent == Path(results).resolve()
    if inside and pdf.name in recorded(Path(results)) and pdf.is_file():
        return
    try:
        head = pdf.read_bytes()[: 1 << 20] if pdf.is_file() else b""
    except OSError:
        head = b""
    if head.startswith(b"%PDF") and b"Skia/PDF" in head and _is_report(pdf.with_suffix(".html")):
        return
    raise InputError(f"{pdf}: --pdf: exists and is not a report's PDF; not overwritten")


def print_pdf(html: Path, out: Path | None = None) -> Path:
    """Print ``html`` to ``out`` (default: beside it, ``.pdf``); return the PDF's path.

    Raises:
        InputError: no Chromium is installed, or it failed or took longer than 3 minutes.
    """
    browser = find_browser()
    if browser is None:
        raise InputError(
            "--pdf: no headless Chromium found (install the Debian package: apt-get install "
            "chromium)"
        )
    out = Path(out) if out else pdf_path(html)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=".pdf.tmp", dir=out.parent)
    os.close(fd)
    with tempfile.TemporaryDirectory(prefix=".sim-report-chromium-") as profile:
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={tmp}",
            Path(html).absolute().as_uri(),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            Path(tmp).unlink(missing_ok=True)
            raise InputError(f"--pdf: Chromium took longer than {TIMEOUT_S} s") from None
    if done.returncode != 0 or os.path.getsize(tmp) == 0:
        Path(tmp).unlink(missing_ok=True)
        last = (done.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:]
        raise InputError(f"--pdf: Chromium could not print the report: {' '.join(last)}")
    fsync_file(Path(tmp))
    os.replace(tmp, out)
    return out

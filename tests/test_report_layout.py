"""Layout of the report in a real browser: the answer on the first screen, nothing overflows,
a PDF that prints, and colour roles that never collide.

The browser tests drive the Debian ``chromium`` package through Playwright (nothing is
downloaded; ``.ci/run`` installs it) and are skipped where it is missing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from report_fixture import built_report, make_results

from sim.present.plots._base import PALETTE, PAYER_PALETTE

CHROMIUM = Path("/usr/bin/chromium")
A4_CONTENT_PX = 703  # 210 mm less 2 × 12 mm margins, at 96 px per inch


def _sync_api():
    """Playwright's sync API, or skip when it or the system Chromium is missing."""
    if not CHROMIUM.exists():
        pytest.skip("no headless browser: /usr/bin/chromium (apt-get install -y chromium)")
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


OVERFLOW_JS = """() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1)
    out.push(`page ${doc.scrollWidth} > ${doc.clientWidth}`);
  for (const el of document.querySelectorAll('main *')) {
    const p = el.parentElement;
    if (!p || el.closest('svg')) continue;
    const r = el.getBoundingClientRect(), q = p.getBoundingClientRect();
    if (r.width === 0) continue;
    if (r.right > q.right + 1 || r.left < q.left - 1)
      out.push(`${el.tagName}#${el.id}.${el.className} `
               + `${Math.round(r.left)}-${Math.round(r.right)} in ${p.tagName}#${p.id} `
               + `${Math.round(q.left)}-${Math.round(q.right)}`);
  }
  return out.slice(0, 20);
}"""


def _open(pw, report: Path, width: int, height: int, media: str = "screen"):
    b = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    page = b.new_page(viewport={"width": width, "height": height})
    page.emulate_media(media=media)
    page.goto(report.as_uri(), wait_until="load")
    return b, page


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize(
    ("width", "media"), [(1280, "screen"), (A4_CONTENT_PX, "print")], ids=["1280px", "A4"]
)
def test_no_element_is_wider_than_its_container(tmp_path_factory, lang, width, media):
    sync_api = _sync_api()
    report = built_report(tmp_path_factory, lang)
    with sync_api.sync_playwright() as pw:
        b, page = _open(pw, report, width, 900, media)
        problems = page.evaluate(OVERFLOW_JS)
        b.close()
    assert problems == []


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_ranked_table_is_the_first_screen(tmp_path_factory, tmp_path, lang):
    sync_api = _sync_api()
    report = built_report(tmp_path_factory, lang)
    with sync_api.sync_playwright() as pw:
        b, page = _open(pw, report, 1280, 800)
        box = page.locator("#headline").bounding_box()
        before = page.evaluate(
            """() => { const t = document.querySelector('#headline');
              return Array.from(document.querySelectorAll('main figure, main h2, main table'))
                .filter(e => e !== t && (e.compareDocumentPosition(t) & 4)).length; }"""
        )
        page.screenshot(path=str(tmp_path / "first-screen.png"))
        b.close()
    assert before == 0  # no figure, section heading or other table comes before it
    assert box["y"] >= 0 and box["y"] + box["height"] <= 800, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, box


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_has_pages_and_the_title(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    _sync_api()
    res = make_results(tmp_path / "compare")
    cmd = [sys.executable, "-m", "sim", "report", str(res), "--lang", "nb", "--pdf"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    pdf = res / "report-nb.pdf"
    assert str(pdf) in done.stdout.splitlines()
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) >= 2
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Koordinert IPS-oppfølging og Fast koordinator sammenlignet med Dagens praksis" in text
    manifest = (res / "manifest.json").read_text(encoding="utf-8")
    assert "report-nb.pdf" in manifest  # recorded as the report's


def _lab(colour: str) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour."""
    rgb = np.array(to_rgb(colour))
    rgb = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_payer_colours_never_collide_with_scenario_colours():
    payers = list(PAYER_PALETTE.values())
    closest = min(np.linalg.norm(_lab(a) - _lab(b)) for a in payers for b in PALETTE)
    assert closest >= 20, closest  # ΔE 20: clearly different colours side by side
    assert len(set(payers)) == len(payers)


def test_pdf_never_prints_over_a_users_file(tmp_path):
    res = make_results(tmp_path / "compare")
    mine = res / "report-nb.pdf"
    mine.write_bytes(b"%PDF-1.7 my own notes")
    cmd = [sys.executable, "-m", "sim", "report", str(res), "--lang", "nb", "--pdf"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 2
    assert "not overwritten" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert mine.read_bytes() == b"%PDF-1.7 my own notes"
    assert not (res / "report-nb.html").exists()  # refused before anything was built

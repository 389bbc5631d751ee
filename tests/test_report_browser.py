"""The report opens in a real headless Chromium: every image loads, no console errors.

Needs the Debian ``chromium`` package (``.ci/run`` installs it); skipped locally without it.
Playwright drives the system browser, so nothing is downloaded.
"""

from pathlib import Path

import pytest
from report_fixture import built_report

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no headless browser: /usr/bin/chromium is missing "
        "(install it with `apt-get install -y chromium`; CI does this in .ci/run)",
    ),
]


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_report_opens_with_every_image_loaded(tmp_path_factory, tmp_path, lang):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    report = built_report(tmp_path_factory, lang)
    problems = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url[:80]}"))
        page.goto(report.as_uri(), wait_until="load")
        widths = page.evaluate(
            "Array.from(document.images).map(i => i.complete && i.naturalWidth)"
        )
        assert page.evaluate("document.documentElement.lang") == lang
        page.screenshot(path=str(tmp_path / f"report-{lang}.png"), full_page=True)
        browser.close()
    assert len(widths) == 13  # the headline figure, the eleven others and the acceptability curve
    assert all(w and w > 0 for w in widths), widths
    assert problems == []
    assert (tmp_path / f"report-{lang}.png").stat().st_size > 10_000

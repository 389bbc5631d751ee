"""``sim dashboard`` in a real headless Chromium: the page, its sessions, and the server's output.

Starts the command once on a free loopback port (stderr to a file) and drives the page in
Norwegian: "Neste måned" three times draws every panel, nothing leaves 127.0.0.1, no Mesa or
solara control word in English is shown, the sliders show their values and ranges, a changed
slider reaches the model on "Start på nytt", two browser contexts have their own models, "Spill
av" plays and pauses, and the server prints nothing on stderr (no warning per page load). Then
it stops the server by its PID. Needs the Debian ``chromium`` package (``.ci/run`` installs it);
skipped locally without it. Playwright drives the system browser, so nothing is downloaded.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import BASELINE, ROOT

from sim.cli.dashboard import free_port
from sim.present.i18n import t

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL = {"127.0.0.1", "localhost"}
PANELS = 8
STEPS = 3
MONTHS = ["januar 2024", "februar 2024", "mars 2024"]
# What Mesa's SolaraViz and solara put on a page, in English (matched as whole words).
ENGLISH = ["Controls", "STEP", "RESET", "PAGE", "Time:", "Play Interval", "Model Parameters"]
ENGLISH += ["Information", "This website runs on"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no headless browser: /usr/bin/chromium is missing "
        "(install it with `apt-get install -y chromium`; CI does this in .ci/run)",
    ),
]

# Each image drawn on a canvas: how many distinct colours (a blank panel has one or two).
COLOURS_JS = """() => Array.from(document.images).filter(i => i.naturalWidth > 0).map(img => {
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, c.width, c.height).data, seen = new Set();
  for (let i = 0; i < px.length; i += 16) seen.add(px[i] << 16 | px[i + 1] << 8 | px[i + 2]);
  return seen.size;
})"""


def start_server(port: int, stderr) -> subprocess.Popen:
    """``sim dashboard`` as a child process, without pytest's variables (solara reads them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    cmd = [sys.executable, "-m", "sim", "dashboard", str(BASELINE), "--port", str(port)]
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True
    )


def wait_until_served(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"sim dashboard exited with {proc.returncode}: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"no answer from {url} within {timeout} s")


def stop_server(proc: subprocess.Popen) -> str:
    """Interrupt the command by its PID (it stops solara); kill if it hangs; its output."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.stdout.read()


def host_of(url: str) -> str | None:
    """The host a request went to (``blob:`` URLs belong to their origin; ``data:`` has none)."""
    if url.startswith("data:"):
        return None
    return urlparse(url.removeprefix("blob:")).hostname


class Server:
    """The running command: its address and what it has written to stderr so far."""

    def __init__(self, url: str, stderr: Path):
        self.url, self.stderr_file = url, stderr

    def stderr(self) -> str:
        return self.stderr_file.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for the module (the tests use their own browser contexts, hence sessions)."""
    port = free_port()
    stderr = tmp_path_factory.mktemp("dashboard") / "stderr.txt"
    with stderr.open("w", encoding="utf-8") as err:
        proc = start_server(port, err)
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_until_served(url, proc)
            yield Server(url, stderr)
        finally:
            output = stop_server(proc)
    assert url in output.splitlines()[0]  # the command printed the address first
    assert proc.returncode == 0, output + stderr.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def open_page(browser, url: str):
    """The page in a new browser context (its own cookies, so its own session)."""
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(url)
    page.locator(".sim-period").wait_for(timeout=30_000)
    return page


def month_text(page) -> str:
    return page.locator(".sim-period").first.inner_text()


def wait_for_month(page, before: str) -> str:
    """Wait until the status card's month changes; its new text."""
    page.wait_for_function(
        "b => document.querySelector('.sim-period').textContent !== b", arg=before, timeout=30_000
    )
    return month_text(page)


def click(page, key: str) -> None:
    page.get_by_role("button", name=t("nb", f"dashboard.control.{key}")).click()


def click_step(page, before: str) -> str:
    """Click "Neste måned" and wait until the month changes."""
    click(page, "step")
    return wait_for_month(page, before)


def english_words(text: str) -> list[str]:
    return [w for w in ENGLISH if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]


def test_step_draws_every_panel_offline(server, browser, tmp_path):
    requests, failures = [], []
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failures.append(f"failed: {r.url[:100]}"))
    page.on(
        "response",
        lambda r: failures.append(f"{r.status}: {r.url[:100]}") if r.status >= 400 else None,
    )
    page.goto(server.url)
    page.locator(".sim-period").wait_for(timeout=30_000)
    months = [month_text(page)]
    for _ in range(STEPS):
        months.append(click_step(page, months[-1]))
    page.wait_for_function(f"document.images.length >= {PANELS}", timeout=30_000)
    page.wait_for_timeout(500)
    colours = page.evaluate(COLOURS_JS)
    formats = page.evaluate("() => Array.from(document.images).map(i => i.src.slice(0, 5))")
    text = page.inner_text("body")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    page.context.close()
    assert "januar 2024" in months[0] and t("nb", "dashboard.info.month") in months[0]
    assert [m.rsplit(": ", 1)[1] for m in months[1:]] == MONTHS
    assert len(colours) == PANELS and min(colours) > 20, colours
    assert set(formats) == {"blob:"}  # the SVG documents, handed over as blobs
    assert english_words(text) == []
    assert {host_of(u) for u in requests} <= LOCAL | {None}, [
        u for u in requests if host_of(u) not in LOCAL
    ]
    assert failures == []
    assert (tmp_path / "dashboard.png").stat().st_size > 50_000
    assert server.stderr() == ""  # no warning for the page load or the steps


def test_sliders_show_their_values_and_reach_the_model(server, browser):
    page = open_page(browser, server.url)
    sliders = page.locator(".sim-slider")
    values = sliders.locator(".sim-slider-value").all_inner_texts()
    ranges = sliders.locator(".sim-slider-range").all_inner_texts()
    assert "Overleveringstap (handover_loss): 0,2" in values
    assert "Skala (andel av befolkningen): 0,05" in values
    assert len(ranges) == len(values) >= 6 and "område 0–1" in ranges
    loss = sliders.filter(has_text="handover_loss")
    loss.get_by_role("slider").focus()
    page.keyboard.press("ArrowRight")  # one step: 0.01
    page.get_by_text("Overleveringstap (handover_loss): 0,21").wait_for(timeout=10_000)
    page.get_by_text(t("nb", "dashboard.control.pending")).wait_for(timeout=10_000)
    click(page, "reset")
    page.get_by_text("handover_loss = 0,21 *").wait_for(timeout=30_000)
    assert page.get_by_text(t("nb", "dashboard.control.pending")).count() == 0
    page.context.close()
    assert server.stderr() == ""


def test_each_browser_session_has_its_own_model(server, browser):
    first = open_page(browser, server.url)
    start = month_text(first)
    stepped = click_step(first, start)
    second = open_page(browser, server.url)
    assert (stepped.rsplit(": ", 1)[1], month_text(second)) == (MONTHS[0], start)
    assert click_step(second, start).rsplit(": ", 1)[1] == MONTHS[0]  # its own first month
    click(second, "play")
    played = wait_for_month(second, month_text(second))
    click(second, "pause")
    assert played.rsplit(": ", 1)[1] == MONTHS[1] and month_text(first) == stepped
    for page in (first, second):
        page.context.close()
    assert server.stderr() == ""

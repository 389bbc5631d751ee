"""``sim dashboard`` in a real headless Chromium: STEP draws every panel, nothing leaves 127.0.0.1.

Starts the command on a free loopback port, opens the page, clicks STEP three times and checks
that the month counter advanced, that every plot panel is a non-blank image, that every request
went to 127.0.0.1 and none failed; then stops the server by its PID. Needs the Debian
``chromium`` package (``.ci/run`` installs it); skipped locally without it. Playwright drives the
system browser, so nothing is downloaded.
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


def start_server(port: int) -> subprocess.Popen:
    """``sim dashboard`` as a child process, without pytest's variables (solara reads them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    cmd = [sys.executable, "-m", "sim", "dashboard", str(BASELINE), "--port", str(port)]
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
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


@pytest.fixture
def server():
    port = free_port()
    proc = start_server(port)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_served(url, proc)
        yield url, proc
    finally:
        output = stop_server(proc)
    assert url in output.splitlines()[0]  # the command printed the address first
    assert proc.returncode == 0, output


def month_text(page) -> str:
    return page.locator(".sim-period").first.inner_text()


def click_step(page, before: str) -> str:
    """Click STEP and wait until the month counter changes."""
    page.get_by_role("button", name="Step").click()
    page.wait_for_function(
        "b => document.querySelector('.sim-period').textContent !== b", arg=before, timeout=30_000
    )
    return month_text(page)


def test_step_draws_every_panel_offline(server, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    url, proc = server
    requests, failures = [], []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: failures.append(f"failed: {r.url[:100]}"))
        page.on(
            "response",
            lambda r: failures.append(f"{r.status}: {r.url[:100]}") if r.status >= 400 else None,
        )
        page.goto(url)
        page.locator(".sim-period").wait_for(timeout=30_000)
        months = [month_text(page)]
        for _ in range(STEPS):
            months.append(click_step(page, months[-1]))
        page.wait_for_function(f"document.images.length >= {PANELS}", timeout=30_000)
        page.wait_for_timeout(500)
        colours = page.evaluate(COLOURS_JS)
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        browser.close()
    assert [re.search(r"\d{4}-\d{2}", m) for m in months[:1]] == [None]
    assert [re.search(r"\d{4}-\d{2}", m)[0] for m in months[1:]] == [
        "2024-01",
        "2024-02",
        "2024-03",
    ]
    assert len(colours) == PANELS and min(colours) > 20, colours
    assert {host_of(u) for u in requests} <= LOCAL | {None}, [
        u for u in requests if host_of(u) not in LOCAL
    ]
    assert failures == []
    assert (tmp_path / "dashboard.png").stat().st_size > 50_000

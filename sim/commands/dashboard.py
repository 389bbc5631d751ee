"""``sim dashboard [SCENARIO.toml]``: watch one scenario month by month in the browser.

Serves Mesa's SolaraViz page (:mod:`sim.dashboard.app`) with ``solara run`` on 127.0.0.1
(another interface only when ``--host`` names it), prints the address and waits; Ctrl-C stops
it. Everything the page loads comes from the local solara asset packages: the version check
and telemetry are switched off, and production mode skips solara's install-check frame.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from sim.commands.common import START_RE
from sim.errors import InputError

DEFAULT_PORT = 8765
LOOPBACK = "127.0.0.1"
NEEDS = ("solara", "altair")  # Mesa's SolaraViz imports altair even for matplotlib panels


def add_parser(sub) -> None:
    """Register ``sim dashboard``."""
    p = sub.add_parser("dashboard", help="watch one scenario month by month in the browser")
    p.add_argument("scenario", nargs="?", default=None, help="scenario TOML (default: defaults)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (0: a free one)")
    p.add_argument("--host", default=LOOPBACK, help=f"interface to serve on (default {LOOPBACK})")
    p.add_argument("--lang", choices=["nb", "en"], default="nb", help="page language")
    p.add_argument("--seed", type=int, default=1, help="seed of the first run (default 1)")
    p.add_argument("--scale", type=float, default=None, help="population fraction (0.05)")
    p.add_argument("--start", default="2024-01", help="first month, YYYY-MM")
    p.set_defaults(func=main)


def free_port(host: str = LOOPBACK) -> int:
    """A port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def settings_from_args(args: argparse.Namespace):
    """Validate the options (exit 2 before anything starts) and return the app settings."""
    from sim.dashboard.model import DEFAULT_SCALE, check_scale, load, parse_seed
    from sim.dashboard.settings import Settings

    missing = [name for name in NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        raise InputError(f"dashboard: missing {', '.join(missing)}; pip install '.[dashboard]'")
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port: must be 0-65535, got {args.port}")
    if not START_RE.match(args.start):
        raise InputError(f"--start: must be YYYY-MM, got {args.start!r}")
    scenario = str(Path(args.scenario).resolve()) if args.scenario else ""
    load(scenario)  # raises InputError naming the file and the key
    scale = check_scale(DEFAULT_SCALE if args.scale is None else args.scale)
    return Settings(scenario, args.lang, parse_seed(args.seed), scale, args.start)


def solara_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line of the app (loopback unless told otherwise)."""
    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    return [
        *[sys.executable, "-m", "solara", "run", str(app)],
        *["--host", host, "--port", str(port)],
        *["--no-open", "--no-check-version", "--production"],
    ]


def server_env(settings) -> dict[str, str]:
    """The app's environment: the settings, telemetry off, a headless matplotlib."""
    env = dict(os.environ, **settings.to_env())
    env.update(SOLARA_TELEMETRY_MIXPANEL_ENABLE="false", MPLBACKEND="Agg")
    return env


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(args: argparse.Namespace) -> int:
    """Start the server, print its address, wait until it ends or Ctrl-C (or SIGTERM)."""
    settings = settings_from_args(args)
    port = args.port or free_port(args.host)
    # Ctrl-C works even where a shell started us with SIGINT ignored; SIGTERM stops the
    # server too, so it never outlives the command.
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        proc = subprocess.Popen(solara_command(args.host, port), env=server_env(settings))
        print(f"sim dashboard: http://{args.host}:{port}/ (Ctrl-C stops it)", flush=True)
        return _wait(proc)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _wait(proc: subprocess.Popen) -> int:
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        return stop(proc)
    return 0 if code in (0, -signal.SIGINT, -signal.SIGTERM) else 1


def stop(proc: subprocess.Popen) -> int:
    """Stop the server process (interrupt, then terminate, then kill)."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            break
        proc.send_signal(sig)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            continue
    return 0

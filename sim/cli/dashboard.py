"""``sim dashboard [SCENARIO.toml]``: watch one scenario month by month in the browser.

Serves the dashboard's Solara page (:mod:`sim.present.dashboard.app`) with ``solara run`` on
127.0.0.1 (another interface only when ``--host`` names it), prints the address and waits;
Ctrl-C (or SIGTERM) stops it. The host and port are checked before the server starts (exit 2
when the host does not resolve, is not an interface of this machine, or the port is taken). The
server holds a :class:`~sim.run.lifeline.Lifeline`, so it stops with this command however it
ends (SIGKILL too). Everything the page loads comes from the local solara asset packages: the
version check and telemetry are switched off, and production mode skips solara's install-check
frame.
"""

from __future__ import annotations

import argparse
import errno
import importlib.util
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from sim.errors import InputError
from sim.run.jobs import start_problem
from sim.run.lifeline import Lifeline

DEFAULT_PORT = 8765
LOOPBACK = "127.0.0.1"
NEEDS = ("solara",)
STOP_S = 5.0  # seconds the server has to exit once its lifeline is cut


def add_parser(sub) -> None:
    """Register ``sim dashboard``."""
    p = sub.add_parser("dashboard", help="watch one scenario month by month in the browser")
    p.add_argument("scenario", nargs="?", default=None, help="scenario TOML (default: defaults)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (0: a free one)")
    p.add_argument("--host", default=LOOPBACK, help=f"interface to serve on (default {LOOPBACK})")
    p.add_argument("--lang", choices=["nb", "en"], default="nb", help="page language")
    p.add_argument("--seed", type=int, default=1, help="seed of the first run (default 1)")
    p.add_argument(
        "--scale",
        type=float,
        default=None,
        help="share of the population simulated, 1.0 = the whole county (default: 0.05)",
    )
    p.add_argument(
        "--start", default="2024-01", help="first month, YYYY-MM (default: %(default)s)"
    )
    p.set_defaults(func=main)


def free_port(host: str = LOOPBACK) -> int:
    """A port that is free on ``host`` right now."""
    return check_host(host, 0)


def check_host(host: str, port: int) -> int:
    """Resolve ``host`` and bind ``port`` on it once, before the server starts.

    Returns:
        The port (a free one when ``port`` is 0).

    Raises:
        InputError: the host does not resolve, is not an interface of this machine, or the
            port cannot be used there.
    """
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (OSError, UnicodeError, ValueError) as exc:
        raise InputError(f"--host {host!r}: cannot resolve it ({_reason(exc)})") from None
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            s.bind(address)
            return int(s.getsockname()[1])
    except OSError as exc:
        option = f"--port {port}" if exc.errno == errno.EADDRINUSE else f"--host {host!r}"
        raise InputError(f"{option}: cannot serve there ({_reason(exc)})") from None


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def settings_from_args(args: argparse.Namespace):
    """Validate the options (exit 2 before anything starts) and return the app settings."""
    from sim.present.dashboard.model import DEFAULT_SCALE, check_scale, load, parse_seed
    from sim.present.dashboard.settings import Settings

    missing = [name for name in NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        raise InputError(f"dashboard: missing {', '.join(missing)}; pip install '.[dashboard]'")
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port: must be 0-65535, got {args.port}")
    problem = start_problem(args.start)
    if problem:
        raise InputError(f"--start: {problem}")
    scenario = str(Path(args.scenario).resolve()) if args.scenario else ""
    load(scenario)  # raises InputError naming the file and the key
    scale = check_scale(DEFAULT_SCALE if args.scale is None else args.scale)
    return Settings(scenario, args.lang, parse_seed(args.seed), scale, args.start)


def solara_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line of the app (loopback unless told otherwise)."""
    app = Path(__file__).resolve().parent.parent / "present" / "dashboard" / "app.py"
    return [
        *[sys.executable, "-m", "solara", "run", str(app)],
        *["--host", host, "--port", str(port)],
        *["--no-open", "--no-check-version", "--production"],
    ]


def server_env(settings) -> dict[str, str]:
    """The app's environment: the settings, telemetry off, a headless matplotlib.

    The "This website runs on Solara" banner is switched off: it is the only English line
    solara adds to the page.
    """
    env = dict(os.environ, **settings.to_env())
    env.update(
        SOLARA_TELEMETRY_MIXPANEL_ENABLE="false",
        SOLARA_THEME_SHOW_BANNER="false",
        MPLBACKEND="Agg",
    )
    return env


def main(args: argparse.Namespace) -> int:
    """Start the server, print its address, wait until it ends or Ctrl-C (or SIGTERM).

    Signals reach this process as KeyboardInterrupt (see :mod:`sim.cli.main`).
    """
    settings = settings_from_args(args)
    port = check_host(args.host, args.port)
    line = Lifeline()
    try:
        proc = subprocess.Popen(
            on_lifeline(solara_command(args.host, port), line),
            env=server_env(settings),
            pass_fds=(line.fd,),
        )
        print(f"sim dashboard: http://{args.host}:{port}/ (Ctrl-C stops it)", flush=True)
        return _wait(proc, line)
    finally:
        line.close()


def on_lifeline(cmd: list[str], line: Lifeline) -> list[str]:
    """``python -m MODULE ARGS`` as ``python -m sim.run.lifeline FD MODULE ARGS`` (see there)."""
    python, flag, module, *rest = cmd
    return [python, "-m", "sim.run.lifeline", str(line.fd), module, *rest]


def _wait(proc: subprocess.Popen, line: Lifeline) -> int:
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        return stop(proc, line)
    return 0 if code in (0, -signal.SIGINT, -signal.SIGTERM) else 1


def stop(proc: subprocess.Popen, line: Lifeline) -> int:
    """Stop the server: cut its lifeline (it exits at once); kill it if it is still there."""
    line.cut()
    try:
        proc.wait(timeout=STOP_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return 0

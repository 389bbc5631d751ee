"""The `sim` command line: one module per subcommand in :mod:`sim.cli`.

Each command module provides ``add_parser(subparsers)`` (which sets ``func``) and
``main(args) -> int``. Exit codes:

- 0 success; 1 a simulation failed;
- 2 bad input: one line on stderr (``sim: error: ...``), no traceback. Bad input includes a file
  system that refuses a write (full, read-only, no permission: the line names the path); a
  command writes its results folder all at once, so such an error leaves no partial result,
  except the finished run files of ``sim batch`` (kept for ``--resume``);
- 130 interrupted by Ctrl-C (SIGINT), 143 stopped by SIGTERM;
- 141 its standard output was closed early (``sim ... | head``): quietly, as a Unix tool ended
  by SIGPIPE; what was written stays.

On Ctrl-C or SIGTERM the command stops its workers at once, prints one line (``sim:
interrupted``, plus where a batch keeps its finished runs) and exits; a second Ctrl-C while it
cleans up exits at once.

Plugin services are loaded before the subcommand runs: every module of the ``sim.services``
entry-point group, then each ``--plugin MODULE`` (a module name or a ``.py`` path; repeatable,
given before the subcommand), see :mod:`sim.run.plugins`.
"""

import argparse
import importlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sim.errors import InputError

COMMANDS = [
    "run",
    "compare",
    "batch",
    "trial",
    "report",
    "dashboard",
    "calibrate",
    "validate-targets",
    "sensitivity",
    "thresholds",
    "posterior",
    "new-service",
]
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + the signal's number
EXIT_PIPE = 128 + signal.SIGPIPE


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM reached ``sim`` (a KeyboardInterrupt, so cleanup code sees it as one).

    Code that keeps something for later adds a note (``exc.add_note(...)``): it is printed
    after ``sim: interrupted``.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class DefaultsFormatter(argparse.HelpFormatter):
    """Help that states every option's default: ``(default: 1)`` unless the help says it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "default" in text.lower()
            or default in (None, False, [], ())
            or default is argparse.SUPPRESS
            or not action.option_strings
        ):
            return text
        return f"{text} (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other input error.

    Every command's help states the defaults (:class:`DefaultsFormatter`).
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", DefaultsFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        """Print ``sim: error: <message> (see '<prog> --help')`` and exit 2."""
        self.exit(2, f"sim: error: {one_line(message)} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered subcommand."""
    parser = Parser(prog="sim", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="import a plugin service module (name or .py path) first; repeatable",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"sim.cli.{name.replace('-', '_')}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    with interrupts_handled():
        try:
            return _run(argv)
        except Interrupted as exc:
            return _interrupted(exc)
        except KeyboardInterrupt:  # raised by code that installed its own handler
            return _interrupted(Interrupted(signal.SIGINT))


def _run(argv: list[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad options, 0 on --help
        return int(exc.code or 0)
    from sim.run.manifest import _git

    _git()  # the code this command runs: recorded now, not when its results are written
    try:
        load_plugins(args.plugin)
        return int(args.func(args) or 0)
    except InputError as exc:
        return _refuse(str(exc))
    except BrokenPipeError:  # the reader of our output went away
        _silence_stdout()
        return EXIT_PIPE
    except OSError as exc:
        return _refuse(describe_os_error(exc))


def _refuse(message: str) -> int:
    print(f"sim: error: {one_line(message)}", file=sys.stderr)
    return 2


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush has nowhere to fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # no stdout at all
        pass
    finally:
        os.close(devnull)


def _interrupted(exc: Interrupted) -> int:
    notes = "".join(f"; {note}" for note in getattr(exc, "__notes__", []))
    print(f"sim: interrupted{notes}", file=sys.stderr, flush=True)
    return EXIT_CODES[exc.signum]


def one_line(text: str) -> str:
    """``text`` on one line (whitespace runs, newlines included, become one space)."""
    return " ".join(str(text).split())


def describe_os_error(exc: OSError) -> str:
    """``<path>: <reason>`` for a file system error (full disk, read-only, permission...)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    paths = [p for p in (exc.filename, exc.filename2) if p is not None]
    if not paths:
        return reason
    return f"{' -> '.join(os.fsdecode(p) for p in paths)}: {reason}"


@contextmanager
def interrupts_handled() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`Interrupted` while the command runs.

    The first signal raises; cleanup then runs (workers are stopped, temporary files
    removed); a second one exits at once. Handlers are restored afterwards. Outside the main
    thread (where Python cannot set handlers) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handler = _first_signal_handler()
    previous = {sig: signal.signal(sig, handler) for sig in EXIT_CODES}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _first_signal_handler() -> Callable:
    seen: list[int] = []

    def handle(signum: int, frame) -> None:
        if seen:  # already cleaning up after the first: stop now (workers follow, lifeline)
            os.write(2, b"sim: interrupted\n")
            os._exit(EXIT_CODES[signum])
        seen.append(signum)
        raise Interrupted(signum)

    return handle


def load_plugins(refs: list[str]) -> None:
    """Import the ``sim.services`` entry points, then each ``--plugin`` module."""
    from sim.run import plugins

    plugins.load_entry_points()
    for ref in refs:
        plugins.load(ref)


if __name__ == "__main__":
    sys.exit(main())

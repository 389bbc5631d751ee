"""The `sim` command line: one module per subcommand in :mod:`sim.commands`.

Each command module provides ``add_parser(subparsers)`` (which sets ``func``) and
``main(args) -> int``. Exit codes: 0 success, 1 a simulation failed, 2 bad input.

Plugin services are loaded before the subcommand runs: every module of the ``sim.services``
entry-point group, then each ``--plugin MODULE`` (a module name or a ``.py`` path; repeatable,
given before the subcommand), see :mod:`sim.plugins`.
"""

import argparse
import importlib
import sys
from typing import NoReturn

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
]


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: ``sim: error: <subcommand>: <message>``."""

    def error(self, message: str) -> NoReturn:
        """Print the one-line error and exit 2 (argparse would print the usage first)."""
        command = self.prog.partition(" ")[2]
        self.exit(2, f"sim: error: {command + ': ' if command else ''}{message}\n")


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
        importlib.import_module(f"sim.commands.{name.replace('-', '_')}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad options, 0 on --help
        return int(exc.code or 0)
    try:
        load_plugins(args.plugin)
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"sim: error: {exc}", file=sys.stderr)
        return 2


def load_plugins(refs: list[str]) -> None:
    """Import the ``sim.services`` entry points, then each ``--plugin`` module."""
    from sim import plugins

    plugins.load_entry_points()
    for ref in refs:
        plugins.load(ref)


if __name__ == "__main__":
    sys.exit(main())

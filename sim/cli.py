"""The `sim` command line: one module per subcommand in :mod:`sim.commands`.

Each command module provides ``add_parser(subparsers)`` (which sets ``func``) and
``main(args) -> int``. Exit codes: 0 success, 1 a simulation failed, 2 bad input.
"""

import argparse
import importlib
import sys

from sim.errors import InputError

COMMANDS = ["run", "compare", "batch", "trial", "report", "dashboard"]


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="sim", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"sim.commands.{name}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad options, 0 on --help
        return int(exc.code or 0)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"sim: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

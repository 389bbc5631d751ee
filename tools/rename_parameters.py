"""Rename parameters to carry their owner's prefix, from one table, across the source tree.

The table is ``sim/data/renamed_parameters.csv`` (``old,new``); the package reads the same
file to accept every old name as an alias of its new one (``sim.core.params.renamed``), so
the two cannot drift apart. This script rewrites old names where they are parameter keys:

- Python (``.py``) and notebooks (``.ipynb``, inside the JSON text): a string literal that is
  exactly an old name (``"ot_advisers"``, ``'ot_advisers'``) and an old name in double
  backticks (````ot_advisers````, in docstrings and comments);
- TOML: a key that is an old name (``ot_advisers = 40``, ``"ot_advisers" = 40``, also inside
  an inline table), written quoted (``"followup.advisers" = 40``: a bare dotted key would be
  a table), keeping a trailing comment in its column where there is room; and a string that
  is exactly an old name;
- Markdown (and ``README.md``): an old name in backticks (```ot_advisers```) or quotes, and
  keys inside fenced ``toml`` blocks as in TOML;
- ``sim/data/parameters.csv``: the ``name`` column.

Nothing else changes: an old name inside a longer word or string (``slider.ot_advisers``,
a unit-cost category, an identifier) is left alone, and so are the texts in :data:`KEEP`
(the dashboard's slider keywords, which are Python identifiers, not parameter names), and files
that say :data:`KEEP_FILE` (tests of the old names themselves). The
rewrite is idempotent (no new name is an old name), so it can be run again on a tree that
another change has touched since::

    python tools/rename_parameters.py            # rewrite, list the files changed
    python tools/rename_parameters.py --check    # only list them; exit 1 if any would change

Afterwards run ``ruff format .`` (a longer name can push a line past the limit) and
``python -m sim.present.docs`` (the parameter table in ``docs/model.md`` is sorted by name).
Old names inside larger texts (a TOML snippet in a Python string, prose) are not parameter
keys to this script; ``grep`` for them and rename by hand where they are meant.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "sim" / "data" / "renamed_parameters.csv"
PARAMETERS = ROOT / "sim" / "data" / "parameters.csv"
FOLDERS = ("sim", "tests", "scenarios", "batches", "examples", "notebooks", "docs", "benchmarks")
TOP_FILES = ("README.md",)
SUFFIXES = (".py", ".ipynb", ".toml", ".md")
KEEP_FILE = "rename_parameters: keep old names"  # a file with this text is left alone
# quoted texts that equal an old name but are not parameter keys (group ``key``), by file
KEEP = {
    "sim/present/dashboard/model.py": [
        r'Control\((?P<key>"\w+")',  # a slider's keyword (DashboardModel(nav_caseworkers=...))
        r'(?P<key>"(?P<word>\w+)"): (?P=word)\b',  # keyword → argument of the same name
    ],
    "tests/test_dashboard.py": [r'(?<![.\w])params\[(?P<key>"\w+")\]'],  # model_params' sliders
}


def table(path: Path = TABLE) -> dict[str, str]:
    """Old name → new name, in the table's order."""
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["old"]: row["new"] for row in csv.DictReader(fh)}


def _alternatives(names) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def _kept_spans(text: str, rel: str) -> list[tuple[int, int]]:
    spans = []
    for pattern in KEEP.get(rel, []):
        spans += [m.span("key") for m in re.finditer(pattern, text)]
    return spans


def _literals(text: str, names: dict[str, str], rel: str, quotes: str) -> str:
    """Replace ``<q>old<q>`` for each quote ``q`` in ``quotes`` (outside the kept spans)."""
    kept = _kept_spans(text, rel)
    alt = _alternatives(names)
    pattern = re.compile(rf"(?P<q>{quotes})(?P<name>{alt})(?P=q)")

    def swap(m: re.Match) -> str:
        if any(a <= m.start() and m.end() <= b for a, b in kept):
            return m.group(0)
        return f"{m['q']}{names[m['name']]}{m['q']}"

    return pattern.sub(swap, text)


def rewrite_python(text: str, names: dict[str, str], rel: str = "") -> str:
    """String literals that are exactly an old name, and ````old```` in docstrings."""
    return _literals(text, names, rel, r'"|\'|``|`')


def rewrite_notebook(text: str, names: dict[str, str], rel: str = "") -> str:
    """As Python, inside a notebook's JSON text (where a quote is escaped with a backslash)."""
    return _literals(text, names, rel, r'\\"|\'|``|`')


def rewrite_markdown(text: str, names: dict[str, str], rel: str = "") -> str:
    """An old name in backticks or quotes; keys in fenced ``toml`` blocks as in TOML."""
    parts = re.split(r"(^```toml\n.*?^```$)", text, flags=re.M | re.S)
    parts = [rewrite_toml(p, names, rel) if p.startswith("```toml") else p for p in parts]
    return _literals("".join(parts), names, rel, r'``|`|"|\'')


def _toml_line(line: str, keys: re.Pattern, names: dict[str, str]) -> str:
    new = keys.sub(lambda m: f'{m["lead"]}"{names[m["name"]]}"{m["eq"]}', line)
    old_hash, new_hash = line.find(" #"), new.find(" #")
    if new != line and old_hash > 0 and new_hash > old_hash:  # keep the comment's column
        room = len(new[:new_hash]) - len(new[:new_hash].rstrip()) - 1
        cut = min(new_hash - old_hash, room)
        new = new[: new_hash - cut] + new[new_hash:]
    return new


def rewrite_toml(text: str, names: dict[str, str], rel: str = "") -> str:
    """Keys that are old names (bare or quoted), written quoted; strings that are old names."""
    alt = _alternatives(names)
    keys = re.compile(rf'(?P<lead>(?:^|[{{,])\s*)(?P<q>"?)(?P<name>{alt})(?P=q)(?P<eq>\s*=)')
    lines = [_toml_line(line, keys, names) for line in text.splitlines(keepends=True)]
    return _literals("".join(lines), names, rel, '"')


def rewrite_parameter_file(text: str, names: dict[str, str]) -> str:
    """The ``name`` column of the parameter file."""
    rows = list(csv.reader(io.StringIO(text)))
    col = rows[0].index("name")
    for row in rows[1:]:
        row[col] = names.get(row[col], row[col])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


REWRITERS = {
    ".py": rewrite_python,
    ".ipynb": rewrite_notebook,
    ".toml": rewrite_toml,
    ".md": rewrite_markdown,
}


def files(root: Path = ROOT) -> list[Path]:
    """The files the rename reads: sources, scenarios, batches, notebooks and docs."""
    found = [p for folder in FOLDERS for p in sorted((root / folder).rglob("*")) if p.is_file()]
    found += [root / name for name in TOP_FILES if (root / name).is_file()]
    return [p for p in found if p.suffix in SUFFIXES and "__pycache__" not in p.parts]


def rename(root: Path = ROOT, check: bool = False) -> list[Path]:
    """Rewrite every file (unless ``check``); the files that change."""
    names = table(root / TABLE.relative_to(ROOT))
    changed = []
    targets = [(p, REWRITERS[p.suffix]) for p in files(root)]
    targets.append((root / PARAMETERS.relative_to(ROOT), None))
    for path, rewrite in targets:
        text = path.read_text(encoding="utf-8")
        if KEEP_FILE in text:
            continue
        if rewrite is None:
            new = rewrite_parameter_file(text, names)
        else:
            new = rewrite(text, names, path.relative_to(root).as_posix())
        if new != text:
            changed.append(path)
            if not check:
                path.write_text(new, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    """Rewrite the tree (or, with ``--check``, only report what would change)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if needed")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout (default: this)")
    args = parser.parse_args(argv)
    changed = rename(args.root, args.check)
    for path in changed:
        print(path.relative_to(args.root))
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())

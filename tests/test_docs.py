"""The generated parameter table in docs/model.md matches sim/data/parameters.csv."""

import importlib
import re
from pathlib import Path

import pytest

from sim.core.params import package_specs
from sim.present.docs import DOC, render


def test_parameter_table_is_current():
    text = DOC.read_text("utf-8")
    assert render(text) == text, "docs/model.md is stale: run `python -m sim.present.docs`"


def test_every_parameter_documented():
    text = DOC.read_text("utf-8")
    missing = [name for name in package_specs() if f"`{name}`" not in text]
    assert not missing


def source_problem(source: str) -> str | None:
    """Why a ``source`` cell is neither a citation nor an assumption, or None.

    An assumption says so first (``assumption``, optionally with its reason); a citation names
    its publisher or authors and a year, table or document number, so it has a word and a digit.
    """
    text = source.strip()
    if text.lower().startswith("assumption"):
        return None
    if not text:
        return "empty"
    if not (re.search(r"[A-Za-z]{2}", text) and re.search(r"\d", text)):
        return f"{text!r} is no citation (no name with a year or number) and not an assumption"
    return None


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ("Finansdepartementet R-109/2021: 4 % real discount rate", True),
        ("assumption", True),
        ("assumption (longest coordination case before it is closed)", True),
        ("", False),
        ("TODO", False),
        ("see above", False),
        ("2019", False),
    ],
)
def test_the_source_rule(source, ok):
    assert (source_problem(source) is None) == ok


def test_every_parameter_has_a_source_or_is_an_assumption():
    problems = {
        spec.name: problem
        for spec in package_specs().values()
        if (problem := source_problem(spec.source))
    }
    assert not problems


# -- the docs point at places that exist ------------------------------------------------------
ROOT = DOC.parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TOP = "sim|tests|examples|benchmarks|tools|notebooks|scenarios|batches|docs"
PATH = re.compile(rf"(?<![\w./-])((?:{TOP})/[\w./-]*[\w/])")
DOTTED = re.compile(r"(?<![\w./-])(sim(?:\.\w+)+)")
PLACEHOLDER = re.compile(r"your_|<|\*")  # e.g. scenarios/your_file.toml


def mentions(pattern: re.Pattern) -> list[tuple[str, str]]:
    """(document, mention) for every match of ``pattern`` in the README and docs/."""
    return [
        (doc.name, match.group(1))
        for doc in DOCS
        for match in pattern.finditer(doc.read_text("utf-8"))
        if not PLACEHOLDER.search(match.group(1))
    ]


def resolves(name: str) -> bool:
    """True when ``sim.a.b[.attr...]`` is a module of this checkout, or an attribute of one."""
    parts = name.split(".")
    for cut in range(len(parts), 1, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        if not Path(module.__file__).resolve().is_relative_to(ROOT / "sim"):
            return False  # e.g. an old module of another checkout, on the path
        obj = module
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def test_the_docs_mention_paths_that_exist():
    assert len(mentions(PATH)) > 50  # the pattern finds the paths the docs name
    missing = sorted(
        {f"{doc}: {path}" for doc, path in mentions(PATH) if not (ROOT / path).exists()}
    )
    assert not missing


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the README names the old aliases
def test_the_docs_mention_modules_that_exist():
    assert len(mentions(DOTTED)) > 20
    unknown = sorted({f"{doc}: {name}" for doc, name in mentions(DOTTED) if not resolves(name)})
    assert not unknown


def test_a_renamed_module_would_be_found():
    assert resolves("sim.core.population.Youth") and resolves("sim.run.jobs.RunOptions")
    assert not resolves("sim.plots") and not resolves("sim.core.population.NoSuchName")
    assert not resolves("sim.reporters")

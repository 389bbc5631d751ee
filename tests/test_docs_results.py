"""Model results in the docs are generated (``make docs-results``) and go stale with the model.

Each generated block records the sha256 of a quick reference run's ``yearly.parquet``
(baseline, scale 0.05, 2 years, seed 1; ``tools/docs_results.py``). The test here reruns that
reference and fails when its hash differs from the one in the docs: the model's outputs changed
since the docs' numbers were made, so they must be regenerated.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(ROOT.glob("docs/*.md")) + [ROOT / "README.md"]


def _tool():
    spec = importlib.util.spec_from_file_location("docs_results", ROOT / "tools/docs_results.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # a dataclass looks its module up while it is made
    spec.loader.exec_module(module)
    return module


docs_results = _tool()


def test_every_block_is_on_its_page_once_and_every_marker_is_known() -> None:
    for name, block in docs_results.BLOCKS.items():
        names = docs_results.blocks_in((ROOT / block.doc).read_text(encoding="utf-8"))
        assert names.count(name) == 1, f"{block.doc} must hold one generated:{name} block"
    for page in PAGES:
        for name in docs_results.blocks_in(page.read_text(encoding="utf-8")):
            assert name in docs_results.BLOCKS, f"{page.name}: generated:{name} has no generator"


def test_every_block_is_filled_and_stamped() -> None:
    for name, block in docs_results.BLOCKS.items():
        text = (ROOT / block.doc).read_text(encoding="utf-8")
        body = docs_results.replace_block(text, name, "@@")  # proves the end marker is there
        start = text.index(f"<!-- generated:{name}")
        inner = text[start : text.index(docs_results.END, start)]
        assert body != text and "| " in inner, f"{name} is empty: run `make docs-results`"
        assert docs_results.HASH.search(inner), f"{name} has no reference hash"
        assert "at commit `" in inner, f"{name} does not say which commit it ran on"


def test_replace_block_keeps_the_page_around_it() -> None:
    page = "intro\n<!-- generated:x (do not edit) -->\nold\n<!-- /generated -->\noutro\n"
    new = docs_results.replace_block(page, "x", "| a |\n")
    assert new == "intro\n<!-- generated:x (do not edit) -->\n| a |\n<!-- /generated -->\noutro\n"
    with pytest.raises(KeyError):
        docs_results.replace_block(page, "y", "z")


def test_the_docs_numbers_come_from_the_current_model() -> None:
    recorded = docs_results.recorded_hashes(PAGES)
    assert recorded, "no generated blocks in the docs"
    hashes = set().union(*recorded.values())
    now = docs_results.reference_hash()
    stale = {page: sorted(h) for page, h in recorded.items() if h != {now}}
    assert not stale, (
        f"the model's outputs changed since the docs' numbers were generated (reference run "
        f"sha256 now {now}, in the docs {sorted(hashes)}): run `make docs-results`"
    )


def test_a_changed_model_output_makes_the_docs_stale(monkeypatch) -> None:
    monkeypatch.setattr(docs_results, "reference_hash", lambda: "0" * 64)
    with pytest.raises(AssertionError, match="run `make docs-results`"):
        test_the_docs_numbers_come_from_the_current_model()

"""Results as a function of the weak effects: the effect table and its report section.

A small real ``sim compare`` with a ``sim batch`` over ``nav.followup_boost`` in its
``effects/`` folder, as ``make run`` writes them (scale 0.02, 2 years, 2 replicates).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.effects import effect_table
from sim.cli.main import main as sim_main
from sim.core.params import package_specs
from sim.errors import InputError
from sim.present.i18n import Lang
from sim.present.report.builder import build_report
from sim.present.report.html import esc

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--reps", "2", "--years", "2", "--scale", "0.02", "--workers", "1", "--quiet"]
CENTRAL_BOOST = package_specs()["nav.followup_boost"].value


def _batch_file(folder: Path) -> Path:
    scen = [str(ROOT / "scenarios" / s) for s in ("baseline.toml", "faster_nav_followup.toml")]
    text = f"scenarios = {scen!r}\nseed = 1\n" + "".join(
        f'\n[[variants]]\nname = "{name}"\nparams = {params}\n'
        for name, params in [
            ("central", "{}"),
            ("nav.followup_boost=0", '{ "nav.followup_boost" = 0.0 }'),
            (
                f"nav.followup_boost={CENTRAL_BOOST:g}",
                f'{{ "nav.followup_boost" = {CENTRAL_BOOST} }}',
            ),
            ("nav.followup_boost=0.4", '{ "nav.followup_boost" = 0.4 }'),
        ]
    )
    path = folder / "effects.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def with_effects(tmp_path_factory) -> Path:
    """A compare results folder with an effect sweep in ``effects/``."""
    root = tmp_path_factory.mktemp("effects")
    out = root / "compare"
    scen = [str(ROOT / "scenarios" / s) for s in ("baseline.toml", "faster_nav_followup.toml")]
    assert sim_main(["compare", *scen, *SMALL, "--out", str(out)]) == 0
    argv = ["batch", str(_batch_file(root)), *SMALL, "--out", str(out / "effects")]
    assert sim_main(argv) == 0
    return out


def _sweep(folder: Path) -> tuple[pd.DataFrame, dict]:
    """The sweep's yearly table and its manifest's label → overrides."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return pd.read_parquet(folder / "yearly.parquet"), manifest["variants"]


def test_a_variant_at_the_package_value_equals_the_central_row(with_effects):
    yearly, variants = _sweep(with_effects / "effects")
    t = effect_table(yearly, "baseline", variants).set_index("variant")
    same = t.loc[f"nav.followup_boost={CENTRAL_BOOST:g}"]
    assert (
        same[["median", "lo", "hi"]].tolist() == t.loc["central"][["median", "lo", "hi"]].tolist()
    )
    assert set(t["scenario"]) == {"faster_nav_followup"}  # the reference is not a column
    assert (t["reps"] == 2).all()
    assert t.loc["nav.followup_boost=0", "parameter"] == "nav.followup_boost"
    assert t.loc["nav.followup_boost=0", "value"] == 0.0


def test_a_batch_without_variants_is_refused(with_effects):
    yearly = pd.read_parquet(with_effects / "yearly.parquet")  # compare labels have no @variant
    with pytest.raises(InputError, match="variant"):
        effect_table(yearly, "baseline", {})


def test_a_variant_without_recorded_values_is_refused(with_effects):
    yearly, variants = _sweep(with_effects / "effects")
    variants = {k: v for k, v in variants.items() if not k.endswith("@central")}
    with pytest.raises(InputError, match="central"):
        effect_table(yearly, "baseline", variants)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_report_shows_each_scenario_per_effect_size(with_effects, tmp_path, lang):
    html = build_report(with_effects, lang, out=tmp_path / "r.html").read_text(encoding="utf-8")
    words = Lang(lang)
    start = html.index('<section id="effects"')
    part = html[start : html.index("</section>", start)]
    assert esc(words.t("effects.title")) in part
    assert '<a href="#effects">' in html
    rows = part.count("<tr>") - 1  # the header row
    assert rows == 4  # central, and the three sizes of nav.followup_boost
    assert part.index(esc(words.t("effects.central"))) < part.index(
        esc(words.labels["effect.nav.followup_boost"])
    )
    yearly, variants = _sweep(with_effects / "effects")
    t = effect_table(yearly, "baseline", variants)
    central = t[t["variant"] == "central"].iloc[0]
    assert words.number(central["median"]) in part


@pytest.mark.slow
def test_without_an_effect_sweep_the_section_is_absent(with_effects, tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("manifest.json", "summary.json", "yearly.parquet", "paired.parquet"):
        (bare / name).write_bytes((with_effects / name).read_bytes())
    html = build_report(bare, "en", out=tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="effects"' not in html and 'href="#effects"' not in html

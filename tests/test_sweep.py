"""Sweeps: variants.csv, numeric order, distinct names, the dose-response, report and console."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.variants import (
    dose_response,
    from_manifest,
    order_labels,
    read_variants,
    relabel,
    variant_names,
)
from sim.cli.main import main
from sim.present.console import sweep_labels

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
IPS_ONLY = ROOT / "scenarios" / "ips_only.toml"
LABELS = [f"{stem}@ips.fte={v}" for stem in ("baseline", "ips_only") for v in (12, 24, 4)]


def table(labels=LABELS) -> pd.DataFrame:
    rows = [(label, "ips.fte", float(label.rpartition("=")[2])) for label in labels]
    return pd.DataFrame(rows, columns=["label", "parameter", "value"])


def test_labels_are_ordered_numerically_within_each_scenario() -> None:
    assert order_labels(LABELS, table()) == [
        f"{stem}@ips.fte={v}" for stem in ("baseline", "ips_only") for v in (4, 12, 24)
    ]
    # scenarios keep the order they were given in
    flipped = LABELS[3:] + LABELS[:3]
    assert order_labels(flipped, table())[0] == "ips_only@ips.fte=4"


def test_grid_labels_order_by_every_swept_value_in_turn() -> None:
    labels = ["b@x=10,y=2", "b@x=9,y=3", "b@x=9,y=10"]
    rows = [
        (lab, p, float(v))
        for lab in labels
        for p, v in (kv.split("=") for kv in lab.partition("@")[2].split(","))
    ]
    t = pd.DataFrame(rows, columns=["label", "parameter", "value"])
    assert order_labels(labels, t) == ["b@x=9,y=3", "b@x=9,y=10", "b@x=10,y=2"]


def test_every_variant_gets_a_distinct_name_with_its_values() -> None:
    names = {label: "IPS" for label in LABELS[3:]} | {"central@c": "Base", "base": "Base"}
    sets = {label: {"ips.fte": float(label.rpartition("=")[2])} for label in LABELS[3:]}
    sets["central@c"] = {}
    got = variant_names(names, sets)
    assert got["ips_only@ips.fte=4"] == "IPS: ips.fte = 4"
    assert got["ips_only@ips.fte=12"] == "IPS: ips.fte = 12"
    assert got["central@c"] == "Base (c)"
    assert got["base"] == "Base"  # no variant: its own name
    assert len(set(got.values())) == len(got)


def test_names_that_would_coincide_get_the_variant_name() -> None:
    names = {"s@a": "S", "s@b": "S"}
    got = variant_names(names, {"s@a": {"x": 1.0}, "s@b": {"x": 1.0}})
    assert got == {"s@a": "S: x = 1 (a)", "s@b": "S: x = 1 (b)"}


def test_relabel_orders_and_names_the_manifest_in_both_languages() -> None:
    scen = {label: {"name": {"nb": "Nå", "en": "Now"}} for label in LABELS[:3]}
    manifest = {"scenarios": scen, "variants": {lab: {"ips.fte": 1.0} for lab in LABELS[:3]}}
    manifest["variants"]["baseline@ips.fte=4"] = {"ips.fte": 0.5}
    out = relabel(
        manifest,
        table(LABELS[:3]),
        {"nb": lambda v: f"{v:g}".replace(".", ","), "en": lambda v: f"{v:g}"},
    )
    assert list(out["scenarios"]) == [
        "baseline@ips.fte=4",
        "baseline@ips.fte=12",
        "baseline@ips.fte=24",
    ]
    first = out["scenarios"]["baseline@ips.fte=4"]
    assert first["name"] == {"nb": "Nå: ips.fte = 0,5", "en": "Now: ips.fte = 0.5"}
    assert first["scenario_name"] == {"nb": "Nå", "en": "Now"}
    assert manifest["scenarios"]["baseline@ips.fte=4"]["name"]["en"] == "Now"  # not changed


def test_from_manifest_fills_unset_values_with_the_package_value() -> None:
    t = from_manifest({"s@central": {}, "s@low": {"plan_conflict": 0.0}, "s": None})
    values = dict(zip(t["label"], t["value"], strict=True))
    assert values["s@low"] == 0.0 and values["s@central"] > 0.0
    assert "s" not in values


def test_dose_response_needs_one_swept_parameter() -> None:
    head = {
        "neet_years_averted": {"median": 5.0, "lo": 1.0, "hi": 9.0},
        "npv_public_nok": {"median": 2e6, "lo": 1e6, "hi": 3e6},
    }
    summary = {"headline": {label: head for label in LABELS[1:]}}
    t = dose_response(summary, table(), LABELS[0])
    ips = t[(t["scenario"] == "ips_only") & (t["outcome"] == "neet_years_averted")]
    assert ips["value"].tolist() == [4.0, 12.0, 24.0]
    ref = t[(t["label"] == LABELS[0])]
    assert (ref["median"] == 0).all() and len(ref) == 2  # the reference is the point (12, 0)
    two = pd.concat([table(), table().assign(parameter="plan_conflict")])
    assert dose_response(summary, two, LABELS[0]) is None


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    """A sweep of ips.fte over two scenarios, given in text order 12, 24, 4."""
    tmp = tmp_path_factory.mktemp("sweep")
    path = tmp / "sweep.toml"
    path.write_text(
        f'scenarios = ["{BASELINE}", "{IPS_ONLY}"]\nreps = 2\nyears = 1\nscale = 0.02\n'
        '[grid]\n"ips.fte" = [12, 24, 4]\n',
        encoding="utf-8",
    )
    out = tmp / "out"
    assert main(["batch", str(path), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    return out


def test_batch_writes_variants_csv(sweep) -> None:
    t = pd.read_csv(sweep / "variants.csv")
    assert list(t.columns) == ["label", "parameter", "value"]
    assert t["label"].tolist() == [
        f"{stem}@ips.fte={v}" for stem in ("baseline", "ips_only") for v in (4, 12, 24)
    ]
    assert set(t["parameter"]) == {"ips.fte"}
    assert t["value"].tolist() == [4.0, 12.0, 24.0] * 2
    manifest = json.loads((sweep / "manifest.json").read_text(encoding="utf-8"))
    assert "variants.csv" in manifest["files"]
    pd.testing.assert_frame_equal(read_variants(sweep, manifest), t)


def test_console_orders_numerically_and_names_with_values(sweep, capsys) -> None:
    from sim.present.console import print_summary

    manifest = json.loads((sweep / "manifest.json").read_text(encoding="utf-8"))
    order, names = sweep_labels(manifest, list(manifest["scenarios"]))
    assert [names[x] for x in order[:3]] == [
        "baseline: ips.fte = 4",
        "baseline: ips.fte = 12",
        "baseline: ips.fte = 24",
    ]
    yearly = pd.read_parquet(sweep / "yearly.parquet")
    summary = json.loads((sweep / "summary.json").read_text(encoding="utf-8"))
    print_summary(yearly, summary, manifest, sweep)
    text = capsys.readouterr().out
    header = text.splitlines()[1]
    assert header.index("ips.fte = 4") < header.index("ips.fte = 12") < header.index("= 24")
    assert "ips_only: ips.fte = 24: NEET-years averted" in text


def test_report_keeps_variants_apart(sweep) -> None:
    from sim.present.report.results import load_results
    from sim.present.report.sweep import dose_table

    res = load_results(sweep)
    assert res.stems == [
        f"{stem}@ips.fte={v}" for stem in ("baseline", "ips_only") for v in (4, 12, 24)
    ]
    names = [res.manifest["scenarios"][s]["name"]["en"] for s in res.stems]
    assert len(set(names)) == 6 and names[0].endswith(": ips.fte = 4")
    from sim.present.i18n import Lang
    from sim.present.plots import PlotContext

    ctx = PlotContext.from_manifest(res.manifest, "nb")  # every figure's names and order
    assert ctx.order == res.stems and len(set(ctx.names.values())) == 6
    t = dose_table(res, Lang("en"))
    assert set(t["scenario"]) == {"baseline", "ips_only"}
    assert (
        t.loc[t["scenario"] == "ips_only", "name"].iloc[0]
        == (res.manifest["scenarios"]["ips_only@ips.fte=4"]["scenario_name"]["en"])
    )

"""The clinics' places refined world by world: the refinement half of ``sim posterior --verify``.

:class:`Refining` holds what :class:`sim.cli.posterior_verify.Check` does before it verifies:
each world run at a grid of the places' prior quantiles (:mod:`sim.analysis.refine`), the
draw of its places, and its weight; each world's grid is appended to ``refine.jsonl``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from sim.errors import InputError


def check_refinable(post, targets, year: int) -> None:
    """The posterior fits each clinic's places, and the targets hold each clinic's bands."""
    from sim.analysis import refine as rf

    for name, group in rf.BLOCK.items():
        if name not in post.names:
            raise InputError(f"--verify: {name}: not a column of the posterior; refining "
                             "needs it (or give --no-refine)")  # fmt: skip
        got = set(rf.clinic_targets(targets, year, group)["metric"])
        if got != set(rf.METRICS):
            raise InputError(f"--verify: the targets have no {year} band for "
                             f"{', '.join(sorted(set(rf.METRICS) - got))} {group}; refining "
                             "needs them (or give --no-refine)")  # fmt: skip


class Refining:
    """The refinement steps of a check (mixed into :class:`sim.cli.posterior_verify.Check`)."""

    def _refine_setup(self) -> dict:
        from sim.analysis import refine as rf

        if not self.refining:
            return {}
        return {"scale": self.refine_scale, "years": 1, "grid": rf.GRID.tolist(),
                "places": rf.BLOCK}  # fmt: skip

    def refined(self) -> dict[int, dict[str, float]]:
        """Row → its places' drawn quantiles (rows whose places fit; refined rows only)."""
        done = {e["row"]: e["u"] for e in self.refine_log.entries}
        return {r: u for r, u in done.items() if all(v is not None for v in u.values())}

    def _refine(self, pool, deadline: float, quiet: bool) -> bool:
        from sim.analysis import refine as rf

        per_batch = max(1, -(-2 * pool.window // len(rf.GRID)))  # whole rounds of runs
        while len(self.refine_log.entries) < self.rows:
            if time.perf_counter() > deadline:
                return False
            first = len(self.refine_log.entries)
            rows = list(range(first, min(self.rows, first + per_batch)))
            t0 = time.perf_counter()
            grid = [(f"row{i}g{g}", rf.grid_seed(self.seeds[i]), self._grid_world(i, u))
                    for i in rows for g, u in enumerate(rf.GRID)]  # fmt: skip
            tables = self._run(grid, years=1, scale=self.refine_scale)
            per = (time.perf_counter() - t0) / len(rows)
            for i in rows:
                grid = [tables[f"row{i}g{g}"] for g in range(len(rf.GRID))]
                self.refine_log.append(self._refine_entry(i, grid, per))
            if not quiet:
                print(f"[refine {len(self.refine_log.entries)}/{self.rows}] places fit in "
                      f"{len(self.refined())}", file=sys.stderr, flush=True)  # fmt: skip
        return True

    def _grid_world(self, row: int, u: float) -> dict[str, float]:
        from sim.analysis.refine import BLOCK
        from sim.core.params import specs
        from sim.run.draws import complete_row

        values = complete_row(self.seeds[row], self.post, row)
        return {**values, **{n: float(specs()[n].from_unit(u)) for n in BLOCK}}

    def _refine_entry(self, row: int, grid: list, seconds: float) -> dict:
        from sim.analysis import refine as rf

        rng = rf.stream(self.seeds[row])
        chosen, readings = {}, {}
        for name, group in rf.BLOCK.items():
            read = [rf.readings(t, self.year, group) for t in grid]
            values = {m: [r[m] for r in read] for m in rf.METRICS}
            bands = rf.clinic_targets(self.targets, self.year, group)
            chosen[name] = rf.draw_quantile(rng, rf.fitting(rf.GRID, values, bands))
            readings[name] = values
        return {"row": row, "seed": self.seeds[row], "u": chosen, "grid": readings,
                "seconds": seconds}  # fmt: skip

    def weights(self, rows) -> np.ndarray:
        """Each row's weight: its clinics' prior mass of places that fit (:func:`refine.mass`)."""
        from sim.analysis import refine as rf

        grids = {e["row"]: e["grid"] for e in self.refine_log.entries}
        out = []
        for r in rows:
            w = 1.0
            for name, group in rf.BLOCK.items():
                bands = rf.clinic_targets(self.targets, self.year, group)
                w *= rf.mass(rf.GRID, grids[int(r)][name], bands)
            out.append(w)
        return np.array(out, float)

    def _refinement(self) -> dict:
        from sim.analysis import refine as rf

        done = [e for e in self.refine_log.entries if e["row"] < self.rows]
        return {"method": "ABC-Gibbs step for the clinics' places (sim.analysis.refine)",
                **self._refine_setup(), "candidates": len(done),
                "dropped": len(done) - len(self.candidates()),
                "runs": len(done) * len(rf.GRID),
                "minutes": round(sum(e["seconds"] for e in done) / 60, 1)}  # fmt: skip

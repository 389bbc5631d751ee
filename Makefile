# Two commands on a fresh machine: `make run` and `make test`.
# Both create .venv from this repository's own files (pyproject.toml + constraints.txt).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SIM := $(VENV)/bin/sim

.PHONY: install run test test-fast lint format docs docs-results bench clean dashboard lab

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt tools/find_python.sh tools/post_install.sh
	@PY_BASE="$$(tools/find_python.sh)" || exit 1; \
	echo "Using $$PY_BASE"; \
	[ -x $(PY) ] || "$$PY_BASE" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev,dashboard,fast]'
	bash tools/post_install.sh $(VENV)
	@touch $(STAMP)

SCENARIOS := scenarios/baseline.toml scenarios/coordinated_ips.toml scenarios/integrated_ips.toml \
	scenarios/ips_only.toml scenarios/coordination_only.toml scenarios/faster_nav_followup.toml

# Cohorts followed from the start month (cohorts.parquet; the cohort targets read them).
COHORTS := --cohort neet --cohort neet@2024-11 --cohort nav_jobseekers_u30 --cohort aap_u30 --cohort dropouts
NPROC := $(shell getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)

# The main job: every scenario against the baseline, full scale, 15 years, 10 replications
# (common random numbers) with the cohorts, in five worlds drawn from the calibrated posterior
# (sim/data/posterior.csv; two replications share each draw, so every interval splits into its
# stochastic and parameter parts, and summary.json holds the value of information); the
# emulated IPS trial (baseline, full scale, 10 replications, 18 months of follow-up) in
# results/main/trial/; every scenario again under each size of the weakly sourced effects
# (studies/effect_sweeps.toml at a quarter of the population, 2 replications, to keep within
# the 15 minutes; run the file itself for the full-scale sweep) in results/main/effects/; the
# values of discount rate, horizon and those effects at which a scenario's sign or order
# changes (results/main/thresholds.csv); then the steering-group report in Norwegian.
# `sim validate-targets results/main` checks the result against sim/data/targets.csv.
run: $(STAMP)
	$(SIM) compare $(SCENARIOS) --reps 10 --years 15 --scale 1.0 --draw-params --reps-per-draw 2 \
		$(COHORTS) --out results/main
	$(SIM) trial scenarios/baseline.toml --reps 10 --scale 1.0 --workers $(NPROC) \
		--out results/main/trial
	$(SIM) batch studies/effect_sweeps.toml --reps 2 --scale 0.25 --workers $(NPROC) \
		--out results/main/effects
	$(SIM) thresholds results/main
	$(SIM) report results/main --lang nb

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -q

# The quick loop while developing: everything but the tests marked slow (large-scale checks,
# notebook execution, report building); make test, and so CI, runs those too.
test-fast: $(STAMP)
	$(VENV)/bin/pytest -q -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Regenerate the parameter table in docs/model.md from the parameter data files and the
# catalogue of metrics and groups docs/metrics.md from sim/analysis/catalogue.py
# (tests/test_docs.py and tests/test_metrics_catalogue.py fail while they are stale).
docs: $(STAMP)
	$(PY) -m sim.present.docs

# Regenerate every model result in docs/*.md and README.md (the blocks between
# <!-- generated:NAME --> markers) from runs of the shipped model, about 13 minutes on 2 cores
# (docs/scenarios.md's two dose-responses about 3 of them);
# tests/test_docs_results.py fails when the model's outputs changed since the last run.
docs-results: $(STAMP)
	$(PY) tools/docs_results.py

dashboard: $(STAMP)
	$(SIM) dashboard scenarios/baseline.toml

# JupyterLab for the notebooks and your own plugins, opened at the repository root. The lab
# runs from its own environment, .venv-lab (tools/lab-requirements.txt, pinned by
# constraints.txt), so the project's .venv stays as the tests and the dashboard use it
# (JupyterLab's dependencies make every jsonschema import, e.g. the dashboard's, about 2 s
# slower); its python3 kernel is .venv's Python, with the package.
# Extra options: make lab LAB_ARGS="--no-browser --port 8899". Root needs --allow-root.
LAB_VENV := .venv-lab
LAB_STAMP := $(LAB_VENV)/.installed
LAB_ARGS ?=

$(LAB_STAMP): $(STAMP) tools/lab-requirements.txt constraints.txt tools/find_python.sh
	@PY_BASE="$$(tools/find_python.sh)" || exit 1; \
	[ -x $(LAB_VENV)/bin/python ] || "$$PY_BASE" -m venv $(LAB_VENV)
	$(LAB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LAB_VENV)/bin/python -m pip install --quiet -c constraints.txt -r tools/lab-requirements.txt
	$(PY) -m ipykernel install --prefix $(LAB_VENV) --name python3 \
		--display-name "Python 3 (project .venv)"
	@touch $(LAB_STAMP)

lab: $(LAB_STAMP)
	$(LAB_VENV)/bin/jupyter lab $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/bench_scaling.py

clean:
	rm -rf $(VENV) $(LAB_VENV) .pytest_cache

# Two commands on a fresh machine: `make run` and `make test`.
# Both create .venv from this repository's own files (pyproject.toml + constraints.txt).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SIM := $(VENV)/bin/sim

.PHONY: install run test lint format bench clean dashboard

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt tools/find_python.sh tools/post_install.sh
	@PY_BASE="$$(tools/find_python.sh)" || exit 1; \
	echo "Using $$PY_BASE"; \
	[ -x $(PY) ] || "$$PY_BASE" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev,dashboard]'
	bash tools/post_install.sh $(VENV)
	@touch $(STAMP)

run: $(STAMP)
	$(SIM) run scenarios/baseline.toml --reps 5 --years 15 --scale 1.0 --out results/baseline

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

dashboard: $(STAMP)
	$(SIM) dashboard scenarios/baseline.toml

bench: $(STAMP)
	$(PY) benchmarks/bench_scaling.py

clean:
	rm -rf $(VENV) .pytest_cache

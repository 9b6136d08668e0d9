# tdi-graph: two commands do everything on a fresh machine with python3 (and npm):
#   make run   - virtual env, install, validate, build the store, serve on 127.0.0.1:8000
#   make test  - virtual env, install (Python, npm assets, Chromium), lint and every test

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
VENDOR := api/tdi_graph_api/static/vendor
SEEDS  ?= ../shared/seeds
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test test-remote scale test-fast install assets browser virtuoso validate load serve lint typecheck \
	bench docs openapi fixtures dump clean

# `validate` already ran SHACL, the link and the evidence checks: the load does not repeat them.
# Both are skipped when the current build was made from the same inputs and code.
run: install assets
	$(BIN)/tdi-graph load --check || { $(MAKE) --no-print-directory validate && $(BIN)/tdi-graph load --no-validate; }
	$(BIN)/tdi-graph serve --host $(HOST) --port $(PORT)

# Every test, the real-data smoke tests (-m full) and the wall-clock checks (-m perf) too.
# mypy is not in it yet: `make typecheck` (errors left in files other branches are editing).
# tests/remote (real engines: Oxigraph's server and Virtuoso, started and stopped by the tests)
# runs apart, `make test-remote` (.ci/run runs both).
test: install assets browser
	$(BIN)/ruff check src api tests bench
	$(BIN)/ruff format --check src api tests bench
	$(BIN)/pytest -q -m "not remote"

test-remote: install virtuoso
	$(BIN)/pytest -q tests/remote

# docs/scaling.md's figures: ~10 M quads, embedded against Oxigraph's server and Virtuoso (niced;
# SCALE_TRIPLES=1000000 for a quick run). Minutes to an hour; ~12 GB of memory at 10 M.
SCALE_TRIPLES ?= 14000000
scale: install virtuoso
	nice -n 10 $(BIN)/python -m tests.remote.bench_scaling $(SCALE_TRIPLES) --light

# While working: without the full-data module and the timing checks.
test-fast: install assets browser
	$(BIN)/pytest -q -m "not full and not perf"

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test,bench]"
	touch $@

assets: $(VENDOR)/.installed

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/yasgui $(VENDOR)/cytoscape $(VENDOR)/leaflet
	cp node_modules/@zazuko/yasgui/build/yasgui.min.js node_modules/@zazuko/yasgui/build/yasgui.min.css $(VENDOR)/yasgui/
	cp node_modules/cytoscape/dist/cytoscape.min.js $(VENDOR)/cytoscape/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	touch $@

# Debian's Chromium for the browser tests (installed only when missing; needs root or sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

# Debian's Virtuoso Open Source for tests/remote (installed only when missing; needs root or sudo).
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq virtuoso-opensource >/dev/null; }

validate: install
	$(BIN)/tdi-graph validate --sources $(SEEDS)

load: install
	$(BIN)/tdi-graph load

serve: install
	$(BIN)/tdi-graph serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src api tests bench
	$(BIN)/ruff format --check src api tests bench

typecheck: install
	$(BIN)/mypy

# Benchmarks print figures (wrk is used when installed: apt-get install wrk).
bench: install assets
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.queries
	$(BIN)/python -m bench.sparql
	$(BIN)/python -m bench.api
	$(BIN)/python -m bench.network

# The whole dataset for /downloads (N-Quads, TriG, JSON-LD, Turtle per graph, CSV, checksums).
dump: install
	$(BIN)/tdi-graph dump

docs: install openapi
	$(BIN)/python -m tdi_graph.docs

# docs/openapi.json, the API's committed description (tests/api/test_openapi.py compares).
openapi: install
	$(BIN)/python -m tdi_graph_api.openapi

# The reference sample of the tests (tests/fixtures/reference), cut from data/reference.
fixtures: install
	$(BIN)/python -m tests.fixtures.generate

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var

# tdi-graph: two commands do everything on a fresh machine with python3 (and npm):
#   make run   - virtual env, install, validate, build the store, serve on 127.0.0.1:8000
#   make test  - virtual env, install (Python, npm assets, Chromium), lint and every test

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
VENDOR := api/tdi_graph_api/static/vendor
GENERATED := api/tdi_graph_api/static/generated
SEEDS  ?= ../shared/seeds
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Python caches compiled modules in __pycache__ (ignored by git); a PYTHONDONTWRITEBYTECODE
# set in the caller's environment would make every process compile the project again, and
# pytest rewrite every test module again in each worker: 5.0 -> 2.3 CPU-s to collect the tests,
# 94 -> 87 s for the test pass.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-remote scale test-fast install assets browser virtuoso wrk validate load serve lint \
	typecheck bench bench-10m docs openapi fixtures dump audit clean reliability

# The load runs SHACL (in a process of its own, while it writes the store), the link and the
# excerpt checks, and makes the build current only if they pass. It is skipped when the current
# build was made from the same inputs and code; the dumps of /downloads are written once per build.
run: install assets
	$(BIN)/tdi-graph load --check || $(BIN)/tdi-graph load --sources $(SEEDS)
	$(BIN)/tdi-graph dump --if-missing
	$(BIN)/tdi-graph serve --host $(HOST) --port $(PORT)

# Every test, the real-data smoke tests (-m full) and the wall-clock checks (-m perf) too, on
# TEST_WORKERS processes (pytest-xdist; a test file stays in one process, with its fixtures).
# Many tests wait (time limits, subprocesses, Chromium): more workers than cores pays. The
# wall-clock checks (-m perf) run after, alone (beside the others they measure the machine), with
# the real-data module (-m full), whose one load they share.
TEST_WORKERS ?= 3
# tests/remote (real engines: Oxigraph's server and Virtuoso, started and stopped by the tests)
# runs apart, `make test-remote` (.ci/run runs both).
test: install assets browser
	$(BIN)/ruff check src api tests bench
	$(BIN)/ruff format --check src api tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q -m "not remote and not perf and not full" -n $(TEST_WORKERS) --dist loadfile
	$(BIN)/pytest -q -m "(perf or full) and not remote"

test-remote: install virtuoso
	$(BIN)/pytest -q tests/remote

# docs/scaling.md's figures: ~10 M quads, embedded against Oxigraph's server and Virtuoso, named
# queries and API routes (niced; SCALE_TRIPLES=200000 for a quick run). About an hour at 10 M
# on 2 shared cores; the process peaks near 7 GB, the engines near 2.5 GB each.
SCALE_TRIPLES ?= 14000000
scale: install virtuoso
	nice -n 10 $(BIN)/python -m tests.remote.bench_scaling $(SCALE_TRIPLES) --light --oxigraph-load

# While working: without the full-data module and the timing checks.
test-fast: install assets browser
	$(BIN)/pytest -q -m "not full and not perf"

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test,bench]"
	touch $@

assets: $(VENDOR)/.installed $(GENERATED)/ontology.html

# The /ontology page, generated from ontology/ (pyLODE, plus shapes, vocabularies and a diagram).
$(GENERATED)/ontology.html: $(VENV)/.installed $(wildcard ontology/*.ttl ontology/vocabularies/*.ttl) src/tdi_graph/ontology_doc.py
	$(BIN)/python -m tdi_graph.ontology_doc --html $@

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/yasgui $(VENDOR)/cytoscape $(VENDOR)/leaflet $(VENDOR)/swagger-ui
	cp node_modules/@zazuko/yasgui/build/yasgui.min.js node_modules/@zazuko/yasgui/build/yasgui.min.css $(VENDOR)/yasgui/
	cp node_modules/cytoscape/dist/cytoscape.min.js $(VENDOR)/cytoscape/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
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

# Debian's wrk for the HTTP benchmarks (installed only when missing; needs root or sudo).
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }

# A bounded 60 s load at 64 connections on 127.0.0.1 against a real `tdi-graph serve` (mixed
# routes, runaway SPARQL, malformed inputs; a worker killed and a load beside it): figures as
# JSON, reported in docs/reliability.md. Its own store, built from the test fixtures.
RELIABILITY_STORE ?= /tmp/tdi-graph-reliability-store
reliability: install wrk
	rm -rf $(RELIABILITY_STORE)
	$(BIN)/python -c "from pathlib import Path; from tdi_graph.load import load; \
	  from tests.fixtures import REFERENCE; load(Path('$(RELIABILITY_STORE)'), validate=False, reference=REFERENCE)"
	$(BIN)/python tests/reliability/load_run.py --store $(RELIABILITY_STORE) --seconds 60 --connections 64

validate: install
	$(BIN)/tdi-graph validate --sources $(SEEDS)

load: install
	$(BIN)/tdi-graph load

serve: install
	$(BIN)/tdi-graph serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src api tests bench
	$(BIN)/ruff format --check src api tests bench

# Known vulnerabilities of every installed package (pip-audit). It needs the vulnerability
# service of the package index, which this workplace's machines and CI do not reach (every
# package answers "not found"): so it is not in .ci/run, and --strict makes it fail, not skip.
audit: install
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off

typecheck: install
	$(BIN)/mypy

# Every benchmark, its figures written to bench/RESULTS.md (bench.serving writes its tables, the
# others through bench.record); Debian's wrk drives the HTTP load (installed only when missing).
# The real graph's build is made first when it is missing or stale, as `make run` does.
bench: install assets wrk
	$(BIN)/tdi-graph load --check || $(BIN)/tdi-graph load --sources $(SEEDS)
	$(BIN)/python -m bench.serving --fresh
	$(BIN)/python -m bench.serving --synthetic 100000 --rdflib
	$(BIN)/python -m bench.serving --synthetic 1000000
	$(BIN)/python -m bench.record bench.queries 1000000
	$(BIN)/python -m bench.record bench.load
	$(BIN)/python -m bench.record bench.startup
	$(BIN)/python -m bench.record bench.sparql
	$(BIN)/python -m bench.record bench.network

# The same at 10 M synthetic triples (long: a separate target).
bench-10m: install assets wrk
	$(BIN)/python -m bench.serving --synthetic 10000000 --runs 1

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

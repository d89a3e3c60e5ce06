# atlas-territorial — the two doors: `make run` and `make test`.
# Every target is idempotent: a second run only redoes what changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := data/demo.gpkg
PORT   ?= 8501

.PHONY: install system-deps run demo test test-fast lint bench clean help

help:
	@echo "make run    install, build the demo atlas, serve the app on http://localhost:$(PORT)"
	@echo "make test   install what the tests need (PostGIS, Chromium included) and run them"
	@echo "make test-fast  the inner loop: GeoPackage only, no browser, no slow test (< 3 min)"
	@echo "make lint   ruff on the whole project"
	@echo "make bench  run the benchmarks in bench/ (slow; figures go in the README)"

install: $(VENV)/.installed vendor

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[app,test]"
	touch $@

vendor: atlas/render/assets/vendor/.installed

atlas/render/assets/vendor/.installed: $(VENV)/.installed package.json package-lock.json atlas/render/vendor.py
	scripts/ensure-system-deps.sh node
	npm ci --silent --no-audit --no-fund
	$(BIN)/python -c "import sys; from atlas.render.vendor import main; sys.exit(main())"
	touch $@

system-deps:
	scripts/ensure-system-deps.sh test

$(DEMO): | install
	$(BIN)/atlas demo --out $(DEMO)

demo: install $(DEMO)

run: install $(DEMO)
	ATLAS_URL=$(DEMO) $(BIN)/streamlit run app.py --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: install system-deps
	$(BIN)/python -m pytest

# The inner loop while developing: every test that needs neither the PostGIS cluster nor
# Chromium nor more than a few seconds. `make test` (and CI) still run everything.
test-fast: install system-deps
	$(BIN)/python -m pytest -q -m "not slow and not browser and not postgis"

lint: install
	$(BIN)/ruff check .

bench: install system-deps
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules atlas/render/assets/vendor .pytest_cache test-output $(DEMO)

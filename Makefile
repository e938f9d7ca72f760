# The two commands a newcomer needs:  make run   and   make test
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ASSETS := node_modules/.installed
BUILT := build/.built
POSTGRES_TEST_URL ?= postgres://postgres@127.0.0.1:5432/agentmatch

.PHONY: run test lint typecheck test-sqlite test-postgres bench clean messages screenshots assets lighthouse

$(PY):
	@interp=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$interp ($$($$interp --version))"; \
	$$interp -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt pyproject.toml $(ASSETS)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# Front-end packages (USWDS, htmx, axe-core) from the npm registry, pinned by package-lock.json.
$(ASSETS): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 18+) is needed for the page assets: install Node.js from your OS packages." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(ASSETS)

# What the pages load, built from those packages into build/static/ (never committed):
# USWDS compiled from its Sass with only the components we use, the fonts, icons and
# scripts it needs. `agentmatch collectstatic` then hashes and compresses them for serving.
$(BUILT): $(ASSETS) scripts/build-assets.mjs agentmatch/core/assets/uswds.scss
	node scripts/build-assets.mjs

assets: $(BUILT)

## make run: install, migrate, load demo data, start web (http://127.0.0.1:8000) and worker on SQLite
## (with a random secret key of its own in data/secret_key: DEBUG stays off, as in production)
run: $(STAMP) $(BUILT)
	$(VENV)/bin/agentmatch collectstatic --no-input --verbosity 0
	$(VENV)/bin/agentmatch make-secret-key
	$(VENV)/bin/agentmatch migrate --no-input
	$(VENV)/bin/agentmatch load_demo
	$(VENV)/bin/agentmatch run

## make test: lint, type-check, then the whole suite on SQLite and on PostgreSQL
test: $(STAMP) lint typecheck test-sqlite test-postgres

lint: $(STAMP)
	$(VENV)/bin/ruff check agentmatch bench conftest.py
	$(VENV)/bin/ruff format --check agentmatch bench conftest.py

typecheck: $(STAMP)
	$(VENV)/bin/mypy agentmatch

test-sqlite: $(STAMP) $(BUILT)
	DATABASE_URL=sqlite:///data/test.sqlite3 $(VENV)/bin/pytest

test-postgres: $(STAMP) $(BUILT)
	@$(PY) scripts/check_postgres.py "$(POSTGRES_TEST_URL)"
	DATABASE_URL=$(POSTGRES_TEST_URL) $(VENV)/bin/pytest

## make messages: refresh every app's Spanish catalog from the code, then compile them
## (fill new entries with scripts/po_fill.py or by hand; the tests fail while any is empty)
messages: $(STAMP)
	@for dir in agentmatch/*/locale; do app=$$(dirname $$dir); \
	  (cd $$app && ../../$(VENV)/bin/agentmatch makemessages -l es --no-obsolete --no-location --no-wrap) || exit 1; \
	done
	$(VENV)/bin/django-admin compilemessages --ignore=.venv --ignore=node_modules

## make screenshots: full-page PNGs of the main pages (English and Spanish, phone and desktop)
## into docs/screenshots/, taken by the every-page browser test (needs Chromium)
screenshots: $(STAMP) $(BUILT)
	SCREENSHOTS_DIR=docs/screenshots $(VENV)/bin/pytest agentmatch/core/tests/test_every_page_in_browser.py

bench: $(STAMP) $(BUILT)
	$(PY) bench/run.py

## make lighthouse: Lighthouse's phone preset on the consumer pages and Manage Referrals
## (a production-like server of its own; medians into docs/benchmarks.md)
lighthouse: $(STAMP) $(BUILT)
	$(PY) bench/lighthouse.py --write-docs

clean:
	rm -rf $(VENV) data build

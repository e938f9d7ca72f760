# The two commands a newcomer needs:  make run   and   make test
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
POSTGRES_TEST_URL ?= postgres://postgres@127.0.0.1:5432/agentmatch

.PHONY: run test lint typecheck test-sqlite test-postgres bench clean

$(PY):
	@interp=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$interp ($$($$interp --version))"; \
	$$interp -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

## make run: install, migrate, load demo data, start web (http://127.0.0.1:8000) and worker on SQLite
run: $(STAMP)
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

test-sqlite: $(STAMP)
	DATABASE_URL=sqlite:///data/test.sqlite3 $(VENV)/bin/pytest

test-postgres: $(STAMP)
	@$(PY) scripts/check_postgres.py "$(POSTGRES_TEST_URL)"
	DATABASE_URL=$(POSTGRES_TEST_URL) $(VENV)/bin/pytest

bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) data

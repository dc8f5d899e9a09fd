# Two commands do all set-up on a fresh machine:  make run  and  make test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app monitoris

.PHONY: run test test-sqlite test-postgresql lint install install-dev bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever the dependencies change.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Migrate the SQLite database in instance/, load the demo when it is empty, serve on 127.0.0.1.
run: install
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	@echo
	@$(FLASK) demo accounts
	@echo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: install-dev
	$(BIN)/ruff check monitoris tests bench migrations/env.py wsgi.py

# The whole suite, once on SQLite and once on PostgreSQL (which must answer: the leg never skips).
test: install-dev lint test-sqlite test-postgresql

test-sqlite: install-dev
	MONITORIS_TEST_DB=sqlite $(BIN)/pytest

test-postgresql: install-dev
	MONITORIS_TEST_DB=postgresql $(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info

# Two commands do all set-up on a fresh machine:  make run  and  make test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app monitoris

MAIL_PORT ?= 8025
# The benchmarks `make bench` runs, in order: bench/<name>.py, each on a fresh PostgreSQL database.
BENCHMARKS := deadline_scan dispatch_rate list_api analysis plan_import upload_memory two_instances
# Links in the demo's emails point at the port the demo serves on.
export MONITORIS_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test test-sqlite test-postgresql lint install install-dev catalogs bench clean

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

# Message catalogues are compiled here, never committed as binaries.
catalogs: | $(BIN)/python
	$(BIN)/pybabel -q compile -d monitoris/translations

# Migrate the SQLite database in instance/, load the demo when it is empty, then serve on 127.0.0.1
# with the scheduler beside it and a local mail sink (the demo's emails land in instance/mail.log).
# The three stop together: on Ctrl-C, when the server exits, and when make itself is terminated
# (make does not pass a SIGTERM on, so the recipe watches that its parent is still there).  Only
# these three are stopped, not the whole process group, which may hold whoever started make.
run: install catalogs
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	@echo
	@$(FLASK) demo accounts
	@echo "  Emails sent by the demo's scheduler are written to instance/mail.log"
	@echo
	@pids=; trap 'kill $$pids 2>/dev/null' INT TERM EXIT; \
	export MONITORIS_MAIL_HOST=127.0.0.1 MONITORIS_MAIL_PORT=$(MAIL_PORT); \
	$(BIN)/python -m aiosmtpd -n -l 127.0.0.1:$(MAIL_PORT) -c aiosmtpd.handlers.Debugging stdout \
	  >> instance/mail.log 2>&1 & pids=$$!; \
	$(FLASK) scheduler & pids="$$pids $$!"; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT) & web=$$!; pids="$$pids $$web"; \
	while kill -0 $$web 2>/dev/null; do kill -0 $$PPID 2>/dev/null || exit 0; sleep 1; done; wait $$web

lint: install-dev
	$(BIN)/ruff check monitoris tests bench migrations/env.py wsgi.py

# The whole suite, once on SQLite and once on PostgreSQL (which must answer: the leg never skips).
test: install-dev catalogs lint test-sqlite test-postgresql

test-sqlite: install-dev catalogs
	MONITORIS_TEST_DB=sqlite $(BIN)/pytest

test-postgresql: install-dev catalogs
	MONITORIS_TEST_DB=postgresql $(BIN)/pytest

# Every benchmark on PostgreSQL (MONITORIS_BENCH_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres).
# Each prints its figures as "name: value unit", beside the baseline measured in the same run;
# `make bench BENCH_JSON=figures.jsonl` also writes them there, one JSON object per line.
bench: install catalogs
	@log=$$(mktemp); trap 'rm -f $$log' EXIT; \
	$(if $(BENCH_JSON),: > $(BENCH_JSON); export MONITORIS_BENCH_JSON=$(abspath $(BENCH_JSON));) \
	for name in $(BENCHMARKS); do \
	  echo "# bench/$$name.py"; \
	  $(BIN)/python -m bench.$$name 2>$$log || { cat $$log >&2; echo "bench/$$name.py failed" >&2; exit 1; }; \
	  grep -i '^warning' $$log >&2 || true; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info

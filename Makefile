# Cakap: `make demo` to try it, `make test` for the whole check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/cakap
HOST ?= 127.0.0.1
PORT ?= 8000
# The address `make demo` and `make serve` print and give links made without a request
# (pages build theirs, the calendar feed's included, from the address they are asked at).
SITE_URL ?= http://$(HOST):$(PORT)
# `make bench BENCH_ARGS="--participants 500"`; see bench/checkin_burst.py.
BENCH_ARGS ?=
BENCH_PROFILE_URL ?= postgres://postgres@127.0.0.1:5432/cakap_prof
export CAKAP_DEBUG ?= 1

.PHONY: help env demo serve test lint types migrations-check pytest pytest-sqlite pytest-postgres messages lock bench bench-profile clean

help:
	@echo "make demo   create the environment, migrate, seed the demo and serve it (PORT=8000)"
	@echo "make test   lint, types, migrations check and all tests (SQLite, then PostgreSQL)"
	@echo "make bench  the check-in burst on PostgreSQL (BENCH_ARGS=...); bench-profile: one scan's cost"

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

env: $(VENV)/.installed

demo: env
	$(PY) manage.py migrate --no-input -v0
	@# The seed's reminders go to fictitious officials: logged, mailed to no one.
	CAKAP_SITE_URL=$(SITE_URL) CAKAP_EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend \
		$(PY) manage.py seed_demo
	@echo
	@echo "Cakap is serving at http://$(HOST):$(PORT)/ with its worker beside it  (Ctrl-C stops both)"
	@export CAKAP_SITE_URL=$(SITE_URL) CAKAP_TASKS_BACKEND=database; \
	$(PY) manage.py run_worker --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

serve: env
	CAKAP_SITE_URL=$(SITE_URL) $(PY) manage.py runserver $(HOST):$(PORT)

lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: env
	$(BIN)/mypy cakap

migrations-check: env
	$(PY) manage.py makemigrations --check --dry-run

pytest-sqlite: env
	DATABASE_URL= $(BIN)/pytest

# PostgreSQL runs when reachable; CAKAP_REQUIRE_POSTGRES=1 (set by .ci/run) makes it mandatory.
pytest-postgres: env
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest; \
	elif [ "$$CAKAP_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL is required but not reachable at $(PG_TEST_URL)"; exit 1; \
	else \
		echo "PostgreSQL not reachable at $(PG_TEST_URL): skipping the PostgreSQL run"; \
	fi

pytest: pytest-sqlite pytest-postgres

test: lint types migrations-check pytest

messages: env
	$(PY) manage.py makemessages -l id --ignore=.venv --ignore=static --ignore=var
	$(PY) manage.py compilemessages -l id --ignore=.venv

lock: env
	$(BIN)/uv lock && $(BIN)/uv export --format requirements-txt --all-groups --no-emit-project --no-header -q -o requirements.lock

# Checked by hand, never by `make test`: both need PostgreSQL at 127.0.0.1:5432 (README).
bench: env
	$(PY) bench/checkin_burst.py $(BENCH_ARGS)

bench-profile: env
	CAKAP_DEBUG=0 CAKAP_SSL_REDIRECT=0 CAKAP_SECRET_KEY=bench-profile-key \
	DATABASE_URL=$(BENCH_PROFILE_URL) $(BIN)/pytest -q -s -p no:cacheprovider bench/checkin_profile.py

clean:
	rm -rf $(VENV) var/*.sqlite3* staticfiles

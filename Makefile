# Two commands matter: `make run` (the service with demo data) and `make test` (every test).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.installed-$(shell sha256sum requirements.txt | cut -c1-16)
STAMP_NODE := node_modules/.installed-$(shell sha256sum package-lock.json | cut -c1-16)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run serve smoke demo-code test test-fast lint format bench bench-load chromium demo clean

help:
	@echo "make run    - start the service on http://$(HOST):$(PORT) with demo data (SQLite)"
	@echo "make test   - run every test (unit, API, browser + accessibility), lint included"
	@echo "make serve  - run it as production does: gunicorn, task workers and the timetable (Procfile, honcho)"
	@echo "make smoke  - start the production stack on PostgreSQL and Redis and walk a journey through it"
	@echo "make bench  - measure speed against hand-written SQL floors"
	@echo "make bench-load - the service under load beside a bare Django floor (WORKLOADS=P5,P1,R3,R4,R7)"

$(PY):
	@python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null || \
	  { command -v pyenv >/dev/null && pyenv install -s $(PYTHON_VERSION); } || true
	python3 -c 'import sys; assert sys.version_info[:2] == (3, 12), "Python 3.12 is needed (see .python-version)"'
	python3 -m venv $(VENV)

$(STAMP_PY): requirements.txt | $(PY)
	$(PY) -m pip install -q --upgrade pip uv 2>&1 | grep -v "is ignored" || true
	$(VENV)/bin/uv pip sync -q --python $(PY) --require-hashes requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

$(STAMP_NODE): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -f node_modules/.installed-* && touch $@

install: $(STAMP_PY) $(STAMP_NODE)

var:
	mkdir -p var

# The local key that encrypts bids at rest (ADR 7), made once and kept; config/settings/dev.py reads it.
var/bid-encryption.key: | install var
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py bid_keys --write $@

# The local keys that protect referrals' personal data (ADR 12): the Fernet key and the CRN hash key.
var/personal-data.key: | install var
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py personal_data_keys --write $@ --write-hash-key var/personal-data-hash.key

run: install var var/bid-encryption.key var/personal-data.key
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py migrate --noinput -v0
	@test -f var/audit-signing.key || DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py audit_keys --write var/audit-signing.key
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py load_demo_world
	@DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py db_worker --interval 2 & worker=$$!; \
	  DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py run_periodic_tasks > var/periodic-tasks.log 2>&1 & timetable=$$!; \
	  trap "kill $$worker $$timetable 2>/dev/null" EXIT INT TERM; \
	  echo "Background task worker (pid $$worker) and task timetable (pid $$timetable) started."; \
	  echo "Open http://$(HOST):$(PORT)/"; \
	  echo "Staff give a code from an authenticator app after their password. In another terminal: make demo-code EMAIL=<their email>"; \
	  DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py runserver $(HOST):$(PORT)

# The production stack on this machine (README, "Run it in production"): the Procfile's gunicorn,
# WORKERS task workers and the task timetable, under honcho, with the production settings. Settings
# come from the environment; the keys a developer has in var/ stand in for any not set, and plain
# HTTP is allowed unless SECURE_SSL_REDIRECT says otherwise (there is no TLS in front locally).
WORKERS ?= 2
serve: install var var/bid-encryption.key var/personal-data.key
	@test -f var/audit-signing.key || DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py audit_keys --write var/audit-signing.key
	@test -f var/secret.key || (umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret.key)
	@export DJANGO_SETTINGS_MODULE=config.settings.production PATH="$(CURDIR)/$(VENV)/bin:$$PATH" \
	  SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret.key)}" \
	  BID_ENCRYPTION_KEYS="$${BID_ENCRYPTION_KEYS:-$$(cat var/bid-encryption.key)}" \
	  PERSONAL_DATA_KEYS="$${PERSONAL_DATA_KEYS:-$$(cat var/personal-data.key)}" \
	  PERSONAL_DATA_HASH_KEY="$${PERSONAL_DATA_HASH_KEY:-$$(cat var/personal-data-hash.key)}" \
	  AUDIT_SIGNING_KEY="$${AUDIT_SIGNING_KEY:-$$(cat var/audit-signing.key)}" \
	  SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-false}"; \
	  python manage.py collectstatic --noinput -v0 && python manage.py migrate --noinput -v0 && \
	  echo "Open http://$(HOST):$(PORT)/ (Ctrl+C stops every process)" && \
	  exec honcho start --port $(PORT) --concurrency web=1,worker=$(WORKERS),timetable=1

# The CI smoke journey through the production stack (deploy/smoke.py): PostgreSQL database
# cps_smoke (made afresh), Redis, gunicorn with 2 workers, 2 task workers and 2 timetables.
smoke: install
	$(PY) deploy/smoke.py

# The code a demo staff member's authenticator app would show now (refuses unless DEBUG, as in dev).
demo-code: install
	@test -n "$(EMAIL)" || { echo "Say whose code: make demo-code EMAIL=assessor@demo.example"; exit 1; }
	@DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py demo_code "$(EMAIL)"

chromium:
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = "0" ]; then echo "Installing Debian's chromium for browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  { echo "Could not install chromium. Install it with: apt-get install -y chromium"; exit 1; }; \
	else echo "Browser tests need Chromium. Install Debian's package: sudo apt-get install -y chromium"; exit 1; fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Every test, browser tests included; none is skipped silently (see conftest.py).
test: install chromium lint
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -n 2 -m "not browser" $(PYTEST_ARGS)

bench: install var var/bid-encryption.key var/personal-data.key
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) bench/run.py

# The production server under load beside a bare Django project (bench/load, bench/floor), on
# PostgreSQL; writes its tables into docs/performance.md. WORKLOADS=P5 runs one workload.
bench-load: install
	PYTHONPATH=. $(PY) -m bench.load.run

clean:
	rm -rf var/static var/db.sqlite3*

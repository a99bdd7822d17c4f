# The README's commands. `make up` sets up and runs the product; `make test` runs every test.
SHELL := /bin/bash
VENV  ?= .venv
PY    := $(VENV)/bin/python
PIP   := $(VENV)/bin/pip
PORT  ?= 8000
# Tests run against PostgreSQL and Redis (real servers); override for another host.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/igny8
TEST_REDIS_URL    ?= redis://127.0.0.1:6379/15

.PHONY: help setup up run demo test frontend bench bench-smoke check-redis clean lint format api-types

help:
	@echo "make up      - set everything up (venv, DB, demo data, dashboard) and run web + worker + beat"
	@echo "make test    - run the whole test suite (PostgreSQL + Redis, real Celery worker, browser)"
	@echo "make setup   - install and migrate only";  echo "make bench   - run the benchmarks in bench/ (fails when one fails)"
	@echo "make audit   - known vulnerabilities in the Python and npm packages (pip-audit, npm audit)"
	@echo "make lint    - lint, format and type checks (ruff, mypy, prettier, eslint, tsc, API types up to date); make format rewrites the files"
	@echo "make api-types - regenerate the dashboard's API types (frontend/src/api/schema.d.ts) from the OpenAPI schema"

$(PY):
	@PYBIN=$$(scripts/find-python.sh) && $$PYBIN -m venv $(VENV)
	@$(PIP) install -q --upgrade pip

# Running the product needs the runtime dependencies only; tests, lint and benchmarks add the
# development ones (pytest, playwright, schemathesis, ruff, mypy...).
$(VENV)/.runtime: requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	@touch $@

$(VENV)/.deps: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

# The dashboard is rebuilt only when one of its sources is newer than the last build.
DASHBOARD_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	$(wildcard frontend/index.html frontend/package.json frontend/package-lock.json frontend/vite.config.ts frontend/tsconfig.json)

ifneq ($(wildcard frontend/package.json),)
frontend: frontend/dist/index.html
else
frontend:
endif

frontend/dist/index.html: $(DASHBOARD_SOURCES)
	@command -v npm >/dev/null || { echo "npm is needed to build the dashboard (apt-get install nodejs npm)"; exit 1; }
	cd frontend && { node scripts/deps-installed.mjs || npm ci --no-audit --no-fund; } && npm run build
	@# A .gz next to each built file: the bundle is served compressed (igny8_core/api/spa.py).
	@if [ -x $(PY) ]; then $(PY) -m whitenoise.compress -q frontend/dist; fi
	@touch $@

setup: $(VENV)/.runtime frontend
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo

check-redis: $(VENV)/.runtime
	@PYTHON=$(PY) scripts/check-redis.sh

up run demo: check-redis setup
	@echo ""
	@echo "  IGNY8 Automation is starting on http://127.0.0.1:$(PORT)/  (login: demo / demo-password)"
	@echo "  Stop with Ctrl-C."
	@echo ""
	PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

test: $(VENV)/.deps frontend
	@if [ -f frontend/package.json ]; then cd frontend && npm test; fi
	@DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" PYTHON=$(PY) scripts/check-redis.sh
	DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" $(VENV)/bin/pytest $(PYTEST_ARGS)

# Every benchmark runs; the target fails when any of them failed (a run that did not complete,
# an item that failed, a wrong balance). bench-smoke: the same scripts on a tiny site, as CI runs them.
bench: $(VENV)/.deps
	@failed=""; for b in bench/bench_*.py; do echo "== $$b"; \
	  DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" $(PY) $$b || failed="$$failed $$b"; \
	done; if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi

bench-smoke: $(VENV)/.deps
	DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" $(VENV)/bin/pytest -q tests/bench

lint: $(VENV)/.deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	@if [ -f frontend/package.json ]; then \
	  cd frontend && { node scripts/deps-installed.mjs || npm ci --no-audit --no-fund; } \
	    && npm run -s format:check && npm run -s lint; \
	fi
	@# The committed API types must be what the schema generates now (the API is their source).
	@if [ -f frontend/package.json ]; then VENV=$(VENV) scripts/api-types.sh --check; fi

# The dashboard's TypeScript types of the API, generated from the OpenAPI schema.
api-types: $(VENV)/.deps
	VENV=$(VENV) scripts/api-types.sh

# Exit 3 when the vulnerability data cannot be reached; AUDIT_IF_REACHABLE=1 (CI) makes that a skip.
audit: $(VENV)/.deps
	@VENV=$(VENV) scripts/audit.sh

format: $(VENV)/.deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	cd frontend && npm run -s format

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist staticfiles

# Two commands: `make run` serves the app with demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
FLASK  := $(BIN)/flask --app app

.PHONY: run test test-sqlite test-postgres serve nginx-conf check-content clean translations catalogs bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.installed-app: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-app

run: $(VENV)/.installed-app catalogs
	$(FLASK) check-content
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty
	@# The mail worker runs beside the server and stops with it; its first line says where messages go.
	$(FLASK) send-mail & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

# The whole suite on SQLite (with the browser tests), then every test that reaches the database again on a
# throw-away PostgreSQL 15 server. Each pass names its slowest tests at the end.
# scripts/test_setup.py installs Chromium, PostgreSQL and axe-core when they are missing.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-dev catalogs
	$(BIN)/python scripts/test_setup.py
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --durations=15
	$(BIN)/python scripts/with_postgres.py $(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not browser" --durations=15

# One database at a time.
test-sqlite: $(VENV)/.installed-dev catalogs
	$(BIN)/python scripts/test_setup.py
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

test-postgres: $(VENV)/.installed-dev catalogs
	$(BIN)/python scripts/test_setup.py
	$(BIN)/python scripts/with_postgres.py $(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not browser"

# Production-style serving with gunicorn (see README "Running in production": set SECRET_KEY, DATABASE_URL).
# Several app servers: run `make serve HOST=<its private address>` on each, with the same SECRET_KEY and
# DATABASE_URL (one PostgreSQL) and TRUSTED_PROXIES=1, and nginx in front of them (`make nginx-conf`). They may
# start at the same moment: one runs the migrations, the others wait for it. tests/test_deployment.py serves two
# behind nginx on one PostgreSQL.
WORKERS ?= 3
serve: $(VENV)/.installed-app catalogs
	ONBOARDING_ENV=production $(FLASK) init-db
	ONBOARDING_ENV=production $(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --preload --access-logfile - app:app

# The nginx site (deploy/nginx.conf) for the app servers, on standard output:
#   make nginx-conf APP_SERVERS="10.0.0.11:5000 10.0.0.12:5000" SERVER_NAME=onboarding.example.com \
#       CERTIFICATE=/etc/ssl/certs/onboarding.pem CERTIFICATE_KEY=/etc/ssl/private/onboarding.key
APP_SERVERS ?= 127.0.0.1:$(PORT)
SERVER_NAME ?= localhost
CERTIFICATE ?= /etc/ssl/certs/onboarding.pem
CERTIFICATE_KEY ?= /etc/ssl/private/onboarding.key
nginx-conf:
	@$(PYTHON) deploy/nginx_conf.py $(foreach server,$(APP_SERVERS),--app $(server)) --server-name "$(SERVER_NAME)" \
		--certificate "$(CERTIFICATE)" --key "$(CERTIFICATE_KEY)"

check-content: $(VENV)/.installed-app
	$(FLASK) check-content

clean:
	rm -rf $(VENV) .pytest_cache test-output tests/e2e/tools

# Compiled catalogs (.mo) are built from the committed .po files, never committed themselves.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
catalogs: $(CATALOGS)
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed-app
	$(BIN)/pybabel compile -d translations -l $*

# Extract every marked string into the translation template (messages.pot) and update catalogs.
translations: $(VENV)/.installed-app
	mkdir -p translations
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_ngettext:1,2 -o translations/messages.pot .
	if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then $(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations; fi
	if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then $(BIN)/pybabel compile -d translations; fi

# Speed targets live here, not in timed tests: the head's pages timed in-process for 1,000 trainees, then
# throughput under gunicorn against a bare Flask app, for 1,000 and 10,000 trainees (BENCH_SECONDS per load), and the
# question statistics over 10,000 graded attempts, then the quiz autosave and the ledger save at 64 connections on
# SQLite and on a throw-away PostgreSQL (scripts/with_postgres.py).
# Every benchmark runs and prints its table; the target fails at the end when any of them missed a goal.
bench: $(VENV)/.installed-app
	status=0; \
	$(BIN)/python benchmarks/dashboard.py 1000 || status=1; \
	$(BIN)/python benchmarks/serve.py 1000 || status=1; \
	$(BIN)/python benchmarks/serve.py 10000 || status=1; \
	$(BIN)/python benchmarks/question_stats.py 10000 || status=1; \
	$(BIN)/python benchmarks/writes.py 1000 || status=1; \
	BENCH_DATABASE=postgres $(BIN)/python benchmarks/writes.py 1000 || status=1; \
	exit $$status

# QM Portal: two commands on a fresh machine.
#   make run   set everything up and serve the portal with demo data (SQLite by default)
#   make test  set up what the tests need and run the whole suite (DATABASE_URL picks PostgreSQL)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
ASSETS := assets/build
USWDS := node_modules/@uswds/uswds/dist

.PHONY: run test setup setup-dev assets lint typecheck unit browser sqlite-unit chromium migrate clean \
	security security-tools bench load faults bench-tools

# --- setting up -----------------------------------------------------------------------------
$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS)/css/styles.css: node_modules/.installed $(wildcard assets/sass/*.scss)
	npm run --silent build

assets: $(ASSETS)/css/styles.css $(wildcard assets/js/*.js assets/img/*)
	mkdir -p $(ASSETS)/js
	cp $(USWDS)/js/uswds.min.js* $(USWDS)/js/uswds-init.min.js* assets/js/*.js $(ASSETS)/js/
	cp node_modules/chart.js/dist/chart.umd.min.js* $(ASSETS)/js/
	cp -r $(USWDS)/fonts $(USWDS)/img $(ASSETS)/
	cp assets/img/* $(ASSETS)/img/

setup: $(VENV)/.runtime assets
setup-dev: $(VENV)/.dev assets
	mkdir -p var

migrate: setup
	mkdir -p var
	$(PY) manage.py migrate --no-input --verbosity 0

# --- make run -------------------------------------------------------------------------------
# The development identity provider (tools/dev-idp) stands in for the agency's, on IDP_PORT.
IDP_PORT ?= 8001
DEV_SSO := SSO_ISSUER=http://127.0.0.1:$(IDP_PORT) SSO_CLIENT_ID=qmportal-dev \
	SSO_CLIENT_SECRET=development-only-client-secret SSO_GROUP_ROLES='qm-portal-admins=agency.admin,qm-portal-ohr=ohr.staff,qm-portal-qoc=qoc.manager;qoc.investigator;qoc.submitter'
# PORT goes to the portal's processes too: links in e-mails and letters follow it (SITE_URL).
# The demo sign-ins and the address come last, once the server answers, below its own lines.
DEV_RUN := PORT=$(PORT) $(DEV_SSO)
run: migrate
	@$(DEV_RUN) $(PY) manage.py seed_demo --identity-provider-accounts var/dev-idp-accounts.json \
	  > var/demo-sign-ins.txt
	@trap 'kill 0' EXIT; \
	node tools/dev-idp/server.mjs --port $(IDP_PORT) --client-id qmportal-dev \
	  --client-secret development-only-client-secret --accounts var/dev-idp-accounts.json \
	  --redirect-uri http://127.0.0.1:$(PORT)/sign-in/agency/callback/ \
	  --redirect-uri http://localhost:$(PORT)/sign-in/agency/callback/ >/dev/null & \
	$(DEV_RUN) $(PY) manage.py db_worker --interval 1 --no-reload & \
	$(PY) manage.py seal_audit --forever --interval 1 >/dev/null & \
	{ $(PY) tools/wait_for_server.py 127.0.0.1 $(PORT) && cat var/demo-sign-ins.txt && \
	  echo "QM Portal: http://127.0.0.1:$(PORT)/  (Ctrl+C stops the server, task worker, audit sealer and IdP)"; } & \
	DJANGO_RUNSERVER_HIDE_WARNING=true $(DEV_RUN) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# --- make test ------------------------------------------------------------------------------
chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run --verbosity 0

typecheck: setup-dev
	$(VENV)/bin/mypy .

unit: setup-dev
	$(VENV)/bin/pytest portal bench -n 2 -q

browser: setup-dev chromium
	$(VENV)/bin/pytest e2e -q

test: lint typecheck unit browser

# --- make security (not part of make test) -------------------------------------------------
# sqlmap and wapiti against the portal on 127.0.0.1 with PostgreSQL, its own database, the
# scan-only settings (config/settings_scan.py) and planted controls; see docs/security.md.
SECURITY_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/qm_security
SECURITY_MINUTES ?= 22
# sqlmap's time-based probes mostly wait, so more processes than cores still finish sooner.
SQLMAP_PROCESSES ?= 3
security-tools:
	@command -v sqlmap >/dev/null && command -v wapiti >/dev/null || { \
	  echo "Installing Debian's sqlmap and wapiti for make security"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq sqlmap wapiti >/dev/null; }

security: setup security-tools
	$(PY) -m tools.security.run_scans --database-url $(SECURITY_DATABASE_URL) \
	  --minutes $(SECURITY_MINUTES) --sqlmap-processes $(SQLMAP_PROCESSES)

# --- make bench, make load, make faults (not part of make test) ------------------------------
# Each starts what it measures on 127.0.0.1 against its own PostgreSQL database (the drills on a
# private cluster of their own), stops by itself and prints its figures; see docs/performance.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/qm_bench
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/qm_load
$(VENV)/.bench: requirements-bench.txt $(VENV)/.dev
	$(PY) -m pip install --quiet -r requirements-bench.txt
	touch $@

bench-tools:
	@command -v wrk >/dev/null || { \
	  echo "Installing Debian's wrk for make bench"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }

bench: setup $(VENV)/.bench bench-tools
	$(PY) -m bench.run --database-url $(BENCH_DATABASE_URL)

load: setup $(VENV)/.bench
	$(PY) -m bench.load.run --database-url $(LOAD_DATABASE_URL)

faults: setup $(VENV)/.bench
	$(PY) -m bench.faults.run

clean:
	rm -rf $(VENV) node_modules $(ASSETS) static

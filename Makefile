# SafeGrid — two commands on a fresh machine: `make run` and `make test`.
# Every other documented command is a target here too, so none needs `uv` on the shell's PATH:
# `make run` installs uv into ~/.local/bin, which a fresh login shell does not have on its PATH.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
SCALE ?=
BENCH_ARGS ?=
ARGS ?=

.PHONY: install pdf-fonts mosquitto run dev worker ingest bench-ingest test test-py lint migrate demo audit-verify collectstatic manage bench messages clean

$(UV):
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --user --quiet uv \
		|| python3 -m pip install --user --quiet --break-system-packages uv

install: $(UV) pdf-fonts
	$(UV) sync --frozen --quiet
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi

# The TrueType fonts every PDF embeds (SAFEGRID_PDF_FONTS, docs/operations.md): Debian packages, installed
# when missing and this is root on Debian; otherwise a hint (PDF downloads fail until they are there).
PDF_FONT_PACKAGES := fonts-wqy-microhei fonts-droid-fallback fonts-dejavu-core
pdf-fonts:
	@if [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || [ ! -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y -qq $(PDF_FONT_PACKAGES) >/dev/null 2>&1 \
	      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_FONT_PACKAGES) >/dev/null; }; \
	  else echo "PDF fonts missing: apt-get install $(PDF_FONT_PACKAGES) (or set SAFEGRID_PDF_FONTS)"; fi; \
	fi

# What a county runs: gunicorn (processes × threads, src/safegrid/gunicorn_conf.py; static files by
# WhiteNoise), DEBUG off (the product's own error pages) unless SAFEGRID_DEBUG says otherwise, and one
# background worker (jobs and schedules) beside it that stops when the server stops.
# The monitoring wall comes alive too: the MQTT broker (the one answering on SAFEGRID_MQTT_PORT, else
# Mosquitto with deploy/mosquitto.conf — installed here when missing and we may), `safegrid ingest` and
# `safegrid simulate` (SIMULATE=0 leaves the simulator out); all stop together on Ctrl-C.
SIMULATE ?= 1
run: install mosquitto
	$(UV) run safegrid migrate --noinput
	$(UV) run safegrid demo --if-empty
	$(UV) run safegrid demo_logins
	@export SAFEGRID_DEBUG=$${SAFEGRID_DEBUG:-0}; \
	  broker=; apps=; \
	  trap 'kill -TERM $$apps 2>/dev/null; wait $$apps; kill -TERM $$broker 2>/dev/null; wait $$broker' EXIT; \
	  if .venv/bin/safegrid broker --check 2>/dev/null; then .venv/bin/safegrid broker; mqtt=1; \
	  else .venv/bin/safegrid broker & broker=$$!; \
	    if .venv/bin/safegrid broker --wait 10 2>/dev/null; then mqtt=1; \
	    else mqtt=; echo "MQTT broker: none (install mosquitto); the monitoring wall gets no live readings"; fi; fi; \
	  .venv/bin/safegrid worker & apps="$$apps $$!"; \
	  if [ -n "$$mqtt" ]; then \
	    .venv/bin/safegrid ingest & apps="$$apps $$!"; echo "MQTT ingest: started (safegrid ingest)"; \
	    if [ "$(SIMULATE)" != 0 ]; then .venv/bin/safegrid simulate & apps="$$apps $$!"; \
	      echo "MQTT simulator: started (safegrid simulate, the demo county's points)"; fi; \
	  fi; \
	  .venv/bin/gunicorn -c python:safegrid.gunicorn_conf --bind $(HOST):$(PORT) safegrid.wsgi

# Mosquitto for the demo's broker: installed with apt-get when missing and we are root (as pdf-fonts).
mosquitto:
	@if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing mosquitto (the demo's MQTT broker)"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto >/dev/null; } \
	      || echo "mosquitto could not be installed: the monitoring wall will get no live readings"; \
	    systemctl disable --now mosquitto >/dev/null 2>&1 || true; \
	  else echo "mosquitto missing: apt-get install mosquitto (the monitoring wall's broker)"; fi; \
	fi

# For developers: Django's development server (reloads on code changes) with DEBUG on and its debug pages.
dev: install
	$(UV) run safegrid migrate --noinput
	$(UV) run safegrid demo --if-empty
	$(UV) run safegrid demo_logins
	@.venv/bin/safegrid worker & worker=$$!; \
	  trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	  SAFEGRID_DEBUG=$${SAFEGRID_DEBUG:-1} $(UV) run safegrid runserver $(HOST):$(PORT)

# Another worker (e.g. in a second terminal, or on another machine sharing the database).
worker: install
	$(UV) run safegrid worker

# A monitoring ingest process (MQTT → database); run several with their own SAFEGRID_MQTT_CLIENT_ID to split
# the stream (docs/monitoring.md).
ingest: install
	$(UV) run safegrid ingest

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run lint-imports

test-py: install
	SAFEGRID_PROFILE=test $(UV) run pytest -q $(PYTEST_ARGS)

test: lint test-py

migrate: install
	$(UV) run safegrid migrate --noinput

# make demo SCALE=30: a 30× county (≈18,000 enterprises) for benchmarks.
demo: migrate
	$(UV) run safegrid demo $(if $(SCALE),--scale $(SCALE))

audit-verify: install
	$(UV) run safegrid audit verify

collectstatic: install
	$(UV) run safegrid collectstatic --noinput

# Any other management command: make manage ARGS="dumpdata regions"
manage: install
	$(UV) run safegrid $(ARGS)

# make bench BENCH_ARGS=risks (or BENCH_ARGS="risks --only county_admin")
bench: install
	$(UV) run python -m bench $(BENCH_ARGS)

# MQTT → safegrid ingest → PostgreSQL against a do-nothing drain and raw COPY (bench/README.md).
bench-ingest: install
	$(UV) run python -m bench ingest $(BENCH_ARGS)

# Update the English catalogue from the source and compile it (needs GNU gettext: apt-get install gettext).
# django.mo is committed, so installing needs no gettext tools.
messages: install
	cd src/safegrid && $(UV) run safegrid makemessages -l en --no-obsolete
	cd src/safegrid && $(UV) run safegrid compilemessages

clean:
	rm -rf var/ .venv/ node_modules/

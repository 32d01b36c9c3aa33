# SafeGrid — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install run worker test test-py lint demo bench clean

$(UV):
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --user --quiet uv \
		|| python3 -m pip install --user --quiet --break-system-packages uv

install: $(UV)
	$(UV) sync --frozen --quiet
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi

run: install
	$(UV) run safegrid migrate --noinput
	$(UV) run safegrid demo --if-empty
	$(UV) run safegrid demo_logins
	@# One background worker (jobs and schedules) beside the web server; it stops when the server stops.
	@.venv/bin/safegrid worker & worker=$$!; \
	  trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	  $(UV) run safegrid runserver $(HOST):$(PORT)

# Another worker (e.g. in a second terminal, or on another machine sharing the database).
worker: install
	$(UV) run safegrid worker

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy

test-py: install
	SAFEGRID_PROFILE=test $(UV) run pytest -q $(PYTEST_ARGS)

test: lint test-py

demo: install
	$(UV) run safegrid migrate --noinput
	$(UV) run safegrid demo

bench: install
	$(UV) run python -m bench

clean:
	rm -rf var/ .venv/ node_modules/

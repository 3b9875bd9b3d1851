# The two commands: `make run` and `make test`. Everything they need is installed from here.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install node browser lint worker clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

install: $(STAMP) node

# Chart.js comes from npm at the pinned version in package.json.
node: package.json
	@if [ ! -f node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then \
		npm install --no-audit --no-fund --loglevel=error; fi

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = "0" ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum >/dev/null) || echo "chromium could not be installed: browser tests will skip"; \
		else echo "not root: install Debian's chromium to run the browser tests"; fi; }

# A Celery worker (with beat) always runs beside the web server: on Redis when CELERY_BROKER_URL or
# REDIS_URL is set, otherwise on the local folder queue under var/broker (no server needed).
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_starter_catalogue
	$(PY) manage.py load_demo_data --once
	@echo "Starting a Celery worker (queues default, inference) and beat in the background"
	@$(VENV)/bin/celery -A moodsite worker -Q default,inference -B --loglevel=warning --concurrency=1 & \
	worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

worker: install
	$(VENV)/bin/celery -A moodsite worker -Q default,inference -B --loglevel=info

test: install browser
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules var test-artifacts

# The two commands: `make demo` runs the whole job on synthetic data, `make test` runs the tests.
# Each creates .venv and installs the package when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install browser postgresql clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/riskmodel demo --out demo-output

test: $(STAMP) browser postgresql
	$(BIN)/python -m pytest

# Headless Chromium for the browser checks of the HTML pages (Debian's package).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium is missing: install Debian's 'chromium' package to run the browser checks"; fi; }

# A PostgreSQL server binary for the review service's tests, which start a throw-away cluster
# of their own on 127.0.0.1 (Debian's package; its service is not started).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; \
		else echo "postgresql is missing: install Debian's 'postgresql' package to run the review tests on PostgreSQL"; fi; }

clean:
	rm -rf $(VENV) demo-output

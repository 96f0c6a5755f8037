# The two commands: `make run` and `make test`. Everything else is set up on the way.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench translations clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(INSTALLED)

#: The demo (and only the demo) lets stores' webhooks go to a receiver on this host.
DEMO_ENV := WAREHOUSE_WEBHOOK_ALLOW_LOOPBACK=1

## Migrate the SQLite default (./var/), load demo data into an empty database, serve on :8000
## (make run PORT=8123 for another port); print where the floor UI and the API are.
run: $(INSTALLED)
	$(BIN)/warehouse db upgrade
	$(DEMO_ENV) $(BIN)/warehouse demo --host $(HOST) --port $(PORT)
	$(DEMO_ENV) $(BIN)/warehouse serve --host $(HOST) --port $(PORT)

## Lint, then every test (again on PostgreSQL when WAREHOUSE_TEST_DATABASE_URL is set).
test: $(INSTALLED) lint
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Extract the floor UI's strings into each .po file and compile them; fill new entries, rerun.
translations: $(INSTALLED)
	$(BIN)/python -m warehouse.ui.catalogs

bench: $(INSTALLED)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

# Wuquan — the two set-up commands of the README, and the helpers they use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# the suite's processes (pytest-xdist): one per core; TEST_WORKERS=0 runs it in this process
TEST_WORKERS ?= auto

.PHONY: demo test test-browser bench lint install clean

# what the site needs (make demo), then what the tests need on top (make test): a first
# `make demo` does not wait for the browser driver and the fuzzers (about half the install)
$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test]'
	touch $(TEST_STAMP)

install: $(TEST_STAMP)

## make demo — install, migrate a SQLite file, load the Longtan demo data, serve on :8000
demo: $(STAMP)
	$(BIN)/wuquan migrate --noinput
	$(BIN)/wuquan demo

## make test — install, then the whole suite (SQLite, or PostgreSQL when DATABASE_URL is set)
test: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/pytest -m "not browser" -p no:cacheprovider -n $(TEST_WORKERS)

## the browser tests: Playwright for Python driving Debian's /usr/bin/chromium
test-browser: $(TEST_STAMP)
	$(BIN)/pytest -m browser -p no:cacheprovider

bench: $(TEST_STAMP)
	for f in bench/*.py; do case $$f in */_*) ;; *) $(BIN)/python $$f || exit 1;; esac; done

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

clean:
	rm -rf $(VENV) var/ *.egg-info src/*.egg-info

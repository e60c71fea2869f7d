# Two commands on a fresh machine (README): `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The tests also need the Spark extra (pyspark, ~500 MB; Java 17+): the demo does not.
TEST_STAMP := $(VENV)/.installed-spark

export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 90

.PHONY: demo test test-fast check clean chromium lock

# The page tests (tests/pages/) open every offline page in headless Chromium. Debian's
# package is installed when it is missing and make runs as root with apt-get (a clean CI
# machine); otherwise this says so and those tests skip, naming the reason.
CHROMIUM := /usr/bin/chromium
CHROMIUM_PACKAGES := chromium fonts-dejavu-core
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

# Every library, direct or not, is installed at the version in requirements.lock (pip's
# constraints file): the versions the suite passed with, so a period re-run next year
# installs the same code. The demo installs the package alone; the tests add the dev tools
# and Spark. `make lock` writes the lock again from this .venv after the tests pass on it.
LOCK := requirements.lock
PIP_INSTALL := $(BIN)/pip install --quiet --constraint $(LOCK)

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(PIP_INSTALL) -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(PIP_INSTALL) -e '.[dev,spark]'
	touch $(TEST_STAMP)

lock: $(TEST_STAMP)
	{ echo "# Every installed version the suite passed with (make lock; Makefile LOCK)."; \
	  $(BIN)/pip freeze --exclude-editable; } > $(LOCK)

demo: $(STAMP)
	$(BIN)/sfp demo --dir demo

chromium:
	@test -x $(CHROMIUM) || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { $(APT_INSTALL) $(CHROMIUM_PACKAGES) >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && $(APT_INSTALL) $(CHROMIUM_PACKAGES) >/dev/null; }; }; } || \
	  echo "make: could not install $(CHROMIUM) (needs root and apt-get); the browser tests will skip" >&2

# Two workers, each test module on one of them (its module fixtures built once); the sample
# councils the tests share are built once and kept in .test-councils/ (tests/councils.py).
PYTEST := $(BIN)/python -m pytest -n 2 --dist loadscope

test: $(TEST_STAMP) chromium
	$(PYTEST)

# Everything but the tests marked slow (crash safety, Spark, the child-process smoke test,
# bad-inbox nights): for the edit-test loop; CI runs `make test`.
test-fast: $(TEST_STAMP)
	$(PYTEST) -m "not slow"

check: $(TEST_STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) demo .pytest_cache .test-councils

# The two commands: `make demo` (set up, then run the whole job on the demo organisation)
# and `make test` (the whole test suite). Everything else is an implementation detail.
PYTHON ?= python3.11
CHROMIUM ?= /usr/bin/chromium
JAVA ?= /usr/bin/java
VENV := .venv
BIN := $(VENV)/bin
KIT := $(BIN)/adoption-kit

.PHONY: demo test lint

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

demo: $(VENV)/.installed
	$(KIT) demo
	$(KIT) ingest
	$(KIT) run

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "Debian's chromium package is required at $(CHROMIUM)"; exit 1; }
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

# The Spark engine's tests run Spark in local mode on Debian's Java runtime (Spark 4 needs Java 17+).
$(JAVA):
	@command -v apt-get >/dev/null || { echo "a Java 17+ runtime is required at $(JAVA)"; exit 1; }
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless

test: $(VENV)/.installed $(CHROMIUM) $(JAVA)
	$(BIN)/ruff check .
	ADOPTION_KIT_CHROMIUM=$(CHROMIUM) $(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .

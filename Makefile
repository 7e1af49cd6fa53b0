# The two commands of qms:
#   make run   set up, create the database with the Lai Châu demo, start the app
#   make test  set up (Python packages, Debian's chromium and LibreOffice Calc), run every test
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: run test setup setup-test browser office clean-db

run: setup
	$(BIN)/qms init
	$(BIN)/qms demo --if-empty
	$(BIN)/streamlit run streamlit_app.py

test: setup-test browser office
	$(BIN)/pytest

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

setup-test: $(VENV)/.installed-test

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The browser tests drive Debian's Chromium (never a downloaded browser).
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need Chromium: run 'sudo apt-get install chromium' and try again."; exit 1; \
	fi

# The offline audit workbook is tested through Debian's headless LibreOffice Calc (soffice).
office:
	@if command -v soffice >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's headless LibreOffice Calc for the offline workbook tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui >/dev/null; \
	else \
		echo "The offline workbook tests need LibreOffice Calc: run 'sudo apt-get install libreoffice-calc-nogui' and try again."; exit 1; \
	fi

clean-db:
	rm -f data/qms.duckdb data/qms.duckdb.wal

# Two commands: `make demo` runs the main job on built-in data, `make test` runs the suite.
# Both create .venv on first use; PYTHON may name another interpreter (>= 3.11).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test install install-test postgis browser report-deps data bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# constraints.txt pins the versions the suite last passed with, so a fresh machine gets the same.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/ceasefire demo -o out

# The suite runs once per store engine; the PostGIS leg starts its own throwaway cluster (tests/conftest.py).
postgis:
	tools/install_postgis.sh

# The web map's browser tests drive Debian's chromium (no browser download).
browser:
	tools/install_chromium.sh

# The report's PDF needs Debian's Pango (WeasyPrint); its test renders pages with poppler-utils' pdftoppm.
report-deps:
	tools/install_report_deps.sh

test: install postgis browser report-deps
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/run_all.py

# Rebuild the shipped base data from ../shared/data (needs that folder).
data: install
	$(BIN)/python tools/build_data.py

clean:
	rm -rf $(VENV) out .pytest_cache

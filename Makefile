# Set-up and entry points. Every target creates the virtual environment when needed:
# torch's CPU build first (pip finds it on this machine's disk), then synthlearn itself.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
STAMP = $(VENV)/.synthlearn-installed

.PHONY: demo test install bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/synthlearn demo

test: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_traffic.py
	$(BIN)/python benchmarks/bench_digits.py
	$(BIN)/python benchmarks/bench_lts_iteration.py

clean:
	rm -rf $(VENV) .pytest_cache

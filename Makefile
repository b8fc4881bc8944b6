# Set-up and entry points. Every target creates the virtual environment when needed:
# torch's CPU build first (pip finds it on this machine's disk), then synthlearn itself.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
STAMP = $(VENV)/.synthlearn-installed

.PHONY: demo test install bench clean data

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
	$(BIN)/python benchmarks/bench_shapes3d.py

# Real data from Debian packages, installed once per machine (CI runs this before `make test`):
#   sweethome3d-furniture -- ~120 MB of furniture OBJ models in /usr/share/sweethome3d/furniture/*.sh3f,
#                            the real test set of the 3-D benchmark (synthlearn.data.real3d.load_sweethome3d).
#   dataset-fashion-mnist -- ~30 MB of real Fashion-MNIST IDX files in /usr/share/datasets/fashion-mnist/,
#                            the NPID benchmark's real images (synthlearn.data.fashion_mnist.load_fashion_mnist).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
REAL_DATA_PACKAGES = sweethome3d-furniture dataset-fashion-mnist

data:
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $(REAL_DATA_PACKAGES)

clean:
	rm -rf $(VENV) .pytest_cache

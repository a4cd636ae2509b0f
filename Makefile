# baclofen-qa: two commands for a newcomer (`make run`, `make test`), plus `make lint`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run test test-all lint index browser-deps clean-index judge-model

# torch first: the CPU build of torch==2.13.0 lies in the machine's wheel store; any other
# torch spec would pull a multi-GB CUDA build. Then the project itself, editable, with dev extras.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11" >&2; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

index: $(STAMP)
	$(BIN)/bqa index

# Optional: the support judge's pair model, MiniLM fine-tuned on the hand-labelled pairs in
# eval/data, two seeds averaged (about 70 minutes on two cores; one seed, about 35 minutes:
# `.venv/bin/python -m eval.train_judge --seeds 0`). Use it with `bqa eval judge --nli .bqa/judge-model`.
judge-model: $(STAMP)
	$(BIN)/python -m eval.train_judge --out .bqa/judge-model

run: $(STAMP)
	$(BIN)/bqa index
	$(BIN)/streamlit run ui/app.py --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

# Debian's chromium and chromium-driver, for the end-to-end browser test. Skipped (and the
# browser test skips itself) where they cannot be installed, e.g. without root.
browser-deps:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium and chromium-driver (browser tests)"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
		|| echo "warning: could not install chromium; browser tests will be skipped" >&2; \
	else echo "note: chromium/chromedriver not installed; browser tests will be skipped" >&2; fi

test: $(STAMP) browser-deps
	$(BIN)/python -m pytest -q

test-all: $(STAMP) browser-deps
	$(BIN)/python -m pytest -q -m "slow or not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean-index:
	rm -rf .bqa/index

# Two commands do all the set-up on a fresh machine (Python 3.11):
#   make run    install into .venv/ and start the dashboard on 127.0.0.1:8501
#   make test   install into .venv/ (and Debian chromium for browser tests) and run every test,
#               the slow ones included (GPU tests need a GPU and are skipped)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test lint venv dev-venv browser data

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The pinned requirements, then the project itself in editable mode (the `ngae` command).
$(VENV)/.runtime: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(VENV)/.runtime $@

venv: $(VENV)/.runtime
dev-venv: $(VENV)/.dev

# Asia's data at D-VAE's scale (200,000 networks, 60 MB, ~20 s): made here, not kept in git;
# byte-identical every time (a test checks its hash). The shipped Asia model was trained on it.
data/asia_bn_200k.jsonl: | $(VENV)/.runtime
	$(BIN)/python scripts/make_asia_dataset.py --large

data: data/asia_bn_200k.jsonl

browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: venv data
	$(BIN)/python serve.py --server.address $(ADDRESS) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: dev-venv data browser lint
	$(BIN)/python -m pytest

# One command per task; `make run` and `make test` set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
# The front end's build tools (Node.js + npm), only to rebuild or verify static/editor.js.
NODE_DEPS := frontend/node_modules/.installed

# The suite inside a PID namespace (the hostile battery's safety net), on every core.
PYTEST := $(BIN)/python tests/run_in_pidns.py

.PHONY: run test test-fast lint check bench image-smoke assets clean

run: $(STAMP)  ## set up, then serve on http://127.0.0.1:8000
	./scripts/system-deps.sh
	$(BIN)/torchquiz serve

# Two tiers: everything in parallel (a module's tests stay on one worker, sharing its
# sandbox or server), then the timing-sensitive `serial` tests alone; coverage of both.
test: $(STAMP) $(NODE_DEPS) lint check  ## set up, then lint, check the quizzes and run every test
	./scripts/system-deps.sh test
	url=$$(./scripts/test-postgres.sh) && export TORCHQUIZ_TEST_POSTGRES=$$url && \
	  $(PYTEST) -n auto --dist loadscope -m "not serial" --cov --cov-report= --cov-fail-under=0 --durations=20 && \
	  $(PYTEST) -m serial --cov --cov-append --cov-report=term --durations=10

test-fast: $(STAMP)  ## the edit loop: unit and in-process tests (no sandbox, server, browser, PostgreSQL)
	$(BIN)/python -m pytest -n auto -q -m "not slow and not serial"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint --failure-threshold warning Dockerfile

check: $(STAMP)  ## validate every quiz file
	$(BIN)/torchquiz check quizzes

bench: $(STAMP)  ## every benchmark, one table (docs/benchmarks.md); SOAK=10 adds the soak
	./scripts/system-deps.sh bench
	$(BIN)/python -m bench.run_all --soak-minutes $(or $(SOAK),0)

image-smoke: $(STAMP)  ## build the Docker image with podman and run it for real (root; see README)
	./scripts/image-smoke.sh

assets: $(NODE_DEPS)  ## rebuild static/editor.js from frontend/ (byte for byte the committed one)
	cd frontend && node build.mjs

$(NODE_DEPS): frontend/package.json frontend/package-lock.json
	./scripts/system-deps.sh test
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# The pinned runtime dependencies first, as the Dockerfile installs them.
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts frontend/node_modules

# periksa: `make run` and `make test` set up everything they need on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := tesseract-ocr tesseract-ocr-ind fonts-dejavu-core fonts-liberation fonts-freefont-ttf
export OMP_THREAD_LIMIT := 1

.PHONY: setup system-packages venv run test bench bench-flags samples services clean

setup: system-packages venv

system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

venv: $(BIN)/periksa

$(BIN)/periksa: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

# The main job on the embedded default: ingest the committed sample applications.
run: setup
	PERIKSA_DATA_DIR=var/run $(BIN)/periksa ingest samples/applications

test: setup
	@if [ "$$CI" = "true" ]; then scripts/services.sh; fi
	$(BIN)/python -m pytest -q

# Benchmarks write their tables under bench-results/ (quoted in issue notes).
bench: setup
	$(BIN)/python -m benchmarks.accuracy --count 60 --seed 7 --out bench-results

# Flags against ground truth on 300 generated applications (issue 5 goals); ~30 min on 2 cores.
bench-flags: setup
	$(BIN)/python -m benchmarks.flags --count 300 --seed 21 --out bench-results

# Regenerate the committed sample applications from their fixed seed.
samples: setup
	$(BIN)/python -m samples.generate --committed

services:
	scripts/services.sh

clean:
	rm -rf var bench-results .pytest_cache

# `make run` and `make test` are the two commands; both set up .venv first.
PYTHON ?= python3
VENV := .venv
# Stage commands call `python`: make sure it is the venv's.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup run test lock bench bench-download

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.lock
	touch $@

run: setup
	dvc repro

test: setup
	pytest

# Re-pin everything after changing the direct dependencies in pyproject.toml.
lock: setup
	$(VENV)/bin/pip freeze --exclude-editable | grep -v -E '^(pip|setuptools)==' > requirements.lock

# The pipeline beside the reference approach, on the real data in PIPELINE_MIRROR.
PIPELINE_MIRROR ?= ../shared/mirror
bench: setup
	$(VENV)/bin/pip install --quiet -c requirements.lock -r requirements-bench.txt
	PIPELINE_MIRROR=$(abspath $(PIPELINE_MIRROR)) python -m bench.run

# Download benchmark against a local, per-connection throttled server.
bench-download: setup
	python -m bench.download

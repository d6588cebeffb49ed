# `make run` and `make test` are the two commands; both set up .venv first.
PYTHON ?= python3
VENV := .venv
# Stage commands call `python`: make sure it is the venv's.
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: setup run studies test lint lock bench bench-download bench-scaling results report frontier

setup: $(VENV)/.installed .dvc/offline.html

# The pinned dependencies (runtime and test), then this package, editable.
# uv (its version pinned in the lock) installs them: it unpacks in parallel,
# 20-35 s here against pip's 50. --compile-bytecode as pip does: without
# the .pyc files every TensorFlow process would compile its modules again.
UV = $(VENV)/bin/uv pip install --quiet --python $(VENV)/bin/python
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet "$$(grep '^uv==' requirements.lock)"
	$(UV) --compile-bytecode -r requirements.lock || { \
	    echo "make setup: uv could not install requirements.lock (above); pip will" >&2; \
	    $(VENV)/bin/pip install --quiet -r requirements.lock; }
	$(UV) --no-deps --no-build-isolation -e .
	touch $@

# The page template of `dvc plots show`, with Vega inline from the installed
# vl-convert-python, so that the charts draw with no network (.dvc/config).
.dvc/offline.html: $(VENV)/.installed imdb_embeddings/reports/offline_page.py
	$(VENV)/bin/python -m imdb_embeddings.reports.offline_page $@

# The book's pipeline (dvc.yaml). Offline, with the mirror beside this project
# (GloVe 50-d only): make run PIPELINE_MIRROR=../shared/mirror GLOVE_DIM=50,
# which runs it as `dvc exp run -S glove.dim=50` (params.yaml updated).
# First params.yaml is checked and the stages out of date counted; with none,
# DVC is not run (imdb_embeddings/make_run.py). DVC's warning per output on a
# first run becomes one line; pipefail keeps DVC's exit status.
GLOVE_DIM ?=
REPRO = $(if $(GLOVE_DIM),dvc exp run -S glove.dim=$(GLOVE_DIM),dvc repro)
run: SHELL := /bin/bash
run: setup
	@python -m imdb_embeddings.make_run plan run $(GLOVE_DIM); case $$? in 0) ;; 1) exit 0;; *) exit 1;; esac; \
	    echo "$(REPRO)"; set -o pipefail; $(REPRO) 2>&1 | python -m imdb_embeddings.make_run filter run

# The book and every study (studies/*/dvc.yaml), the same way.
studies: SHELL := /bin/bash
studies: setup
	@python -m imdb_embeddings.make_run plan studies $(GLOVE_DIM); case $$? in 0) ;; 1) exit 0;; *) exit 1;; esac; \
	    echo "$(REPRO) --all-pipelines"; set -o pipefail; $(REPRO) --all-pipelines 2>&1 | python -m imdb_embeddings.make_run filter studies

# Opt-in research (docs/frontier.md), after `make run`: PV-DBOW document
# vectors (doc_vectors.dbow) and the few-labels route they teach
# (nbsvm.doc_taught.few_labels_doc, 10 label draws), compared with few_labels
# on the same test reviews. An experiment (`dvc exp run`): params.yaml gains them.
FRONTIER_VECTORS = {dim: 100, epochs: 10, ngrams: 2, min_count: 2, negative: 5, seed: 1337, workers: 1}
FRONTIER_TAUGHT = {train_samples: 200, validation_samples: 0, teacher_c: [0.1, 1.0, 10.0, 100.0, 1000.0], \
    pseudo_labels: [4000, 8000], ngrams: 3, min_df: 2, c: [0.1, 1.0], seed: 1337, vectors: dbow}
FRONTIER = -S '+doc_vectors.dbow=$(FRONTIER_VECTORS)' -S '+nbsvm.doc_taught.few_labels_doc=$(FRONTIER_TAUGHT)' \
    -S '+compare.pairs.few_labels_doc_vs_few_labels={a: few_labels_doc, b: few_labels}'
frontier: setup
	dvc exp run --all-pipelines $(FRONTIER) $(FRONTIER_EXTRA)

# The code (ruff), and the writing: README.md and docs/*.md read at a glance
# (18 words a sentence, 80 a paragraph), commit subjects within 72 characters.
lint: setup
	ruff check .
	ruff format --check .
	python -m imdb_embeddings.devtools.prose README.md docs/*.md

# On every core, each test file on one worker (so a module's fixtures are
# built once; the session's shared fixture project once per worker).
test: lint
	pytest -n auto --dist loadfile --no-loadscope-reorder

# Re-resolve requirements.lock from pyproject.toml (direct dependencies and
# the test extra) with uv's resolver, for every Python that requires-python
# allows: change a dependency there, run this, commit both.
lock: setup
	uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
	    --no-header --no-annotate --quiet -o requirements.lock

# The pipeline beside the reference approach, on the real data in PIPELINE_MIRROR.
PIPELINE_MIRROR ?= ../shared/mirror
bench: setup
	$(UV) --compile-bytecode -c requirements.lock -r requirements-bench.txt
	PIPELINE_MIRROR=$(abspath $(PIPELINE_MIRROR)) python -m bench.run

# Every chart of `dvc plots show` to SVG (no browser, no network), on one page
# with each model's results and card: report/index.html, after a run.
report: setup
	python -m imdb_embeddings.reports.report

# The README's results table: the whole pipeline on the real data, and the
# goals of "beyond the book" checked (about 7 minutes).
results: setup
	PIPELINE_MIRROR=$(abspath $(PIPELINE_MIRROR)) python -m bench.results

# Time and peak memory of prepare, tokenize and the fits at 1x, 4x and 16x the
# reviews (docs/benchmark.md, "Scaling"): SIZES="1 4" for the smaller ones.
SIZES ?= 1 4 16
bench-scaling: setup
	PIPELINE_MIRROR=$(abspath $(PIPELINE_MIRROR)) python -m bench.scaling --sizes $(SIZES)

# Download benchmark against a local, per-connection throttled server.
bench-download: setup
	python -m bench.download

# Every target creates .venv on first use, so a fresh clone needs only `make run` / `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test bench lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,bench,fast]'
	touch $(STAMP)

# The main job: the notes' seven-step workflow on the bundled Palmer penguins table.
run: $(STAMP)
	$(BIN)/lucidml run "$$($(BIN)/python -c 'from lucidml.datasets import penguins_path; print(penguins_path())')" --target species

demo: $(STAMP)
	$(BIN)/lucidml demo

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/notes_network.py
	$(BIN)/python benchmarks/mlp_epoch.py
	$(BIN)/python benchmarks/models.py
	$(BIN)/python benchmarks/data_prep.py
	$(BIN)/python benchmarks/trees.py
	$(BIN)/python benchmarks/workflow.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache runs

# Two commands on a fresh Debian/Ubuntu machine: `make demo` and `make test`.
# Both install what is missing first (system packages, then .venv), so a clean clone just works.

VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed-stamp
DEMO_ARGS   ?=
PYTEST_ARGS ?=

.PHONY: setup system demo test lint typecheck clean

system:
	scripts/bootstrap-system

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: system $(STAMP)

demo: setup
	$(VENV)/bin/cez-kiosk demo $(DEMO_ARGS)

lint: setup
	$(VENV)/bin/ruff check .

typecheck: setup
	$(VENV)/bin/mypy

test: lint typecheck
	$(VENV)/bin/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

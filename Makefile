# Two commands matter to a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench package tarball verify-package bench-package clean

$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit("Vetline needs Python >= 3.11, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/vetline demo

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests tools
	$(VENV)/bin/ruff format --check app tests tools

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) tools/bench.py --out bench.json

# The desktop app without Python: dist/vetline_<version>_<arch>.deb (packaging/README.md).
# tarball: the same frozen app as dist/vetline-<version>-linux-<arch>.tar.xz (after
# `make package`). verify-package installs the .deb here, self-tests it, purges it.
package:
	packaging/linux/package.sh

tarball:
	packaging/linux/build_tarball.sh

verify-package:
	packaging/linux/verify_deb.sh

# The built .deb's start, warm and cold, beside a bare PySide6 window (after `make package`).
bench-package: $(STAMP)
	$(PY) tools/bench_package.py --out bench-package.json

clean:
	rm -rf $(VENV) bench.json bench-package.json test-artifacts .mypy_cache .ruff_cache .pytest_cache build dist

"""The layer rule: core and adapters never reach for Qt (core not for openai either)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "app" / "vetline"

FORBIDDEN = {
    "core": {"PySide6", "qasync", "openai", "shiboken6"},
    "adapters": {"PySide6", "qasync", "shiboken6"},
}


def imported_top_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_does_not_import_forbidden_packages(layer: str) -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(imported_top_modules(path) & FORBIDDEN[layer])
        for path in sorted((PACKAGE / layer).rglob("*.py"))
    }
    offenders = {path: names for path, names in offenders.items() if names}
    assert offenders == {}


def test_core_imports_only_stdlib_and_its_two_libraries() -> None:
    import sys

    allowed = set(sys.stdlib_module_names) | {"vetline", "diff_match_patch", "pygments"}
    extra = {
        str(path.relative_to(PACKAGE)): sorted(imported_top_modules(path) - allowed)
        for path in sorted((PACKAGE / "core").rglob("*.py"))
    }
    assert {path: names for path, names in extra.items() if names} == {}


def test_the_rule_catches_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from PySide6.QtWidgets import QWidget\nimport qasync\n", encoding="utf-8")
    assert imported_top_modules(sample) == {"PySide6", "qasync"}


def test_core_and_adapters_work_with_qt_absent() -> None:
    """Import every core and adapter module, and review a hunk, in a Python that has no Qt."""
    import subprocess
    import sys

    script = """
import importlib, pkgutil, sys

class NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'qasync'):
            raise ImportError('Qt is absent in this test')
        return None

sys.meta_path.insert(0, NoQt())
import vetline.core, vetline.adapters
for package in (vetline.core, vetline.adapters):
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f'{package.__name__}.{module.name}')
from vetline.core.hunks import apply_hunks, hunks_from_texts
hunks = hunks_from_texts('a.txt', 'x\\ny\\n', 'x\\nz\\n')
assert apply_hunks('x\\ny\\n', hunks) == 'x\\nz\\n'
assert not any(name.startswith('PySide6') for name in sys.modules)
print('ok')
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"

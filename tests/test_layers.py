"""The layer rule: each layer imports only the layers below it, and never Qt below ui."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import HANG_GUARD_S

PACKAGE = Path(__file__).resolve().parents[1] / "app" / "vetline"

FORBIDDEN = {
    "core": {"PySide6", "qasync", "openai", "shiboken6"},
    "adapters": {"PySide6", "qasync", "shiboken6"},
    "operations": {"PySide6", "qasync", "shiboken6"},
}

# Which of Vetline's own layers each layer may import (its own included).
ALLOWED_LAYERS = {
    "core": {"core"},
    "adapters": {"core", "adapters"},
    "operations": {"core", "adapters", "operations"},
    "ui": {"core", "adapters", "operations", "ui"},
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


def vetline_imports(source: Path) -> list[tuple[str, list[str], bool]]:
    """(module, names imported from it, at module level) for every import of vetline."""
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    top_level = {id(node) for node in tree.body}
    found: list[tuple[str, list[str], bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(
                (alias.name, [], id(node) in top_level)
                for alias in node.names
                if alias.name.startswith("vetline")
            )
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.split(".")[0] == "vetline"
        ):
            names = [alias.name for alias in node.names]
            found.append((node.module, names, id(node) in top_level))
    return found


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_does_not_import_forbidden_packages(layer: str) -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(imported_top_modules(path) & FORBIDDEN[layer])
        for path in sorted((PACKAGE / layer).rglob("*.py"))
    }
    offenders = {path: names for path, names in offenders.items() if names}
    assert offenders == {}


@pytest.mark.parametrize("layer", sorted(ALLOWED_LAYERS))
def test_layer_imports_only_the_layers_below_it(layer: str) -> None:
    offenders = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for module, _, _ in vetline_imports(path):
            target = layer_of(module)
            if target in ALLOWED_LAYERS and target not in ALLOWED_LAYERS[layer]:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {module}")
            elif target == "cli" or target.startswith("cli_"):
                offenders.append(f"{path.relative_to(PACKAGE)} imports the command line")
    assert offenders == []


def test_only_the_command_line_imports_ui_and_only_when_asked() -> None:
    eager = [
        f"{path.name} imports {module}"
        for path in sorted(PACKAGE.glob("cli*.py"))
        for module, _, top_level in vetline_imports(path)
        if layer_of(module) == "ui" and top_level
    ]
    assert eager == []


def test_no_module_imports_another_modules_private_names() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for module, names, _ in vetline_imports(path):
            private = [name for name in names if name.startswith("_") and name != "__version__"]
            if private or any(part.startswith("_") for part in module.split(".")[1:]):
                offenders.append(f"{path.relative_to(PACKAGE)}: {module} {private}")
    assert offenders == []


def test_core_imports_only_stdlib_and_its_small_pure_libraries() -> None:
    # Small pure libraries: word highlights, syntax roles, Unicode's confusables data; and
    # two compiled ones, pure in the sense that matters here (no I/O, no Qt, no state):
    # rapidfuzz locates a misquoted passage (core.citations), and pygit2 runs libgit2's
    # line diff on two in-memory buffers only (core.xdiff: no repository).
    allowed = set(sys.stdlib_module_names) | {
        "vetline",
        "diff_match_patch",
        "pygments",
        "confusable_homoglyphs",
        "rapidfuzz",
        "pygit2",
    }
    extra = {
        str(path.relative_to(PACKAGE)): sorted(imported_top_modules(path) - allowed)
        for path in sorted((PACKAGE / "core").rglob("*.py"))
    }
    assert {path: names for path, names in extra.items() if names} == {}


def test_the_rules_catch_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from PySide6.QtWidgets import QWidget\nimport qasync\n"
        "from vetline.ui.app import run_gui\n"
        "def later():\n    from vetline.adapters.paths import _chosen_folder\n",
        encoding="utf-8",
    )
    assert imported_top_modules(sample) == {"PySide6", "qasync", "vetline"}
    assert vetline_imports(sample) == [
        ("vetline.ui.app", ["run_gui"], True),
        ("vetline.adapters.paths", ["_chosen_folder"], False),
    ]


def test_core_adapters_and_operations_work_with_qt_absent() -> None:
    """Import every module below ui, and review a hunk, in a Python that has no Qt."""
    script = """
import importlib, pkgutil, sys

class NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'qasync'):
            raise ImportError('Qt is absent in this test')
        return None

sys.meta_path.insert(0, NoQt())
import vetline.core, vetline.adapters, vetline.operations
count = 0
for package in (vetline.core, vetline.adapters, vetline.operations):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):
        importlib.import_module(module.name)
        count += 1
assert count > 40, count
from vetline.core.hunks import apply_hunks, hunks_from_texts
hunks = hunks_from_texts('a.txt', 'x\\ny\\n', 'x\\nz\\n')
assert apply_hunks('x\\ny\\n', hunks) == 'x\\nz\\n'
assert not any(name.startswith('PySide6') for name in sys.modules)
print('ok')
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=HANG_GUARD_S,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle of module-level imports, each found once from its first module."""
    cycles: list[list[str]] = []
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        for target in sorted(graph.get(module, ())):
            if target in trail:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in done:
                visit(target, [*trail, target])
        done.add(module)

    for module in sorted(graph):
        if module not in done:
            visit(module, [module])
    return cycles


def test_no_module_level_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        graph[module_name(path)] = {
            module for module, _, top_level in vetline_imports(path) if top_level
        }
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c", "a"]]

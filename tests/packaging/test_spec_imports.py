"""The frozen app carries every module Vetline loads by name.

PyInstaller's analysis follows import statements. A module the code loads by name
(`importlib.import_module`, `__import__` or a `find_spec` with a string), or that a
compiled module imports from C (a cffi binding imports cffi's backend), is invisible to
it: the package then builds, and fails only when that code first runs — the MCP server
on an agent's first connection, the line diff on the first diff. The packaged self-test
in CI catches some of this, minutes into a build; this test reads the same facts from
the code and the spec in about a second, without building anything.

What counts as loaded by name is read from the code, not listed here: every such call
in app/vetline whose name is a string, a module-level string constant, or a loop over a
module-level tuple of them, and every compiled module of a package Vetline imports
whose binary names `_cffi_backend`. A call whose name this test cannot read fails it,
so a new kind of by-name load cannot slip past. Each such module must be named in the
spec's hiddenimports, shipped as source by its `collect_data_files(...,
include_py_files=True)`, or reached by the import statements PyInstaller follows from
the entry point and the hidden imports. Imports under `if TYPE_CHECKING:` are not
counted: the analysis happens to see them, but they are there for the type checker and
may go in any clean-up. The other way round, every hidden import must still be one the
code loads by name, so that the spec's list does not grow stale.

Qt plugins are loaded by name as well: the platform QT_QPA_PLATFORM names, the image
format a reader is given, the icon engine and image format of an icon file handed to
QIcon. Each one the code names must be kept by the spec's own `qt_part_kept`.
"""

from __future__ import annotations

import ast
import functools
import importlib.machinery
import importlib.util
import mmap
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
SPEC = ROOT / "packaging" / "pyinstaller" / "vetline.spec"
# The calls that load (or look up to load) a module by the name they are given.
LOADERS = {"import_module", "__import__", "find_spec"}
# importlib.resources.files("package") imports the package it is given, too.
RESOURCE_ANCHORS = {"importlib.resources.files", "resources.files"}
# Plugin discovery this test cannot follow: a call to one fails it until it is taught.
DISCOVERY = {"entry_points", "iter_modules", "walk_packages", "load_entry_point"}
CFFI_BACKEND = "_cffi_backend"
# A compiled module's file name ends in one of these ("libfoo.so" is a library, not one).
EXTENSION_SUFFIXES = tuple(s for s in importlib.machinery.EXTENSION_SUFFIXES if s != ".so")


@dataclass(frozen=True)
class ByName:
    """One module loaded by name, and where."""

    module: str
    where: str


@dataclass
class Scan:
    loaded: list[ByName] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # calls whose name is not a constant


@dataclass(frozen=True)
class FrozenSpec:
    """What the spec hands PyInstaller's analysis."""

    entry: Path
    hidden: tuple[str, ...]
    as_source: tuple[str, ...]  # packages shipped as files, .py included
    excluded: tuple[str, ...]


# ---------------------------------------------------------------- reading the code


def dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def last_part(node: ast.expr) -> str | None:
    name = dotted(node)
    return None if name is None else name.rsplit(".", 1)[-1]


def module_constants(tree: ast.Module) -> dict[str, ast.expr]:
    constants: dict[str, ast.expr] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if isinstance(target, ast.Name):
            constants[target.id] = value
    return constants


def loop_sources(scope: ast.AST, name: str) -> list[ast.expr]:
    """What a loop variable `name` of this function (or module) iterates over."""
    sources: list[ast.expr] = []
    for node in ast.walk(scope):
        if (
            isinstance(node, ast.For | ast.AsyncFor | ast.comprehension)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            sources.append(node.iter)
    return sources


def strings(node: ast.expr, constants: dict[str, ast.expr], scope: ast.AST) -> list[str] | None:
    """The module names an expression stands for, or None if it is not a constant."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List):
        parts = [strings(element, constants, scope) for element in node.elts]
        if any(part is None for part in parts):
            return None
        return [name for part in parts if part is not None for name in part]
    if isinstance(node, ast.Name):
        sources = loop_sources(scope, node.id)
        if sources:
            found = [strings(source, constants, scope) for source in sources]
            if any(names is None for names in found):
                return None
            return [name for names in found if names is not None for name in names]
        if node.id in constants:
            return strings(constants[node.id], constants, scope)
    return None


def name_arguments(call: ast.Call, loaders: set[str]) -> list[ast.expr]:
    """The arguments of a call that name a module to load."""
    loads = last_part(call.func) in loaders or dotted(call.func) in RESOURCE_ANCHORS
    if loads and call.args:
        return [call.args[0]]  # import_module("x"), importlib.util.find_spec("x")
    # A loader handed to another call: asyncio.to_thread(importlib.import_module, "x")
    return [
        call.args[index + 1]
        for index, argument in enumerate(call.args[:-1])
        if last_part(argument) in loaders
    ]


def scan_module(tree: ast.Module, where: str, scan: Scan) -> None:
    constants = module_constants(tree)
    # `from importlib import import_module as load` makes `load` a loader too.
    loaders = LOADERS | {
        alias.asname
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name in LOADERS | DISCOVERY and alias.asname
    }

    def visit(node: ast.AST, scope: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            scope = node
        if isinstance(node, ast.Call):
            line = f"{where}:{node.lineno}"
            if last_part(node.func) in DISCOVERY:
                scan.unreadable.append(f"{line}: {ast.unparse(node)} (plugin discovery)")
            for argument in name_arguments(node, loaders):
                names = strings(argument, constants, scope)
                if names is None:
                    scan.unreadable.append(f"{line}: {ast.unparse(node)}")
                else:
                    scan.loaded.extend(ByName(name, line) for name in names)
        for child in ast.iter_child_nodes(node):
            visit(child, scope)

    visit(tree, tree)


def app_modules() -> dict[str, Path]:
    """Vetline's modules by name, from the source the wheel is built from."""
    modules = {}
    for path in sorted((APP / "vetline").rglob("*.py")):
        parts = path.relative_to(APP).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def scan_app() -> Scan:
    scan = Scan()
    words = (*LOADERS, *DISCOVERY, "files")
    for path in app_modules().values():
        # Only a file that names a loader can call one: the others need no syntax tree.
        if any(word in path.read_text(encoding="utf-8") for word in words):
            scan_module(parsed(path), str(path.relative_to(ROOT)), scan)
    return scan


# ---------------------------------------------------------------- reading the spec


def read_spec(text: str) -> FrozenSpec:
    tree = ast.parse(text)
    constants = module_constants(tree)

    def names(node: ast.expr) -> list[str]:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return names(node.left) + names(node.right)
        found = strings(node, constants, tree)
        assert found is not None, f"the spec's {ast.unparse(node)} is not a list of names"
        return found

    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    (analysis,) = [call for call in calls if dotted(call.func) == "Analysis"]
    keywords = {keyword.arg: keyword.value for keyword in analysis.keywords}
    # Analysis([f"{HERE}/entry.py"]): the entry script, beside the spec.
    (script,) = analysis.args[0].elts  # type: ignore[attr-defined]
    tail = script.values[-1] if isinstance(script, ast.JoinedStr) else script
    assert isinstance(tail, ast.Constant), f"the spec's entry {ast.unparse(script)} is not a path"
    entry = SPEC.parent / PurePosixPath(str(tail.value)).name
    as_source = []
    for call in calls:
        if last_part(call.func) != "collect_data_files" or not call.args:
            continue
        options = {keyword.arg: keyword.value for keyword in call.keywords}
        include_py = options.get("include_py_files")
        if isinstance(include_py, ast.Constant) and include_py.value is True:
            as_source.extend(names(call.args[0]))
    return FrozenSpec(
        entry=entry,
        hidden=tuple(names(keywords["hiddenimports"])) if "hiddenimports" in keywords else (),
        as_source=tuple(as_source),
        excluded=tuple(names(keywords["excludes"])) if "excludes" in keywords else (),
    )


# ---------------------------------------------------------------- what the analysis sees


def find(module: str) -> importlib.machinery.ModuleSpec | None:
    """Where a module is, without importing it or its parent packages."""
    parts = module.split(".")
    try:
        spec = importlib.util.find_spec(parts[0])  # a top-level name: nothing is imported
    except (ImportError, ValueError):
        return None
    for index in range(1, len(parts)):
        if spec is None or not spec.submodule_search_locations:
            return None
        name = ".".join(parts[: index + 1])
        spec = importlib.machinery.PathFinder.find_spec(name, list(spec.submodule_search_locations))
    return spec


@functools.cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_bytes(), filename=str(path))


def top(module: str) -> str:
    return module.split(".", 1)[0]


def with_parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[: index + 1]) for index in range(len(parts))]


def is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and dotted(node.test) in {
        "TYPE_CHECKING",
        "typing.TYPE_CHECKING",
    }


def statements(body: list[Any]) -> Any:
    """Every statement in a body, nested ones included, except those under `if
    TYPE_CHECKING:` (imports are statements, so expressions need no walking)."""
    for node in body:
        yield node
        if not is_type_checking_block(node):
            yield from statements(getattr(node, "body", None) or [])
        for name in ("orelse", "finalbody", "handlers", "cases"):
            yield from statements(getattr(node, name, None) or [])


@functools.cache
def static_imports(path: Path, module: str, is_package: bool) -> frozenset[str]:
    """Modules an import statement anywhere in the module names (in functions too, as
    PyInstaller reads every code object), but not those under `if TYPE_CHECKING:`."""
    imported: set[str] = set()
    for node in statements(parsed(path).body):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            imported.add(base)
            imported.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return frozenset(imported)


def reached(spec: FrozenSpec, followed: frozenset[str]) -> set[str]:
    """The modules PyInstaller's analysis reaches from the entry script and the hidden
    imports, following import statements through the packages in `followed` only (a
    subset of what it sees: what another package happens to import is not counted)."""
    seen: set[str] = set()
    pending = [*spec.hidden, *static_imports(spec.entry, "__main__", is_package=False)]
    while pending:
        name = pending.pop()
        if name in seen or top(name) not in followed:
            continue
        found = find(name)
        if found is None:
            continue  # `from package import name` where name is no module
        seen.add(name)
        pending.extend(with_parents(name)[:-1])
        if found.origin is None or not found.origin.endswith(".py"):
            continue  # a compiled module: PyInstaller cannot read its imports either
        is_package = found.submodule_search_locations is not None
        pending.extend(static_imports(Path(found.origin), name, is_package))
    return seen


@functools.cache
def cffi_bindings(packages: frozenset[str]) -> tuple[ByName, ...]:
    """Compiled modules of these packages that import cffi's backend from C."""
    loaded = []
    for package in sorted(packages):
        found = find(package)
        for folder in (found.submodule_search_locations or []) if found else []:
            for path in sorted(Path(folder).rglob("*")):
                if not path.name.endswith(EXTENSION_SUFFIXES) or not path.is_file():
                    continue
                with (
                    path.open("rb") as file,
                    mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data,
                ):
                    if data.find(CFFI_BACKEND.encode()) >= 0:
                        where = path.relative_to(Path(folder).parent)
                        loaded.append(ByName(CFFI_BACKEND, f"{where} (compiled)"))
    return tuple(loaded)


@functools.cache
def loaded_by_name() -> tuple[tuple[ByName, ...], tuple[str, ...]]:
    """(every module loaded by name, the calls whose names cannot be read)."""
    scan = scan_app()
    imported = {
        top(name)
        for module, path in app_modules().items()
        for name in static_imports(path, module, path.name == "__init__.py")
    }
    dependencies = frozenset(
        name
        for name in imported | {top(item.module) for item in scan.loaded}
        if name not in sys.stdlib_module_names and name != "vetline"
    )
    return (*scan.loaded, *cffi_bindings(dependencies)), tuple(scan.unreadable)


def within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == package or module.startswith(f"{package}.") for package in packages)


def missing_from(spec: FrozenSpec) -> list[str]:
    """Modules loaded by name that the frozen app built from this spec would lack."""
    loaded, _ = loaded_by_name()
    seen = reached(spec, frozenset({"vetline", *(top(item.module) for item in loaded)}))
    return sorted(
        {
            f"{item.module} (loaded by name at {item.where})"
            for item in loaded
            if item.module not in seen
            and item.module not in spec.hidden
            and not within(item.module, spec.as_source)
        }
    )


# ---------------------------------------------------------------- the tests


def the_spec() -> FrozenSpec:
    return read_spec(SPEC.read_text(encoding="utf-8"))


def test_every_module_loaded_by_name_goes_into_the_frozen_app() -> None:
    missing = missing_from(the_spec())

    assert missing == [], (
        "PyInstaller's analysis cannot see these modules: name them in the hiddenimports "
        f"of {SPEC.relative_to(ROOT)}: {missing}"
    )


def test_every_name_a_load_is_given_can_be_read() -> None:
    _, unreadable = loaded_by_name()

    assert list(unreadable) == [], (
        "these calls load a module by a name this test cannot read (give them a string, "
        "or a module-level constant, so that the spec can be checked against it): "
        f"{list(unreadable)}"
    )


def test_no_module_loaded_by_name_is_excluded_from_the_frozen_app() -> None:
    loaded, _ = loaded_by_name()
    excluded = the_spec().excluded

    assert [item for item in loaded if within(item.module, excluded)] == []


def test_each_hidden_import_is_needed_and_missing_without_it() -> None:
    """Each name in the spec's hiddenimports, taken out of a copy of the spec, leaves a
    module loaded by name missing: the check fails as it should, and no name in the spec
    is one no code loads by name any more."""
    text = SPEC.read_text(encoding="utf-8")
    hidden = read_spec(text).hidden
    assert hidden, "the spec names no hidden imports"

    for name in hidden:
        without = read_spec(text.replace(f'"{name}",', "", 1))
        assert name not in without.hidden, f"could not take {name} out of a copy of the spec"
        missing = missing_from(without)
        assert any(line.startswith((f"{name} ", f"{name}.")) for line in missing), (
            f"the spec's hidden import {name} is not needed: no code loads it by name "
            "(or the analysis reaches it anyway); take it out of the spec"
        )


def test_the_scan_reads_each_way_of_loading_a_module_by_name() -> None:
    source = """
import asyncio
import importlib
import importlib.util
from importlib import import_module as load

NAMES = ("pkg.one", "pkg.two")
SINGLE = "pkg.three"

def every():
    for name in NAMES:
        importlib.import_module(name)

async def later():
    await asyncio.to_thread(importlib.import_module, "pkg.four")

def others(dynamic):
    load(SINGLE)
    __import__("pkg.five")
    importlib.util.find_spec("pkg.six")
    importlib.import_module(f"pkg.{dynamic}")
    importlib.metadata.entry_points(group="plugins")
"""
    scan = Scan()
    scan_module(ast.parse(source), "example.py", scan)

    assert [item.module for item in scan.loaded] == [
        "pkg.one",
        "pkg.two",
        "pkg.four",
        "pkg.three",
        "pkg.five",
        "pkg.six",
    ]
    assert [line.split(":")[1] for line in scan.unreadable] == ["21", "22"]


def test_imports_under_type_checking_are_not_counted(tmp_path: Path) -> None:
    module = tmp_path / "typed.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from pkg import hidden\n"
        "else:\n"
        "    import pkg.seen\n"
        "def later():\n"
        "    from . import sibling\n",
        encoding="utf-8",
    )

    imports = static_imports(module, "pkg.typed", is_package=False)

    assert imports == {"typing", "typing.TYPE_CHECKING", "pkg.seen", "pkg", "pkg.sibling"}


# ---------------------------------------------------------------- Qt plugins

# Qt loads a plugin by the name of what it is asked for: a platform by QT_QPA_PLATFORM's
# value, an image format by the format given to a reader (or a file's suffix), an icon
# engine by an icon file's suffix. The formats Qt builds in have no plugin file.
IMAGE_CALLS = {"QImageReader", "QImageWriter", "loadFromData"}
PLATFORM_VARIABLE = "QT_QPA_PLATFORM"
RESOURCES = ROOT / "resources"


def qt_plugin_folder() -> Path:
    found = find("PySide6")
    assert found is not None and found.submodule_search_locations
    return Path(next(iter(found.submodule_search_locations))) / "Qt" / "plugins"


def plugins_named() -> set[tuple[str, str, str]]:
    """(plugin folder, name, where) for each Qt plugin the code asks for by name."""
    wanted: set[tuple[str, str, str]] = set()
    for module, path in app_modules().items():
        if not module.startswith("vetline.ui"):
            continue
        tree = parsed(path)
        constants = module_constants(tree)
        where = str(path.relative_to(ROOT))
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
        for call in calls:
            arguments = call.args
            words = [argument.value for argument in arguments if isinstance(argument, ast.Constant)]
            if words[:1] == [PLATFORM_VARIABLE] and len(words) == 2:  # environ.setdefault
                wanted.add(("platforms", str(words[1]), f"{where}:{call.lineno}"))
            if last_part(call.func) in IMAGE_CALLS and len(arguments) >= 2:
                form = arguments[1]
                if isinstance(form, ast.Constant) and isinstance(form.value, bytes | str):
                    name = form.value.decode() if isinstance(form.value, bytes) else form.value
                    wanted.add(("imageformats", name.lower(), f"{where}:{call.lineno}"))
        for node in ast.walk(tree):  # os.environ["QT_QPA_PLATFORM"] = "name"
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    key = target.slice if isinstance(target, ast.Subscript) else None
                    if isinstance(key, ast.Constant) and key.value == PLATFORM_VARIABLE:
                        wanted.add(("platforms", str(node.value.value), f"{where}:{node.lineno}"))
        # An icon file of the resources handed to QIcon: its suffix picks the icon engine
        # and the image format plugin.
        if any(last_part(call.func) == "QIcon" for call in calls):
            for name, value in constants.items():
                text = value.value if isinstance(value, ast.Constant) else None
                if isinstance(text, str) and "/" in text and (RESOURCES / text).is_file():
                    suffix = Path(text).suffix.lstrip(".").lower()
                    line = f"{where} ({name} = {text!r})"
                    wanted |= {("iconengines", suffix, line), ("imageformats", suffix, line)}
    return wanted


def qt_rules(spec_text: str) -> dict[str, Any]:
    """The spec's QT_PLUGINS_KEPT, QT_LIBS_DROPPED and qt_part_kept, run on their own."""
    tree = ast.parse(spec_text)
    names = {"QT_PLUGINS_KEPT", "QT_LIBS_DROPPED"}
    parts: list[ast.stmt] = [
        node
        for node in tree.body
        if (isinstance(node, ast.FunctionDef) and node.name == "qt_part_kept")
        or (isinstance(node, ast.Assign) and any(dotted(t) in names for t in node.targets))
    ]
    namespace: dict[str, Any] = {"PurePosixPath": PurePosixPath}
    exec(compile(ast.Module(parts, []), str(SPEC), "exec"), namespace)  # noqa: S102 - our spec
    return namespace


def plugin_files(folder: str, name: str) -> list[str]:
    return sorted(path.name for path in (qt_plugin_folder() / folder).glob(f"*q{name}*"))


def plugins_dropped(rules: dict[str, Any]) -> list[str]:
    """The plugins the code asks for by name that the spec's qt_part_kept leaves out."""
    dropped = []
    for folder, name, where in sorted(plugins_named()):
        files = plugin_files(folder, name)
        if not files and folder == "imageformats":
            continue  # a format Qt builds in (PNG, BMP...)
        kept = [
            file for file in files if rules["qt_part_kept"](f"PySide6/Qt/plugins/{folder}/{file}")
        ]
        if not kept:
            found = ", ".join(files) or "no plugin file at all"
            dropped.append(f"{folder}/{name} (asked for at {where}; {found})")
    return dropped


def test_every_qt_plugin_named_in_the_code_goes_into_the_frozen_app() -> None:
    dropped = plugins_dropped(qt_rules(SPEC.read_text(encoding="utf-8")))

    assert dropped == [], f"the spec's QT_PLUGINS_KEPT drops plugins the app loads: {dropped}"


def test_the_plugin_check_fails_when_a_kept_plugin_is_dropped() -> None:
    named = plugins_named()
    assert {folder for folder, _, _ in named} >= {"platforms", "imageformats", "iconengines"}

    for folder, name, _ in sorted(named):
        rules = qt_rules(SPEC.read_text(encoding="utf-8"))
        files = plugin_files(folder, name)
        kept = rules["QT_PLUGINS_KEPT"]
        # The spec without the words that keep this plugin (the function reads the dict).
        kept[folder] = {word for word in kept[folder] if not any(word in file for file in files)}

        assert any(row.startswith(f"{folder}/{name} ") for row in plugins_dropped(rules))

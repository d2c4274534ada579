"""The window's first paint imports only what it needs; the rest loads on first use.

A real `vetline demo` process runs offscreen until its diff view first paints a hunk,
and writes down every module it has imported by then. Git, the inbox, the input
formats other than proposal JSON, the model client, the MCP server, the second-start
listener, the edit and Ask panels, images, citations and the worker process's
machinery must not be among them: each is loaded when first used. Third-party
packages and the window's own modules are held to allow-lists, so a new import on the
start path is a decision, not an accident. (How long the start takes is measured by
tools/bench.py, never here.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import HANG_GUARD_S

# Runs `vetline ARGS` and, at the end of the first paint that shows a hunk, writes the
# names in sys.modules to the file named by the first argument.
PROBE = """
import json, os, sys
from vetline.ui import diff_view

out, args = sys.argv[1], sys.argv[2:]
original = diff_view.DiffView.paintEvent

def paint(view, event):
    original(view, event)
    if len(view.rows()):
        with open(out, "w", encoding="utf-8") as file:
            json.dump(sorted(sys.modules), file)
        os._exit(0)

diff_view.DiffView.paintEvent = paint
from vetline.cli import main
main(args)
sys.exit("the window closed without painting a hunk")
"""

# Third-party top-level packages the first paint may import (the standard library is
# held to FIRST_USE below instead).
ALLOWED_PACKAGES = {
    "vetline",
    "PySide6",
    "shiboken6",
    "shibokensupport",  # PySide6's own support modules
    "signature_bootstrap",
    "qasync",  # the asyncio loop on Qt's, which every background job is awaited on
    "diff_match_patch",  # word highlights inside the hunk on screen
    "platformdirs",  # where the decision log lives
    "pygit2",  # its compiled module alone: libgit2's xdiff finds the demo's hunks
}

# The window's own modules the first paint imports: a new one here is a decision (each
# costs start-up time), and the rest of vetline.ui must wait for first use.
FIRST_PAINT_UI = {
    "vetline.ui",
    "vetline.ui.actions",
    "vetline.ui.app",
    "vetline.ui.asking",
    "vetline.ui.banner",
    "vetline.ui.centre_views",
    "vetline.ui.command_menu",
    "vetline.ui.controller",
    "vetline.ui.details_view",
    "vetline.ui.dialogs",
    "vetline.ui.diff_ahead",
    "vetline.ui.diff_frame",
    "vetline.ui.diff_geometry",
    "vetline.ui.diff_paint",
    "vetline.ui.diff_pointer",
    "vetline.ui.diff_rows",
    "vetline.ui.diff_text",
    "vetline.ui.diff_view",
    "vetline.ui.event_loop",
    "vetline.ui.finished_view",
    "vetline.ui.hidden_flags",
    "vetline.ui.hidden_scans",
    "vetline.ui.hunk_badges",
    "vetline.ui.image_commands",
    "vetline.ui.latency",
    "vetline.ui.line_text",
    "vetline.ui.loading_view",
    "vetline.ui.log_sharing",
    "vetline.ui.main_window",
    "vetline.ui.plain_text",
    "vetline.ui.queue_index",
    "vetline.ui.queue_model",
    "vetline.ui.queue_view",
    "vetline.ui.source_loading",
    "vetline.ui.sources_panel",
    "vetline.ui.stale_bases",
    "vetline.ui.start_probe",
    "vetline.ui.status",
    "vetline.ui.syntax",
    "vetline.ui.tasks",
    "vetline.ui.theme",
    "vetline.ui.unread_question",
    "vetline.ui.watchers",
    "vetline.ui.window_commands",
    "vetline.ui.window_layout",
    "vetline.ui.window_tasks",
}

# Loaded on first use, never for the first paint.
FIRST_USE = {
    # git repositories, the inbox, and the input formats the demo does not use
    "vetline.adapters.git.tree",
    "vetline.adapters.git.scan",
    "vetline.adapters.git.state",
    "vetline.operations.repository_target",
    "vetline.operations.repository_queue",
    "vetline.adapters.inbox",
    "vetline.adapters.formats.unified",
    "vetline.adapters.formats.codex",
    "vetline.adapters.formats.search_replace",
    "vetline.adapters.formats.patch_source",
    "vetline.adapters.images.changes",
    # asking a model
    "vetline.adapters.llm.ask",
    "vetline.adapters.llm.client",
    "vetline.adapters.llm.prompt",
    "vetline.ui.ask_panel",
    "vetline.ui.ask_scope",
    # agents over MCP
    "vetline.adapters.mcp.server",
    "vetline.operations.agent_desk",
    "vetline.ui.agent_server",
    # panels, views and checks opened on demand
    "vetline.ui.edit_panel",
    "vetline.ui.reason_panel",
    "vetline.ui.locked_lines_edit",
    "vetline.ui.image_view",
    "vetline.ui.stats_view",
    "vetline.ui.command_palette",
    "vetline.ui.shortcut_sheet",
    "vetline.adapters.sources.checker",
    "vetline.ui.citation_view",
    # the Python half of pygit2 (enums, repositories, remotes): only its compiled module
    "pygit2.enums",
    "pygit2.repository",
    # syntax colours: the first paint draws plain text, colours follow
    "pygments",
    # the second-start listener (after the first paint, with Qt's network module)
    "vetline.ui.single_instance",
    "PySide6.QtNetwork",
    # the worker process, the installed version, exports, a settings file, medians
    "multiprocessing",
    "concurrent.futures.process",
    "importlib.metadata",
    "email",
    "tomllib",
    "statistics",
}


def first_paint_modules(tmp_path: Path) -> list[str]:
    out = tmp_path / "modules.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), "--data-dir", str(tmp_path / "data"), "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=HANG_GUARD_S,  # a hang guard, not a budget
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names: list[str] = json.loads(out.read_text(encoding="utf-8"))
    return names


def test_the_window_s_qt_free_parts_load_before_qt_and_only_what_the_paint_needs(
    tmp_path: Path,
) -> None:
    """`vetline` imports WINDOW_QT_FREE_MODULES before Qt (PySide6 inspects the source of
    each module imported after it): none of them may load Qt, or load anything the first
    paint would not have loaded anyway."""
    check = (
        "import importlib, json, sys\n"
        "from vetline.cli_window import WINDOW_QT_FREE_MODULES\n"
        "for name in WINDOW_QT_FREE_MODULES: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    preloaded = set(json.loads(done.stdout))
    assert not {"PySide6", "shiboken6", "qasync"} & preloaded
    assert sorted(preloaded - set(first_paint_modules(tmp_path))) == []


def test_the_first_paint_imports_only_what_it_needs(tmp_path: Path) -> None:
    modules = first_paint_modules(tmp_path)
    assert "vetline.ui.main_window" in modules  # the probe did see the real window paint
    loaded_early = sorted(
        name for name in modules if any(name == x or name.startswith(x + ".") for x in FIRST_USE)
    )
    assert loaded_early == []
    ui_modules = {name for name in modules if name.split(".")[:2] == ["vetline", "ui"]}
    assert sorted(ui_modules - FIRST_PAINT_UI) == []
    packages = {name.split(".")[0] for name in modules}
    # Names starting with "_" are the interpreter's and site's own, or C parts of the above.
    third_party = {
        name for name in packages - set(sys.stdlib_module_names) if not name.startswith("_")
    }
    assert sorted(third_party - ALLOWED_PACKAGES) == []

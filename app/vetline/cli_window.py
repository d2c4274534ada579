"""`vetline review`, `vetline demo`, plain `vetline`: the window, its Qt-free parts loaded first."""

from __future__ import annotations

import argparse
from pathlib import Path

from vetline.cli_common import folder_option, workspace_path

# The window's Qt-free parts, imported before Qt is: once loaded, PySide6 reads the
# source of every module imported after it (for its __feature__ switches), about
# 0.1 ms each. Each is loaded for the first paint anyway (tests/ui/test_first_paint_imports).
WINDOW_QT_FREE_MODULES = (
    "vetline.adapters.config",
    "vetline.adapters.decision_log",
    "vetline.adapters.files.kept",
    "vetline.adapters.formats.json_reader",
    "vetline.adapters.inputs",
    "vetline.adapters.llm.errors",
    "vetline.adapters.llm.providers",
    "vetline.adapters.llm.redact",
    "vetline.adapters.llm.typed_keys",
    "vetline.adapters.log.stats",
    "vetline.core.autonomy_suggestion",
    "vetline.core.citation_items",
    "vetline.core.commands",
    "vetline.core.hidden_text",
    "vetline.core.hunk_edit",
    "vetline.core.reading_time",
    "vetline.core.session",
    "vetline.core.worddiff",
    "vetline.operations.reviewer",
    "vetline.operations.workspace_target",
    "vetline.resources",
    "vetline.ui.diff_rows",
    "vetline.ui.hunk_badges",
    "vetline.ui.line_text",
    "vetline.ui.queue_index",
    "vetline.ui.stale_bases",
    "vetline.ui.syntax",
    "vetline.ui.tasks",
)


def open_window(args: argparse.Namespace) -> int:
    import importlib

    for name in WINDOW_QT_FREE_MODULES:
        importlib.import_module(name)
    from vetline.ui.app import run_gui  # Qt loads only for the window

    exit_code: int = run_gui(
        sources=list(getattr(args, "sources", []) or []),
        workspace=workspace_path(getattr(args, "workspace", None)),
        demo=args.command == "demo",
        data_dir=Path(args.data_dir) if args.data_dir else None,
        config=Path(args.config) if args.config else None,
        level=getattr(args, "level", None),
        watch=folder_option("--watch", getattr(args, "watch", None)),
    )
    return exit_code

"""Start Vetline as `python -m vetline ARGS` does, and report its first paint and memory.

Used by tools/bench_gui.py: `bench_gui_launch.py --data-dir DIR demo` (or `review ...`);
`bench_gui_launch.py --bare` starts a bare PySide6 window showing one label instead, timed
and reported the same way (the end of the label's first paint), to compare against.
The only additions to the app's own start are a wrapper around DiffView.paintEvent,
installed as the app itself loads that module, so the app's import order is kept (the
end of the first paint that shows a hunk is recorded with time.time(), comparable with
the parent's spawn time in $VETLINE_BENCH_SPAWN_TIME) and, $VETLINE_BENCH_IDLE_MS after
that paint and once no background work is pending, one JSON line on stdout with the
resident memory and the CPU time the process had used by its first paint (what the
start costs on an idle machine, whatever the load); then the window is closed the way
the reviewer would close it.
"""

from __future__ import annotations

import time

STARTED = time.time()

import importlib.abc  # noqa: E402 - the clock above is read before anything else is imported
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

BARE_WINDOW_SIZE = (1536, 864)  # the review window's default size on the bench's screen


def main() -> int:
    if sys.argv[1:] == ["--bare"]:
        return bare_window()
    idle_ms = int(os.environ.get("VETLINE_BENCH_IDLE_MS", "1000"))
    state: dict[str, Any] = {}

    def wrap_paint(diff_view: Any) -> None:
        """Called as vetline.ui.diff_view finishes loading, where the app loads it."""
        state["diff_view_loaded"] = time.time()
        original_paint = diff_view.DiffView.paintEvent

        def timed_paint(view: Any, event: Any) -> None:
            original_paint(view, event)
            if "first_paint_time" not in state and len(view.rows()):
                state["first_paint_time"] = time.time()
                state["first_paint_cpu_ms"] = round(time.process_time() * 1000, 1)
                from PySide6.QtCore import QTimer

                QTimer.singleShot(idle_ms, report_when_idle)

        diff_view.DiffView.paintEvent = timed_paint

    def report_when_idle() -> None:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        from vetline.ui.main_window import MainWindow

        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        window = windows[0]
        controller = window.controller
        if controller.has_pending_work():
            QTimer.singleShot(100, report_when_idle)  # e.g. the staleness check of 1,000
            return
        import psutil  # after the paint: not part of the start-up being timed

        process = psutil.Process()
        children = process.children(recursive=True)
        session = controller.session
        report = {
            "first_paint_time": state["first_paint_time"],
            "first_paint_cpu_ms": state["first_paint_cpu_ms"],
            "launcher_started_time": STARTED,
            # Until the diff view's module had loaded (Qt and most of the app with it).
            "import_ms": round((state["diff_view_loaded"] - STARTED) * 1000, 1),
            "rss_mb": round(process.memory_info().rss / 2**20, 1),
            "children_rss_mb": round(sum(_rss(child) for child in children) / 2**20, 1),
            "proposals": len(session.proposals),
            "hunks": len(session.items),
            "diff_viewport": [window.diff.viewport().width(), window.diff.viewport().height()],
        }
        print(json.dumps(report), flush=True)
        QTimer.singleShot(0, window.close)

    sys.meta_path.insert(0, _AfterLoading("vetline.ui.diff_view", wrap_paint))
    from vetline.cli import main as vetline_main

    return vetline_main(sys.argv[1:])


class _AfterLoading(importlib.abc.MetaPathFinder):
    """Calls `then(module)` once the module `name` has loaded, wherever the app imports
    it: importing it here first would load Qt before the app's own first import of it,
    and PySide6 then inspects every module imported after it (a cost the app's own
    import order may avoid)."""

    def __init__(self, name: str, then: Callable[[Any], None]) -> None:
        self.name, self.then = name, then

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        loader, then = spec.loader, self.then

        class Loader(importlib.abc.Loader):
            def create_module(self, spec: Any) -> Any:
                return loader.create_module(spec)

            def exec_module(self, module: Any) -> None:
                loader.exec_module(module)
                then(module)

        spec.loader = Loader()
        return spec


def bare_window() -> int:
    """A bare PySide6 window showing one label: what any Qt app pays to paint at all."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    imported = time.time()
    idle_ms = int(os.environ.get("VETLINE_BENCH_IDLE_MS", "1000"))
    app = QApplication(sys.argv[:1])
    state: dict[str, float] = {}

    class TimedLabel(QLabel):
        def paintEvent(self, event: Any) -> None:
            super().paintEvent(event)
            if "first_paint_time" not in state:
                state["first_paint_time"] = time.time()
                state["first_paint_cpu_ms"] = round(time.process_time() * 1000, 1)
                QTimer.singleShot(idle_ms, report)

    def report() -> None:
        import psutil

        process = psutil.Process()
        children = process.children(recursive=True)
        print(
            json.dumps(
                {
                    "first_paint_time": state["first_paint_time"],
                    "first_paint_cpu_ms": state["first_paint_cpu_ms"],
                    "launcher_started_time": STARTED,
                    "import_ms": round((imported - STARTED) * 1000, 1),
                    "rss_mb": round(process.memory_info().rss / 2**20, 1),
                    "children_rss_mb": round(sum(_rss(child) for child in children) / 2**20, 1),
                }
            ),
            flush=True,
        )
        QTimer.singleShot(0, label.close)

    label = TimedLabel("Vetline")
    label.resize(*BARE_WINDOW_SIZE)
    label.show()
    return app.exec()


def _rss(process: Any) -> int:
    try:
        return int(process.memory_info().rss)
    except Exception:  # noqa: BLE001 - a child that just exited has no memory to count
        return 0


if __name__ == "__main__":
    raise SystemExit(main())

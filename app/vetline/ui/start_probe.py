"""When the window first paints a hunk: the self-test's timing, the start probe, and a
diff view's first paint as benchmarks and tests time it.

`VETLINE_START_PROBE=FILE vetline demo` starts the app as usual; once the diff view has
painted the first hunk it writes to FILE, as JSON, when that was (`painted_at`, seconds
since the epoch), how long after the process started (`after_start_ms`, where the system
says when it started: Linux) and the process's CPU time by then (`cpu_ms`), and quits.
`tools/bench_package.py` times a packaged app's start with it. The module is small and
loads with the window; the probe is made only when the variable is set.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vetline.core.model import Change, Hunk
    from vetline.ui.diff_view import DiffView
    from vetline.ui.main_window import MainWindow

START_PROBE_ENV = "VETLINE_START_PROBE"


class FirstHunkPaint(QObject):
    """Notes when the diff view first paints a hunk (watched, not changed)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.painted_at: float | None = None
        self.cpu_at_paint = 0.0  # this process's CPU seconds: a figure the machine's load spares
        window.diff.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        painting = event.type() == QEvent.Type.Paint and self.painted_at is None
        if painting and len(self._window.diff.rows()):
            # Filters run before the paint itself: the time is taken once it is done.
            QTimer.singleShot(0, self, self._note_painted)
        return False

    def _note_painted(self) -> None:
        if self.painted_at is None:
            self.painted_at = time.time()
            self.cpu_at_paint = time.process_time()
            self.on_painted()

    def on_painted(self) -> None:
        """Called once, right after the first hunk is painted."""

    def done(self) -> bool:
        return self.painted_at is not None

    def after_start_ms(self) -> float | None:
        process_start = process_start_time()
        if self.painted_at is None or process_start is None:
            return None
        return (self.painted_at - process_start) * 1000

    def timing(self) -> str:
        cpu = f"{self.cpu_at_paint * 1000:.0f} ms of CPU"
        wall = self.after_start_ms()
        if wall is None:
            return f"first hunk painted after {cpu}"
        return f"first hunk painted {wall:.0f} ms after start ({cpu})"


class _StartProbe(FirstHunkPaint):
    def __init__(self, window: MainWindow, report: Path) -> None:
        super().__init__(window)
        self._report = report

    def on_painted(self) -> None:
        after_start = self.after_start_ms()
        figures = {
            "painted_at": self.painted_at,
            "after_start_ms": None if after_start is None else round(after_start, 1),
            "cpu_ms": round(self.cpu_at_paint * 1000, 1),
        }
        self._report.write_text(json.dumps(figures) + "\n", encoding="utf-8")
        QApplication.quit()


def probe_start(window: MainWindow, report: str) -> None:
    """Write the first hunk's paint time to `report`, then quit (see the module's text)."""
    _StartProbe(window, Path(report))


def process_start_time() -> float | None:
    """When this process started (wall clock), where the system says so (Linux)."""
    try:
        stat = Path("/proc/self/stat").read_text(encoding="ascii")
        uptime = float(Path("/proc/uptime").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError):
        return None
    # Fields after the command name (which may hold spaces); field 22 is the start time.
    fields = stat.rsplit(")", 1)[1].split()
    ticks_after_boot = int(fields[19])
    since_start = uptime - ticks_after_boot / os.sysconf("SC_CLK_TCK")
    return time.time() - since_start


def measure_first_paint(view: DiffView, change: Change | None, hunks: Sequence[Hunk]) -> float:
    """Milliseconds from set_file to the first frame painted (the view must be exposed).

    Includes QApplication.processEvents, so a colouring pass deferred by the first paint
    (see SYNTAX_BUDGET_SECONDS) is counted when it runs within it.
    """
    start = time.perf_counter()
    view.set_file(change, hunks)
    view.viewport().repaint()
    QApplication.processEvents()
    return (time.perf_counter() - start) * 1000

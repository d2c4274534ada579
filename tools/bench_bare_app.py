"""A bare PySide6 window that reports its first paint the way VETLINE_START_PROBE does.

Frozen with the same PyInstaller as the package, it is the floor any frozen Qt app pays
here, timed by the same bench (packaging/README.md gives the figures):

    build/package/venv/bin/pyinstaller --noconfirm --name vetline \\
        --distpath /tmp/bare/dist --workpath /tmp/bare/work tools/bench_bare_app.py
    .venv/bin/python tools/bench_package.py --app-dir /tmp/bare/dist/vetline

(the executable is named `vetline` so that bench_package.py finds it; it ignores `demo`).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QLabel

WINDOW_SIZE = (1536, 864)  # as tools/bench_gui_launch.py's bare window


class FirstPaintLabel(QLabel):
    """A label that reports once, after its first paint, then quits."""

    reported = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.reported:
            self.reported = True
            QTimer.singleShot(0, report_and_quit)


def report_and_quit() -> None:
    figures = {
        "painted_at": time.time(),
        "after_start_ms": None,
        "cpu_ms": round(time.process_time() * 1000, 1),
    }
    report = Path(os.environ["VETLINE_START_PROBE"])
    report.write_text(json.dumps(figures), encoding="utf-8")
    QApplication.quit()


def main() -> int:
    app = QApplication(sys.argv[:1])
    label = FirstPaintLabel("Vetline")
    label.resize(*WINDOW_SIZE)
    label.show()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())

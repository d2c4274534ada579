"""A window started on a damaged log offers the newest good copy and goes on with it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from helpers import HANG_GUARD_S
from helpers.logkit import checkpoint, filled, page_size_and_count, wreck_page
from helpers.review_window import ARTIFACTS
from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog

# Starts the window as `vetline review` does, answers the damaged-log question with the
# button named in argv[1] (a real click), then says what the window shows and quits.
START = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QMessageBox
    from vetline.ui.app import run_gui
    from vetline.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    answer, shot = sys.argv[1], sys.argv[2]

    def look() -> None:
        for widget in app.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.objectName() == "damagedLog":
                if widget.isVisible():
                    widget.grab().save(shot)
                    print("asked", flush=True)
                    (button,) = [b for b in widget.buttons() if b.text() == answer]
                    QTimer.singleShot(20, look)  # then the window, if it opens
                    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
                    return
            if isinstance(widget, MainWindow) and widget.isVisible():
                print("banner", widget.banner.message(), flush=True)
                widget.command_actions["app.quit"].trigger()
                return
        QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)
    sys.exit(run_gui(sources=[], workspace=None, demo=False, data_dir=None, config=None,
                     level=None))
    """
)


def damaged_log_with_a_copy(data: Path) -> Path:
    log_path = data / LOG_FILE_NAME
    filled(log_path, 10, backup_every=4)
    filled(log_path, 2, start=11)  # the copy made on closing holds all 12
    checkpoint(log_path)
    _, pages = page_size_and_count(log_path)
    wreck_page(log_path, pages)
    return log_path


def start_answering(data: Path, answer: str, shot: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, VETLINE_DATA_DIR=str(data), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-c", START, answer, str(shot)],
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        check=False,
    )


def test_restore_puts_the_good_copy_back_and_the_window_opens_on_it(tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = damaged_log_with_a_copy(tmp_path / "data")

    done = start_answering(tmp_path / "data", "Restore the good copy", ARTIFACTS / "log-1.png")

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    asked, banner = done.stdout.splitlines()
    assert asked == "asked"
    assert banner.startswith("banner Decision log: restored the decision log from decisions-")
    assert "vetline: Vetline cannot start: " in done.stderr  # the terminal hears it too
    (aside,) = log_path.parent.glob(f"{LOG_FILE_NAME}.damaged-*[0-9]Z")
    assert aside.stat().st_size > 0  # the damaged log is kept, never deleted
    with DecisionLog(log_path) as log:
        assert log.end().rows == 12


def test_quit_leaves_the_damaged_log_as_it_is(tmp_path: Path) -> None:
    log_path = damaged_log_with_a_copy(tmp_path / "data")
    before = log_path.read_bytes()

    done = start_answering(tmp_path / "data", "Quit", tmp_path / "asked.png")

    assert done.returncode == 5, done.stderr  # the log is damaged, as `log verify` says
    assert done.stdout.splitlines() == ["asked"]
    assert log_path.read_bytes() == before
    assert not list(log_path.parent.glob(f"{LOG_FILE_NAME}.damaged-*"))

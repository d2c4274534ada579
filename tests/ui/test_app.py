"""Starting the window: the last session comes back, `run_gui` runs and quits cleanly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_S
from helpers.review_window import ARTIFACTS, WAIT_MS
from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.paths import resources_dir
from vetline.ui.app import (
    LAST_SESSION_FILE,
    LastSession,
    build_window,
    open_start_queue,
    read_last_session,
    remember_sessions,
    write_last_session,
)
from vetline.ui.main_window import MainWindow

PROPOSALS = resources_dir() / "demo" / "proposals"


def window_on(qtbot: QtBot, log: DecisionLog, data: Path) -> MainWindow:
    window = build_window(log)
    qtbot.addWidget(window)
    remember_sessions(window.controller, data)
    return window


def test_review_sources_are_remembered_and_reopened(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    data, workspace = tmp_path / "data", tmp_path / "workspace"
    data.mkdir()
    workspace.mkdir()
    source = str(PROPOSALS / "02-study-note.json")
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        first = window_on(qtbot, log, data)
        with qtbot.waitSignal(first.controller.command_finished, timeout=WAIT_MS):
            open_start_queue(
                first.controller,
                sources=[source],
                workspace=workspace,
                demo=False,
                data_folder=data,
            )
        assert read_last_session(data) == LastSession((source,), workspace, demo=False, level=2)
        first.slider.step(+1)  # as the reviewer moving the autonomy slider
        remembered = read_last_session(data)
        assert remembered is not None and remembered.level == 3  # for the next start

        again = window_on(qtbot, log, data)
        with qtbot.waitSignal(again.controller.command_finished, timeout=WAIT_MS):
            open_start_queue(
                again.controller, sources=[], workspace=None, demo=False, data_folder=data
            )
        assert [p.id for p in again.controller.session.proposals] == ["demo-first-law-note"]
        assert again.controller.workspace is not None
        assert again.controller.workspace.root == workspace
        for window in (first, again):
            qtbot.waitUntil(lambda w=window: not w.controller.has_pending_work(), timeout=WAIT_MS)
            window.controller.gateway.shutdown()


def test_no_last_session_means_the_empty_state(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        window = window_on(qtbot, log, tmp_path)
        open_start_queue(
            window.controller, sources=[], workspace=None, demo=False, data_folder=tmp_path
        )
        assert window.pages.currentWidget() is window.empty_state
        (tmp_path / LAST_SESSION_FILE).write_text("{not json", encoding="utf-8")
        assert read_last_session(tmp_path) is None  # a damaged file is ignored, not fatal
        window.controller.gateway.shutdown()


def test_the_demo_is_remembered_as_the_demo(tmp_path: Path) -> None:
    write_last_session(tmp_path, LastSession(("-", "a.diff"), None, demo=True))
    assert read_last_session(tmp_path) == LastSession(("a.diff",), None, demo=True)


RUN = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from vetline.ui.app import run_gui
    from vetline.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    shot = sys.argv[2] if len(sys.argv) > 2 else ""

    def report_and_quit():
        # Once the window shows and has loaded what it reopens: what it holds, then quit.
        for widget in app.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                controller = widget.controller
                if controller.session.items and not controller.has_pending_work():
                    print("items", len(controller.session.items), flush=True)
                    if shot:
                        widget.grab().save(shot)
                    widget.command_actions["app.quit"].trigger()
                    return
        QTimer.singleShot(20, report_and_quit)

    QTimer.singleShot(0, report_and_quit)
    sys.exit(run_gui(sources=[], workspace=None, demo=sys.argv[1] == "demo",
                     data_dir=None, config=None, level=None))
    """
)


def run_window(data: Path, mode: str, shot: Path | None = None, scale: str = "1") -> str:
    env = dict(os.environ, VETLINE_DATA_DIR=str(data), QT_QPA_PLATFORM="offscreen")
    env["QT_SCALE_FACTOR"] = scale
    arguments = [sys.executable, "-c", RUN, mode, str(shot or "")]
    done = subprocess.run(arguments, env=env, capture_output=True, text=True, timeout=HANG_GUARD_S)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_run_gui_opens_the_demo_then_reopens_it_with_no_arguments(tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    assert "items 8" in run_window(tmp_path, "demo", ARTIFACTS / "12-high-dpi-1.5x.png", "1.5")
    assert json.loads((tmp_path / LAST_SESSION_FILE).read_text(encoding="utf-8"))["demo"] is True
    assert "items 8" in run_window(tmp_path, "none")
    assert (tmp_path / "decisions.sqlite3").exists()


def test_a_file_dropped_on_the_window_is_opened(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # with no workspace yet, the current folder is the workspace
    source = PROPOSALS / "01-pager-fix.json"
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        window = window_on(qtbot, log, tmp_path)
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(source))])
        action = Qt.DropAction.CopyAction
        position = QPointF(window.rect().center())
        buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        enter = QDragEnterEvent(position.toPoint(), action, data, buttons, modifiers)
        window.dragEnterEvent(enter)
        assert enter.isAccepted()
        with qtbot.waitSignal(window.controller.command_finished, timeout=WAIT_MS):
            window.dropEvent(QDropEvent(position, action, data, buttons, modifiers))
        assert [p.id for p in window.controller.session.proposals] == ["demo-pager-fix"]
        assert window.pages.currentIndex() == 1
        assert read_last_session(tmp_path) == LastSession(
            (str(source),), tmp_path, demo=False, level=2
        )
        assert window.workspace_label.text().startswith("Workspace: /")
        assert str(tmp_path) in window.workspace_label.toolTip()
        qtbot.waitUntil(lambda: not window.controller.has_pending_work(), timeout=WAIT_MS)
        window.controller.gateway.shutdown()


PATCH = """\
diff --git a/greet.py b/greet.py
--- a/greet.py
+++ b/greet.py
@@ -1,2 +1,2 @@
 def greet(name):
-    return "Hello " + name
+    return f"Hello, {name}!"
"""


def test_review_of_a_patch_writes_into_the_given_workspace(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    workspace = tmp_path / "project"
    workspace.mkdir()
    (workspace / "greet.py").write_text('def greet(name):\n    return "Hello " + name\n')
    patch = tmp_path / "change.diff"
    patch.write_text(PATCH, encoding="utf-8")
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        window = window_on(qtbot, log, tmp_path)
        with qtbot.waitSignal(window.controller.command_finished, timeout=WAIT_MS):
            open_start_queue(
                window.controller,
                sources=[str(patch)],
                workspace=workspace,
                demo=False,
                data_folder=tmp_path,
            )
        qtbot.waitUntil(lambda: not window.controller.has_pending_work(), timeout=WAIT_MS)
        with qtbot.waitSignal(window.controller.command_finished, timeout=WAIT_MS):
            window.command_actions["review.accept_hunk"].trigger()
        assert 'f"Hello, {name}!"' in (workspace / "greet.py").read_text()
        assert [row["verdict"] for row in log.rows()] == ["accepted"]
        window.controller.gateway.shutdown()


def test_opening_the_same_source_twice_queues_it_once(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    source = str(PROPOSALS / "01-pager-fix.json")
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        window = window_on(qtbot, log, tmp_path)
        for _ in range(2):
            with qtbot.waitSignal(window.controller.command_finished, timeout=WAIT_MS):
                window.controller.load_sources([source], tmp_path)
        assert len(window.controller.session.proposals) == 1
        assert window.statusBar().currentMessage() == "1 proposal(s) already in the queue"
        qtbot.waitUntil(lambda: not window.controller.has_pending_work(), timeout=WAIT_MS)
        window.controller.gateway.shutdown()


def git(repo: Path, *arguments: str) -> str:
    done = subprocess.run(["git", *arguments], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


def test_a_repository_source_stages_accepted_hunks(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "config", "user.name", "Test")
    (repo / "greet.py").write_text('def greet(name):\n    return "Hello " + name\n')
    git(repo, "add", "greet.py")
    git(repo, "commit", "-q", "-m", "first")
    (repo / "greet.py").write_text('def greet(name):\n    return f"Hello, {name}!"\n')
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        window = window_on(qtbot, log, tmp_path)
        with qtbot.waitSignal(window.controller.command_finished, timeout=WAIT_MS):
            open_start_queue(
                window.controller,
                sources=[str(repo)],
                workspace=None,
                demo=False,
                data_folder=tmp_path,
            )
        assert window.workspace_label.toolTip().endswith(str(repo))
        assert len(window.controller.session.items) == 1
        with qtbot.waitSignal(window.controller.command_finished, timeout=WAIT_MS):
            window.command_actions["review.accept_hunk"].trigger()
        assert 'f"Hello, {name}!"' in git(repo, "diff", "--cached")
        patch = tmp_path / "other.diff"
        patch.write_text(PATCH, encoding="utf-8")
        with qtbot.waitSignal(window.controller.problem, timeout=WAIT_MS) as refused:
            window.controller.load_sources([str(patch)], tmp_path)
        assert "this window reviews a repository" in refused.args[0]
        qtbot.waitUntil(lambda: not window.controller.has_pending_work(), timeout=WAIT_MS)
        window.controller.gateway.shutdown()

"""An inbox folder in the window: dropped proposals queue up, verdicts go back out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS, HANG_GUARD_S
from helpers.review_window import Review, new_window, reviewing, show
from vetline.ui.app import open_start_queue, read_last_session, remember_sessions
from vetline.ui.watchers import InboxFollower

CTRL = Qt.KeyboardModifier.ControlModifier
BASE = "".join(f"line {n}\n" for n in range(1, 41))
NEW = BASE.replace("line 3\n", "line three\n").replace("line 30\n", "line thirty\n")
ARRIVAL_MS = HANG_GUARD_MS


def proposal_file(proposal_id: str, title: str) -> str:
    return json.dumps(
        {
            "vetline": 1,
            "proposals": [
                {
                    "id": proposal_id,
                    "title": title,
                    "rationale": "Numbers read better as words.",
                    "agent": {"name": "inbox-agent", "model": "test-model"},
                    "changes": [{"path": "src/numbers.txt", "base": BASE, "new": NEW}],
                }
            ],
        }
    )


@pytest.fixture
def inbox_review(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> Iterator[tuple[Review, Path]]:
    workspace, inbox, data = tmp_path / "workspace", tmp_path / "inbox", tmp_path / "data"
    (workspace / "src").mkdir(parents=True)
    (workspace / "src" / "numbers.txt").write_text(BASE, encoding="utf-8")
    inbox.mkdir()
    data.mkdir()
    window, log = new_window(tmp_path)
    remember_sessions(window.controller, data)
    show(qtbot, window)
    open_start_queue(
        window.controller,
        sources=[],
        workspace=workspace,
        demo=False,
        data_folder=data,
        watch=inbox,
    )
    for review in reviewing(Review(window, log, workspace, qtbot), handed_to_qtbot=False):
        yield review, inbox


def test_a_dropped_proposal_is_queued_and_its_verdicts_go_to_the_outbox(
    inbox_review: tuple[Review, Path], tmp_path: Path
) -> None:
    review, inbox = inbox_review
    assert read_last_session(tmp_path / "data").watch == inbox  # remembered for next start
    (inbox / "numbers.json").write_text(proposal_file("words-1", "Spell out numbers"), "utf-8")
    review.qtbot.waitUntil(
        lambda: [p.id for p in review.controller.session.proposals] == ["words-1"],
        timeout=ARRIVAL_MS,
    )
    review.settle()
    review.shot("22-inbox")

    review.press_and_wait(Qt.Key.Key_Y, CTRL)
    review.press_and_wait(Qt.Key.Key_N, CTRL)

    verdict = json.loads((inbox / "outbox" / "words-1.verdict.json").read_text("utf-8"))
    hunks = [item.hunk.id for item in review.controller.session.items]
    assert verdict["proposal_id"] == "words-1"
    assert verdict["accepted"] == [hunks[0]]
    assert verdict["rejected"] == [{"hunk_id": hunks[1], "reason": ""}]
    assert (inbox / "done" / "numbers.json").is_file()
    assert not (inbox / "numbers.json").exists()
    written = (review.workspace / "src" / "numbers.txt").read_text("utf-8")
    assert written == BASE.replace("line 3\n", "line three\n")
    assert "verdict written to words-1.verdict.json" in review.window.statusBar().currentMessage()


def test_a_file_that_is_not_a_proposal_is_moved_aside_and_reported(
    inbox_review: tuple[Review, Path],
) -> None:
    review, inbox = inbox_review
    (inbox / "broken.json").write_text('{"vetline": 1, "proposals": [', "utf-8")
    review.qtbot.waitUntil(
        lambda: (inbox / "rejected" / "broken.json.error.txt").is_file(), timeout=ARRIVAL_MS
    )
    assert (inbox / "rejected" / "broken.json").is_file()
    review.qtbot.waitUntil(
        lambda: "broken.json" in review.window.banner.message(), timeout=HANG_GUARD_MS
    )
    assert "Inbox: not a proposal, moved to rejected/" in review.window.banner.message()
    assert review.controller.session.proposals == []


def test_a_file_still_being_written_waits_until_it_is_complete(
    inbox_review: tuple[Review, Path],
) -> None:
    review, inbox = inbox_review
    follower = review.controller.findChild(InboxFollower)
    assert follower is not None
    text = proposal_file("words-2", "Grown slowly")
    target = inbox / "slow.json"
    with target.open("w", encoding="utf-8") as growing:
        for start in range(0, len(text), len(text) // 4):
            growing.write(text[start : start + len(text) // 4])
            growing.flush()
            review.qtbot.wait(150)  # the watcher looks in the meantime
            assert review.controller.session.proposals == []
    review.qtbot.waitUntil(
        lambda: [p.id for p in review.controller.session.proposals] == ["words-2"],
        timeout=ARRIVAL_MS,
    )
    assert not (inbox / "rejected").exists()


CLI_RUN = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from vetline.cli import main
    from vetline.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])

    def report_and_quit():
        for widget in app.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                ids = [p.id for p in widget.controller.session.proposals]
                print("proposals", ",".join(ids), flush=True)
                widget.command_actions["app.quit"].trigger()

    QTimer.singleShot(2500, report_and_quit)
    sys.exit(main(sys.argv[1:]))
    """
)


def run_vetline(*arguments: str) -> str:
    """`vetline ARGUMENTS` in a fresh process; quits after 2.5 s, printing the queue."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", CLI_RUN, *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_vetline_review_watch_follows_the_inbox_and_is_remembered(tmp_path: Path) -> None:
    workspace, inbox, data = tmp_path / "workspace", tmp_path / "inbox", tmp_path / "data"
    (workspace / "src").mkdir(parents=True)
    (workspace / "src" / "numbers.txt").write_text(BASE, encoding="utf-8")
    inbox.mkdir()
    (inbox / "numbers.json").write_text(proposal_file("words-3", "From the CLI"), "utf-8")
    watching = ["review", "--watch", str(inbox), "--workspace", str(workspace)]
    assert "proposals words-3" in run_vetline("--data-dir", str(data), *watching)
    remembered = read_last_session(data)
    assert remembered is not None
    assert remembered.watch == inbox
    assert remembered.workspace == workspace
    # `vetline` alone follows the same inbox again (the file still waits for its verdicts).
    assert "proposals words-3" in run_vetline("--data-dir", str(data))

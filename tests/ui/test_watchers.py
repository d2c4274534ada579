"""An inbox folder in the window: dropped proposals queue up, verdicts go back out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS, HANG_GUARD_S
from helpers.review_window import Review, new_window, reviewing, show
from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.inbox import SETTLE_SECONDS
from vetline.core.session import ReviewSession
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
    yield from watching(qtbot, tmp_path)


def watching(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[Review, Path]]:
    """A window following tmp_path's inbox, over tmp_path's decision log."""
    workspace, inbox, data = tmp_path / "workspace", tmp_path / "inbox", tmp_path / "data"
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


def two_proposal_file(inbox: Path) -> Path:
    """words-1 and words-2, each changing a file of its own."""
    document = json.loads(proposal_file("words-1", "Spell out numbers"))
    second = json.loads(proposal_file("words-2", "Spell out more numbers"))["proposals"][0]
    second["changes"][0]["path"] = "src/more.txt"
    document["proposals"].append(second)
    source = inbox / "two.json"
    source.write_text(json.dumps(document), "utf-8")
    return source


def decide_in_an_earlier_run(tmp_path: Path, source: Path, *, answered: bool) -> list[str]:
    """words-1 accepted, then rejected, hunk by hunk into the log (as a window run that has
    since stopped would have), its answer written to the outbox only if `answered`."""
    from vetline.adapters.inbox import Inbox, verdicts_from_items
    from vetline.adapters.inputs import load_source

    workspace = tmp_path / "workspace"
    first = load_source(str(source), workspace)[0]
    with DecisionLog(tmp_path / "decisions.sqlite3") as log:
        session = ReviewSession([first], record=log.append, clock=time.monotonic)
        session.accept_current()
        session.reject_current("keep the digits")
        if answered:
            inbox = Inbox(source.parent, workspace)
            inbox.scan(0.0)
            inbox.scan(SETTLE_SECONDS + 1)  # read, as the earlier run had read it
            inbox.complete(source, verdicts_from_items(first, session.items))
    return [item.hunk.id for item in session.items]


def prepared_inbox(tmp_path: Path) -> Path:
    workspace, inbox = tmp_path / "workspace", tmp_path / "inbox"
    (workspace / "src").mkdir(parents=True)
    (workspace / "src" / "numbers.txt").write_text(BASE, encoding="utf-8")
    (workspace / "src" / "more.txt").write_text(BASE, encoding="utf-8")
    inbox.mkdir()
    (tmp_path / "data").mkdir()
    return inbox


def test_a_proposal_answered_before_a_restart_is_not_queued_again(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    """A window closed after answering words-1 of a two-proposal file: the next one queues
    words-2 only, and never sends words-1's answer twice."""
    inbox = prepared_inbox(tmp_path)
    source = two_proposal_file(inbox)
    decide_in_an_earlier_run(tmp_path, source, answered=True)
    assert [path.name for path in (inbox / "outbox").iterdir()] == ["words-1.verdict.json"]

    for review, _ in watching(qtbot, tmp_path):
        review.qtbot.waitUntil(
            lambda r=review: [p.id for p in r.controller.session.proposals] == ["words-2"],
            timeout=ARRIVAL_MS,
        )
        note = review.window.statusBar().currentMessage()
        assert "words-1) answered from the log, not queued again" in note
        review.press_and_wait(Qt.Key.Key_Y, CTRL)
        review.press_and_wait(Qt.Key.Key_Y, CTRL)

    outbox = sorted(path.name for path in (inbox / "outbox").iterdir())
    assert outbox == ["words-1.verdict.json", "words-2.verdict.json"]
    assert (inbox / "done" / "two.json").is_file()  # every proposal in it answered


def test_an_answer_a_crash_kept_from_the_agent_is_sent_from_the_log(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    """Stopped between logging words-1's verdicts and writing its answer: the next window
    writes the answer from the log instead of asking the reviewer again."""
    inbox = prepared_inbox(tmp_path)
    source = two_proposal_file(inbox)
    hunks = decide_in_an_earlier_run(tmp_path, source, answered=False)
    assert not (inbox / "outbox").exists()

    for review, _ in watching(qtbot, tmp_path):
        review.qtbot.waitUntil(
            lambda r=review: [p.id for p in r.controller.session.proposals] == ["words-2"],
            timeout=ARRIVAL_MS,
        )

    verdict = json.loads((inbox / "outbox" / "words-1.verdict.json").read_text("utf-8"))
    assert verdict["accepted"] == [hunks[0]]
    assert verdict["rejected"] == [{"hunk_id": hunks[1], "reason": "keep the digits"}]
    assert (inbox / "two.json").is_file()  # words-2 still waits for its verdicts


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
        # Once the window shows a queue it has finished loading: print it, then quit.
        for widget in app.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                controller = widget.controller
                if controller.session.proposals and not controller.has_pending_work():
                    ids = [p.id for p in controller.session.proposals]
                    print("proposals", ",".join(ids), flush=True)
                    widget.command_actions["app.quit"].trigger()
                    return
        QTimer.singleShot(20, report_and_quit)

    QTimer.singleShot(0, report_and_quit)
    sys.exit(main(sys.argv[1:]))
    """
)


def run_vetline(*arguments: str) -> str:
    """`vetline ARGUMENTS` in a fresh process; quits once its queue is in, printing it."""
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

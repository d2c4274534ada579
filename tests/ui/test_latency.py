"""What keeps the window quick: a light start, O(1) key presses, short collector pauses.

The budgets themselves are measured by tools/bench_gui.py, never timed here; these tests
pin down the structure that meets them, so a change that undoes it fails loudly.
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_S
from helpers.review_window import ARTIFACTS, WAIT_MS, Review
from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.demo import prepare_demo
from vetline.core.hunks import hunks_from_texts, split_hunk
from vetline.core.model import Change
from vetline.core.session import ReviewItem, ReviewSession
from vetline.ui.app import build_window
from vetline.ui.queue_index import QueueIndex
from vetline.ui.window_layout import LARGEST_DEFAULT_SIZE, SCREEN_SHARE

CTRL = Qt.KeyboardModifier.ControlModifier


def test_the_window_starts_without_the_llm_machinery() -> None:
    """openai and its HTTP stack cost ~0.4 s: they load when the Ask panel is first used."""
    probe = (
        "import sys, vetline.ui.app, vetline.ui.main_window\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'openai', 'httpx', 'httpx2'}"
        " or m in {'vetline.adapters.llm.ask', 'vetline.adapters.llm.client'})\n"
        "print(heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def test_the_queue_index_answers_as_the_session_does(tmp_path: Path) -> None:
    _workspace, proposals = prepare_demo(tmp_path)
    session = ReviewSession(proposals, record=lambda _decision: 1, clock=lambda: 0.0)
    index = QueueIndex(session)
    for proposal in session.proposals:
        assert index.items_of_proposal(proposal) == tuple(session.items_of(proposal))
        for change in proposal.changes:
            siblings = tuple(session.items_of(proposal, change))
            assert index.items_of(proposal, change) == siblings
            assert [index.index_in_file(item) for item in siblings] == list(range(len(siblings)))
            assert index.file_totals(change) == (change.added, change.removed)
        files, hunks, lines = index.proposal_totals(proposal)
        assert (hunks, lines) == (len(proposal.hunks), proposal.changed_lines)
        assert files == len({change.path for change in proposal.changes})
    assert [index.queue_index(item) for item in session.items] == list(range(len(session.items)))
    stranger = ReviewItem(session.items[0].proposal, session.items[0].change, session.items[0].hunk)
    assert index.queue_index(stranger) is None  # equal is not the same: identity counts
    assert index.index_in_file(stranger) == -1


def test_the_queue_index_notices_a_split_without_being_told(tmp_path: Path) -> None:
    _workspace, proposals = prepare_demo(tmp_path)
    session = ReviewSession(proposals, record=lambda _decision: 1, clock=lambda: 0.0)
    index = QueueIndex(session)
    cursor, item = next(
        (cursor, item)
        for cursor, item in enumerate(session.items)
        if len(split_hunk(item.hunk)) > 1
    )
    index.items_of(item.proposal, item.change)  # built before the split
    session.show(cursor)
    pieces = session.split_current()
    assert pieces > 1
    siblings = index.items_of(item.proposal, item.change)
    assert siblings == tuple(session.items_of(item.proposal, item.change))
    assert item not in siblings


def test_a_key_press_never_scans_the_queue(review: Review, monkeypatch: pytest.MonkeyPatch) -> None:
    """J / K do O(1) work however many hunks are queued: no scans, no re-counting."""
    count = len(review.controller.session.items)
    for key in (Qt.Key.Key_J, Qt.Key.Key_K):  # totals are counted on a first visit only
        for _ in range(count):
            review.press(key)

    def scan(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a key press scanned the queue")

    monkeypatch.setattr(ReviewSession, "items_of", scan)
    monkeypatch.setattr(ReviewItem, "__eq__", scan)  # `item in items`, `items.index(item)`
    monkeypatch.setattr(Change, "added", property(scan))
    monkeypatch.setattr(Change, "removed", property(scan))
    for _ in range(count):
        review.press(Qt.Key.Key_J)
    for _ in range(count):
        review.press(Qt.Key.Key_K)
    assert review.controller.session.cursor == 0
    monkeypatch.undo()


def test_a_verdict_repaints_only_the_rows_it_changed(review: Review) -> None:
    """Its hunk row, and the counts of its file and proposal: not every row of the file."""
    model = review.window.queue.model()
    current = review.controller.current
    assert current is not None
    touched: list[tuple[QModelIndex, QModelIndex]] = []
    model.dataChanged.connect(lambda first, last, _roles=(): touched.append((first, last)))
    review.press_and_wait(Qt.Key.Key_Y, CTRL)

    def proposal_row(index: QModelIndex) -> int:
        while index.parent().isValid():
            index = index.parent()
        return index.row()

    proposals = review.controller.session.proposals
    assert {proposals[proposal_row(first)].id for first, _ in touched} == {current.proposal.id}
    hunk_rows = {
        (first.row(), last.row()) for first, last in touched if first.parent().parent().isValid()
    }
    position = review.controller.queue_index.index_in_file(current)
    assert hunk_rows == {(position, position)}
    assert model.index_of(current).siblingAtColumn(1).data() == "accepted"


def test_settled_objects_are_frozen_after_a_load_and_released_on_close(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        window = build_window(log)
        qtbot.addWidget(window)
        gc.unfreeze()
        workspace, proposals = prepare_demo(tmp_path / "data")
        window.controller.open_proposals(proposals, workspace, demo=True)
        qtbot.waitUntil(lambda: gc.get_freeze_count() > 0, timeout=WAIT_MS)
        assert sys.getswitchinterval() <= 0.001  # the GUI thread gets the GIL back soon
        window.close()
        qtbot.waitUntil(lambda: not window.controller.has_pending_work(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
        assert gc.get_freeze_count() == 0
        window.controller.gateway.shutdown()


def test_a_background_diff_s_result_sets_off_no_collection_in_the_window_s_process(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    """Thousands of hunks unpickled (by the worker pool's thread) and dropped again: with
    the window's thresholds the collector does not run for them (ui.latency)."""
    base = "".join(f"value_{n} = compute({n})\n" for n in range(100_000))
    new = "".join(
        f"value_{n} = compute({-n})\n" if n % 20 == 0 else f"value_{n} = compute({n})\n"
        for n in range(100_000)
    )
    result = pickle.dumps(hunks_from_texts("big.py", base, new))
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        window = build_window(log)
        qtbot.addWidget(window)
        collections: list[int] = []

        def count(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                collections.append(info["generation"])

        gc.collect()
        gc.callbacks.append(count)
        try:
            for _ in range(3):
                hunks = pickle.loads(result)  # noqa: S301 - pickled just above
                assert len(hunks) > 3_000
                del hunks
        finally:
            gc.callbacks.remove(count)
        assert collections == []
        window.controller.gateway.shutdown()


SHOW_DEMO = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from vetline.ui.app import run_gui
    from vetline.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])

    def report_and_quit():
        # Once the window has shown itself and its queue: where it is, then quit.
        for widget in app.topLevelWidgets():
            if (
                isinstance(widget, MainWindow)
                and widget.isVisible()
                and widget.controller.session.items
                and not widget.controller.has_pending_work()
            ):
                room = widget.screen().availableGeometry()
                frame = widget.frameGeometry()
                print(json.dumps({
                    "size": [widget.width(), widget.height()],
                    "centre": [frame.center().x(), frame.center().y()],
                    "screen": [room.width(), room.height(), room.center().x(), room.center().y()],
                }), flush=True)
                widget.grab().save(sys.argv[1])
                widget.command_actions["app.quit"].trigger()
                return
        QTimer.singleShot(20, report_and_quit)

    QTimer.singleShot(0, report_and_quit)
    sys.exit(run_gui(sources=[], workspace=None, demo=True, data_dir=None, config=None, level=None))
    """
)


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1440, 900), (3840, 2160)])
def test_the_window_opens_on_most_of_the_screen_centred(
    tmp_path: Path, width: int, height: int
) -> None:
    screen = {"name": "s", "x": 0, "y": 0, "width": width, "height": height}
    screen |= {"logicalDpi": 96, "dpr": 1}
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    env = dict(os.environ, VETLINE_DATA_DIR=str(tmp_path / "data"))
    env["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"13-default-size-{width}x{height}.png"
    done = subprocess.run(
        [sys.executable, "-c", SHOW_DEMO, str(shot)],
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    room_width, room_height, centre_x, centre_y = shown["screen"]
    expected = (
        min(round(room_width * SCREEN_SHARE), LARGEST_DEFAULT_SIZE.width()),
        min(round(room_height * SCREEN_SHARE), LARGEST_DEFAULT_SIZE.height()),
    )
    assert tuple(shown["size"]) == expected
    # Placed before the window system adds its frame (2 px a side offscreen): about centred.
    assert abs(shown["centre"][0] - centre_x) <= 4
    assert abs(shown["centre"][1] - centre_y) <= 4

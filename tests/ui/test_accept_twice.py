"""A verdict given again once a proposal's only hunk is accepted and written.

The second press lands on the "All 1 hunk decided" page, on the hunk just decided. Its
file is written: the verdict stands until Undo takes the write back, so the log, the
window and the disk go on agreeing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS
from helpers.proposals import proposal_of, text_change
from helpers.review_window import Review, new_window, reviewing, show

CTRL = Qt.KeyboardModifier.ControlModifier
OLD = "k\n"
NEW = "K\n"


@pytest.fixture
def one_hunk(qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop) -> Iterator[Review]:
    window, log = new_window(tmp_path)
    qtbot.addWidget(window)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "k.txt").write_text(OLD, encoding="utf-8")
    proposal = proposal_of(text_change("k.txt", OLD, NEW, pin_base=True), proposal_id="p1")
    window.controller.open_proposals([proposal], workspace)
    show(qtbot, window)
    yield from reviewing(Review(window, log, workspace, qtbot), handed_to_qtbot=True)


def test_a_second_verdict_on_a_written_hunk_is_refused_until_undo(one_hunk: Review) -> None:
    review = one_hunk
    review.press_and_wait(Qt.Key.Key_Y, CTRL)
    assert review.file("k.txt") == NEW
    assert [row["verdict"] for row in review.rows()] == ["accepted"]

    for key in (Qt.Key.Key_Y, Qt.Key.Key_N):  # again, on the "All 1 hunk decided" page
        review.press_and_wait(key, CTRL)
        banner = review.window.banner
        review.qtbot.waitUntil(banner.isVisible, timeout=HANG_GUARD_MS)
        assert banner.message() == (
            "Nothing was decided: k.txt is already written with this hunk accepted; "
            "to change its verdict, Undo (Ctrl+Z) back to it"
        )
        assert review.file("k.txt") == NEW
        assert [row["verdict"] for row in review.rows()] == ["accepted"]
        assert review.controller.session.decided_count == 1
    review.shot("06-second-verdict-on-a-written-hunk")

    review.press_and_wait(Qt.Key.Key_Z, CTRL)  # the write taken back: decided again
    assert review.file("k.txt") == OLD
    review.press_and_wait(Qt.Key.Key_N, CTRL)
    assert review.file("k.txt") == OLD
    assert [row["verdict"] for row in review.rows()] == ["accepted", "undone", "rejected"]
    assert dict(review.window.queue.state_words())["Hunk 1 · +1 −1 · line 1"] == "rejected"

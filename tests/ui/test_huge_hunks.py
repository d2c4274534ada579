"""A hunk of any size keeps every key within a frame: its rows are made as painted."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QEvent, QObject, Qt
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS
from helpers.review_window import WAIT_MS, Review, new_window, reviewing, show
from vetline.core import worddiff
from vetline.core.hunks import hunks_from_texts
from vetline.core.model import Hunk
from vetline.ui import diff_rows, hidden_scans
from vetline.ui.diff_rows import DiffLayout, DiffRows


def big_mixed_pair(lines: int) -> tuple[str, str]:
    """One hunk of thousands of lines: a change every few lines, of every kind."""
    rng = random.Random(11)
    old = [f"line {n}\n" for n in range(lines)]
    new: list[str] = []
    for number, line in enumerate(old):
        choice = rng.random() * 0.9 if number % 4 == 0 else 1.0
        if choice < 0.4:
            new.append(f"changed {number}\n")
        elif choice < 0.7:
            new += [line, f"added {number}\n"]
        elif choice >= 0.9:
            new.append(line)  # else removed
    return "".join(old), "".join(new)


@pytest.mark.parametrize("layout", list(DiffLayout))
def test_rows_made_one_at_a_time_are_the_rows_made_at_once(
    layout: DiffLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = big_mixed_pair(9_000)
    hunks = hunks_from_texts("f", old, new, context=3)
    added_only = hunks_from_texts("g", "", new)  # one hunk, no pairs: lazy side by side too
    for each in (hunks, added_only):
        assert max(len(hunk.kinds) for hunk in each) > DiffRows.LAZY_ABOVE
        lazy = list(DiffRows(each, layout, old.count("\n")))
        jumping = DiffRows(each, layout, old.count("\n"))
        order = list(range(len(jumping)))
        random.Random(3).shuffle(order)  # line numbers counted from wherever was asked
        jumped = {row: jumping[row] for row in order}
        monkeypatch.setattr(DiffRows, "LAZY_ABOVE", 10**9)
        eager = list(DiffRows(each, layout, old.count("\n")))
        monkeypatch.undo()
        assert lazy == eager
        assert [jumped[row] for row in range(len(eager))] == eager


HUGE_LINES = 200_000


@pytest.fixture
def huge_queue(qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop) -> Iterator[Review]:
    """A small proposal, then a new file of 200k lines, loaded as the app loads a big
    source: parsed (and hashed) in the worker process."""
    new_file = "".join(f"value_{n} = compute({n % 977})\n" for n in range(HUGE_LINES))
    document = {
        "vetline": 1,
        "proposals": [
            {
                "id": "small",
                "title": "small",
                "changes": [{"path": "a.txt", "base": "a\nb\n", "new": "a\nc\n"}],
            },
            {
                "id": "huge",
                "title": "huge",
                "changes": [{"path": "generated.py", "base": None, "new": new_file}],
            },
        ],
    }
    source = tmp_path / "huge.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    window, log = new_window(tmp_path)
    qtbot.addWidget(window)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    show(qtbot, window)
    with qtbot.waitSignal(window.controller.command_finished, timeout=HANG_GUARD_MS):
        window.controller.load_sources([str(source)], workspace)
    assert window.controller.gateway.cancellable_runs == 1  # big enough for a process of its own
    yield from reviewing(Review(window, log, workspace, qtbot), handed_to_qtbot=True)


def test_stepping_onto_a_huge_new_file_makes_only_the_rows_on_screen(
    huge_queue: Review, monkeypatch: pytest.MonkeyPatch
) -> None:
    review, view = huge_queue, huge_queue.window.diff
    assert review.controller.current.proposal.id == "small"
    made: list[int] = []
    real_row = diff_rows.Row

    def counted_row(*args: object) -> diff_rows.Row:
        made.append(1)
        return real_row(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(diff_rows, "Row", counted_row)
    step_onto_huge_until_painted(review)
    assert len(view.rows()) == HUGE_LINES + 1  # its header and every line, as rows to be
    assert view.rows().hunk_rows(0).start in view.visible_rows()
    assert len(made) < 2_000  # a screen's worth, not 200,000
    review.press(Qt.Key.Key_K)  # back, and on again: the window never stopped answering
    review.press(Qt.Key.Key_J)
    review.qtbot.waitUntil(
        lambda: review.controller.current.proposal.id == "huge", timeout=HANG_GUARD_MS
    )
    review.shot("huge_new_file")


def test_the_first_key_onto_a_huge_new_file_never_walks_all_its_lines(
    huge_queue: Review, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether the hunk hides characters was settled when it was queued, and its word
    highlights pair only the lines on screen: the press itself does no work that grows
    with the file."""
    review, view = huge_queue, huge_queue.window.diff
    assert review.controller.current.proposal.id == "small"
    walked: list[str] = []  # what went over every line of the huge hunk during the press
    real_needs, real_blocks = hidden_scans.needs_lookalike_data, worddiff.change_blocks

    def counted_needs(hunk: Hunk) -> bool:
        if len(hunk.kinds) >= HUGE_LINES:
            walked.append("hidden-character scan")
        return real_needs(hunk)

    def counted_blocks(kinds: str) -> Iterator[tuple[range, range]]:
        if len(kinds) >= HUGE_LINES:
            walked.append("word-diff pairing")
        return real_blocks(kinds)

    monkeypatch.setattr(hidden_scans, "needs_lookalike_data", counted_needs)
    monkeypatch.setattr(worddiff, "change_blocks", counted_blocks)
    step_onto_huge_until_painted(review)
    assert walked == []
    hunk = review.controller.current.hunk
    assert review.controller.hidden_in(review.controller.current) == ""  # judged: ASCII
    added = hunk.kinds.index("+")
    assert view.word_spans(0, added) == ()  # a new file's lines pair with nothing


def step_onto_huge_until_painted(review: Review) -> None:
    """J from the small proposal onto the huge one, until the diff view has painted."""
    viewport = review.window.diff.viewport()
    painted: list[int] = []
    viewport.installEventFilter(paint_counter := PaintCounter(painted))
    try:
        review.press(Qt.Key.Key_J)
        review.qtbot.waitUntil(
            lambda: review.controller.current.proposal.id == "huge" and bool(painted),
            timeout=WAIT_MS,
        )
    finally:
        viewport.removeEventFilter(paint_counter)


class PaintCounter(QObject):
    def __init__(self, painted: list[int]) -> None:
        super().__init__()
        self.painted = painted

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted.append(1)
        return False

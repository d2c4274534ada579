"""Loading a big source in the window: in a process of its own, with the setting's size
cap, stopped by Escape while it runs, and a refusal logged as on the command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from helpers.review_window import WAIT_MS, Review
from vetline.core.settings import settings_from_document

RESERVED_NAME = {
    "unified": (
        b"diff --git a/CON b/CON\nnew file mode 100644\n--- /dev/null\n+++ b/CON\n"
        b"@@ -0,0 +1 @@\n+x\n"
    ),
    "codex": b"*** Begin Patch\n*** Add File: CON\n+x\n*** End Patch\n",
    "search-replace": b"CON\n<<<<<<< SEARCH\n=======\nx\n>>>>>>> REPLACE\n",
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="a FIFO keeps the parse waiting")
def test_escape_stops_a_load_in_progress(review: Review, tmp_path: Path) -> None:
    controller = review.controller
    controller.gateway.inline_limit_bytes = -1  # every source goes to a process of its own
    # Nobody ever writes into it: its parse waits until it is stopped.
    waiting = tmp_path / "waiting.diff"
    os.mkfifo(waiting)
    queued = len(controller.session.proposals)
    stop = review.window.command_actions["app.stop_loading"]
    assert not stop.isEnabled()  # Escape stays free for panels and dialogs meanwhile

    controller.load_sources([str(waiting)], review.workspace)
    review.qtbot.waitUntil(lambda: review.window.loading.isVisible(), timeout=WAIT_MS)
    assert controller.loading and stop.isEnabled()
    assert review.window.loading.label.text() == "Loading waiting.diff (0 KB)…"
    review.shot("loading-a-big-source")
    with review.qtbot.waitSignal(controller.command_finished, timeout=WAIT_MS):
        review.press(Qt.Key.Key_Escape)

    assert not controller.loading
    assert not review.window.loading.isVisible() and not stop.isEnabled()
    assert len(controller.session.proposals) == queued
    assert "Stopped loading" in review.window.statusBar().currentMessage()


@pytest.mark.parametrize("source_format", RESERVED_NAME)
@pytest.mark.parametrize("limit", [-1, 10**9], ids=["worker", "inline"])
def test_a_source_refused_for_a_path_is_logged(
    review: Review, tmp_path: Path, limit: int, source_format: str
) -> None:
    controller = review.controller
    controller.gateway.inline_limit_bytes = limit
    source = tmp_path / "reserved.patch"
    source.write_bytes(RESERVED_NAME[source_format])

    with review.qtbot.waitSignal(controller.command_finished, timeout=WAIT_MS):
        controller.load_sources([str(source)], review.workspace)

    refused = [row for row in review.rows() if row["verdict"] == "refused"]
    assert len(refused) == 1
    assert "refusing the path 'CON'" in str(refused[0]["reason"])
    assert "CON" not in {change.path for p in controller.session.proposals for change in p.changes}


@pytest.mark.parametrize("limit", [-1, 10**9], ids=["worker", "inline"])
def test_the_size_cap_setting_counts_in_the_window(
    review: Review, tmp_path: Path, qtbot: QtBot, limit: int
) -> None:
    controller = review.controller
    controller.settings = settings_from_document({"input": {"max_source_mb": 1}})
    controller.gateway.inline_limit_bytes = limit
    source = tmp_path / "big.patch"
    source.write_bytes(b"x" * (2 << 20))
    problems: list[str] = []
    controller.problem.connect(problems.append)

    with qtbot.waitSignal(controller.command_finished, timeout=WAIT_MS):
        controller.load_sources([str(source)], review.workspace)

    assert any("larger than 1 MB" in problem for problem in problems), problems

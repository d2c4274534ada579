"""The Ask panel refuses an answer that changes a file nobody asked about (real server)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS
from helpers.llm_server import reply_json, request_bodies, route, streamed
from helpers.review_window import Review, open_review
from vetline.core.settings import default_settings

CTRL = Qt.KeyboardModifier.ControlModifier
PAGER = "src/pager.py"
ANSWER_MS = HANG_GUARD_MS


@pytest.fixture
def asking(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop, httpserver: HTTPServer
) -> Iterator[Review]:
    provider = {
        "name": "local",
        "base_url": httpserver.url_for("/local/v1"),
        "model": "test-model",
        "timeout_s": 15,
    }
    settings = replace(default_settings(), providers=(provider,))
    yield from open_review(qtbot, tmp_path, settings, handed_to_qtbot=False)


def test_an_answer_out_of_scope_never_joins_the_queue(
    asking: Review, httpserver: HTTPServer
) -> None:
    review = asking
    fixed = review.file(PAGER).replace("page * page_size", "(page - 1) * page_size")
    httpserver.expect_request(route(httpserver, "local")).respond_with_handler(
        streamed(reply_json("Fix", {PAGER: fixed, "...": "x\n"}))
    )
    proposals_before = list(review.controller.session.proposals)
    review.press(Qt.Key.Key_L, CTRL)  # level 2: the file of the hunk on screen
    panel = review.window.ask_panel
    review.qtbot.keyClicks(panel.instruction, "Make page 1 the first page")
    review.qtbot.keyClick(panel.instruction, Qt.Key.Key_Return, CTRL)

    review.qtbot.waitUntil(lambda: panel.retry_button.isVisible(), timeout=ANSWER_MS)

    status = panel.status.text()
    assert status.startswith(
        "Answer out of scope: the answer changes files it was not asked about: '...' "
    )
    assert "cannot be accepted" in status
    assert list(review.controller.session.proposals) == proposals_before
    assert len(request_bodies(httpserver, route(httpserver, "local"))) == 3
    assert not (review.workspace / "...").exists()

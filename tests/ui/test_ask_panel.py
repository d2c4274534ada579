"""The Ask panel against a real Chat Completions server on 127.0.0.1 (pytest-httpserver)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot
from werkzeug import Request, Response

from helpers import HANG_GUARD_MS
from helpers.llm_server import (
    error,
    expect_in_order,
    reply_json,
    request_bodies,
    route,
    sse_events,
    streamed,
    window_settings,
)
from helpers.review_window import WAIT_MS, Review, open_review
from helpers.widget_checks import assert_named, assert_plain
from vetline.core.model import Proposal
from vetline.core.settings import Settings

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
PAGER = "src/pager.py"
BUG = "    start = page * page_size\n"
FIX = "    start = (page - 1) * page_size\n"
ANSWER_MS = HANG_GUARD_MS


def settings_for(server: HTTPServer) -> Settings:
    return window_settings(server)


@pytest.fixture
def asking(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop, httpserver: HTTPServer
) -> Iterator[Review]:
    """The demo window with a model server behind it; its first hunk is in src/pager.py."""
    yield from open_review(qtbot, tmp_path, settings_for(httpserver), handed_to_qtbot=False)


def pager_text(review: Review) -> str:
    return review.file(PAGER)


def type_and_ask(review: Review, instruction: str) -> None:
    panel = review.window.ask_panel
    review.qtbot.keyClicks(panel.instruction, instruction)
    review.qtbot.keyClick(panel.instruction, Qt.Key.Key_Return, CTRL)


def asked_proposals(review: Review) -> list[Proposal]:
    return [p for p in review.controller.session.proposals if p.agent.name == "vetline ask"]


def event_loop_delays(qtbot: QtBot, probes: int) -> list[float]:
    """How long a zero-delay timer waits to run, sampled every 50 ms: the UI's latency."""
    delays: list[float] = []
    for _ in range(probes):
        posted = time.monotonic()
        QTimer.singleShot(0, lambda posted=posted: delays.append(time.monotonic() - posted))
        qtbot.wait(50)
    qtbot.waitUntil(lambda: len(delays) == probes, timeout=HANG_GUARD_MS)
    return delays


def wait_for_asked(review: Review, count: int) -> Proposal:
    review.qtbot.waitUntil(lambda: len(asked_proposals(review)) == count, timeout=ANSWER_MS)
    return asked_proposals(review)[-1]


def test_ctrl_l_asks_about_the_file_and_the_answer_joins_the_queue(
    asking: Review, httpserver: HTTPServer
) -> None:
    review = asking
    fixed = pager_text(review).replace(BUG, FIX)
    answer = reply_json("Start pages at 1", {PAGER: fixed}, "Page 1 is the first page.")
    httpserver.expect_request(route(httpserver, "local")).respond_with_handler(
        streamed(answer, size=12, delay_s=0.03)
    )
    review.press(Qt.Key.Key_L, CTRL)
    panel = review.window.ask_panel
    assert panel.isVisible() and panel.instruction.hasFocus()
    assert panel.chosen_files() == [PAGER]
    assert panel.scope_label.text().startswith(f"Level 2 · Chunk — {PAGER}: at most 40")

    type_and_ask(review, "Make page 1 the first page; J and Ctrl+Y are just text here.")
    assert panel.instruction.toPlainText().endswith("just text here.")
    assert review.rows() == []  # typing Ctrl+… in the instruction decided nothing
    review.qtbot.waitUntil(lambda: "tokens so far" in panel.status.text(), timeout=ANSWER_MS)
    review.qtbot.waitUntil(
        lambda: int(panel.status.text().split("… ")[1].split(" ")[0]) >= 10, timeout=ANSWER_MS
    )
    review.shot("20-ask-panel-streaming")
    assert_named(review.window)
    assert_plain(review.window)

    proposal = wait_for_asked(review, 1)
    assert proposal.title == "Start pages at 1"
    assert proposal.agent.model == "test-model"
    current = review.controller.current
    assert current is not None and current.proposal is proposal  # shown at once
    assert "Start pages at 1" in [name for name, _ in review.window.queue.state_words()]
    (body,) = request_bodies(httpserver, route(httpserver, "local"))
    task = body["messages"][1]["content"]
    assert "Make page 1 the first page" in task
    assert f'<file path="{PAGER}">' in task and "at most 40 changed lines" in task

    focused = QApplication.focusWidget()  # the diff: the reviewer's next key decides
    assert focused is review.window.diff
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=WAIT_MS):
        review.qtbot.keyClick(focused, Qt.Key.Key_Y, CTRL)
    assert FIX in pager_text(review)


def test_a_slow_stream_is_cancelled_at_once_and_the_window_stays_responsive(
    asking: Review, httpserver: HTTPServer
) -> None:
    review = asking
    stop = threading.Event()

    def slow(request: Request) -> Response:
        text = reply_json("Slow", {PAGER: pager_text(review).replace(BUG, FIX)})
        events = sse_events(text, size=max(1, len(text) // 20), delay_s=0.5, stop=stop)
        return Response(events, mimetype="text/event-stream")

    httpserver.expect_request(route(httpserver, "local")).respond_with_handler(slow)
    review.press(Qt.Key.Key_K, CTRL)  # the hunk on screen: level 1
    panel = review.window.ask_panel
    assert panel.scope_label.text().startswith(f"Level 1 · Suggest — lines 19–25 of {PAGER}")
    type_and_ask(review, "Start at page 1")
    review.qtbot.waitUntil(lambda: "tokens so far" in panel.status.text(), timeout=ANSWER_MS)

    review.window.diff.setFocus()
    before = review.controller.session.cursor
    review.press(Qt.Key.Key_J)  # the window answers keys while the answer streams
    assert review.controller.session.cursor == before + 1
    # Timers still fire while the answer streams: the event loop never waits on it.
    assert len(event_loop_delays(review.qtbot, probes=10)) == 10
    assert review.window.asker.running

    review.qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    review.qtbot.waitUntil(lambda: not review.window.asker.running, timeout=WAIT_MS)
    stop.set()
    assert panel.status.text() == "Cancelled: nothing was added."
    assert asked_proposals(review) == []
    assert panel.ask_button.isEnabled()
    review.qtbot.keyClick(panel.instruction, Qt.Key.Key_Escape)  # closes, keys decide again
    assert not panel.isVisible()
    assert QApplication.focusWidget() is review.window.diff


def test_reject_and_revise_sends_the_reason_back_and_shows_the_lineage(
    asking: Review, httpserver: HTTPServer
) -> None:
    review = asking
    base = pager_text(review)
    first = reply_json("Start pages at 1", {PAGER: base.replace(BUG, FIX)})
    revised_text = base.replace(BUG, "    start = max(page - 1, 0) * page_size\n")
    second = reply_json("Start pages at 1, never below 0", {PAGER: revised_text})
    expect_in_order(httpserver, route(httpserver, "local"), [streamed(first), streamed(second)])
    review.press(Qt.Key.Key_L, CTRL)
    type_and_ask(review, "Make page 1 the first page")
    original = wait_for_asked(review, 1)

    review.press(Qt.Key.Key_N, CTRL | SHIFT)
    panel = review.window.prompts.reason_panel
    review.qtbot.waitUntil(panel.isVisible, timeout=HANG_GUARD_MS)
    assert panel.revise_button.isVisible()  # a model made it: it can be asked to revise
    panel.presets.setCurrentRow(panel.presets.count() - 1)  # "other"
    panel.details.setText("clamp negative pages too")
    review.shot("24-reject-and-revise-panel", panel)
    review.qtbot.mouseClick(panel.revise_button, Qt.MouseButton.LeftButton)

    revision = wait_for_asked(review, 2)
    assert revision.parent_id == original.id
    review.settle()
    current = review.controller.current
    assert current is not None and current.proposal is revision
    rows = [name for name, _ in review.window.queue.state_words()]
    assert f"↳ {revision.title} — revision of “{original.title}”" in rows
    lineage = review.window.details.lineage.body.text()
    assert (
        lineage == f"↳ Revision of “{original.title}”\nrejected because: clamp negative pages too"
    )
    messages = request_bodies(httpserver, route(httpserver, "local"))[1]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert "Their reason: clamp negative pages too" in messages[3]["content"]
    assert [row["verdict"] for row in review.rows()] == ["rejected"]
    review.shot("23-revision-lineage")


def test_an_incomplete_answer_cannot_be_accepted_and_retry_asks_again(
    asking: Review, httpserver: HTTPServer
) -> None:
    review = asking
    fixed = pager_text(review).replace(BUG, FIX)
    cut = reply_json("<b>Half</b>", {PAGER: fixed})[:80]
    expect_in_order(
        httpserver,
        route(httpserver, "local"),
        [
            streamed(cut, finish_reason=None, done=False),
            streamed(reply_json("Whole", {PAGER: fixed})),
        ],
    )
    review.press(Qt.Key.Key_L, CTRL)
    type_and_ask(review, "Make page 1 the first page")
    panel = review.window.ask_panel
    review.qtbot.waitUntil(lambda: panel.retry_button.isVisible(), timeout=ANSWER_MS)
    assert panel.status.text().startswith("Incomplete answer: the stream ended")
    assert "cannot be accepted" in panel.status.text()
    assert panel.answer.toPlainText() == cut  # the raw text, as plain text
    assert asked_proposals(review) == []
    review.shot("20-ask-panel-incomplete")

    review.qtbot.mouseClick(panel.retry_button, Qt.MouseButton.LeftButton)
    assert wait_for_asked(review, 1).title == "Whole"
    assert not panel.answer.isVisible()


def test_an_answer_over_the_requests_leash_is_shown_so(
    asking: Review, httpserver: HTTPServer
) -> None:
    review = asking
    base = pager_text(review)
    lines = base.splitlines(keepends=True)
    too_big = "".join(line.upper() if 12 <= n < 20 else line for n, line in enumerate(lines))
    httpserver.expect_request(route(httpserver, "local")).respond_with_handler(
        streamed(reply_json("Shout", {PAGER: too_big}))
    )
    review.press(Qt.Key.Key_K, CTRL)  # level 1: at most 5 changed lines
    type_and_ask(review, "Change the hunk")
    proposal = wait_for_asked(review, 1)
    review.settle()
    assert review.controller.session.level == 2  # within the slider's level…
    assert review.controller.over_leash(proposal)  # …but asked for at level 1
    states = dict(review.window.queue.state_words())
    assert states["Shout"].endswith("over the leash")
    assert "OVER THE LEASH after 2 send-back(s)" in review.window.ask_panel.status.text()
    assert len(request_bodies(httpserver, route(httpserver, "local"))) == 3


@pytest.mark.parametrize("retry_after", [5, 45])
def test_a_rate_limit_of_up_to_a_minute_counts_down_and_can_be_cancelled(
    asking: Review, httpserver: HTTPServer, retry_after: int
) -> None:
    review = asking
    httpserver.expect_request(route(httpserver, "local")).respond_with_response(
        error(429, "slow down", {"Retry-After": str(retry_after)})
    )
    review.press(Qt.Key.Key_L, CTRL)
    type_and_ask(review, "Make page 1 the first page")
    panel = review.window.ask_panel
    review.qtbot.waitUntil(lambda: "asking again in" in panel.status.text(), timeout=ANSWER_MS)
    assert "local is busy (rate limited)" in panel.status.text()
    seconds = int(panel.status.text().split("asking again in ")[1].split(" ")[0])
    assert seconds <= retry_after
    if retry_after > 10:  # the openai client's own rule, by default: up to 60 s, not 10 s
        assert seconds > 10
    review.qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    review.qtbot.waitUntil(lambda: not review.window.asker.running, timeout=WAIT_MS)
    assert panel.status.text() == "Cancelled: nothing was added."
    assert len(httpserver.log) == 1  # asked once; the countdown was cancelled before again


def test_without_a_provider_the_panel_says_how_to_configure_one(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    for review in open_review(qtbot, tmp_path, handed_to_qtbot=False):
        review.press(Qt.Key.Key_I, CTRL)  # several files: the queue's, the current one ticked
        panel = review.window.ask_panel
        assert PAGER in panel.chosen_files()
        assert panel.add_files_button.isVisible()
        outside = tmp_path / "elsewhere.py"
        outside.write_text("x = 1\n", encoding="utf-8")
        panel.add_files([str(review.workspace / "src" / "fetch.py"), str(outside)])
        assert "src/fetch.py" in panel.chosen_files()
        assert str(outside) not in panel.chosen_files()
        assert panel.status.text().startswith("Not sent (only files inside ")
        type_and_ask(review, "Tidy up")
        message = review.window.banner.message()
        assert message.startswith("No model server is configured. Add a [[providers]] table")
        assert "providers.example.toml" in message
        assert panel.status.text() == f"No answer: {message}"


def test_closing_the_window_stops_a_request_first(asking: Review, httpserver: HTTPServer) -> None:
    review = asking
    stop = threading.Event()
    httpserver.expect_request(route(httpserver, "local")).respond_with_handler(
        lambda request: Response(
            sse_events(reply_json("Slow", {PAGER: "x\n"}), size=4, delay_s=0.5, stop=stop),
            mimetype="text/event-stream",
        )
    )
    review.press(Qt.Key.Key_L, CTRL)
    type_and_ask(review, "Make page 1 the first page")
    panel = review.window.ask_panel
    review.qtbot.waitUntil(lambda: "tokens so far" in panel.status.text(), timeout=ANSWER_MS)
    review.window.close()
    review.qtbot.waitUntil(lambda: not review.window.isVisible(), timeout=WAIT_MS)
    stop.set()
    assert not review.window.asker.running

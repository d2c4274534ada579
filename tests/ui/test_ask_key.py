"""A key asked for in the window when no keyring and no variable has one (a real headless
keyring, a real model server on 127.0.0.1, real key events)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot
from werkzeug import Request, Response

from helpers import HANG_GUARD_MS
from helpers.llm_server import reply_json, route, streamed, window_settings
from helpers.review_window import WAIT_MS, Review, open_review
from helpers.widget_checks import assert_named, assert_plain
from vetline.adapters.llm.key_file import key_file_path
from vetline.adapters.llm.providers import providers_from_settings
from vetline.adapters.llm.typed_keys import lookup_provider_key
from vetline.core.settings import Settings

CTRL = Qt.KeyboardModifier.ControlModifier
PAGER = "src/pager.py"
BUG = "    start = page * page_size\n"
FIX = "    start = (page - 1) * page_size\n"
KEY_VARIABLE = "VETLINE_TEST_ROUTER_KEY"
KEY = "sk-Typed-JKN-0123456789"  # J, K and N: keys that decide hunks elsewhere
ANSWER_MS = HANG_GUARD_MS


def settings_for(server: HTTPServer) -> Settings:
    return window_settings(server, "router", api_key_env=KEY_VARIABLE, keyring=True)


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """What headless Linux gets: keyring's "fail" backend, and no variable set."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv(KEY_VARIABLE, raising=False)


@pytest.fixture
def asking(
    qtbot: QtBot,
    tmp_path: Path,
    qt_loop: qasync.QEventLoop,
    httpserver: HTTPServer,
    no_keyring: None,
) -> Iterator[Review]:
    yield from open_review(qtbot, tmp_path, settings_for(httpserver), handed_to_qtbot=False)


def answering(review: Review, server: HTTPServer) -> list[str]:
    """The server answers with a fix; returns the Authorization headers it was sent."""
    seen: list[str] = []
    fixed = review.file(PAGER).replace(BUG, FIX)

    def answer(request: Request) -> Response:
        seen.append(request.headers.get("Authorization", ""))
        return streamed(reply_json("Start pages at 1", {PAGER: fixed}))(request)

    server.expect_request(route(server, "router")).respond_with_handler(answer)
    return seen


def ask_until_the_key_is_asked_for(review: Review) -> QLineEdit:
    review.press(Qt.Key.Key_L, CTRL)
    panel = review.window.ask_panel
    review.qtbot.keyClicks(panel.instruction, "Make page 1 the first page")
    review.qtbot.keyClick(panel.instruction, Qt.Key.Key_Return, CTRL)
    prompt = panel.key_prompt
    review.qtbot.waitUntil(prompt.isVisible, timeout=ANSWER_MS)
    review.qtbot.waitUntil(lambda: not review.window.asker.running, timeout=WAIT_MS)
    return prompt.field


def files_holding(root: Path, text: str) -> list[Path]:
    return [
        path for path in root.rglob("*") if path.is_file() and text.encode() in path.read_bytes()
    ]


def test_without_a_keyring_the_window_asks_for_the_key_and_keeps_it_in_memory_only(
    asking: Review, httpserver: HTTPServer, isolated_profile: Path, tmp_path: Path
) -> None:
    review = asking
    seen = answering(review, httpserver)

    field = ask_until_the_key_is_asked_for(review)

    assert httpserver.log == []  # nothing is sent before there is a key
    prompt = review.window.ask_panel.key_prompt
    why = prompt.why.text()
    assert "Provider 'router' needs an API key: no OS keyring is available" in why
    assert f"${KEY_VARIABLE} is not set" in why
    assert "kept in memory only, for as long as this window is open" in why
    assert "not written anywhere" in why
    assert field.echoMode() is QLineEdit.EchoMode.Password
    assert QApplication.focusWidget() is field
    assert not prompt.save_box.isChecked()  # saving is a choice the reviewer makes
    saved_at = key_file_path("router")
    assert prompt.where.text() == (
        f"{saved_at}, in plain text (not encrypted), readable only by your user account"
    )

    review.qtbot.keyClicks(field, KEY)
    review.qtbot.keyClick(field, Qt.Key.Key_N, CTRL)  # reject, anywhere else: text keys here
    assert review.rows() == []
    assert KEY not in prompt.why.text() and KEY not in review.window.ask_panel.status.text()
    review.shot("25-ask-key-without-keyring")
    assert_named(review.window)
    assert_plain(review.window)

    review.qtbot.keyClick(field, Qt.Key.Key_Return)
    review.qtbot.waitUntil(
        lambda: any(p.agent.name == "vetline ask" for p in review.controller.session.proposals),
        timeout=ANSWER_MS,
    )
    assert seen == [f"Bearer {KEY}"]
    assert not prompt.isVisible() and field.text() == ""
    assert review.window.ask_panel.key_kept.text() == (
        "Provider 'router': the key typed in is kept in memory for this run only, not stored."
    )
    assert not saved_at.exists()
    assert files_holding(isolated_profile, KEY) == []  # not in the log, the settings, anywhere
    assert files_holding(tmp_path, KEY) == []

    # Asking again uses the key kept in memory: nothing is asked a second time.
    review.press(Qt.Key.Key_L, CTRL)
    panel = review.window.ask_panel
    review.qtbot.keyClicks(panel.instruction, "Once more")
    review.qtbot.keyClick(panel.instruction, Qt.Key.Key_Return, CTRL)
    review.qtbot.waitUntil(lambda: len(seen) == 2, timeout=ANSWER_MS)
    assert seen[1] == f"Bearer {KEY}" and not prompt.isVisible()


def test_the_key_is_saved_only_when_the_box_is_ticked_and_is_found_next_time(
    asking: Review, httpserver: HTTPServer
) -> None:
    review = asking
    seen = answering(review, httpserver)
    field = ask_until_the_key_is_asked_for(review)
    prompt = review.window.ask_panel.key_prompt

    review.qtbot.keyClicks(field, KEY)
    review.qtbot.keyClick(field, Qt.Key.Key_Tab)  # to "Use key", then to the box
    review.qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is prompt.save_box
    review.qtbot.keyClick(prompt.save_box, Qt.Key.Key_Space)
    assert prompt.save_box.isChecked()
    review.shot("26-ask-key-save-chosen")
    review.qtbot.mouseClick(prompt.use_button, Qt.MouseButton.LeftButton)
    review.qtbot.waitUntil(lambda: len(seen) == 1, timeout=ANSWER_MS)

    saved_at = key_file_path("router")
    review.qtbot.waitUntil(saved_at.exists, timeout=WAIT_MS)
    assert saved_at.read_text(encoding="utf-8") == f"{KEY}\n"
    if os.name != "nt":
        assert stat.S_IMODE(saved_at.stat().st_mode) == 0o600
        assert stat.S_IMODE(saved_at.parent.stat().st_mode) == 0o700
    assert review.window.ask_panel.key_kept.text() == (
        f"Provider 'router': the key is saved in {saved_at}, in plain text (not encrypted), "
        "readable only by your user account."
    )
    review.shot("27-ask-key-saved")
    # Next time (a new window, or vetline ask) the saved key is found without asking.
    (provider,) = providers_from_settings(settings_for(httpserver).providers)
    found = lookup_provider_key(provider)
    assert (found.key, found.source, found.missing) == (KEY, f"the key file {saved_at}", None)


def test_escape_closes_the_key_prompt_and_nothing_is_sent(
    asking: Review, httpserver: HTTPServer
) -> None:
    review = asking
    answering(review, httpserver)
    field = ask_until_the_key_is_asked_for(review)
    review.qtbot.keyClicks(field, "sk-half")

    review.qtbot.keyClick(field, Qt.Key.Key_Escape)

    panel = review.window.ask_panel
    assert not panel.key_prompt.isVisible() and field.text() == ""
    assert panel.status.text() == "Nothing was sent: no key was given."
    assert QApplication.focusWidget() is panel.instruction
    assert httpserver.log == []
    assert not review.window.asker.give_key("sk-late", store=False)  # nothing waits for it

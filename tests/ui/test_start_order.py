"""What the first paint does not need starts after it (ui.app.after_first_paint)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS
from vetline.ui import app


def test_the_callback_waits_for_the_window_to_be_painted(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app, "AFTER_START_LATEST_MS", 600_000)  # only a paint can call it
    window = QLabel("first paint")
    qtbot.addWidget(window)
    called: list[str] = []
    app.after_first_paint(window, lambda: called.append("after"))
    qtbot.wait(50)
    assert called == []  # not shown, not painted
    window.show()
    qtbot.waitUntil(lambda: called == ["after"], timeout=HANG_GUARD_MS)
    window.update()
    qtbot.wait(50)
    assert called == ["after"]  # once

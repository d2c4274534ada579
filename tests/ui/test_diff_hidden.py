"""The diff view draws look-alike letters and hidden characters escaped, marked and explained."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS, REPO_ROOT
from helpers.proposals import text_change
from vetline.core.model import Change
from vetline.ui.diff_view import DiffView
from vetline.ui.line_text import display_text

ARTIFACTS = REPO_ROOT / "test-artifacts"
LOOKALIKE_LINE = "if user == '\u0430dmin':\n"  # CYRILLIC SMALL LETTER A


def lookalike_change() -> Change:
    base = "def allowed(user):\n    if user == 'admin':\n        return True\n"
    return text_change("auth.py", base, base.replace("'admin'", "'\u0430dmin'"))


def shown_view(qtbot: QtBot, change: Change) -> DiffView:
    view = DiffView()
    qtbot.addWidget(view)
    view.resize(720, 260)
    with qtbot.waitExposed(view, timeout=HANG_GUARD_MS):
        view.show()
    view.set_file(change, change.hunks)
    return view


def test_a_lookalike_letter_is_drawn_escaped_and_marked() -> None:
    shown = display_text(LOOKALIKE_LINE)
    assert shown.text == "if user == '⟨U+0430⟩dmin':"
    assert [shown.text[a:b] for a, b in shown.markers] == ["⟨U+0430⟩"]
    assert shown.at(13) == len("if user == '⟨U+0430⟩")  # the d after the escape
    assert shown.marked_at(len("if user == '⟨U+")) == 12  # the marker stands for raw 12
    # One script per word is plain writing, drawn as it is.
    assert display_text("naïve café, привет\n").text == "naïve café, привет"


def test_word_highlights_cover_the_escaped_word(qtbot: QtBot) -> None:
    change = lookalike_change()
    view = shown_view(qtbot, change)
    hunk = change.hunks[0]
    added = hunk.kinds.index("+")
    shown = display_text(hunk.texts[added])
    highlighted = [shown.text[shown.at(a) : shown.at(b)] for a, b in view.word_spans(0, added)]
    assert any("⟨U+0430⟩dmin" in words for words in highlighted)


def test_the_marker_is_visible_and_its_tooltip_names_the_letter(qtbot: QtBot) -> None:
    change = lookalike_change()
    view = shown_view(qtbot, change)
    hunk = change.hunks[0]
    added = hunk.kinds.index("+")
    row = view.rows().hunk_rows(0).start + 1 + added  # the header, then the lines
    shown = display_text(hunk.texts[added])
    ((start, end),) = shown.markers
    advance = view.fontMetrics().horizontalAdvance
    char = view.fontMetrics().horizontalAdvance("0")
    left = view.text_left() + char * 0.5 + advance(shown.text[:start])
    middle = QPoint(
        int(left + advance(shown.text[start:end]) / 2), int(view.row_rect(row).center().y())
    )

    view.viewport().repaint()
    ARTIFACTS.mkdir(exist_ok=True)
    assert view.grab().save(str(ARTIFACTS / "diff-lookalike.png"))
    # The marker's colour sits behind the escape, unlike the added line and the changed
    # word around it.
    image = view.viewport().grab().toImage()
    top = int(view.row_rect(row).top()) + 2
    inside = image.pixelColor(int(left) + 1, top)
    line = image.pixelColor(int(left - char * 3), top)
    word = image.pixelColor(int(left + advance(shown.text[start:end]) + char), top)
    assert inside not in (line, word)

    QApplication.sendEvent(
        view.viewport(),
        QHelpEvent(QEvent.Type.ToolTip, middle, view.viewport().mapToGlobal(middle)),
    )
    qtbot.waitUntil(QToolTip.isVisible, timeout=HANG_GUARD_MS)
    assert QToolTip.text().startswith("U+0430 CYRILLIC SMALL LETTER A: it looks like a Latin")

    plain = QPoint(int(view.text_left() + char * 2), middle.y())  # "if", plain text
    QApplication.sendEvent(
        view.viewport(), QHelpEvent(QEvent.Type.ToolTip, plain, view.viewport().mapToGlobal(plain))
    )
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=HANG_GUARD_MS)

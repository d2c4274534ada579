"""The diff view: rows in both layouts, scrolling to a hunk, safe text, and screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS, REPO_ROOT
from helpers.proposals import text_change
from vetline.core.hunks import hunks_from_texts
from vetline.core.model import Change, FileStatus, Hunk
from vetline.ui import diff_frame, syntax
from vetline.ui.diff_rows import (
    BINARY_MESSAGE,
    DiffLayout,
    DiffRows,
    RowKind,
    separator_text,
)
from vetline.ui.diff_view import DiffView
from vetline.ui.line_text import display_text
from vetline.ui.start_probe import measure_first_paint
from vetline.ui.syntax import RoleSpan, SyntaxColourCache, SyntaxRole, lexer_name_for

ARTIFACTS = REPO_ROOT / "test-artifacts"

BASE = '''"""Invoice totals."""

import math
from dataclasses import dataclass

TAX_RATE = 0.20


@dataclass
class Invoice:
    customer: str
    amount: float

    def total(self):
        return self.amount * (1 + TAX_RATE)


def load_invoices(path):
    with open(path) as handle:
        return [parse(line) for line in handle]


def parse(line):
    name, amount = line.split(",")
    return Invoice(name, float(amount))
'''
NEW = (
    BASE.replace("TAX_RATE = 0.20", "TAX_RATE = 0.25")
    .replace("def load_invoices(path):", 'def read_invoices(path, encoding="utf-8"):')
    .replace("with open(path) as handle:", "with open(path, encoding=encoding) as handle:")
    .replace(
        '    name, amount = line.split(",")\n',
        '    name, amount = line.strip().split(",")\n'
        "    if not name:\n"
        '        raise ValueError("empty name")  # <b>bold</b> \x1b[31m\n',
    )
)


def small_change() -> Change:
    return text_change("src/invoices.py", BASE, NEW)


@pytest.fixture(scope="module")
def big_change() -> Change:
    """100,000 lines with a changed number every 20 lines: 5,000 hunks."""
    base_lines = [
        f"    value_{n} = compute(item_{n}, factor={n % 7})  # step {n}\n" for n in range(100_000)
    ]
    new_lines = list(base_lines)
    for n in range(7, len(new_lines), 20):
        new_lines[n] = new_lines[n].replace(f"factor={n % 7}", f"factor={n % 7 + 1}")
    base, new = "".join(base_lines), "".join(new_lines)
    return text_change("big/generated.py", base, new)


def shown_view(
    qtbot: QtBot, change: Change | None, width: int = 900, height: int = 520
) -> DiffView:
    view = DiffView()
    qtbot.addWidget(view)
    view.resize(width, height)
    with qtbot.waitExposed(view, timeout=HANG_GUARD_MS):
        view.show()
    view.set_file(change, change.hunks if change else ())
    return view


def save(qtbot: QtBot, view: DiffView, name: str) -> Path:
    """Screenshot once the syntax colours deferred past the first paint have arrived."""
    view.viewport().repaint()
    qtbot.waitUntil(lambda: not view.is_colouring_pending(), timeout=HANG_GUARD_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    assert view.grab().save(str(path))
    return path


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#161b22"),
        (QPalette.ColorRole.Base, "#0d1117"),
        (QPalette.ColorRole.Text, "#e6edf3"),
        (QPalette.ColorRole.WindowText, "#e6edf3"),
        (QPalette.ColorRole.Button, "#21262d"),
        (QPalette.ColorRole.ButtonText, "#e6edf3"),
        (QPalette.ColorRole.Highlight, "#2f81f7"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


# --- rows ----------------------------------------------------------------------------------


def test_unified_rows_hold_every_hunk_line_and_a_separator_between_hunks() -> None:
    change = small_change()
    first, second = change.hunks
    rows = DiffRows(change.hunks, DiffLayout.UNIFIED, BASE.count("\n"))
    # A separator for the lines above the first hunk and one between the two hunks, and a
    # header above each hunk.
    assert len(rows) == 2 + 2 + len(first.kinds) + len(second.kinds)
    assert [rows[rows.hunk_rows(i).start].kind for i in (0, 1)] == [RowKind.HEADER] * 2
    separators = [row for row in rows if row.kind is RowKind.SEPARATOR]
    gap = second.old_start - (first.old_start + first.old_lines)
    assert [row.hidden_lines for row in separators] == [first.old_start - 1, gap]
    assert separator_text(gap) == f"⋯ {gap} unchanged lines"
    removed = next(row for row in rows if row.kind is RowKind.LINE and row.new_line < 0)
    assert first.kinds[removed.old_line] == "-" and removed.new_number == 0


def test_side_by_side_pairs_removed_and_added_lines_on_one_row() -> None:
    change = small_change()
    unified = DiffRows(change.hunks, DiffLayout.UNIFIED)
    side_by_side = DiffRows(change.hunks, DiffLayout.SIDE_BY_SIDE)
    pairs = sum(min(h.removed, h.added) for h in change.hunks)  # one block per change here
    assert len(side_by_side) == len(unified) - pairs
    hunk = change.hunks[1]
    paired = [
        row for row in side_by_side if row.hunk == 1 and row.old_line >= 0 and row.new_line >= 0
    ]
    assert any(hunk.kinds[r.old_line] == "-" and hunk.kinds[r.new_line] == "+" for r in paired)
    # "name, amount" grows into three lines: two added lines have a blank left side.
    fillers = [row for row in side_by_side if row.kind is RowKind.LINE and row.old_line < 0]
    assert len(fillers) == 2 and all(row.old_number == 0 for row in fillers)


def test_rows_of_100k_lines_are_made_only_for_the_hunks_asked_for(big_change: Change) -> None:
    rows = DiffRows(big_change.hunks, DiffLayout.SIDE_BY_SIDE, 100_000)
    assert len(big_change.hunks) == 5_000
    middle = rows[len(rows) // 2]
    assert middle.hunk >= 0
    assert rows[len(rows) - 1].kind is RowKind.SEPARATOR  # the lines after the last hunk


def test_a_slice_of_rows_is_the_rows_it_names() -> None:
    rows = DiffRows(small_change().hunks, DiffLayout.UNIFIED, BASE.count("\n"))
    assert rows[2:5] == [rows[2], rows[3], rows[4]]
    assert rows[::-1] == list(reversed(rows))
    assert rows[len(rows) :] == []


# --- the view ------------------------------------------------------------------------------


def test_set_current_hunk_scrolls_it_to_the_middle_of_the_screen(
    qtbot: QtBot, big_change: Change
) -> None:
    view = shown_view(qtbot, big_change)
    assert view.current_hunk() == 0
    view.set_current_hunk(2_500)
    hunk_rows = view.rows().hunk_rows(2_500)
    visible = view.visible_rows()
    assert visible.start <= hunk_rows.start and hunk_rows.stop <= visible.stop
    above, below = hunk_rows.start - visible.start, visible.stop - hunk_rows.stop
    assert abs(above - below) <= 2
    save(qtbot, view, "diff-100k-middle.png")

    view.set_layout(DiffLayout.SIDE_BY_SIDE)
    hunk_rows = view.rows().hunk_rows(2_500)
    assert hunk_rows.start in view.visible_rows()


def test_the_key_onto_the_next_hunk_finds_its_lines_coloured_already(
    qtbot: QtBot, big_change: Change, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = shown_view(qtbot, big_change, height=200)  # about one hunk on screen
    view.set_current_hunk(4_321)
    view.viewport().repaint()
    # While the reviewer reads, the hunks either side are coloured, a slice at a time.
    qtbot.waitUntil(
        lambda: not view.is_colouring_pending() and not view.is_colouring_ahead(),
        timeout=HANG_GUARD_MS,
    )
    lexed: list[str] = []
    real_line_spans = syntax.line_spans

    def counted(lexer_name: str, line: str) -> tuple[RoleSpan, ...]:
        lexed.append(line)
        return real_line_spans(lexer_name, line)

    monkeypatch.setattr(syntax, "line_spans", counted)
    before = set(view.visible_rows())
    view.set_current_hunk(4_322)
    view.viewport().repaint()
    assert set(view.visible_rows()) - before  # it scrolled: new lines came on screen
    assert lexed == []
    assert not view.is_colouring_pending()


def test_word_spans_mark_only_the_changed_identifier(qtbot: QtBot) -> None:
    change = small_change()
    view = shown_view(qtbot, change)
    hunk = change.hunks[1]
    removed = hunk.texts.index("def load_invoices(path):\n")
    added = hunk.texts.index('def read_invoices(path, encoding="utf-8"):\n')
    assert [hunk.texts[removed][a:b] for a, b in view.word_spans(1, removed)] == ["load_invoices"]
    assert next(hunk.texts[added][a:b] for a, b in view.word_spans(1, added)) == "read_invoices"
    assert view.word_spans(1, 0) == ()  # context


def test_control_and_invisible_characters_are_drawn_visibly() -> None:
    shown = display_text("a\x1bb\x00c\u202ed\udcff\r\n")
    assert shown.text == "a⟨ESC⟩b⟨NUL⟩c⟨U+202E⟩d⟨xFF⟩"
    assert [shown.text[a:b] for a, b in shown.markers] == ["⟨ESC⟩", "⟨NUL⟩", "⟨U+202E⟩", "⟨xFF⟩"]
    assert shown.at(2) == len("a⟨ESC⟩")  # raw offsets map onto the drawn text
    assert display_text("\tx = 1\n").text == "    x = 1"
    assert display_text("a \tb\r\n", show_whitespace=True).text == "a·→ b⟨CR⟩↵"
    # Every character the banner flags is drawn escaped too: variation selectors, tags,
    # the combining grapheme joiner, the Hangul filler.
    hiding = "x\ufe0fy\U000e0100z\U000e0041w\u034fv\u3164u\n"
    assert display_text(hiding).text == ("x⟨U+FE0F⟩y⟨U+E0100⟩z⟨U+E0041⟩w⟨U+034F⟩v⟨U+3164⟩u")
    fillers = "a\u115fb\u17b4c\u180bd\u2061e\uffa0f\U0001d173g\U000e0200h\n"
    assert display_text(fillers).text == (
        "a⟨U+115F⟩b⟨U+17B4⟩c⟨U+180B⟩d⟨U+2061⟩e⟨U+FFA0⟩f⟨U+1D173⟩g⟨U+E0200⟩h"
    )


def test_markup_in_a_line_is_drawn_as_the_literal_characters(qtbot: QtBot) -> None:
    assert display_text("<b>bold</b>\n").text == "<b>bold</b>"
    hunks = hunks_from_texts("page.html", "x\n", "<b>bold</b>\n")
    change = Change("page.html", FileStatus.MODIFIED, hunks, base_text="x\n")
    view = shown_view(qtbot, change, width=600, height=120)
    image = view.viewport().grab().toImage()
    added_row = view.row_rect(view.rows().hunk_rows(0).start + 2)  # header, removed, added
    ink = _rightmost_ink(image, range(int(added_row.top()) + 2, int(added_row.bottom()) - 2))
    literal = view.fontMetrics().horizontalAdvance("<b>bold</b>")
    interpreted = view.fontMetrics().horizontalAdvance("bold")
    assert ink > view.text_left() + (literal + interpreted) / 2


def _rightmost_ink(image: QImage, y_range: range) -> int:
    background = image.pixelColor(image.width() - 2, y_range.start)
    for x in range(image.width() - 1, -1, -1):
        for y in y_range:
            colour = image.pixelColor(x, y)
            if abs(colour.lightness() - background.lightness()) > 60:
                return x
    return -1


def test_binary_and_empty_states_say_what_they_are(qtbot: QtBot) -> None:
    view = shown_view(qtbot, None)
    assert len(view.rows()) == 0
    assert view.accessibleDescription() == "No file selected"
    binary = Change("logo.png", FileStatus.BINARY, ())
    view.set_file(binary, ())
    assert len(view.rows()) == 0 and view.current_hunk() == -1
    assert BINARY_MESSAGE in view.accessibleDescription()
    save(qtbot, view, "diff-binary.png")


def test_accessible_description_summarises_the_current_hunk(qtbot: QtBot) -> None:
    view = shown_view(qtbot, small_change())
    assert view.accessibleName() == "Diff"
    view.set_current_hunk(1)
    assert view.accessibleDescription() == (
        "src/invoices.py, hunk 2 of 2: 3 lines removed, 5 added"
    )


def test_clicking_a_hunk_row_reports_its_index(qtbot: QtBot) -> None:
    view = shown_view(qtbot, small_change())
    row = view.rows().hunk_rows(1).start + 2
    centre = view.row_rect(row).center().toPoint()
    with qtbot.waitSignal(view.current_hunk_clicked, timeout=HANG_GUARD_MS) as signal:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(200, centre.y()))
    assert signal.args == [1]


def test_whitespace_only_hunk_is_marked(qtbot: QtBot) -> None:
    base = "def f():\n    return 1\n"
    new = "def f():\n\treturn 1  \n"
    hunks = hunks_from_texts("ws.py", base, new)
    assert hunks[0].is_whitespace_only
    view = shown_view(qtbot, Change("ws.py", FileStatus.MODIFIED, hunks, base_text=base))
    assert "whitespace only" in view.accessibleDescription()
    save(qtbot, view, "diff-whitespace-only.png")


# --- screenshots for a reviewer's eye ------------------------------------------------------


def test_screenshots_light_and_dark(qtbot: QtBot) -> None:
    change = small_change()
    view = shown_view(qtbot, change, height=600)
    view.set_current_hunk(1)
    save(qtbot, view, "diff-unified-light.png")
    view.set_layout(DiffLayout.SIDE_BY_SIDE)
    save(qtbot, view, "diff-side-by-side-light.png")
    view.set_layout(DiffLayout.UNIFIED)
    view.setPalette(dark_palette())
    save(qtbot, view, "diff-unified-dark.png")
    view.set_layout(DiffLayout.SIDE_BY_SIDE)
    save(qtbot, view, "diff-side-by-side-dark.png")


def test_first_paint_of_100k_lines_can_be_measured(qtbot: QtBot, big_change: Change) -> None:
    view = shown_view(qtbot, None)
    elapsed_ms = measure_first_paint(view, big_change, big_change.hunks)
    assert elapsed_ms > 0  # the budget is checked by the benchmark, not here
    assert len(view.visible_rows()) > 10


def test_a_hunk_without_lines_is_one_note_row(qtbot: QtBot) -> None:
    from vetline.core.model import HunkKind

    rename = Hunk("new/name.py", 0, 0, 0, 0, kind=HunkKind.RENAME)
    change = Change("new/name.py", FileStatus.RENAMED, (rename,), old_path="old/name.py")
    view = shown_view(qtbot, change)
    assert [row.kind for row in view.rows()] == [RowKind.HEADER, RowKind.NOTE]
    assert view.current_hunk() == 0


def test_scrolling_by_moving_pixels_paints_what_a_full_repaint_paints(
    qtbot: QtBot, big_change: Change, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every line coloured in the paint that shows it, however busy the machine: a colour
    # deferred to the next paint would make the two pictures differ by timing alone.
    monkeypatch.setattr(diff_frame, "SYNTAX_BUDGET_SECONDS", 60.0)
    view = shown_view(qtbot, big_change, height=400)
    view.set_current_hunk(3)
    screen = QGuiApplication.primaryScreen()
    for layout in DiffLayout:
        view.set_layout(layout)
        for step in (3, 3, -3, 5, 7, -2, 3):
            view.verticalScrollBar().setValue(view.verticalScrollBar().value() + step)
            QApplication.processEvents()
        scrolled = screen.grabWindow(view.winId()).toImage()
        view.viewport().repaint()
        assert screen.grabWindow(view.winId()).toImage() == scrolled


def test_keys_scroll_the_view(qtbot: QtBot, big_change: Change) -> None:
    view = shown_view(qtbot, big_change)
    bar = view.verticalScrollBar()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert bar.value() == 1
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert bar.value() == 1 + bar.pageStep()
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert bar.value() == bar.maximum()
    assert view.visible_rows().stop == len(view.rows())
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert bar.value() == 0


def test_a_long_line_scrolls_horizontally(qtbot: QtBot) -> None:
    long_line = "x = [" + ", ".join(str(n) for n in range(400)) + "]\n"
    hunks = hunks_from_texts("long.py", "x = []\n", long_line)
    view = shown_view(qtbot, Change("long.py", FileStatus.MODIFIED, hunks), width=500)
    bar = view.horizontalScrollBar()
    assert bar.maximum() > view.fontMetrics().horizontalAdvance(long_line) - 500
    bar.setValue(bar.maximum())
    save(qtbot, view, "diff-long-line-scrolled.png")


def test_syntax_colours_come_from_the_file_name_one_line_at_a_time() -> None:
    assert lexer_name_for("src/app.py") == "python"
    assert lexer_name_for("C:\\work\\Makefile") == "make"
    assert lexer_name_for("notes.unknown-extension") == ""
    cache = SyntaxColourCache()
    line = "def total(x):  # sum"
    assert cache.cached("python", line) is None  # not lexed until someone pays for it
    assert cache.cached_or_in_time("python", line, deadline=0.0) is None  # no time left
    spans = cache.colour("python", line)
    assert [(line[a:b], role) for a, b, role in spans] == [
        ("def", SyntaxRole.KEYWORD),
        ("total", SyntaxRole.DEFINITION),
        ("# sum", SyntaxRole.COMMENT),
    ]
    assert cache.cached("python", line) == spans
    assert cache.cached("", line) == ()  # plain text has no colours

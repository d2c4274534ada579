"""The diff view on its own: folds from the base text (and none without it), labels for
verdicts that create or delete a file, wrapping side by side, and the command menu."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS, REPO_ROOT
from helpers.proposals import text_change
from vetline.adapters.formats.unified import parse_file_diffs
from vetline.core.model import Change
from vetline.core.session import HunkState
from vetline.ui.command_menu import build_command_menu
from vetline.ui.diff_rows import DiffLayout, DiffRows, RowKind, separator_text
from vetline.ui.diff_text import FileText
from vetline.ui.diff_view import DiffView
from vetline.ui.line_text import display_text, hanging_indent, wrap_segments

ARTIFACTS = REPO_ROOT / "test-artifacts"

PATCH = """\
diff --git a/src/config.py b/src/config.py
--- a/src/config.py
+++ b/src/config.py
@@ -20,3 +20,3 @@ def load():
     path = find()
-    return read(path)
+    return read(path, strict=True)
     # end
diff --git a/src/feature.py b/src/feature.py
new file mode 100644
--- /dev/null
+++ b/src/feature.py
@@ -0,0 +1,3 @@
+def feature():
+    \"\"\"A new feature.\"\"\"
+    return 42
diff --git a/src/legacy.py b/src/legacy.py
deleted file mode 100644
--- a/src/legacy.py
+++ /dev/null
@@ -1,2 +0,0 @@
-def legacy():
-    return None
"""


def shown_view(qtbot: QtBot, change: Change, width: int = 700, height: int = 300) -> DiffView:
    view = DiffView()
    qtbot.addWidget(view)
    view.resize(width, height)
    with qtbot.waitExposed(view, timeout=HANG_GUARD_MS):
        view.show()
    view.set_file(change, change.hunks)
    return view


def save(qtbot: QtBot, widget: QWidget, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    qtbot.wait(20)  # let a deferred colouring pass paint, as a running app would
    assert widget.grab().save(str(path))
    return path


def click(qtbot: QtBot, view: DiffView, row: int) -> None:
    centre = view.row_rect(row).center().toPoint()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def test_a_plain_patch_says_its_unchanged_lines_cannot_be_shown(qtbot: QtBot) -> None:
    modified = parse_file_diffs(PATCH, "change.patch")[0]
    assert modified.base_text is None  # a patch carries only its context lines
    view = shown_view(qtbot, modified)
    fold = view.rows()[0]
    assert fold.kind is RowKind.SEPARATOR and fold.hidden_lines == 19
    assert not view.can_open_folds()
    assert "cannot be shown" in separator_text(fold.hidden_lines, view.can_open_folds())
    click(qtbot, view, 0)
    assert view.rows().opened == set()  # nothing invented
    assert not view.toggle_folds_around_current()
    assert all(row.kind is not RowKind.CONTEXT for row in view.rows())
    save(qtbot, view, "diff-patch-fold-cannot-open")


def test_new_and_deleted_files_say_so_on_their_hunk(qtbot: QtBot) -> None:
    _modified, created, deleted = parse_file_diffs(PATCH, "change.patch")
    view = shown_view(qtbot, created, height=140)
    assert view.hunk_marks(0) == ("new file",)
    assert "new file" in view.accessibleDescription()
    save(qtbot, view, "diff-new-file")

    view.set_file(deleted, deleted.hunks)
    assert view.hunk_marks(0) == ("⚠ deletes the file",)
    assert "deletes the file" in view.accessibleDescription()
    save(qtbot, view, "diff-deletes-file")
    view.set_hunk_states([HunkState.ACCEPTED])
    assert view.hunk_marks(0) == ("✓ Accepted", "⚠ deletes the file")
    assert view.is_dimmed(0)
    assert view.accessibleDescription().endswith("accepted, deletes the file")
    save(qtbot, view, "diff-deletes-file-accepted")


def test_side_by_side_wraps_long_lines_in_each_pane_instead_of_clipping(qtbot: QtBot) -> None:
    """At 640 px (the diff's share of a 1280-px window) each pane holds ~30 characters."""
    call = "total = compute_invoice_total(customer, items, discount=discount, tax=tax_rate)\n"
    base = "".join(f"line_{n} = {n}\n" for n in range(10)) + call
    new = base.replace("tax=tax_rate)", "tax=tax_rate, currency=currency, rounding=HALF_EVEN)")
    change = text_change("src/totals.py", base, new)
    (hunk,) = change.hunks
    view = shown_view(qtbot, change, width=640, height=420)
    assert view.horizontalScrollBar().maximum() > 0  # unified: the long line scrolls

    view.set_layout(DiffLayout.SIDE_BY_SIDE)
    assert view.wraps_lines() and view.horizontalScrollBar().maximum() == 0
    rows = view.rows()
    index = next(
        i for i in range(len(rows)) if rows[i].new_line >= 0 and hunk.kinds[rows[i].new_line] == "+"
    )
    paired = rows[index]
    assert paired.old_line >= 0  # the old call on the left, the new one on the right
    assert view.row_lines(paired) >= 3  # ~110 characters in ~30-character panes
    assert view.row_rect(index).height() == view.row_lines(paired) * view.row_height()
    assert index in view.visible_rows()
    save(qtbot, view, "diff-side-by-side-wrapped")


def test_wrapped_rows_break_after_spaces_and_keep_every_character() -> None:
    text = display_text("total = compute(customer, items, discount)\n").text
    segments = wrap_segments(text, 12, 10)
    assert "".join(text[a:b] for a, b in segments) == text
    assert all(b - a <= 12 for a, b in segments)
    assert [text[a:b] for a, b in segments][:2] == ["total = ", "compute("]
    assert wrap_segments("x" * 30, 10, 2) == ((0, 10), (10, 30))  # the last row runs on
    indented = "        return compute(customer, items)"
    rows = wrap_segments(indented, 24, 10)
    assert hanging_indent(indented, 24) == 8
    assert all(b - a <= 24 - 8 for a, b in rows[1:])  # further rows sit under the indent
    assert "".join(indented[a:b] for a, b in rows) == indented
    assert wrap_segments("", 10, 3) == ((0, 0),)


def test_opened_lines_number_both_sides_from_the_base_text() -> None:
    base = "".join(f"line {n}\n" for n in range(1, 31))
    new = base.replace("line 5\n", "line 5\nadded a\nadded b\n")
    change = text_change("notes.txt", base, new)
    rows = DiffRows(change.hunks, DiffLayout.UNIFIED, 30, frozenset({1}))
    trailing = [rows[index] for index in rows.gap_rows(1)]
    assert trailing[0].kind is RowKind.SEPARATOR
    first_line = trailing[1]
    assert first_line.kind is RowKind.CONTEXT
    assert first_line.new_number == first_line.old_number + 2
    assert trailing[-1].old_number == 30
    assert len(trailing) == 1 + rows.hidden_lines(1)


def test_the_command_menu_offers_enabled_commands_in_groups(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    actions = {name: QAction(name, parent) for name in ("a", "b", "c", "d")}
    actions["c"].setEnabled(False)
    menu = build_command_menu(parent, actions, ["a", None, "c", None, "b", "missing", None, "d"])
    shown = [action.text() if not action.isSeparator() else "|" for action in menu.actions()]
    assert shown == ["a", "|", "b", "|", "d"]
    menu = build_command_menu(parent, actions, ["a", None, "d"], applies=lambda name: name != "d")
    assert [action.text() for action in menu.actions()] == ["a"]


def test_the_menu_key_opens_the_command_menu_on_the_current_hunk(qtbot: QtBot) -> None:
    base = "".join(f"row {n}\n" for n in range(40))
    change = text_change("a.txt", base, base.replace("row 20\n", "row twenty\n"))
    view = shown_view(qtbot, change)
    view.set_command_actions({"review.accept_hunk": QAction("Accept hunk", view)})
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Menu)
    qtbot.waitUntil(
        lambda: view.context_menu is not None and view.context_menu.isVisible(),
        timeout=HANG_GUARD_MS,
    )
    assert view.context_menu is not None
    assert [action.text() for action in view.context_menu.actions()] == ["Accept hunk"]
    header = view.row_rect(view.rows().hunk_rows(0).start)
    opened_at = view.viewport().mapFromGlobal(view.context_menu.pos())
    assert header.top() <= opened_at.y() <= header.bottom() + 1
    view.context_menu.close()


def test_verdict_marks_read_in_a_dark_theme(qtbot: QtBot) -> None:
    base = "".join(f"setting_{n} = {n}\n" for n in range(40))
    new = base.replace("setting_5 = 5", "setting_5 = 50").replace("setting_30 = 30", "s30 = 3")
    change = text_change("settings.py", base, new)
    view = shown_view(qtbot, change, height=420)
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#161b22"),
        (QPalette.ColorRole.Base, "#0d1117"),
        (QPalette.ColorRole.Text, "#e6edf3"),
        (QPalette.ColorRole.Highlight, "#2f81f7"),
    ):
        palette.setColor(role, QColor(colour))
    view.setPalette(palette)
    view.set_hunk_states([HunkState.REJECTED, HunkState.PENDING])
    view.set_current_hunk(1)
    assert view.hunk_marks(0) == ("✗ Rejected",) and view.is_dimmed(0)
    assert not view.is_dimmed(1)
    save(qtbot, view, "diff-verdicts-dark")


def test_only_a_hunk_with_unchanged_lines_between_changes_can_split() -> None:
    base = "".join(f"line {n}\n" for n in range(12))
    two_runs = base.replace("line 3\n", "line three\n").replace("line 6\n", "line six\n")
    one_run = base.replace("line 3\n", "line three\n")
    (split_able,) = text_change("a.txt", base, two_runs).hunks
    (single,) = text_change("a.txt", base, one_run).hunks
    text = FileText(None, [split_able, single])
    assert [text.can_split(0), text.can_split(1), text.can_split(2)] == [True, False, False]

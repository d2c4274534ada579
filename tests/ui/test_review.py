"""The demo driven by real key events: every verdict lands in the log and on disk."""

from __future__ import annotations

from PySide6.QtCore import Qt

from helpers import HANG_GUARD_MS
from helpers.review_window import Review

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier

PAGER = "demo-pager-fix"
NOTE = "demo-first-law-note"
INVENTORY = "demo-typed-inventory"
FETCH = "demo-retry-downloads"


def test_accept_then_reject_with_reason_writes_only_the_accepted_hunk(review: Review) -> None:
    original = review.file("src/pager.py")
    review.shot("01-initial-demo")

    review.press_and_wait(Qt.Key.Key_Y, CTRL)
    assert review.controller.session.cursor == 1  # advanced to the next undecided hunk
    assert review.file("src/pager.py") == original  # the file waits for its last hunk
    review.shot("02-after-accepting")

    review.press(Qt.Key.Key_N, CTRL | SHIFT)
    panel = review.window.prompts.reason_panel
    review.qtbot.waitUntil(panel.isVisible, timeout=HANG_GUARD_MS)
    review.shot("03-reject-with-reason-panel", panel)
    review.qtbot.keyClick(panel.presets, Qt.Key.Key_Down)  # "unsafe"
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=HANG_GUARD_MS):
        review.qtbot.keyClick(panel.presets, Qt.Key.Key_Return)

    rows = review.rows()
    assert [(row["proposal_id"], row["verdict"], row["reason"]) for row in rows] == [
        (PAGER, "accepted", ""),
        (PAGER, "rejected", "unsafe"),
    ]
    written = review.file("src/pager.py")
    assert "start = (page - 1) * page_size" in written
    assert "if entry is None" not in written


def test_edit_writes_the_edited_text_and_undo_restores_the_file(review: Review) -> None:
    original = review.file("notes/first-law.md")
    review.go_to(NOTE)
    review.press(Qt.Key.Key_E)
    editor = review.window.prompts.edit_panel.editor
    review.qtbot.waitUntil(editor.isVisible, timeout=HANG_GUARD_MS)
    review.select_in_line(editor, "ln(V₂ / V₁)")
    review.type_text(editor, "ln(V₂/V₁)   (V₂ > V₁: W > 0)")
    review.shot("04-edit-panel", review.window.prompts.edit_panel)
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=HANG_GUARD_MS):
        review.qtbot.keyClick(editor, Qt.Key.Key_Return, CTRL)

    written = review.file("notes/first-law.md")
    assert "ΔU = Q − W" in written
    assert "W = nRT ln(V₂/V₁)   (V₂ > V₁: W > 0)" in written
    edited = review.rows()[-1]
    assert edited["verdict"] == "edited"
    assert "ln(V₂/V₁)" in str(edited["edited_text"])
    assert dict(review.window.queue.state_words())[_first_hunk_name(review, NOTE)] == "edited"

    review.press_and_wait(Qt.Key.Key_Z, CTRL)
    assert review.file("notes/first-law.md") == original  # restored: nobody changed it since
    assert review.rows()[-1]["verdict"] == "undone"
    assert "restored notes/first-law.md" in review.window.statusBar().currentMessage()


def test_undo_of_a_file_changed_since_it_was_written_is_refused_on_screen(
    review: Review,
) -> None:
    review.go_to(NOTE)
    review.press_and_wait(Qt.Key.Key_Y, CTRL)
    path = review.workspace / "notes" / "first-law.md"
    assert review.rows()[-1]["verdict"] == "accepted"
    path.write_text("the reviewer's own edit\n", encoding="utf-8")

    review.press_and_wait(Qt.Key.Key_Z, CTRL)
    banner = review.window.banner
    review.qtbot.waitUntil(banner.isVisible, timeout=HANG_GUARD_MS)
    message = banner.message()
    review.shot("05-undo-refused-file-changed")
    assert "Nothing was undone: notes/first-law.md changed after Vetline wrote it" in message
    assert path.read_text(encoding="utf-8") == "the reviewer's own edit\n"
    assert [row["verdict"] for row in review.rows()] == ["accepted"]
    assert dict(review.window.queue.state_words())[_first_hunk_name(review, NOTE)] == "accepted"


def test_split_makes_two_hunks_in_the_queue(review: Review) -> None:
    review.go_to(NOTE)
    review.press(Qt.Key.Key_S)
    pieces = list(review.controller.session.items_of(review.controller.current.proposal))
    assert len(pieces) == 2
    names = [name for name, _ in review.window.queue.state_words()]
    assert "Hunk 1 · +1 −1 · line 7" in names
    assert "Hunk 2 · +1 −1 · line 14" in names
    assert review.window.diff.current_hunk() == 0


def test_split_pieces_are_decided_and_written_one_by_one(review: Review) -> None:
    review.go_to(NOTE)
    review.press(Qt.Key.Key_S)
    review.press_and_wait(Qt.Key.Key_Y, CTRL)  # the sign convention: ΔU = Q − W
    review.press(Qt.Key.Key_E)  # the formula, edited before accepting
    editor = review.window.prompts.edit_panel.editor
    review.qtbot.waitUntil(editor.isVisible, timeout=HANG_GUARD_MS)
    review.select_in_line(editor, "V₂ / V₁")
    review.type_text(editor, "V₂/V₁")
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=HANG_GUARD_MS):
        review.qtbot.keyClick(editor, Qt.Key.Key_Enter, CTRL)
    assert [row["verdict"] for row in review.rows()] == ["accepted", "edited"]
    written = review.file("notes/first-law.md")
    assert "ΔU = Q − W" in written
    assert "W = nRT ln(V₂/V₁)" in written


def _first_hunk_name(review: Review, proposal_id: str) -> str:
    item = next(i for i in review.controller.session.items if i.proposal.id == proposal_id)
    return f"Hunk 1 · +{item.hunk.added} −{item.hunk.removed} · line {item.hunk.old_start}"


def test_accept_rest_is_refused_over_the_leash_until_the_slider_moves(review: Review) -> None:
    review.go_to(INVENTORY)
    review.shot("05-over-the-leash")
    review.press(Qt.Key.Key_Return, CTRL)
    assert "over the leash" in review.window.banner.message()
    assert "3 files > 1 allowed at level 2 (Chunk)" in review.window.details.leash.body.text()
    assert review.rows() == []

    slider = review.window.slider.slider
    slider.setFocus()
    review.qtbot.keyClick(slider, Qt.Key.Key_Right)  # level 3: still one file only
    review.qtbot.keyClick(slider, Qt.Key.Key_Right)  # level 4: within the leash
    assert review.controller.session.level == 4
    assert not review.controller.over_leash(review.controller.current.proposal)
    states = dict(review.window.queue.state_words())
    assert states["Add type hints and docstrings across the inventory code"] == "0/3 decided"

    review.window.banner.dismiss()
    review.press(Qt.Key.Key_Return, CTRL)
    box = review.window.prompts.last_dialog
    assert box is not None
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=HANG_GUARD_MS):
        review.qtbot.keyClick(box, Qt.Key.Key_Return)

    rows = review.rows()
    assert [row["verdict"] for row in rows] == ["accepted"] * 3
    assert {row["level"] for row in rows} == {4}
    assert "def restock_order" in review.file("src/inventory.py")
    assert "## Stock reports" in review.file("README.md")


def test_a_stale_base_is_refused_in_the_banner(review: Review) -> None:
    original = review.file("src/fetch.py")
    review.go_to(FETCH)
    assert review.window.queue.state_words()[-4][1] == "stale base"
    review.press_and_wait(Qt.Key.Key_Y, CTRL)
    message = review.window.banner.message()
    assert message.startswith("Stale base")
    assert "src/fetch.py: hunk" in message and "context does not match the file" in message
    assert "the hunk is undecided again" in message
    assert review.file("src/fetch.py") == original
    # The log says what happened, and the hunk counts as undecided everywhere.
    assert [row["verdict"] for row in review.rows()] == ["accepted", "not_applied"]
    assert review.rows()[-1]["reason"].endswith("its context does not match the file")
    assert review.controller.current is not None
    assert review.controller.session.decided_count == 0
    assert review.window.queue.state_words()[-4][1] == "stale base"
    review.shot("06-stale-banner")


def test_keys_pressed_while_a_write_is_in_flight_are_ignored(review: Review) -> None:
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=HANG_GUARD_MS):
        review.press(Qt.Key.Key_Y, CTRL)
        assert review.controller.busy  # set before the write even starts
        review.press(Qt.Key.Key_Y, CTRL)
        review.press(Qt.Key.Key_N, CTRL)
        review.press(Qt.Key.Key_J)
        review.press(Qt.Key.Key_S)
    review.settle()
    assert [row["verdict"] for row in review.rows()] == ["accepted"]
    assert review.controller.session.cursor == 1
    assert review.controller.session.items[1].state.value == "pending"


def test_j_k_and_arrows_move_between_hunks(review: Review) -> None:
    review.press(Qt.Key.Key_J)
    review.press(Qt.Key.Key_Down)
    assert review.controller.session.cursor == 2
    review.press(Qt.Key.Key_K)
    assert review.controller.session.cursor == 1
    review.press(Qt.Key.Key_Up)
    review.press(Qt.Key.Key_Up)  # at the top: stays, says so
    assert review.controller.session.cursor == 0
    assert review.window.statusBar().currentMessage() == "First hunk"


def test_closing_the_window_logs_an_accepted_hunk_its_file_never_got(review: Review) -> None:
    original = review.file("src/pager.py")
    review.press_and_wait(Qt.Key.Key_Y, CTRL)  # the first of pager.py's two hunks
    assert review.file("src/pager.py") == original

    review.window.close()
    review.qtbot.waitUntil(lambda: not review.window.isVisible(), timeout=HANG_GUARD_MS)

    rows = [(row["proposal_id"], row["verdict"]) for row in review.rows()]
    assert rows == [(PAGER, "accepted"), (PAGER, "not_applied")]
    assert review.file("src/pager.py") == original

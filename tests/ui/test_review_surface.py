"""The review surface tells the truth as the reviewer moves: the end of the queue, banners,
the status bar, labels for verdicts that add or remove whole files, and room for the diff."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from helpers.proposals import proposal_of, text_change
from helpers.review_window import WAIT_MS, Review
from vetline.core.model import Agent, Change, Citation, FileStatus
from vetline.ui.diff_rows import DiffLayout

CTRL = Qt.KeyboardModifier.ControlModifier
FETCH = "demo-retry-downloads"


def test_the_end_of_the_queue_says_so_and_what_to_do_next(review: Review) -> None:
    total = len(review.controller.session.items)
    review.press_and_wait(Qt.Key.Key_Y, CTRL)
    for _ in range(total - 1):
        assert review.window.centre_pages.currentIndex() == 0  # the diff, while hunks remain
        review.press_and_wait(Qt.Key.Key_N, CTRL)
    assert review.controller.session.finished
    assert review.window.centre_pages.currentIndex() == 1
    finished = review.window.finished
    assert finished.title.text() == f"All {total} hunks decided"
    figures = finished.figures.text()
    assert "✓ Accepted: 1" in figures
    assert f"✗ Rejected: {total - 1}" in figures
    assert "Files written: 1" in figures  # the pager fix's file, once both hunks were decided
    assert "Median per decision:" in figures
    assert str(review.workspace) in finished.next_steps.text()
    review.shot("30-end-of-queue")

    review.press(Qt.Key.Key_K)  # looking back at a hunk brings the diff back
    assert review.window.centre_pages.currentIndex() == 0


def test_a_banner_about_a_refused_hunk_goes_once_a_verdict_takes_effect(review: Review) -> None:
    review.go_to(FETCH)
    review.press_and_wait(Qt.Key.Key_Y, CTRL)  # stale: refused, said in the banner
    assert review.window.banner.message().startswith("Stale base")
    review.go_to(FETCH)
    review.press_and_wait(Qt.Key.Key_N, CTRL)  # the reviewer rejects it instead
    assert review.window.banner.message() == ""


def test_moving_on_clears_the_status_bar(review: Review) -> None:
    review.press(Qt.Key.Key_K)  # at the first hunk already: it says so
    assert review.window.statusBar().currentMessage() == "First hunk"
    review.press(Qt.Key.Key_J)
    assert review.window.statusBar().currentMessage() == ""


def test_opening_several_bad_sources_names_each(review: Review, tmp_path: Path) -> None:
    first, second = tmp_path / "one.patch", tmp_path / "two.json"
    first.write_text("not a patch at all\n", encoding="utf-8")
    second.write_text("{ broken json", encoding="utf-8")
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=WAIT_MS):
        review.controller.load_sources([str(first), str(second)], review.workspace)
    message = review.window.banner.message()
    assert message.startswith("Could not open 2 sources:")
    assert f"• {first}: " in message and f"• {second}: " in message
    review.shot("31-two-bad-sources")


def test_verdicts_that_add_or_remove_a_whole_file_say_so_in_the_queue(review: Review) -> None:
    added = text_change("docs/new.md", "", "# New\n")
    gone = text_change("docs/old.md", "# Old\n", "")
    files = (
        Change("docs/new.md", FileStatus.ADDED, added.hunks, new_text="# New\n"),
        Change("docs/old.md", FileStatus.DELETED, gone.hunks, base_text="# Old\n"),
    )
    review.controller.open_proposals([proposal_of(*files)], review.workspace)
    review.settle()  # the staleness look it started
    names = [name for name, _ in review.window.queue.state_words()]
    assert "Hunk 1 · new file · +1 −0 · line 1" in names
    assert "Hunk 1 · deletes the file · +0 −1 · line 1" in names


def test_side_by_side_at_1280_folds_the_details_and_unified_brings_them_back(
    review: Review,
) -> None:
    window = review.window
    window.resize(1280, 800)
    review.qtbot.waitUntil(lambda: window.splitter.sizes()[2] > 0, timeout=WAIT_MS)
    window.toggle_layout()
    assert window.diff.diff_layout() is DiffLayout.SIDE_BY_SIDE
    assert window.splitter.sizes()[2] == 0  # the details gave their room to the diff
    review.shot("32-side-by-side-1280")
    window.toggle_layout()
    assert window.splitter.sizes()[2] > 0


def test_a_hunk_that_hides_characters_is_flagged_and_accepting_asks_twice(
    review: Review,
) -> None:
    old = "role = 'user'\nallowed = False\n"
    new = "role = 'user'\nallowed = role == 'admin\u202e'\n"
    (review.workspace / "access.py").write_text(old, encoding="utf-8")
    change = text_change("access.py", old, new, pin_base=True)
    review.controller.open_proposals([proposal_of(change)], review.workspace)
    review.settle()
    review.go_to(review.controller.session.proposals[-1].id)
    banner = review.window.banner.message()
    assert banner.startswith("This hunk hides characters: U+202E RIGHT-TO-LEFT OVERRIDE")

    review.press(Qt.Key.Key_Y, CTRL)
    box = review.window.prompts.last_dialog
    assert box is not None and box.objectName() == "confirmHidden"
    review.shot("33-hidden-characters-confirm", box)
    assert review.rows() == []  # nothing decided on the first press
    review.qtbot.keyClick(box, Qt.Key.Key_Return)  # a reflex Enter: no, not yes
    review.qtbot.waitUntil(lambda: not box.isVisible(), timeout=WAIT_MS)
    assert review.rows() == []
    assert review.controller.current.state.value == "pending"

    review.press(Qt.Key.Key_Y, CTRL)
    box = review.window.prompts.last_dialog
    assert box is not None and box.objectName() == "confirmHidden"
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=WAIT_MS):
        review.click_yes(box)
    (row,) = review.rows()
    assert (row["verdict"], row["flagged"]) == ("accepted", "U+202E RIGHT-TO-LEFT OVERRIDE")
    assert (review.workspace / "access.py").read_text(encoding="utf-8") == new


def test_the_queue_has_a_context_menu_of_the_commands_for_the_row_clicked(
    review: Review,
) -> None:
    queue, actions = review.window.queue, review.window.command_actions
    target = review.controller.session.items[2]  # the note's hunk, not the current one
    row = queue.visualRect(queue.model().index_of(target)).center()
    handle = review.window.windowHandle()
    assert handle is not None
    at = queue.viewport().mapTo(review.window, row)
    QTest.mouseClick(handle, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, at)
    menu = queue.context_menu
    assert menu is not None
    review.qtbot.waitUntil(menu.isVisible, timeout=WAIT_MS)
    assert review.controller.current is target  # the row under the pointer is current
    shown = [action for action in menu.actions() if not action.isSeparator()]
    assert all(action is actions[action.objectName()] for action in shown)
    assert {"Accept hunk", "Reject hunk", "Edit hunk…"} <= {a.text() for a in shown}
    review.shot("35-queue-context-menu", menu)
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=WAIT_MS):
        reject = actions["review.reject_hunk"]
        review.qtbot.mouseClick(
            menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(reject).center()
        )
    assert [(row["hunk_id"], row["verdict"]) for row in review.rows()] == [
        (target.hunk.id, "rejected")
    ]


def test_the_sources_panel_shows_each_citations_status_in_words(review: Review) -> None:
    source = "The survey of 412 readers found that most pages load in under 2 seconds.\n"
    (review.workspace / "notes" / "survey.md").write_text(source, encoding="utf-8")
    old = "Speed\n"
    change = text_change("notes/speed.md", old, old + "Most pages load fast.\n")
    citations = (
        Citation("c1", "Survey", "notes/survey.md", "most pages load in under 2 seconds"),
        Citation("c2", "Survey", "notes/survey.md", "most pages load in under 20 seconds"),
        Citation("c3", "Survey", "notes/survey.md", "readers disliked the colours"),
    )
    (review.workspace / "notes" / "speed.md").write_text(old, encoding="utf-8")
    proposal = replace(proposal_of(change, proposal_id="cited"), citations=citations)
    review.controller.open_proposals([proposal], review.workspace)
    review.settle()
    review.go_to("cited")
    panel = review.window.details.sources
    review.qtbot.waitUntil(
        lambda: not any("checking…" in words for words in panel.statuses()), timeout=WAIT_MS
    )
    verified, approximate, missing = panel.statuses()
    assert "verified: the quote is in the source" in verified
    assert "CRITICAL: a number, negation or unit differs" in approximate
    assert "quote “20” · source “2”" in approximate
    assert "not found in the source" in missing
    review.shot("36-sources-panel")


def test_the_details_name_the_model_that_really_answered(review: Review) -> None:
    (review.workspace / "k.txt").write_text("k\n", encoding="utf-8")
    answered = replace(
        proposal_of(text_change("k.txt", "k\n", "K\n", pin_base=True), proposal_id="asked"),
        agent=Agent("vetline ask", "asked-model", "router", served_model="fallback/other"),
    )
    review.controller.open_proposals([answered], review.workspace)
    review.settle()
    review.go_to("asked")
    byline = review.window.details.byline.text()
    assert byline.startswith(
        "by vetline ask · asked-model (answered by fallback/other) · router"
    ), byline

"""A hunk is looked at for hidden characters off the GUI thread, and is never accepted
before that is done: a key pressed meanwhile waits for the answer, then asks twice."""

from __future__ import annotations

from PySide6.QtCore import Qt

from helpers.proposals import proposal_of, text_change
from helpers.review_window import WAIT_MS, Review

CTRL = Qt.KeyboardModifier.ControlModifier
OLD = "role = 'user'\nallowed = False\n"
LOOKALIKE = "allowed = role == '\u0430dmin'\n"  # a Cyrillic а in "admin"
PLAIN = "allowed = role == 'admin'\n"
FLAGGED = "“⟨U+0430⟩dmin”"


def test_an_accept_pressed_before_the_hunk_is_looked_at_waits_and_then_asks_twice(
    review: Review,
) -> None:
    (review.workspace / "access.py").write_text(OLD, encoding="utf-8")
    change = text_change(
        "access.py", OLD, OLD.replace("allowed = False\n", LOOKALIKE), pin_base=True
    )
    proposal = proposal_of(change, proposal_id="lookalike")
    review.activate()
    controller = review.controller

    controller.open_proposals([proposal], review.workspace)
    item = next(item for item in controller.session.items if item.proposal is proposal)
    controller.show_item(item)
    # The event loop has not run since: the worker's answer cannot be here yet.
    assert controller.hidden_in(item) is None
    assert not review.window.banner.message().startswith("This hunk hides characters")
    review.qtbot.keyClick(review.window, Qt.Key.Key_Y, CTRL)

    assert review.rows() == []  # not accepted while unknown
    assert review.window.statusBar().currentMessage() == "Looking for hidden characters first…"
    review.qtbot.waitUntil(
        lambda: (
            (box := review.window.prompts.last_dialog) is not None
            and box.objectName() == "confirmHidden"
            and box.isVisible()
        ),
        timeout=WAIT_MS,
    )
    assert controller.hidden_in(item) == FLAGGED
    assert review.window.banner.message().startswith(f"This hunk hides characters: {FLAGGED}")
    assert review.rows() == []  # the press asked; it decided nothing
    box = review.window.prompts.last_dialog
    assert box is not None
    review.shot("36-lookalike-confirm-after-scan", box)
    with review.qtbot.waitSignal(controller.command_finished, timeout=WAIT_MS):
        review.click_yes(box)
    (row,) = review.rows()
    assert (row["verdict"], row["flagged"]) == ("accepted", FLAGGED)


def test_accept_the_rest_waits_for_every_hunk_and_leaves_the_flagged_one(review: Review) -> None:
    for name in ("a.py", "b.py"):
        (review.workspace / name).write_text(OLD, encoding="utf-8")
    plain = text_change("a.py", OLD, OLD.replace("allowed = False\n", PLAIN), pin_base=True)
    hiding = text_change("b.py", OLD, OLD.replace("allowed = False\n", LOOKALIKE), pin_base=True)
    proposal = proposal_of(plain, hiding, proposal_id="two-files")
    review.activate()
    controller = review.controller
    controller.session.set_level(4)  # two files are within the leash

    controller.open_proposals([proposal], review.workspace)
    first = next(item for item in controller.session.items if item.proposal is proposal)
    controller.show_item(first)
    assert controller.hidden_in(first) == ""  # ASCII only: known at once
    assert not controller.accept_rest()  # the other hunk is still being looked at

    review.qtbot.waitUntil(
        lambda: "hide characters" in review.window.banner.message(), timeout=WAIT_MS
    )
    assert f"1 of its hunks hide characters ({FLAGGED})" in review.window.banner.message()
    assert review.rows() == []
    assert (review.workspace / "b.py").read_text(encoding="utf-8") == OLD

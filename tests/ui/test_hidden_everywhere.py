"""Hidden characters are flagged wherever the agent's words show: the window title, the
queue, the file header, a file's name, the rationale and a cited quote."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt

from helpers.proposals import proposal_of, text_change
from helpers.review_window import WAIT_MS, Review
from vetline.core.hunks import hunks_from_texts
from vetline.core.model import Change, Citation, FileStatus

CTRL = Qt.KeyboardModifier.ControlModifier
OLD = "enabled = False\n"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
RLO_NAME = "U+202E RIGHT-TO-LEFT OVERRIDE"


def plain_change(review: Review, name: str = "flags.py") -> Change:
    (review.workspace / name).write_text(OLD, encoding="utf-8")
    return text_change(name, OLD, "enabled = True\n", pin_base=True)


def test_a_bidi_control_in_a_title_is_escaped_in_the_window_title_and_the_queue(
    review: Review,
) -> None:
    title = f"Enable the flag {RLO}txt.exe"
    proposal = proposal_of(plain_change(review), proposal_id="bidi-title", title=title)
    review.controller.open_proposals([proposal], review.workspace)
    review.settle()
    review.go_to("bidi-title")

    window = review.window
    assert window.windowTitle() == "Enable the flag ⟨U+202E⟩txt.exe — Vetline"
    names = [name for name, _state in window.queue.state_words()]
    assert "Enable the flag ⟨U+202E⟩txt.exe" in names
    assert not any(RLO in name for name in names)
    assert f"the title: {RLO_NAME}" in window.banner.message()


def test_hidden_characters_in_the_rationale_and_a_cited_quote_raise_the_banner(
    review: Review,
) -> None:
    (review.workspace / "notes").mkdir(exist_ok=True)
    (review.workspace / "notes" / "survey.md").write_text("Pages load fast.\n", "utf-8")
    citation = Citation("c1", "Survey", "notes/survey.md", f"Pages load {RLO}fast")
    proposal = replace(
        proposal_of(plain_change(review), proposal_id="bidi-words"),
        rationale=f"Turns the flag on {RLO}as asked",
        citations=(citation,),
    )
    review.controller.open_proposals([proposal], review.workspace)
    review.settle()
    review.go_to("bidi-words")

    banner = review.window.banner.message()
    assert f"The agent's text hides characters — the rationale: {RLO_NAME}" in banner
    assert "reorder how a line is drawn" in banner  # what they can do
    assert "This hunk hides" not in banner  # the hunk itself is plain
    review.shot("hidden-rationale-banner")

    review.window.banner.dismiss()
    review.go_to("bidi-words", 2)  # the citation
    assert review.controller.current.citation is citation
    assert f"the cited quote: {RLO_NAME}" in review.window.banner.message()
    panel = review.window.details.sources
    review.qtbot.waitUntil(  # the quote's check ends before the window does
        lambda: not any("checking…" in words for words in panel.statuses()), timeout=WAIT_MS
    )


def test_a_new_file_named_with_a_lookalike_letter_is_escaped_flagged_and_asked_twice(
    review: Review,
) -> None:
    name = "\u0430dmin.py"  # a Cyrillic а
    new_text = "ALLOWED = True\n"
    change = Change(name, FileStatus.ADDED, hunks_from_texts(name, "", new_text), new_text=new_text)
    proposal = proposal_of(change, proposal_id="lookalike-name")
    review.controller.open_proposals([proposal], review.workspace)
    review.settle()
    review.go_to("lookalike-name")
    window = review.window
    flagged = "“⟨U+0430⟩dmin” in the file name"

    assert window.file_header.text().startswith("⟨U+0430⟩dmin.py")
    assert "⟨U+0430⟩dmin.py" in [name for name, _state in window.queue.state_words()]
    assert window.details.hunk.body.text().startswith("⟨U+0430⟩dmin.py\n")
    review.qtbot.waitUntil(
        lambda: window.banner.message().startswith(f"This hunk hides characters: {flagged}."),
        timeout=WAIT_MS,
    )
    review.shot("hidden-file-name-banner")

    review.press(Qt.Key.Key_Y, CTRL)
    review.qtbot.waitUntil(
        lambda: (
            (box := window.prompts.last_dialog) is not None
            and box.objectName() == "confirmHidden"
            and box.isVisible()
        ),
        timeout=WAIT_MS,
    )
    assert review.rows() == []  # one Ctrl+Y decides nothing
    assert not (review.workspace / name).exists()
    box = window.prompts.last_dialog
    assert box is not None
    with review.qtbot.waitSignal(review.controller.command_finished, timeout=WAIT_MS):
        review.click_yes(box)
    (row,) = review.rows()
    assert (row["verdict"], row["flagged"]) == ("accepted", flagged)
    assert (review.workspace / name).read_text(encoding="utf-8") == new_text
    # What was written is said with the name escaped too.
    review.qtbot.waitUntil(
        lambda: "dmin.py" in window.statusBar().currentMessage(), timeout=WAIT_MS
    )
    assert window.statusBar().currentMessage() == "Wrote ⟨U+0430⟩dmin.py"

"""Editing a hunk: context stays byte for byte, changed runs take what was typed."""

from __future__ import annotations

import pytest
from hypothesis import given

from vetline.core.hunk_edit import HunkEditError, edit_pieces, edited_new_text
from vetline.core.hunks import apply_hunks, hunks_from_texts
from vetline.core.model import Hunk

BASE = "".join(f"line {n}\n" for n in range(1, 13))


def only_hunk(base: str, new: str) -> Hunk:
    (hunk,) = hunks_from_texts("f.txt", base, new)
    return hunk


def test_pieces_alternate_context_and_changed_runs() -> None:
    new = BASE.replace("line 4\n", "line four\nline 4b\n").replace("line 7\n", "")
    hunk = only_hunk(BASE, new)
    assert [(piece.locked, piece.lines, piece.removed) for piece in edit_pieces(hunk)] == [
        (True, ("line 1", "line 2", "line 3"), 0),
        (False, ("line four", "line 4b"), 1),
        (True, ("line 5", "line 6"), 0),
        (False, (), 1),  # a run that only removes: nothing shown, room to type
        (True, ("line 8", "line 9", "line 10"), 0),
    ]


def test_typing_what_was_shown_gives_the_hunk_back_byte_for_byte() -> None:
    base = BASE.replace("\n", "\r\n").replace("line 3\r\n", "line 3\n")  # mixed endings
    hunk = only_hunk(base, base.replace("line 5\r\n", "line five\r\n"))
    typed = [piece.lines for piece in edit_pieces(hunk) if not piece.locked]
    assert edited_new_text(hunk, typed) == hunk.new_text


def test_a_rewritten_run_replaces_the_added_lines_and_keeps_the_context() -> None:
    hunk = only_hunk(BASE, BASE.replace("line 5\n", "line five\n"))
    edited = edited_new_text(hunk, [["line 5 (checked)", "line 5b"]])
    assert edited == "line 2\nline 3\nline 4\nline 5 (checked)\nline 5b\nline 6\nline 7\nline 8\n"
    applied = apply_hunks(BASE, [hunk], {hunk.id: edited})
    assert applied == BASE.replace("line 5\n", "line 5 (checked)\nline 5b\n")


def test_new_lines_take_the_hunks_line_ending() -> None:
    base = BASE.replace("\n", "\r\n")
    hunk = only_hunk(base, base.replace("line 5\r\n", "line five\r\n"))
    edited = edited_new_text(hunk, [["5", "5b"]])
    assert "line 4\r\n5\r\n5b\r\nline 6\r\n" in edited
    assert "\n" not in edited.replace("\r\n", "")


def test_clearing_a_run_drops_its_added_lines() -> None:
    hunk = only_hunk(BASE, BASE.replace("line 5\n", "line five\nline 5b\n"))
    edited = edited_new_text(hunk, [[""]])
    assert apply_hunks(BASE, [hunk], {hunk.id: edited}) == BASE.replace("line 5\n", "")


def test_text_typed_where_lines_were_only_removed_is_kept() -> None:
    hunk = only_hunk(BASE, BASE.replace("line 5\n", ""))
    assert edited_new_text(hunk, [[""]], shown=[[""]]) == hunk.new_text  # left empty
    edited = edited_new_text(hunk, [["line 5, kept"]], shown=[[""]])
    assert apply_hunks(BASE, [hunk], {hunk.id: edited}) == BASE.replace("line 5", "line 5, kept")


def test_a_single_empty_added_line_left_alone_stays() -> None:
    hunk = only_hunk(BASE, BASE.replace("line 5\n", "\n"))
    assert edited_new_text(hunk, [[""]]) == hunk.new_text


def test_no_newline_at_the_end_of_the_file_is_kept_when_the_last_run_is_rewritten() -> None:
    base = "a\nb\nc"
    hunk = only_hunk(base, "a\nb\nC")
    assert edited_new_text(hunk, [["C!", "D"]]) == "a\nb\nC!\nD"
    assert edited_new_text(hunk, [[""]]) == "a\nb\n"  # the context keeps its own ending


def test_pieces_that_do_not_fit_the_hunk_are_refused() -> None:
    hunk = only_hunk(BASE, BASE.replace("line 5\n", "line five\n"))
    with pytest.raises(HunkEditError, match="1 changed run"):
        edited_new_text(hunk, [["x"], ["y"]])


@given(...)
def test_any_hunk_typed_as_shown_is_unchanged(seed: int) -> None:
    lines = [f"l{(seed >> bit) & 7}\n" for bit in range(0, 36, 3)]
    base = "".join(lines)
    new = "".join(line for index, line in enumerate(lines) if (seed >> index) & 1 == 0) + "tail"
    for hunk in hunks_from_texts("f.txt", base, new):
        typed = [piece.lines for piece in edit_pieces(hunk) if not piece.locked]
        assert edited_new_text(hunk, typed) == hunk.new_text

"""Editing a hunk's new side: its context lines stay as they are, each changed run is rewritten.

A hunk's new side is context lines and the added lines of each changed run. The
reviewer may rewrite the changed runs, never the context: the context is what anchors
the hunk in the file, and changing it would change lines the agent never touched.
A run that only removes lines is an empty piece the reviewer may still type into.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from vetline.core.errors import VetlineError
from vetline.core.model import Hunk


class HunkEditError(VetlineError, ValueError):
    """The edited pieces do not fit the hunk they were made for: nothing is edited."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class EditPiece:
    """A run of context lines (`locked`) or the added lines of one changed run.

    `texts` keep their line endings, as in the hunk; `lines` are the same lines as an
    editor shows them, without endings. `removed` counts the run's removed lines.
    """

    locked: bool
    texts: tuple[str, ...]
    removed: int = 0

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(_without_ending(text) for text in self.texts)


def edit_pieces(hunk: Hunk) -> tuple[EditPiece, ...]:
    """The hunk's new side as alternating context and changed pieces, in order."""
    pieces: list[EditPiece] = []
    pairs = zip(hunk.kinds, hunk.texts, strict=True)
    for is_context, run in groupby(pairs, key=lambda pair: pair[0] == " "):
        lines = list(run)
        texts = tuple(text for kind, text in lines if kind != "-")
        removed = sum(kind == "-" for kind, _ in lines)
        pieces.append(EditPiece(locked=is_context, texts=texts, removed=removed))
    return tuple(pieces)


def edited_new_text(
    hunk: Hunk,
    typed: Sequence[Sequence[str]],
    shown: Sequence[Sequence[str]] | None = None,
) -> str:
    """The hunk's new side with each changed piece replaced by the lines typed in it.

    `typed` holds one list of lines (without endings) per changed piece, in order.
    `shown` is what the editor showed for each piece before any typing (by default the
    pieces' own lines): a piece typed exactly as shown keeps its text byte for byte,
    endings included. A piece left as one empty line holds no lines, so clearing the
    added lines drops them (the one exception: a piece that was a single empty line
    and still is keeps it). New lines take the hunk's line ending; the last line has
    none when the hunk's last line had none (no newline at the end of the file).
    """
    pieces = edit_pieces(hunk)
    changed = [piece for piece in pieces if not piece.locked]
    shown = shown if shown is not None else [piece.lines for piece in changed]
    if len(typed) != len(changed) or len(shown) != len(changed):
        raise HunkEditError(
            f"{hunk.path}: hunk {hunk.id} has {len(changed)} changed run(s),"
            f" but {len(typed)} were edited"
        )
    ending = "\r\n" if any(text.endswith("\r\n") for text in hunk.texts) else "\n"
    rewritten = iter(zip(typed, shown, strict=True))
    texts: list[str] = []
    typed_last = False  # the last line comes from the reviewer, not from the hunk
    for piece in pieces:
        typed_last = False
        if piece.locked:
            texts.extend(piece.texts)
            continue
        lines, before = next(rewritten)
        if list(lines) == list(before):
            texts.extend(piece.texts)
        elif list(lines) != [""]:
            texts.extend(line + ending for line in lines)
            typed_last = True
    new_side = hunk.new_text
    if typed_last and new_side and not new_side.endswith("\n"):
        texts[-1] = _without_ending(texts[-1])
    return "".join(texts)


def _without_ending(text: str) -> str:
    if text.endswith("\r\n"):
        return text[:-2]
    return text.removesuffix("\n")

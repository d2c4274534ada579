"""A text hunk's lines as the patch text holds them: one string, split on first use.

A diff of a big file makes thousands of hunks, and a reviewer sees them one at a time;
splitting every hunk's lines as the diff is made costs more than the diff's own Python
work, and a pickled hunk travels cheaper as one string than as thousands. So a hunk cut
from a patch holds its piece of the patch text and splits it into kinds and texts when
first read. A piece is what follows a hunk's "@@" up to the newline before the next
"@@" (or the patch's last newline): the rest of its "@@" line, then its lines, each
starting with its kind, the last without its "\n".
"""

from __future__ import annotations

from itertools import repeat
from operator import add, itemgetter

NO_NEWLINE = "\\"  # the kind of "\ No newline at end of file" in a patch
_first_character = itemgetter(0)
_after_first_character = itemgetter(slice(1, None))
_OTHER_ASCII_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")


def split_piece(piece: str) -> tuple[str, tuple[str, ...]]:
    """The kinds and texts of a piece's lines. Only "\n" ends a line; the line before a
    "\\ No newline" marker loses its "\n", and the marker is dropped."""
    if _breaks_only_at_newlines(piece):
        lines = piece.splitlines(keepends=True)  # each line's text keeps its "\n"
        del lines[0]  # the rest of the "@@" line
        lines[-1] += "\n"
        texts = tuple(map(_after_first_character, lines))
    else:  # splitlines would also break at "\r" and the like: split at "\n" only
        lines = piece.split("\n")
        del lines[0]
        texts = tuple(map(add, map(_after_first_character, lines), repeat("\n")))
    kinds = "".join(map(_first_character, lines))
    if NO_NEWLINE in kinds:
        return _without_newline_markers(kinds, texts)
    return kinds, texts


def count_lines_of_kind(piece: str, kind: str) -> int:
    """How many of the piece's lines start with `kind`, counted without splitting it."""
    return piece.count("\n" + kind)  # each line follows a newline, the "@@" line's first


def _breaks_only_at_newlines(text: str) -> bool:
    """True when "\n" is the only character str.splitlines breaks ASCII text at."""
    return text.isascii() and not any(map(text.__contains__, _OTHER_ASCII_BREAKS))


def _without_newline_markers(kinds: str, texts: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """A marker says the line before it has no newline: that line loses its "\\n"."""
    kept_kinds: list[str] = []
    kept_texts: list[str] = []
    for kind, text in zip(kinds, texts, strict=True):
        if kind == NO_NEWLINE:
            kept_texts[-1] = kept_texts[-1][:-1]
        else:
            kept_kinds.append(kind)
            kept_texts.append(text)
    return "".join(kept_kinds), tuple(kept_texts)

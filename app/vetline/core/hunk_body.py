"""A text hunk's lines as the patch text holds them: one string, split on first use.

A diff of a big file makes thousands of hunks, and a reviewer sees them one at a time;
splitting every hunk's lines as the diff is made costs more than the diff's own Python
work, and a pickled hunk travels cheaper as one string than as thousands. So a hunk cut
from a patch holds its body (its lines, each starting with its kind and ending with
"\n", as a unified diff writes them) and splits it into kinds and texts when first read.
"""

from __future__ import annotations

from itertools import repeat
from operator import add, itemgetter

NO_NEWLINE = "\\"  # the kind of "\ No newline at end of file" in a patch
_first_character = itemgetter(0)
_after_first_character = itemgetter(slice(1, None))
_OTHER_ASCII_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")


def split_body(body: str) -> tuple[str, tuple[str, ...]]:
    """The kinds and texts of a hunk body's lines. Only "\n" ends a line; a line after a
    "\\ No newline" marker's line loses its "\n", and the marker is dropped."""
    if _breaks_only_at_newlines(body):
        lines = body.splitlines(keepends=True)  # each line's text keeps its "\n"
        texts = tuple(map(_after_first_character, lines))
    else:  # splitlines would also break at "\r" and the like: split at "\n" only
        lines = body.split("\n")
        lines.pop()  # the body ends with a newline: nothing follows it
        texts = tuple(map(add, map(_after_first_character, lines), repeat("\n")))
    kinds = "".join(map(_first_character, lines))
    if NO_NEWLINE in kinds:
        return _without_newline_markers(kinds, texts)
    return kinds, texts


def count_lines_of_kind(body: str, kind: str) -> int:
    """How many of the body's lines start with `kind`, counted without splitting it."""
    return body.startswith(kind) + body.count("\n" + kind)


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

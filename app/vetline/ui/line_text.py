"""Line text made safe to draw: tabs expanded, invisible characters and look-alike letters
shown, long lines cut.

No Qt here; the result is drawn as plain text, never as markup (the text is untrusted).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

from vetline.core.hidden_text import HIDDEN_CLASS, lookalike_letters
from vetline.core.text import line_ending
from vetline.ui.syntax import RoleSpan, SyntaxRole

TAB_WIDTH = 4
# Longer lines are cut when drawn: a minified megabyte on one line must not stall a paint.
MAX_DRAWN_CHARS = 10_000

# Characters that draw as nothing (or move other text) and so could hide what a line does:
# C0/C1 controls, bidi overrides (Trojan Source), zero-width and invisible formatting
# characters and fillers (the combining grapheme joiner, the Hangul filler), variation
# selectors and Unicode tag characters (used to smuggle hidden instructions to models),
# and lone surrogates (undecodable bytes kept by surrogateescape). Every character the
# hunk's banner names (core.hidden_text) is among them.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufff9-\ufffb\ud800-\udfff" + HIDDEN_CLASS + "]"
)
_TAB_OR_INVISIBLE = re.compile(f"\t|{_INVISIBLE.pattern}")
_TAB_OR_INVISIBLE_OR_SPACE = re.compile(f"\t|{_INVISIBLE.pattern}| ")
# Control Pictures (␀ ␛) would be the obvious symbols, but DejaVu Sans Mono, the usual
# Linux monospace font, has none of them and draws a box; ASCII names in a marker read
# the same in every font.
_CONTROL_NAMES = (
    *("NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL"),
    *("BS", "HT", "LF", "VT", "FF", "CR", "SO", "SI"),
    *("DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB"),
    *("CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"),
)
_SHOWN_ENDINGS = {"\r\n": "⟨CR⟩↵", "\n": "↵", "": ""}


class DisplayText(NamedTuple):
    """A line as drawn, with where each character of the original line ended up."""

    text: str
    positions: tuple[int, ...] | None  # display offset of each raw offset; None: the same
    markers: tuple[tuple[int, int], ...] = ()  # display spans standing for invisible chars

    def at(self, raw_offset: int) -> int:
        if self.positions is None:
            return min(raw_offset, len(self.text))
        return self.positions[min(raw_offset, len(self.positions) - 1)]

    def marked_at(self, column: int) -> int | None:
        """The raw offset of the character a marker at `column` stands for (None: none)."""
        for start, end in self.markers:
            if start <= column < end:
                return self.positions.index(start) if self.positions is not None else start
        return None

    def pieces(
        self, role_spans: Sequence[RoleSpan]
    ) -> Iterator[tuple[int, int, SyntaxRole | None]]:
        """The drawn text cut where its colour changes; None is plain text between spans."""
        position = 0
        for raw_start, raw_end, role in role_spans:
            start, end = self.at(raw_start), self.at(raw_end)
            if start > position:
                yield position, start, None
            yield start, end, role
            position = end
        if position < len(self.text):
            yield position, len(self.text), None


@lru_cache(maxsize=8192)
def display_text(raw_line: str, show_whitespace: bool = False) -> DisplayText:
    """The line without its ending, tabs expanded, invisible characters made visible.

    The result is drawn as plain text, never as markup. With `show_whitespace` (for
    whitespace-only hunks) spaces show as '·', tabs as '→' and the ending as ↵ (⟨CR⟩↵ for CRLF).
    """
    ending = line_ending(raw_line)
    line = raw_line[: len(raw_line) - len(ending)]
    cut = len(line) - MAX_DRAWN_CHARS
    if cut > 0:
        line = line[:MAX_DRAWN_CHARS]
    special = _TAB_OR_INVISIBLE_OR_SPACE if show_whitespace else _TAB_OR_INVISIBLE
    tail = (_SHOWN_ENDINGS[ending] if show_whitespace else "") + (
        f"  ⋯ {cut} more characters" if cut > 0 else ""
    )
    # Look-alike letters of a word that mixes scripts (a Cyrillic а in `admin`) are shown
    # as ⟨U+0430⟩, marked like the invisible characters.
    lookalikes = frozenset() if line.isascii() else lookalike_letters(line)
    if not lookalikes and not special.search(line):
        return DisplayText(line + tail, None)

    pieces: list[str] = []
    positions: list[int] = []
    markers: list[tuple[int, int]] = []
    column = 0
    for offset, char in enumerate(line):
        positions.append(column)
        if offset in lookalikes:
            shown = f"⟨U+{ord(char):04X}⟩"
        elif special.match(char):
            shown = _shown_char(char, column, show_whitespace)
        else:
            shown = char
        if shown != char and char not in " \t":
            markers.append((column, column + len(shown)))
        pieces.append(shown)
        column += len(shown)
    positions.append(column)
    return DisplayText("".join(pieces) + tail, tuple(positions), tuple(markers))


def _shown_char(char: str, column: int, show_whitespace: bool) -> str:
    code = ord(char)
    if char == "\t":
        width = TAB_WIDTH - column % TAB_WIDTH
        return ("→" + " " * (width - 1)) if show_whitespace else " " * width
    if char == " ":
        return "·" if show_whitespace else " "
    if code < 0x20:
        return f"⟨{_CONTROL_NAMES[code]}⟩"
    if code == 0x7F:
        return "⟨DEL⟩"
    if 0xDC80 <= code <= 0xDCFF:
        return f"⟨x{code - 0xDC00:02X}⟩"  # a byte that was not valid UTF-8
    return f"⟨U+{code:04X}⟩"


# Where a soft-wrapped line breaks, preferably after a space or a punctuation mark in the
# second half of its row, so a word is rarely cut (code has long identifiers).
_BREAK_AFTER = frozenset(" \t,;([{)]}>.=+-*/|&:")


def hanging_indent(text: str, columns: int) -> int:
    """Columns a wrapped line's further rows are indented by: its own indentation (at most
    half the row), so a wrapped line still reads as part of its block."""
    return min(len(text) - len(text.lstrip(" ")), max(0, columns // 2))


@lru_cache(maxsize=8192)
def wrap_segments(text: str, columns: int, max_rows: int) -> tuple[tuple[int, int], ...]:
    """`text` cut into rows of at most `columns` characters, at most `max_rows` of them;
    rows after the first hold `hanging_indent` fewer (they are drawn indented).

    The last row runs to the end of the text when the rows run out (it is clipped when
    drawn). An empty text is one empty row.
    """
    columns = max(1, columns)
    room = columns  # the first row has the whole width
    segments: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > room and len(segments) < max_rows - 1:
        end = start + room
        for candidate in range(end, start + room // 2, -1):
            if text[candidate - 1] in _BREAK_AFTER:
                end = candidate
                break
        segments.append((start, end))
        start = end
        room = max(1, columns - hanging_indent(text, columns))
    segments.append((start, len(text)))
    return tuple(segments)

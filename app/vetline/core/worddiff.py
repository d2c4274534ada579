"""Word-level highlights inside a hunk: which characters of a changed line really changed.

A removed line and the added line that replaces it are diffed word by word, so a
reviewer sees the renamed identifier or the edited number rather than two whole lines.
This is the one place diff-match-patch is used, on short strings with a time limit;
line diffs belong to `core.linediff`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from diff_match_patch import diff_match_patch

from vetline.core.model import Hunk
from vetline.core.text import strip_ending

Span = tuple[int, int]  # [start, end) character offsets into the line, ending excluded
LineSpans = tuple[Span, ...]

# Longer pairs are left to the whole-line colour: their word diff costs more than it tells.
MAX_PAIR_CHARS = 2_000
# A pair that changed more than this share of the characters on both sides is a rewrite.
MAX_CHANGED_SHARE = 0.6
# diff-match-patch gives up (and returns a coarser diff) after this many seconds.
DIFF_TIMEOUT_SECONDS = 0.1

# A number with its decimals ("1.05" changes as a whole), a word (letters, digits and
# underscores in any script), a run of spaces, or any other single character.
_TOKEN = re.compile(r"\d[\w.]*|\w+|\s+|[^\w\s]")
# The first code point used to stand for a token; skips the C0 controls for readability.
_FIRST_TOKEN_CODE = 0x100
_BLOCK = re.compile(r"(-+)(\+*)")

_DELETE, _EQUAL, _INSERT = -1, 0, 1


def change_blocks(kinds: str) -> Iterator[tuple[range, range]]:
    """Each run of removed lines with the run of added lines right after it (maybe empty).

    Ranges are line indexes within the hunk; a run of added lines with no removed run
    before it is not a block, because nothing on the old side pairs with it.
    """
    for match in _BLOCK.finditer(kinds):
        yield range(*match.span(1)), range(*match.span(2))


def line_pairs(kinds: str) -> Iterator[tuple[int, int]]:
    """(removed index, added index): the i-th removed line of a block with its i-th added."""
    for removed, added in change_blocks(kinds):
        yield from zip(removed, added, strict=False)


def word_spans(hunk: Hunk) -> dict[int, LineSpans]:
    """Changed character spans per line index of the hunk; lines without spans are absent."""
    spans: dict[int, LineSpans] = {}
    for removed, added in line_pairs(hunk.kinds):
        old_spans, new_spans = changed_spans(hunk.texts[removed], hunk.texts[added])
        if old_spans:
            spans[removed] = old_spans
        if new_spans:
            spans[added] = new_spans
    return spans


def changed_spans(old_line: str, new_line: str) -> tuple[LineSpans, LineSpans]:
    """The spans of `old_line` that were removed and of `new_line` that were added.

    Both are empty when the pair is too long or too different for a word highlight to
    help; line endings never appear in a span (a CRLF-only change is whitespace, shown
    by the hunk's whitespace marker instead).
    """
    old, new = strip_ending(old_line), strip_ending(new_line)
    if old == new or max(len(old), len(new)) > MAX_PAIR_CHARS:
        return (), ()
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    old_codes, new_codes = _encode_tokens(old_tokens, new_tokens)
    matcher = diff_match_patch()
    matcher.Diff_Timeout = DIFF_TIMEOUT_SECONDS
    diffs: list[tuple[int, str]] = matcher.diff_main(old_codes, new_codes, False)
    matcher.diff_cleanupSemantic(diffs)

    old_spans: list[Span] = []
    new_spans: list[Span] = []
    old_at = new_at = 0  # indexes into the token lists
    old_char = new_char = 0  # character offsets into the lines
    for operation, codes in diffs:
        count = len(codes)
        if operation in (_EQUAL, _DELETE):
            width = sum(map(len, old_tokens[old_at : old_at + count]))
            if operation == _DELETE:
                _append_merged(old_spans, old_char, old_char + width)
            old_at += count
            old_char += width
        if operation in (_EQUAL, _INSERT):
            width = sum(map(len, new_tokens[new_at : new_at + count]))
            if operation == _INSERT:
                _append_merged(new_spans, new_char, new_char + width)
            new_at += count
            new_char += width

    old_changed = sum(end - start for start, end in old_spans)
    new_changed = sum(end - start for start, end in new_spans)
    # A line that grew (or shrank) around a kept core is an edit worth highlighting; it is
    # a rewrite only when most of both sides changed.
    if old_changed > MAX_CHANGED_SHARE * len(old) and new_changed > MAX_CHANGED_SHARE * len(new):
        return (), ()
    return tuple(old_spans), tuple(new_spans)


def _encode_tokens(old_tokens: list[str], new_tokens: list[str]) -> tuple[str, str]:
    """One character per distinct token (diff-match-patch's linesToChars trick, for words).

    A pair is at most MAX_PAIR_CHARS characters, so the codes stay far below the
    surrogate range.
    """
    codes: dict[str, str] = {}

    def encode(tokens: list[str]) -> str:
        return "".join(
            codes.setdefault(token, chr(_FIRST_TOKEN_CODE + len(codes))) for token in tokens
        )

    return encode(old_tokens), encode(new_tokens)


def _append_merged(spans: list[Span], start: int, end: int) -> None:
    if spans and spans[-1][1] == start:
        spans[-1] = (spans[-1][0], end)
    else:
        spans.append((start, end))


class HunkWordSpans:
    """Word highlights of one hunk, computed one pair of lines at a time, when first drawn.

    A hunk can pair thousands of lines (or hold a million added ones); a view asks only
    for the ones on screen, and a line's pair is found from the runs around it, so the
    first paint of a huge hunk never walks the whole hunk.
    """

    __slots__ = ("_blocks", "_hunk", "_spans")

    # Blocks remembered: a screen shows at most a few dozen.
    KEPT_BLOCKS = 256

    def __init__(self, hunk: Hunk) -> None:
        self._hunk = hunk
        self._blocks: list[tuple[range, range]] = []
        self._spans: dict[int, LineSpans] = {}

    def of(self, line: int) -> LineSpans:
        """The changed spans of one line (by index in the hunk); empty if it has none."""
        if line not in self._spans:
            pair = self.pair_of(line)
            if pair is None:
                return ()
            removed, added = pair
            texts = self._hunk.texts
            self._spans[removed], self._spans[added] = changed_spans(texts[removed], texts[added])
        return self._spans[line]

    def pair_of(self, line: int) -> tuple[int, int] | None:
        """(removed index, added index) of the pair `line` is in, as `line_pairs` pairs
        them; None for a context line or one left without a partner."""
        kinds = self._hunk.kinds
        if not 0 <= line < len(kinds) or kinds[line] == " ":
            return None
        block = next((b for b in self._blocks if line in b[0] or line in b[1]), None)
        if block is None:
            block = _block_around(kinds, line)
            self._blocks.append(block)
            if len(self._blocks) > self.KEPT_BLOCKS:
                del self._blocks[0]
        removed, added = block
        offset = line - (removed.start if line in removed else added.start)
        if offset < min(len(removed), len(added)):
            return removed[offset], added[offset]
        return None


def _run_start(kinds: str, line: int) -> int:
    """Where the run of `kinds[line]`'s kind that holds `line` starts (searched in C)."""
    others = " +" if kinds[line] == "-" else " -"
    return max(kinds.rfind(other, 0, line) for other in others) + 1


def _run_end(kinds: str, at: int, kind: str) -> int:
    """Where a run of `kind` starting at `at` ends (`at` itself when there is none)."""
    ends = (kinds.find(other, at) for other in " -+" if other != kind)
    return min((end for end in ends if end >= 0), default=len(kinds))


def _block_around(kinds: str, line: int) -> tuple[range, range]:
    """The removed run and the added run after it that `line` belongs to (either may be
    empty): the block `change_blocks` would give, found from `line` outwards."""
    kind, start = kinds[line], _run_start(kinds, line)
    end = _run_end(kinds, line, kind)
    if kind == "-":
        return range(start, end), range(end, _run_end(kinds, end, "+"))
    if start and kinds[start - 1] == "-":
        return range(_run_start(kinds, start - 1), start), range(start, end)
    return range(start, start), range(start, end)

"""Text normalised for comparing a quote with its source, with a map back to the original.

Two texts that say the same words in different dress normalise to the same string:
Unicode NFKC (ligatures such as "ﬁ" become "fi", full-width letters become plain ones),
case folded, every quote mark one apostrophe, every dash (or "--") one hyphen with
no spaces around it, soft hyphens and zero-width characters gone, and every run of whitespace
(line breaks included) a single space. The map says which characters of the original
each normalised character came from, so a match can be highlighted where it really is.

Normalising 10 MB must take a fraction of a second, so nothing here walks the text
character by character in Python. The text is folded as UTF-8 bytes (where lower() and
replace() run at C speed whatever the script), each distinct non-ASCII character is
folded once, and only the places that change length are visited one by one.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, repeat
from operator import add

Span = tuple[int, int]  # [start, end) character offsets

_QUOTE_MARKS = "\"'`´‘’‚‛′″‴‵‶‷“”„‟«»‹›ʹʺʻʼʽˮ〃〝〞〟＂＇"
_DASHES = "‐‑‒–—―⁃−﹘﹣－⸺⸻"
# Characters that stand for nothing when comparing words: soft hyphen, zero-width ones.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"
# Whitespace that NFKC leaves alone (the others become a plain space).
_OTHER_SPACES = "\u0085\u1680\u2028\u2029"

_FOLD_TABLE = str.maketrans(
    {
        **dict.fromkeys(_QUOTE_MARKS, "'"),
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys(_INVISIBLE),
        **dict.fromkeys(_OTHER_SPACES, " "),
    }
)
# One pass over the UTF-8 bytes folds ASCII: case, whitespace to spaces, quote marks to
# apostrophes. Bytes past 127 (the rest of UTF-8) pass through untouched.
_ASCII_FOLD = bytes.maketrans(
    b'ABCDEFGHIJKLMNOPQRSTUVWXYZ\t\n\v\f\r\x1c\x1d\x1e\x1f"`',
    b"abcdefghijklmnopqrstuvwxyz         ''",
)
_ASCII_BYTES = bytes(range(128))
# Lone surrogates stand for undecodable bytes (core.text.decode); they pass through.
_UTF8 = ("utf-8", "surrogatepass")
# Conjoining Hangul jamo compose with their neighbours under NFKC, like combining marks.
_JAMO = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xD7B0, 0xD7FF), (0xFFA0, 0xFFDC))

# Two spaces twice (runs of up to four spaces become one), then a spaced dash.
_COMMON_RUNS = (("  ", " "), ("  ", " "), (" - ", "-"))

# A run of non-ASCII characters, folded cluster by cluster when marks are about.
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True, slots=True)
class _Edits:
    """Where one pass changed the length of the text; between edits, offsets move 1:1.

    Each edit replaced original[old_start:old_end] with new[new_start:new_end]; the four
    lists are in step and sorted.
    """

    new_starts: Sequence[int]
    new_ends: Sequence[int]
    old_starts: Sequence[int]
    old_ends: Sequence[int]

    def old_start(self, offset: int) -> int:
        """Where the character at new `offset` starts in the original."""
        index = bisect_right(self.new_starts, offset) - 1
        if index < 0:
            return offset
        if offset < self.new_ends[index]:
            return self.old_starts[index]  # inside an edit: its whole original
        return self.old_ends[index] + offset - self.new_ends[index]

    def old_end(self, offset: int) -> int:
        """Where the character before new `offset` ends in the original."""
        if offset == 0:
            return 0
        index = bisect_right(self.new_starts, offset - 1) - 1
        if index < 0:
            return offset
        if offset - 1 < self.new_ends[index]:
            return self.old_ends[index]
        return self.old_ends[index] + offset - self.new_ends[index]


_NO_EDITS = _Edits((), (), (), ())


class _EditRecorder:
    """Collects a pass's output pieces and its length-changing edits."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0
        self._edits: list[tuple[int, int, int, int]] = []

    def keep(self, text: str) -> None:
        self.pieces.append(text)
        self.length += len(text)

    def replace(self, old: Span, new_text: str) -> None:
        if old[1] - old[0] != len(new_text):
            self._edits.append((self.length, self.length + len(new_text), *old))
        self.keep(new_text)

    def edits(self) -> _Edits:
        columns = tuple(zip(*self._edits, strict=True)) or ((), (), (), ())
        return _Edits(*columns)


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """A text normalised for comparison, and how to find its characters in the original."""

    text: str
    original_length: int
    passes: tuple[_Edits, ...] = ()  # applied in order; mapping back walks them in reverse

    def original_span(self, start: int, end: int) -> Span:
        """The characters of the original that `text[start:end]` came from."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span {start}:{end} is outside 0:{len(self.text)}")
        empty = start == end
        for edits in reversed(self.passes):
            start, end = edits.old_start(start), edits.old_end(end)
        return (start, start) if empty else (start, max(start, end))


def normalise(text: str) -> NormalisedText:
    """`text` normalised for comparison (see the module's docstring)."""
    passes = []
    normalised, edits = _replace_all(text, "\r\n", "\n")
    passes.append(edits)
    normalised, edits = _fold(normalised)
    passes.append(edits)
    # The commonest runs of spaces go in bulk first; the general pass does what is left
    # (it would give the same text on its own, only slower).
    for old, new in _COMMON_RUNS:
        normalised, edits = _replace_all(normalised, old, new)
        passes.append(edits)
    normalised, edits = _collapse_spaces(normalised)
    passes.append(edits)
    return NormalisedText(normalised, len(text), tuple(e for e in passes if e.new_starts))


def normalise_quote(quote: str) -> NormalisedText:
    """A quote normalised like a source, less the marks around it.

    Surrounding quote marks and a leading or trailing ellipsis say "this is a quote"
    or "it goes on", not what the source says.
    """
    normalised = normalise(quote)
    text = normalised.text
    start, end = 0, len(text)
    while True:
        before = (start, end)
        while start < end and text[start] == " ":
            start += 1
        while end > start and text[end - 1] == " ":
            end -= 1
        if text.startswith("...", start, end):
            start += 3
        if end - start >= 3 and text.endswith("...", start, end):
            end -= 3
        if end - start >= 2 and text[start] == "'" and text[end - 1] == "'":
            start, end = start + 1, end - 1
        if (start, end) == before:
            break
    if (start, end) == (0, len(text)):
        return normalised
    # Trimming never makes a quote harder to find: what is left is part of what was there.
    cuts = [(0, 0, 0, start)] if start else []
    if end < len(text):
        cuts.append((end - start, end - start, end, len(text)))
    trim = _Edits(*(tuple(column) for column in zip(*cuts, strict=True)))
    return NormalisedText(text[start:end], len(quote), (*normalised.passes, trim))


def _replace_all(text: str, old: str, new: str) -> tuple[str, _Edits]:
    """str.replace, with its edits computed in bulk: a Windows file has a CRLF on every
    line, and typeset prose a spaced dash in every other sentence."""
    if old not in text:
        return text, _NO_EDITS
    pieces = text.split(old)
    # The k-th replacement (from 0) follows pieces 0..k, and k earlier replacements.
    before = list(accumulate(map(len, pieces[:-1])))
    count = len(before)
    new_starts = list(
        map(add, before, range(0, count * len(new), len(new)) if new else [0] * count)
    )
    old_starts = list(map(add, before, range(0, count * len(old), len(old))))
    edits = _Edits(
        new_starts,
        list(map(add, new_starts, repeat(len(new), count))),
        old_starts,
        list(map(add, old_starts, repeat(len(old), count))),
    )
    return new.join(pieces), edits


def _fold(text: str) -> tuple[str, _Edits]:
    """Case, NFKC, quote marks, dashes, invisible characters; ASCII whitespace to spaces."""
    data = text.encode(*_UTF8)
    data = data.translate(_ASCII_FOLD)
    if data.isascii():
        return data.decode("ascii"), _NO_EDITS
    others = set(data.translate(None, _ASCII_BYTES).decode(*_UTF8))
    if any(_composes_with_neighbours(char) for char in others):
        return _fold_by_runs(data.decode(*_UTF8))
    resized: dict[str, str] = {}
    for char in others:
        folded = _fold_piece(char)
        if len(folded) == 1 and folded != char:
            # UTF-8 never matches inside another character, so bytes.replace is exact.
            data = data.replace(char.encode(*_UTF8), folded.encode(*_UTF8))
        elif len(folded) != 1:
            resized[char] = folded
    text = data.decode(*_UTF8)
    if not resized:
        return text, _NO_EDITS
    places = sorted((found, char) for char in resized for found in _find_all(text, char))
    recorder = _EditRecorder()
    done = 0
    for found, char in places:
        recorder.keep(text[done:found])
        recorder.replace((found, found + 1), resized[char])
        done = found + 1
    recorder.keep(text[done:])
    return "".join(recorder.pieces), recorder.edits()


def _composes_with_neighbours(char: str) -> bool:
    code = ord(char)
    return unicodedata.category(char).startswith("M") or any(
        low <= code <= high for low, high in _JAMO
    )


def _find_all(text: str, char: str) -> Iterable[int]:
    found = text.find(char)
    while found >= 0:
        yield found
        found = text.find(char, found + 1)


def _fold_by_runs(text: str) -> tuple[str, _Edits]:
    """The slow way, for text with combining marks or jamo: NFKC composes across
    characters there, so each non-ASCII run is folded whole, or cluster by cluster
    (a base character with its marks) where its length changes."""
    recorder = _EditRecorder()
    done = 0
    for match in _NON_ASCII.finditer(text):
        start, end = match.span()
        if start > done and unicodedata.combining(text[start]):
            start -= 1  # the letter a combining mark sits on is folded with it
        recorder.keep(text[done:start])
        for span, folded in _fold_run(text, start, end):
            recorder.replace(span, folded)
        done = end
    recorder.keep(text[done:])
    return "".join(recorder.pieces), recorder.edits()


def _fold_run(text: str, start: int, end: int) -> Iterable[tuple[Span, str]]:
    """The folded pieces of text[start:end]: the whole run when each of its characters
    folds to one and none is a mark (so nothing composes), else cluster by cluster."""
    run = text[start:end]
    if all(
        len(_fold_piece(char)) == 1 and not _composes_with_neighbours(char) for char in set(run)
    ):
        yield (start, end), _fold_piece(run) if len(run) < 64 else _fold_piece.__wrapped__(run)
        return
    cluster_start = start
    for index in range(start + 1, end + 1):
        if index == end or not unicodedata.combining(text[index]):
            yield (cluster_start, index), _fold_piece(text[cluster_start:index])
            cluster_start = index


@lru_cache(maxsize=4096)
def _fold_piece(piece: str) -> str:
    # Marks first too: NFKC would split "´" into a space and a combining accent.
    folded = unicodedata.normalize("NFKC", piece.translate(_FOLD_TABLE)).casefold()
    # Case folding can leave a decomposed sequence ("ǰ" folds to "ǰ"); compose it again.
    return unicodedata.normalize("NFKC", folded).translate(_FOLD_TABLE)


def _collapse_spaces(text: str) -> tuple[str, _Edits]:
    """Each run of spaces and hyphens that changes becomes one character: a hyphen if it
    holds one (no spaces around a dash, "--" is a dash), else one space.

    Every run shrinks to exactly one character, so the edits are computed in bulk.
    """
    runs = _spacing_runs(text)
    if not runs:
        return text, _NO_EDITS
    pieces = []
    done = 0
    for start, end in runs:
        pieces.append(text[done:start])
        pieces.append("-" if text.find("-", start, end) >= 0 else " ")
        done = end
    pieces.append(text[done:])
    old_starts = [start for start, _ in runs]
    old_ends = [end for _, end in runs]
    shrunk = accumulate((end - start - 1 for start, end in runs), initial=0)
    new_starts = [start - before for start, before in zip(old_starts, shrunk, strict=False)]
    new_ends = [start + 1 for start in new_starts]
    return "".join(pieces), _Edits(
        tuple(new_starts), tuple(new_ends), tuple(old_starts), tuple(old_ends)
    )


def _spacing_runs(text: str) -> list[Span]:
    """The maximal runs of spaces and hyphens that hold two spaces, a spaced hyphen or two
    hyphens: the runs that normalising changes.

    str.find looks for the telltale pairs far faster than a regular expression scans
    for them; only the few places found are looked at in Python.
    """
    hits: list[int] = []
    for pair in ("  ", " -", "- ", "--"):
        found = text.find(pair)
        while found >= 0:
            hits.append(found)
            found = text.find(pair, found + 2)
    runs: list[Span] = []
    end = -1
    for hit in sorted(hits):
        if hit < end:
            continue  # inside the run just taken
        start, end = hit, hit + 2
        while start > 0 and text[start - 1] in " -":
            start -= 1
        while end < len(text) and text[end] in " -":
            end += 1
        if runs and start <= runs[-1][1]:
            start = runs.pop()[0]
        runs.append((start, end))
    return runs

"""Locating the source passage closest to a quote, and aligning the two word by word.

Candidate places come from pieces of the quote found exactly (and from rapidfuzz in a
short source); the best of them are aligned word by word, and the one sharing the most
of the quote's words is the passage. core.citations turns it into a verdict.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from vetline.core.quote_text import Span

# A close passage shares at least this share of the quote's words, in order.
CLOSE_SHARE = 0.5
# A source this short is also aligned as a whole; a longer one only around anchor hits.
WHOLE_SOURCE_CHARS = 20_000
# The quote is searched for in at most this many pieces (whole words where it can be).
MAX_CHUNKS = 12
# A piece found more often than this is common ("of the"): used only if nothing rarer is.
MAX_HITS_PER_CHUNK = 16
MAX_CANDIDATES = 24
# Each search reads the whole source: this many pieces found only once or twice suffice.
ENOUGH_RARE_PIECES = 3
# Candidate places compared word by word (the best aligned by rapidfuzz first).
MAX_COMPARED = 6

# Ideographs and kana carry no spaces between words, so each is a word of its own.
IDEOGRAPHS = "\u2e80-\u9fff\uf900-\ufaff\uff66-\uff9f"
# Tokens that end a sentence (or a clause that stands alone).
STOPS = frozenset(".!?;:")
TOKEN = re.compile(rf"[{IDEOGRAPHS}]|[^\W{IDEOGRAPHS}]+(?:['.,][^\W{IDEOGRAPHS}]+)*|[^\w\s]")


class Token(NamedTuple):
    text: str
    start: int
    end: int


Run = tuple[int, int, int, int]  # quote tokens [a0:a1] differ from source tokens [b0:b1]


class Passage(NamedTuple):
    """Quote tokens against the source tokens of the passage, and where they differ."""

    quote_tokens: list[Token]
    source_tokens: list[Token]
    runs: list[Run]


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    stop = len(text) if end is None else end
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text, start, stop)]


def closest_passage(quote: str, source: str) -> Passage | None:
    """The source passage most like the quote, if it shares enough of the quote's words.

    Candidate places come from rapidfuzz and from pieces of the quote found exactly;
    the few that align best are compared word by word, and the one sharing the most
    words wins. Characters alone could prefer a repetitive stretch that merely looks
    alike over the passage that says the same thing with one word more.
    """
    margin = len(quote) // 4 + 16
    regions: dict[Span, float] = {}
    taken: list[int] = []
    for start in _candidate_starts(quote, source):
        # Pieces on either side of a changed word point a few characters apart: one place.
        if any(abs(start - other) <= margin // 2 for other in taken):
            continue
        taken.append(start)
        region = (max(0, start - margin), min(len(source), start + len(quote) + margin))
        alignment = fuzz.partial_ratio_alignment(quote, source[slice(*region)])
        regions[region] = alignment.score if alignment is not None else 0.0
    quote_tokens = tokens(quote)
    best: tuple[int, float, Passage] | None = None
    for region, score in sorted(regions.items(), key=lambda item: -item[1])[:MAX_COMPARED]:
        found = _passage_in(quote_tokens, source, region)
        if found is not None and (best is None or (found[0], score) > best[:2]):
            best = (found[0], score, found[1])
    return best[2] if best is not None else None


def _passage_in(quote_tokens: list[Token], source: str, region: Span) -> tuple[int, Passage] | None:
    """(words shared, passage) for the quote's best word-by-word match in the region.

    rapidfuzz first finds the stretch of as many source words as the quote has that
    aligns best; that stretch, with a few words more on each side, is then aligned
    with the quote word by word (Levenshtein), and source words left over at its ends
    are dropped.
    """
    start = source.rfind(" ", 0, region[0]) + 1
    end = source.find(" ", region[1])
    source_tokens = tokens(source, start, len(source) if end < 0 else end)
    quote_words = [token.text for token in quote_tokens]
    source_words = [token.text for token in source_tokens]
    window = fuzz.partial_ratio_alignment(quote_words, source_words)
    if window is None or not source_words:
        return None
    extra = max(3, len(quote_words) // 4)
    low = max(0, window.dest_start - extra)
    high = min(len(source_words), window.dest_end + extra)
    runs, equal, first, last = _alignment(quote_words, source_words[low:high])
    if equal < CLOSE_SHARE * len(quote_words):
        return None
    rebased = [(a0, a1, b0 - first, b1 - first) for a0, a1, b0, b1 in runs]
    return equal, Passage(quote_tokens, source_tokens[low + first : low + last], rebased)


def _alignment(quote: list[str], source: list[str]) -> tuple[list[Run], int, int, int]:
    """The quote aligned word by word with a stretch of source words around its passage:
    (differing runs, words equal, where the passage starts and ends in `source`).

    Source words before the first and after the last quote word are not part of it,
    nor are words past a sentence's end beside it: "17 people died" against "15 people
    died" differs in "17"/"15", while words the quote adds after a full stop pair with
    nothing.
    """
    opcodes = list(Levenshtein.opcodes(quote, source))
    while opcodes and opcodes[0].tag == "insert":  # source words before the passage
        opcodes.pop(0)
    while opcodes and opcodes[-1].tag == "insert":  # source words after it
        opcodes.pop()
    if not opcodes:
        return [], 0, 0, 0
    first, last = opcodes[0].dest_start, opcodes[-1].dest_end
    runs: list[Run] = []
    equal = 0
    for opcode in opcodes:
        if opcode.tag == "equal":
            equal += opcode.src_end - opcode.src_start
        elif runs and runs[-1][1] == opcode.src_start and runs[-1][3] == opcode.dest_start:
            a0, _, b0, _ = runs.pop()  # a replace beside an insert or delete: one run
            runs.append((a0, opcode.src_end, b0, opcode.dest_end))
        else:
            runs.append((opcode.src_start, opcode.src_end, opcode.dest_start, opcode.dest_end))
    if runs and runs[0][0] == 0 and runs[0][2] == first:
        a0, a1, b0, b1 = runs[0]
        stops = [index for index in range(b0, b1) if source[index] in STOPS]
        if stops:
            first = stops[-1] + 1
            runs[0] = (a0, a1, first, b1)
    if runs and runs[-1][1] == len(quote) and runs[-1][3] == last:
        a0, a1, b0, b1 = runs[-1]
        stops = [index for index in range(b0, b1) if source[index] in STOPS]
        if stops:
            last = stops[0]
            runs[-1] = (a0, a1, b0, last)
    return runs, equal, first, last


def _candidate_starts(quote: str, source: str) -> list[int]:
    """Where in the source a passage like the quote may start: where rapidfuzz aligns it
    (in a source short enough to align whole), and where pieces of it occur exactly."""
    starts = [at - offset for at, offset in _anchor_hits(_pieces(quote), source)]
    if not starts:
        # Every piece differs somewhere: a passage sharing half the quote's words still
        # has one of its longer words.
        starts = [at - offset for at, offset in _anchor_hits(_long_words(quote), source)]
    if len(source) <= max(WHOLE_SOURCE_CHARS, 4 * len(quote)):
        alignment = fuzz.partial_ratio_alignment(quote, source)
        if alignment is not None and alignment.score > 0:
            starts.insert(0, alignment.dest_start)
    return starts


def _anchor_hits(pieces: Iterable[tuple[int, str]], source: str) -> list[tuple[int, int]]:
    """(where in the source, where in the quote) for pieces of the quote found exactly.

    A quote with k changed words still has an intact piece when cut into more than k
    pieces, so a close passage is always hit; pieces found rarely are trusted first.
    """
    found: list[list[tuple[int, int]]] = []
    looked: set[str] = set()
    rare = 0
    for offset, piece in pieces:
        if piece in looked:
            continue
        looked.add(piece)
        places: list[tuple[int, int]] = []
        at = source.find(piece)
        while at >= 0 and len(places) <= MAX_HITS_PER_CHUNK:
            places.append((at, offset))
            at = source.find(piece, at + 1)
        if places:
            found.append(places)
        rare += 0 < len(places) <= 2
        if rare == ENOUGH_RARE_PIECES:
            break
    found.sort(key=len)
    hits: list[tuple[int, int]] = []
    for places in found:
        if hits and len(places) > MAX_HITS_PER_CHUNK:
            break  # common pieces ("of the") only when nothing rarer was found
        hits.extend(places[:MAX_HITS_PER_CHUNK])
        if len(hits) >= MAX_CANDIDATES:
            break
    return hits


def _long_words(quote: str) -> list[tuple[int, str]]:
    """The quote's longest words (up to MAX_CHUNKS), where they are in it."""
    words: dict[str, int] = {}
    for found in re.finditer(r"\w{4,}", quote):
        words.setdefault(found.group(), found.start())
    longest = sorted(words, key=len, reverse=True)[:MAX_CHUNKS]
    return [(words[word], word) for word in longest]


def _pieces(quote: str) -> Iterator[tuple[int, str]]:
    """The quote cut into up to MAX_CHUNKS pieces (whole words where it has spaces)."""
    words = [(m.start(), m.group()) for m in re.finditer(r"\S+", quote)]
    if len(words) >= 3:
        size = max(1, math.ceil(len(words) / MAX_CHUNKS))
        for index in range(0, len(words), size):
            group = words[index : index + size]
            start = group[0][0]
            yield start, quote[start : group[-1][0] + len(group[-1][1])]
        return
    size = max(2, math.ceil(len(quote) / MAX_CHUNKS))
    for start in range(0, len(quote), size):
        yield start, quote[start : start + size]

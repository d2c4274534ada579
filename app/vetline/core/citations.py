"""A quoted passage checked against its source text: verified, approximate, or not found.

Verified means the quote occurs in the source once both are normalised
(core.quote_text) — exact, never "similar enough". Otherwise a close passage is located
with rapidfuzz and compared word by word, and the differing runs of words are listed; a
run that touches a number, a negation or a unit makes the citation critical. Scores
never decide between these: rapidfuzz scores an inserted "not" above an ordinary
one-word change, so the words themselves are looked at.

Everything here is a pure function of (quote, source text), so a caller may check many
citations in a worker and hand each result on as it comes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from vetline.core.critical_words import SIGNS, CriticalKind, critical_kind
from vetline.core.quote_text import NormalisedText, Span, normalise, normalise_quote

# A close passage shares at least this share of the quote's words, in order.
CLOSE_SHARE = 0.5
# A source this short is also aligned as a whole; a longer one only around anchor hits.
WHOLE_SOURCE_CHARS = 20_000
MAX_CHUNKS = 12
MAX_HITS_PER_CHUNK = 16
MAX_CANDIDATES = 24
ENOUGH_RARE_PIECES = 3
# Candidate places compared word by word (the best aligned by rapidfuzz first).
MAX_COMPARED = 6

# Ideographs and kana carry no spaces between words, so each is a word of its own.
_IDEOGRAPHS = "\u2e80-\u9fff\uf900-\ufaff\uff66-\uff9f"
# Tokens that end a sentence (or a clause that stands alone).
_STOPS = frozenset(".!?;:")
_WORD = re.compile(r"\w")
_TOKEN = re.compile(rf"[{_IDEOGRAPHS}]|[^\W{_IDEOGRAPHS}]+(?:['.,][^\W{_IDEOGRAPHS}]+)*|[^\w\s]")


class CitationStatus(StrEnum):
    VERIFIED = "verified"
    APPROXIMATE = "approximate"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class WordDifference:
    """One run of words where the quote and the source passage differ.

    Either side may be empty: words the quote adds, or words of the source it leaves
    out. The texts are as the quote and the source write them (whitespace collapsed);
    the spans locate them there.
    """

    quote: str
    source: str
    quote_span: Span  # in the citation's quote as written
    source_span: Span  # in the source text as given
    touches: tuple[CriticalKind, ...] = ()  # what makes this difference critical, if anything

    @property
    def critical(self) -> bool:
        return bool(self.touches)


@dataclass(frozen=True, slots=True)
class CitationCheck:
    """What checking one quote against its source found."""

    status: CitationStatus
    score: float = 0.0  # in [0, 1]; 1 only for verified
    source_offset: int | None = None  # where the passage starts in the normalised source
    source_span: Span | None = None  # the passage in the source text as given
    critical: bool = False  # approximate, and a difference touches a number, negation or unit
    differences: tuple[WordDifference, ...] = ()
    reason: str = ""  # why a citation is not_found or unavailable, in words

    @classmethod
    def unavailable(cls, reason: str) -> CitationCheck:
        return cls(CitationStatus.UNAVAILABLE, reason=reason)


@dataclass(frozen=True, slots=True)
class PreparedSource:
    """A source text normalised once, to check any number of quotes against it."""

    text: str
    normalised: NormalisedText = field(repr=False)


def prepare_source(text: str) -> PreparedSource:
    return PreparedSource(text, normalise(text))


def check_quote(quote: str, source: PreparedSource | str) -> CitationCheck:
    """Check `quote` against a source text (prepared once when many quotes share it)."""
    prepared = source if isinstance(source, PreparedSource) else prepare_source(source)
    quoted = normalise_quote(quote)
    if not _WORD.search(quoted.text):
        return CitationCheck(CitationStatus.NOT_FOUND, reason="the citation quotes no words")
    haystack = prepared.normalised.text
    found = haystack.find(quoted.text)
    if found >= 0:
        span = prepared.normalised.original_span(found, found + len(quoted.text))
        return CitationCheck(
            CitationStatus.VERIFIED, score=1.0, source_offset=found, source_span=span
        )
    passage = _closest_passage(quoted.text, haystack)
    if passage is None:
        return CitationCheck(
            CitationStatus.NOT_FOUND, reason="no passage of the source is close to the quote"
        )
    return _approximate(quote, quoted, prepared, passage)


# -- locating a close passage ------------------------------------------------------------


class _Token(NamedTuple):
    text: str
    start: int
    end: int


_Run = tuple[int, int, int, int]  # quote tokens [a0:a1] differ from source tokens [b0:b1]


class _Passage(NamedTuple):
    """Quote tokens against the source tokens of the passage, and where they differ."""

    quote_tokens: list[_Token]
    source_tokens: list[_Token]
    runs: list[_Run]


def _tokens(text: str, start: int = 0, end: int | None = None) -> list[_Token]:
    stop = len(text) if end is None else end
    return [_Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, stop)]


def _closest_passage(quote: str, source: str) -> _Passage | None:
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
    quote_tokens = _tokens(quote)
    best: tuple[int, float, _Passage] | None = None
    for region, score in sorted(regions.items(), key=lambda item: -item[1])[:MAX_COMPARED]:
        found = _passage_in(quote_tokens, source, region)
        if found is not None and (best is None or (found[0], score) > best[:2]):
            best = (found[0], score, found[1])
    return best[2] if best is not None else None


def _passage_in(
    quote_tokens: list[_Token], source: str, region: Span
) -> tuple[int, _Passage] | None:
    """(words shared, passage) for the quote's best word-by-word match in the region.

    rapidfuzz first finds the stretch of as many source words as the quote has that
    aligns best; that stretch, with a few words more on each side, is then aligned
    with the quote word by word (Levenshtein), and source words left over at its ends
    are dropped.
    """
    start = source.rfind(" ", 0, region[0]) + 1
    end = source.find(" ", region[1])
    source_tokens = _tokens(source, start, len(source) if end < 0 else end)
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
    return equal, _Passage(quote_tokens, source_tokens[low + first : low + last], rebased)


def _alignment(quote: list[str], source: list[str]) -> tuple[list[_Run], int, int, int]:
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
    runs: list[_Run] = []
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
        stops = [index for index in range(b0, b1) if source[index] in _STOPS]
        if stops:
            first = stops[-1] + 1
            runs[0] = (a0, a1, first, b1)
    if runs and runs[-1][1] == len(quote) and runs[-1][3] == last:
        a0, a1, b0, b1 = runs[-1]
        stops = [index for index in range(b0, b1) if source[index] in _STOPS]
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
            break  # each search reads the whole source; a few rare pieces place the passage
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


# -- comparing word by word ----------------------------------------------------------------


def _approximate(
    quote: str, quoted: NormalisedText, prepared: PreparedSource, passage: _Passage
) -> CitationCheck:
    quote_tokens, source_tokens, runs = passage
    source_n = prepared.normalised.text
    start, end = source_tokens[0].start, source_tokens[-1].end
    differences = [
        _difference(quote, quoted, prepared, passage, run, _beside(passage, run)) for run in runs
    ]
    if not differences:
        # Same words, other spacing or punctuation joins ("end.Start"): the whole passage.
        whole = (0, len(quote_tokens), 0, len(source_tokens))
        differences = [_difference(quote, quoted, prepared, passage, whole, [])]
    score = fuzz.ratio(quoted.text, source_n[start:end]) / 100
    return CitationCheck(
        CitationStatus.APPROXIMATE,
        score=round(min(score, 0.99), 4),
        source_offset=start,
        source_span=prepared.normalised.original_span(start, end),
        critical=any(difference.critical for difference in differences),
        differences=tuple(differences),
    )


def _beside(passage: _Passage, run: _Run) -> list[str]:
    """The words either side of a differing run, in the quote and in the source."""
    a0, a1, b0, b1 = run
    return [
        tokens[index].text
        for tokens, index in (
            (passage.quote_tokens, a0 - 1),
            (passage.quote_tokens, a1),
            (passage.source_tokens, b0 - 1),
            (passage.source_tokens, b1),
        )
        if 0 <= index < len(tokens)
    ]


def _difference(
    quote: str,
    quoted: NormalisedText,
    prepared: PreparedSource,
    passage: _Passage,
    run: _Run,
    beside: Sequence[str],
) -> WordDifference:
    a0, a1, b0, b1 = run
    quote_span = _original(quoted, passage.quote_tokens, a0, a1)
    source_span = _original(prepared.normalised, passage.source_tokens, b0, b1)
    words = [t.text for t in (*passage.quote_tokens[a0:a1], *passage.source_tokens[b0:b1])]
    return WordDifference(
        quote=_plain(quote[slice(*quote_span)]),
        source=_plain(prepared.text[slice(*source_span)]),
        quote_span=quote_span,
        source_span=source_span,
        touches=_touches(words, beside),
    )


def _original(normalised: NormalisedText, tokens: Sequence[_Token], low: int, high: int) -> Span:
    """The original span of tokens[low:high]; an empty run is the point where it would be."""
    if low < high:
        return normalised.original_span(tokens[low].start, tokens[high - 1].end)
    point = tokens[low - 1].end if low > 0 else tokens[0].start if tokens else 0
    return normalised.original_span(point, point)


def _plain(text: str) -> str:
    return " ".join(text.split())


def _touches(words: Sequence[str], beside: Sequence[str]) -> tuple[CriticalKind, ...]:
    """What a differing run touches: numbers, negations, units (in that order).

    A sign alone ("-" added before "5") touches the number beside it.
    """
    kinds = {critical_kind(word) for word in words}
    signs_only = bool(words) and all(word in SIGNS for word in words)
    if signs_only and any(critical_kind(word) is CriticalKind.NUMBER for word in beside):
        kinds.add(CriticalKind.NUMBER)
    return tuple(kind for kind in CriticalKind if kind in kinds)

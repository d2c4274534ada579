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

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import fuzz

from vetline.core.critical_words import SIGNS, CriticalKind, critical_kind
from vetline.core.passages import Passage, Run, Token, closest_passage
from vetline.core.quote_text import NormalisedText, Span, normalise, normalise_quote

_WORD = re.compile(r"\w")


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
    passage = closest_passage(quoted.text, haystack)
    if passage is None:
        return CitationCheck(
            CitationStatus.NOT_FOUND, reason="no passage of the source is close to the quote"
        )
    return _approximate(quote, quoted, prepared, passage)


# -- comparing word by word ----------------------------------------------------------------


def _approximate(
    quote: str, quoted: NormalisedText, prepared: PreparedSource, passage: Passage
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


def _beside(passage: Passage, run: Run) -> list[str]:
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
    passage: Passage,
    run: Run,
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


def _original(normalised: NormalisedText, tokens: Sequence[Token], low: int, high: int) -> Span:
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

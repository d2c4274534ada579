"""Properties of the quote check: typographic noise is always verified; a changed number,
negation or unit never is, and is always critical."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from vetline.core.citations import CitationStatus, check_quote
from vetline.core.critical_words import CriticalKind
from vetline.core.quote_text import normalise

# Ordinary words only: no digits, negations, units or number words among them. Content
# words occur once in a source, so the passage a quote comes from is never in doubt;
# a few little words repeat, as in any text.
CONTENT_WORDS = [
    *("river", "harbour", "ledger", "quietly", "amber", "north", "garden", "window"),
    *("report", "council", "measure", "patient", "found", "reported", "study", "trial"),
    *("village", "market", "because", "after", "before", "under", "it's", "well-known"),
    *("so-called", '"quoted"', "mid-century", "orchard", "lantern", "copper", "meadow"),
    *("signal", "granite", "velvet", "compass", "willow"),
]
LITTLE_WORDS = ["the", "of", "and", "a", "to", "was", "is"]
NUMBERS = [str(number) for number in (7, 12, 48, 365, 1204, 2019, 31415)]
NEGATIONS = ["not", "never", "no", "without"]
UNITS = ["mg", "km", "kg", "%", "hours", "years", "ml"]


@dataclass(frozen=True)
class Sample:
    source_words: list[str]
    start: int  # the quote is source_words[start:end]
    end: int


@st.composite
def samples(draw: st.DrawFn, *, planted: list[str] | None = None) -> Sample:
    """A source of 20-40 words and a quote of 6-14 of them, with one planted word inside
    the quote (not at its edge) when `planted` is given, and a number or two elsewhere."""
    words = draw(st.permutations(CONTENT_WORDS))[: draw(st.integers(16, 30))]
    for _ in range(draw(st.integers(0, 10))):
        words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(LITTLE_WORDS)))
    length = draw(st.integers(6, 14))
    start = draw(st.integers(1, len(words) - length - 1))
    if planted is not None:
        words[draw(st.integers(start + 1, start + length - 2))] = draw(st.sampled_from(planted))
    words[0] = draw(st.sampled_from(NUMBERS))  # outside the quote
    return Sample(words, start, start + length)


def _unused_numbers(sample: Sample) -> list[str]:
    return [number for number in NUMBERS if number not in sample.source_words]


def _source(sample: Sample) -> str:
    return " ".join(sample.source_words)


def _quote_words(sample: Sample) -> list[str]:
    return list(sample.source_words[sample.start : sample.end])


SPACES = st.sampled_from([" ", "  ", "\n", "\r\n", "\t", " \n ", "\u00a0", "\u2028"])
QUOTE_MARKS = {"'": ["\u2019", "\u2018", "`", "'"], '"': ["\u201c", "\u201d", "\u00ab", '"']}
DASHES = ["\u2010", "\u2013", "\u2014", " \u2014 ", "-", " - ", "\u2212"]


@st.composite
def dressed(draw: st.DrawFn, words: list[str]) -> str:
    """The words joined by varied whitespace, with varied quote marks, dashes and case."""
    out = []
    for index, word in enumerate(words):
        chars = []
        for char in word:
            if char in QUOTE_MARKS:
                chars.append(draw(st.sampled_from(QUOTE_MARKS[char])))
            elif char == "-":
                chars.append(draw(st.sampled_from(DASHES)))
            elif char.isalpha() and draw(st.booleans()):
                chars.append(char.swapcase())
            else:
                chars.append(char)
        if index:
            out.append(draw(SPACES))
        out.append("".join(chars))
    return "".join(out)


@settings(max_examples=300)
@given(st.data(), samples())
def test_a_copied_quote_dressed_in_noise_is_always_verified(
    data: st.DataObject, sample: Sample
) -> None:
    quote = data.draw(dressed(_quote_words(sample)))
    source = data.draw(dressed(sample.source_words))
    check = check_quote(quote, source)
    assert check.status is CitationStatus.VERIFIED
    assert check.score == 1.0 and not check.differences


def _assert_critical(quote_words: list[str], sample: Sample, kind: CriticalKind) -> None:
    source = _source(sample)
    quote = " ".join(quote_words)
    assume(normalise(quote).text not in normalise(source).text)
    check = check_quote(quote, source)
    assert check.status is CitationStatus.APPROXIMATE, check
    assert check.critical
    assert any(kind in difference.touches for difference in check.differences)


@settings(max_examples=200)
@given(st.data(), samples(planted=NUMBERS))
def test_one_digit_changed_is_critical(data: st.DataObject, sample: Sample) -> None:
    words = _quote_words(sample)
    index = next(i for i, word in enumerate(words) if word.isdigit())
    number = words[index]
    position = data.draw(st.integers(0, len(number) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    words[index] = number[:position] + digit + number[position + 1 :]
    _assert_critical(words, sample, CriticalKind.NUMBER)


@settings(max_examples=200)
@given(st.data(), samples())
def test_a_number_inserted_is_critical(data: st.DataObject, sample: Sample) -> None:
    words = _quote_words(sample)
    number = data.draw(st.sampled_from(_unused_numbers(sample)))
    words.insert(data.draw(st.integers(0, len(words))), number)
    _assert_critical(words, sample, CriticalKind.NUMBER)


@settings(max_examples=200)
@given(st.data(), samples())
def test_a_negation_added_is_critical(data: st.DataObject, sample: Sample) -> None:
    words = _quote_words(sample)
    if data.draw(st.booleans()):
        words.insert(data.draw(st.integers(0, len(words))), data.draw(st.sampled_from(NEGATIONS)))
    else:  # "was" -> "wasn't": the negation inside a word
        index = data.draw(st.integers(0, len(words) - 1))
        words[index] = words[index].strip('"') + "n't"
    _assert_critical(words, sample, CriticalKind.NEGATION)


@settings(max_examples=200)
@given(samples(planted=NEGATIONS))
def test_a_negation_dropped_is_critical(sample: Sample) -> None:
    words = [word for word in _quote_words(sample) if word not in NEGATIONS]
    _assert_critical(words, sample, CriticalKind.NEGATION)


@settings(max_examples=200)
@given(st.data(), samples(planted=UNITS))
def test_a_unit_changed_is_critical(data: st.DataObject, sample: Sample) -> None:
    words = _quote_words(sample)
    index = next(i for i, word in enumerate(words) if word in UNITS)
    words[index] = data.draw(st.sampled_from([unit for unit in UNITS if unit != words[index]]))
    _assert_critical(words, sample, CriticalKind.UNIT)

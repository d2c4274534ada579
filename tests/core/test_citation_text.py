"""Normalising quotes and sources: what counts as the same words, and the map back."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vetline.core.quote_text import normalise, normalise_quote


@pytest.mark.parametrize(
    ("dressed", "plain"),
    [
        ("one\ntwo\r\nthree\tfour  five\u00a0six\u2028seven", "one two three four five six seven"),
        ("\u201cQuoted\u201d, \u2018single\u2019, \u00abFr\u00bb", "'quoted', 'single', 'fr'"),
        ("It\u2019s isn`t \"plain\" don\u00b4t", "it's isn't 'plain' don't"),
        ("well\u2010known \u2014 a dash \u2013 or - and \u22125 --", "well-known-a dash-or-and-5-"),
        ("hy\u00adphen\u00adated and zero\u200bwidth", "hyphenated and zerowidth"),
        ("\ufb01nal \ufb02ow o\ufb03ce", "final flow office"),
        ("\uff26\uff55\uff4c\uff4c width \u2460", "full width 1"),
        ("MiXeD CaSe STRASSE Stra\u00dfe", "mixed case strasse strasse"),
        ("cafe\u0301 and caf\u00e9", "caf\u00e9 and caf\u00e9"),
        ("dots\u2026 ellipsis", "dots... ellipsis"),
    ],
)  # fmt: skip
def test_dress_is_normalised_away(dressed: str, plain: str) -> None:
    assert normalise(dressed).text == plain


def test_two_dressings_of_one_sentence_normalise_alike() -> None:
    typeset = "The \u201cco\u00adoperative\u201d \ufb01rm \u2014 founded\nin 1999 \u2014 isn\u2019t"
    typed = 'the "co-operative"... no: the "cooperative" FIRM - founded in 1999 - isn\'t'
    assert normalise(typeset).text in normalise(typed).text


def test_a_quote_loses_its_surrounding_marks_and_ellipses() -> None:
    assert normalise_quote('  "\u2026the result holds\u2026"  ').text == "the result holds"
    assert normalise_quote("'it's here'").text == "it's here"
    assert normalise_quote("it's here").text == "it's here"  # one mark alone stays


def test_the_map_leads_back_to_the_original_characters() -> None:
    original = "A \ufb01ne\r\n\r\nday \u2014 isn\u2019t it?"
    normalised = normalise(original)
    assert normalised.text == "a fine day-isn't it?"
    start = normalised.text.index("fine")
    assert original[slice(*normalised.original_span(start, start + 4))] == "\ufb01ne"
    start = normalised.text.index("day-isn't")
    assert original[slice(*normalised.original_span(start, start + 9))] == "day \u2014 isn\u2019t"
    assert normalised.original_span(0, len(normalised.text)) == (0, len(original))


def test_the_map_of_a_quote_skips_its_trimmed_marks() -> None:
    quote = " \u201cLeft  and right\u201d "
    normalised = normalise_quote(quote)
    assert normalised.text == "left and right"
    assert quote[slice(*normalised.original_span(0, len(normalised.text)))] == "Left  and right"


def test_windows_line_ends_map_back_line_by_line() -> None:
    original = "".join(f"Line {n} of the text\r\n" for n in range(500))
    normalised = normalise(original)
    start = normalised.text.index("line 321 of")
    assert original[slice(*normalised.original_span(start, start + 11))] == "Line 321 of"


def test_a_span_outside_the_text_is_an_error() -> None:
    with pytest.raises(ValueError, match="outside"):
        normalise("abc").original_span(2, 9)


_ALPHABET = st.sampled_from(
    [
        *"abcXYZ019 .,;\n\t\r-'\"",
        *("\u00a0", "\u00ad", "\u2014", "\u2013", "\u2019", "\u201c", "\u201d", "\ufb01"),
        *("\u00df", "\u0130", "e\u0301", "\u00e9", "\u2026", "\uff21", "\u200b", "\u3000"),
        "\u2028",
    ]
)
_TEXTS = st.lists(_ALPHABET, max_size=60).map("".join)


@settings(max_examples=300)
@given(_TEXTS)
def test_every_word_of_the_normalised_text_comes_from_its_original_span(text: str) -> None:
    normalised = normalise(text)
    previous = (0, 0)
    for word in re.finditer(r"\w+", normalised.text):
        start, end = normalised.original_span(*word.span())
        assert 0 <= start <= end <= len(text)
        assert start >= previous[0]  # spans move forward with the text
        assert word.group() in normalise(text[start:end]).text
        previous = (start, end)


@settings(max_examples=300)
@given(_TEXTS)
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalise(text).text
    assert normalise(once).text == once


@settings(max_examples=200)
@given(_TEXTS, _TEXTS, _TEXTS)
def test_a_piece_normalises_to_a_piece_of_the_whole(before: str, middle: str, after: str) -> None:
    """Cut at spaces, a text's middle normalises to part of the whole text's normal form."""
    whole = normalise(f"{before} {middle} {after}").text
    assert normalise_quote(middle).text in whole

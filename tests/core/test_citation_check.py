"""Quotes checked against their sources: verified, approximate (critical or not), not found."""

from __future__ import annotations

import random

import pytest

from vetline.core.citations import (
    CitationStatus,
    check_quote,
    prepare_source,
)
from vetline.core.critical_words import CriticalKind

SOURCE = (
    "Results\r\n\r\nThe trial enrolled 1,204 patients across 12 sites. The drug was not "
    "associated with a higher risk of\nstroke in adults over 65 years. Doses of 15 mg daily "
    "were well tolerated \u2014 mostly. It\u2019s the \ufb01rst study of its kind, and its "
    "authors call it \u201cpreliminary\u201d.\n"
)


def _pairs(quote: str) -> list[tuple[str, str, CriticalKind | None]]:
    check = check_quote(quote, SOURCE)
    return [(d.quote, d.source, d.touches[0] if d.touches else None) for d in check.differences]


@pytest.mark.parametrize(
    "quote",
    [
        "the drug was NOT associated with a higher risk of stroke",
        "It's the first study of its kind",
        "\u201cthe trial enrolled 1,204 patients across 12 sites\u201d",
        "Doses of 15 mg daily were well tolerated - mostly",
        'authors call it "preliminary".',
        "...over 65 years. Doses...",
    ],
)
def test_a_quote_in_the_source_is_verified(quote: str) -> None:
    check = check_quote(quote, SOURCE)
    assert check.status is CitationStatus.VERIFIED
    assert check.score == 1.0
    assert not check.critical and check.differences == ()


def test_a_verified_quote_points_at_its_passage_in_both_texts() -> None:
    prepared = prepare_source(SOURCE)
    check = check_quote("it's the first study", prepared)
    assert check.source_offset == prepared.normalised.text.index("it's the first study")
    assert check.source_span is not None
    assert SOURCE[slice(*check.source_span)] == "It\u2019s the \ufb01rst study"


@pytest.mark.parametrize(
    ("quote", "pairs"),
    [
        (
            "The drug was associated with a higher risk of stroke",
            [("", "not", CriticalKind.NEGATION)],
        ),
        (
            "The drug was never associated with a higher risk",
            [("never", "not", CriticalKind.NEGATION)],
        ),
        ("Doses of 50 mg daily were well tolerated", [("50", "15", CriticalKind.NUMBER)]),
        ("Doses of 15 g daily were well tolerated", [("g", "mg", CriticalKind.UNIT)]),
        ("Doses of 15 mg weekly were well tolerated", [("weekly", "daily", CriticalKind.UNIT)]),
        ("in adults over 75 years", [("75", "65", CriticalKind.NUMBER)]),
        ("enrolled 1,204 patients across 120 sites", [("120", "12", CriticalKind.NUMBER)]),
        ("97 adults over 65 years", [("97", "in", CriticalKind.NUMBER)]),
        (
            "the trial enrolled 1,204 patients across 12 sites in 2019",
            [("in 2019", "", CriticalKind.NUMBER)],
        ),
    ],
)  # fmt: skip
def test_a_changed_number_negation_or_unit_is_critical(
    quote: str, pairs: list[tuple[str, str, CriticalKind | None]]
) -> None:
    check = check_quote(quote, SOURCE)
    assert check.status is CitationStatus.APPROXIMATE
    assert check.critical
    assert 0 < check.score < 1
    assert _pairs(quote) == pairs


def test_an_ordinary_word_change_is_approximate_but_not_critical() -> None:
    check = check_quote("The trial enrolled 1,204 people across 12 sites", SOURCE)
    assert check.status is CitationStatus.APPROXIMATE
    assert not check.critical
    assert _pairs("The trial enrolled 1,204 people across 12 sites") == [
        ("people", "patients", None)
    ]


def test_scores_cannot_tell_a_negation_from_a_harmless_change() -> None:
    """Why the words decide: the inserted "not" scores higher than a synonym."""
    negated = check_quote("Doses of 15 mg daily were not well tolerated, mostly", SOURCE)
    synonym = check_quote("Doses of 15 mg daily were well accepted, mostly", SOURCE)
    assert negated.score > synonym.score
    assert negated.critical and not synonym.critical


def test_a_sign_added_to_a_number_is_critical() -> None:
    source = "By noon the temperature had fallen to 5 degrees and kept falling all day."
    check = check_quote("the temperature had fallen to -5 degrees and kept falling", source)
    assert check.status is CitationStatus.APPROXIMATE
    assert check.critical
    assert [d.touches for d in check.differences] == [(CriticalKind.NUMBER,)]


def test_differences_are_shown_as_written_and_located_in_both_texts() -> None:
    quote = "It\u2019s the SECOND study of its kind"
    check = check_quote(quote, SOURCE)
    (difference,) = check.differences
    assert (difference.quote, difference.source) == ("SECOND", "\ufb01rst")
    assert quote[slice(*difference.quote_span)] == "SECOND"
    assert SOURCE[slice(*difference.source_span)] == "\ufb01rst"
    assert check.source_span is not None
    assert SOURCE[slice(*check.source_span)] == "It\u2019s the \ufb01rst study of its kind"


def test_a_word_the_quote_leaves_out_is_located_where_it_would_be() -> None:
    quote = "The drug was associated with a higher risk"
    (difference,) = check_quote(quote, SOURCE).differences
    assert difference.quote_span[0] == difference.quote_span[1] == quote.index(" associated")
    assert SOURCE[slice(*difference.source_span)] == "not"


def test_other_spacing_alone_is_still_a_difference() -> None:
    check = check_quote("the trial enrolled 1,204 patients across 12 sites.The drug", SOURCE)
    assert check.status is CitationStatus.APPROXIMATE
    assert check.differences
    assert not check.critical


@pytest.mark.parametrize(
    "quote",
    [
        "Quantum entanglement was observed between distant galaxies",
        "It is known",
        "completely unrelated words appear here instead of anything real",
    ],
)
def test_a_quote_with_no_close_passage_is_not_found(quote: str) -> None:
    check = check_quote(quote, SOURCE)
    assert check.status is CitationStatus.NOT_FOUND
    assert check.source_offset is None and check.source_span is None
    assert check.reason


@pytest.mark.parametrize("quote", ["", "   ", "\u201c\u201d", "...", "- \u2014 -"])
def test_a_quote_of_no_words_is_not_found(quote: str) -> None:
    check = check_quote(quote, SOURCE)
    assert check.status is CitationStatus.NOT_FOUND
    assert check.reason == "the citation quotes no words"


def _long_source(words: int, seed: int) -> str:
    rng = random.Random(seed)
    vocabulary = ["the", "of", "and", "river", "harbour", "ledger", "quietly", "amber", "north"]
    vocabulary += [f"w{index}" for index in range(4000)]
    lines = []
    for _ in range(words // 12):
        lines.append(" ".join(rng.choice(vocabulary) for _ in range(12)))
    return "\n".join(lines)


def test_a_passage_deep_in_a_long_source_is_located() -> None:
    text = _long_source(200_000, seed=3)
    prepared = prepare_source(text)
    assert len(prepared.normalised.text) > 500_000
    start = prepared.normalised.text.index(" ", 700_000) + 1
    passage = prepared.normalised.text[start : start + 160].rsplit(" ", 1)[0]
    words = passage.split(" ")
    words[len(words) // 2] = "4000"
    misquoted = " ".join(words)

    assert check_quote(passage, prepared).source_offset == start
    check = check_quote(misquoted, prepared)
    assert check.status is CitationStatus.APPROXIMATE
    assert check.source_offset == start
    assert check.critical
    assert [d.quote for d in check.differences] == ["4000"]


def test_a_long_source_with_nothing_like_the_quote_is_not_found_quickly() -> None:
    prepared = prepare_source(_long_source(300_000, seed=4))
    check = check_quote("zebra xylophone quartz vortex jubilant", prepared)
    assert check.status is CitationStatus.NOT_FOUND


def test_text_without_spaces_is_compared_character_by_character() -> None:
    source = "研究表明，每天服用十五毫克的药物是安全的。另一项研究没有发现副作用。"
    assert check_quote("每天服用十五毫克的药物是安全的", source).status is CitationStatus.VERIFIED
    check = check_quote("每天服用五十毫克的药物是安全的", source)
    assert check.status is CitationStatus.APPROXIMATE
    assert check.differences


def test_a_passage_with_every_other_word_changed_is_still_located() -> None:
    """No two-word piece of the quote survives, yet half its words do, in order."""
    text = _long_source(60_000, seed=5)
    prepared = prepare_source(text)
    start = prepared.normalised.text.index(" ", 300_000) + 1
    words = prepared.normalised.text[start:].split(" ")[:24]
    changed = [word if index % 2 == 0 else f"x{index}" for index, word in enumerate(words)]
    check = check_quote(" ".join(changed), prepared)
    assert check.status is CitationStatus.APPROXIMATE
    assert check.source_offset == start
    assert len(check.differences) == 12

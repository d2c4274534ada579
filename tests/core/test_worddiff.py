"""Word-level highlights: the changed words of a paired removed/added line, nothing more."""

from __future__ import annotations

import random

from vetline.core.hunks import hunks_from_texts
from vetline.core.model import Hunk
from vetline.core.worddiff import (
    MAX_PAIR_CHARS,
    HunkWordSpans,
    change_blocks,
    changed_spans,
    line_pairs,
    word_spans,
)


def changed_words(old: str, new: str) -> tuple[list[str], list[str]]:
    old_spans, new_spans = changed_spans(old, new)
    return [old[a:b] for a, b in old_spans], [new[a:b] for a, b in new_spans]


def test_a_renamed_identifier_is_the_only_highlight() -> None:
    assert changed_words("def load_config(path):\n", "def read_config(path):\n") == (
        ["load_config"],
        ["read_config"],
    )


def test_a_changed_number_in_a_formula_is_highlighted_whole() -> None:
    assert changed_words("total = price * 1.05 + fee\n", "total = price * 1.07 + fee\n") == (
        ["1.05"],
        ["1.07"],
    )


def test_an_inserted_argument_shows_only_on_the_new_side() -> None:
    assert changed_words("    return f(bar, baz)\n", "    return f(bar, qux, baz)\n") == (
        [],
        ["qux, "],
    )


def test_unicode_offsets_are_characters_not_bytes() -> None:
    old, new = "naïve_café = «ancien»\n", "naïve_café = «nouveau»\n"
    assert changed_words(old, new) == (["ancien"], ["nouveau"])
    assert changed_spans(old, new) == (((14, 20),), ((14, 21),))


def test_crlf_endings_are_never_part_of_a_span() -> None:
    old_spans, new_spans = changed_spans("value = 1\r\n", "value = 2\r\n")
    assert old_spans == new_spans == ((8, 9),)
    # Only the ending differs: that is a whitespace change, not a word change.
    assert changed_spans("value = 1\r\n", "value = 1\n") == ((), ())


def test_a_rewritten_line_gets_no_word_highlight() -> None:
    assert changed_spans("completely different\n", "nothing alike here at all\n") == ((), ())


def test_very_long_pairs_are_skipped() -> None:
    long_old = "x = [" + "1, " * MAX_PAIR_CHARS + "]\n"
    long_new = long_old.replace("1, ]", "2, ]")
    assert changed_spans(long_old, long_new) == ((), ())


def test_blocks_pair_removed_and_added_runs_line_by_line() -> None:
    kinds = " --+++ -  +"
    assert [(list(a), list(b)) for a, b in change_blocks(kinds)] == [
        ([1, 2], [3, 4, 5]),
        ([7], []),
    ]
    assert list(line_pairs(kinds)) == [(1, 3), (2, 4)]


def test_a_line_finds_its_pair_from_the_runs_around_it_as_line_pairs_pairs_them() -> None:
    rng = random.Random(5)
    for _ in range(300):
        kinds = "".join(rng.choice(" -+") * rng.randint(1, 4) for _ in range(rng.randint(1, 12)))
        hunk = Hunk("f", 1, 0, 1, 0, kinds, tuple(f"{n}\n" for n in range(len(kinds))))
        expected: dict[int, tuple[int, int]] = {}
        for removed, added in line_pairs(kinds):
            expected[removed] = expected[added] = (removed, added)
        spans = HunkWordSpans(hunk)
        order = list(range(len(kinds)))
        rng.shuffle(order)  # in any order: blocks found earlier serve later lines
        assert {line: spans.pair_of(line) for line in order} == {
            line: expected.get(line) for line in order
        }, kinds


def test_word_spans_of_a_real_hunk_are_keyed_by_line_index() -> None:
    base = "".join(f"line {n}\n" for n in range(10)).replace("line 4", "width = 640 * scale")
    new = base.replace("width = 640", "width = 800").replace("line 5\n", "line 5\nextra\n")
    (hunk,) = hunks_from_texts("a.py", base, new)
    spans = word_spans(hunk)
    removed = hunk.kinds.index("-")
    added = hunk.kinds.index("+")
    assert hunk.texts[removed][slice(*spans[removed][0])] == "640"
    assert hunk.texts[added][slice(*spans[added][0])] == "800"
    # The unpaired extra line and the context lines have no spans.
    assert set(spans) == {removed, added}


def test_a_pure_insertion_has_no_spans() -> None:
    hunk = Hunk("a.txt", 1, 1, 1, 2, kinds=" +", texts=("a\n", "b\n"))
    assert word_spans(hunk) == {}

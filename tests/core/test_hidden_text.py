"""Hidden characters (Trojan Source) and look-alike letters are found, named and escaped."""

from __future__ import annotations

import pytest

from helpers.proposals import text_change
from vetline.core.hidden_text import (
    HiddenKind,
    escape_hidden,
    find_hidden,
    hunk_findings,
    hunk_summaries,
    joined_summaries,
    needs_lookalike_data,
    summary,
)


@pytest.mark.parametrize(
    ("char", "kind"),
    [
        ("\u202e", HiddenKind.BIDI),  # RIGHT-TO-LEFT OVERRIDE
        ("\u2066", HiddenKind.BIDI),
        ("\u200f", HiddenKind.BIDI),
        ("\u061c", HiddenKind.BIDI),
        ("\u200b", HiddenKind.INVISIBLE),  # ZERO WIDTH SPACE
        ("\u2060", HiddenKind.INVISIBLE),
        ("\u00ad", HiddenKind.INVISIBLE),
        ("\u034f", HiddenKind.INVISIBLE),
        ("\u3164", HiddenKind.INVISIBLE),
        ("\ufe0f", HiddenKind.SELECTOR),
        ("\U000e0041", HiddenKind.SELECTOR),  # TAG LATIN CAPITAL LETTER A
        ("\U000e0100", HiddenKind.SELECTOR),
    ],
)
def test_each_hidden_character_is_found_where_it_is(char: str, kind: HiddenKind) -> None:
    (finding,) = find_hidden(f"if access_level != 'user{char}':")
    assert (finding.kind, finding.offset, finding.text) == (kind, 24, char)
    assert finding.name.startswith(f"U+{ord(char):04X} ")
    assert f"⟨U+{ord(char):04X}⟩" in escape_hidden(f"x{char}y")


def test_a_byte_order_mark_is_hidden_except_at_the_start_of_a_file() -> None:
    assert find_hidden("\ufeffimport os", start_of_file=True) == []
    assert [f.kind for f in find_hidden("import\ufeff os", start_of_file=True)] == [
        HiddenKind.INVISIBLE
    ]


def test_a_cyrillic_letter_in_a_latin_name_is_a_lookalike() -> None:
    (finding,) = find_hidden("if user == '\u0430dmin':")  # CYRILLIC SMALL LETTER A
    assert finding.kind is HiddenKind.LOOKALIKE
    assert finding.text == "\u0430dmin"
    assert finding.name == "“⟨U+0430⟩dmin”"


def test_plain_text_in_any_one_script_is_not_flagged() -> None:
    assert find_hidden("plain ascii code = 1") == []
    assert find_hidden("привет мир") == []  # Cyrillic words, not mixed
    assert find_hidden("naïve café") == []


def test_only_the_lines_a_hunk_adds_count() -> None:
    old = "a = 1\nb = '\u202e'\nc = 3\n"
    removed = text_change("a.py", old, old.replace("b = '\u202e'\n", "b = 2\n"))
    assert hunk_findings(removed.hunks[0]) == []
    added = text_change("a.py", "a = 1\n", "a = 1\nb = '\u2066x\u2069'\n")
    found = hunk_findings(added.hunks[0])
    assert [f.kind for f in found] == [HiddenKind.BIDI, HiddenKind.BIDI]
    assert summary(found) == ("U+2066 LEFT-TO-RIGHT ISOLATE; U+2069 POP DIRECTIONAL ISOLATE")


def test_greek_letters_that_pass_for_nothing_latin_are_not_flagged() -> None:
    assert find_hidden("ΔU = Q − W, over 5 μs") == []
    assert [f.text for f in find_hidden("ραss = 1")] == ["ραss"]  # Greek rho and alpha


def test_only_hunks_adding_non_ascii_text_need_the_confusables_data() -> None:
    ascii_only = text_change("a.py", "x = 1\n", "x = 2\n").hunks[0]
    removes_accent = text_change("a.py", "café = 1\n", "cafe = 1\n").hunks[0]
    adds_lookalike = text_change("a.py", "x = 1\n", "\u0430dmin = 1\n").hunks[0]

    assert not needs_lookalike_data(ascii_only)
    assert not needs_lookalike_data(removes_accent)  # only added lines are judged
    assert needs_lookalike_data(adds_lookalike)
    assert hunk_summaries([ascii_only, adds_lookalike]) == {
        ascii_only.id: "",
        adds_lookalike.id: "“⟨U+0430⟩dmin”",
    }


def test_summaries_of_several_hunks_name_each_thing_once() -> None:
    assert joined_summaries(["A; B", "", "B; C"]) == "A; B; C"

"""Hidden characters (Trojan Source) and look-alike letters are found, named and escaped."""

from __future__ import annotations

import unicodedata

import pytest

from helpers.proposals import text_change
from vetline.core.hidden_text import (
    HiddenKind,
    escape_hidden,
    explain_char,
    find_hidden,
    hunk_findings,
    hunk_summaries,
    hunk_summary,
    joined_summaries,
    lookalike_letters,
    might_mix_scripts,
    needs_lookalike_data,
    quoted_name,
    summary,
    what_they_do,
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
        ("\ufff9", HiddenKind.INVISIBLE),  # INTERLINEAR ANNOTATION ANCHOR
        ("\ufffb", HiddenKind.INVISIBLE),
    ],
)
def test_each_hidden_character_is_found_where_it_is(char: str, kind: HiddenKind) -> None:
    (finding,) = find_hidden(f"if access_level != 'user{char}':")
    assert (finding.kind, finding.offset, finding.text) == (kind, 24, char)
    assert finding.name.startswith(f"U+{ord(char):04X} ")
    assert f"⟨U+{ord(char):04X}⟩" in escape_hidden(f"x{char}y")


# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt, Unicode 15):
# each draws as nothing where a font has no glyph for it.
DEFAULT_IGNORABLE = [
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
]


def test_every_default_ignorable_character_is_flagged() -> None:
    missed = [
        f"U+{code:04X}"
        for first, last in DEFAULT_IGNORABLE
        for code in range(first, last + 1)
        if [f.text for f in find_hidden(f"name{chr(code)}x")] != [chr(code)]
    ]
    assert missed == []


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


def test_what_each_kind_does_is_said_of_one_of_it() -> None:
    findings = find_hidden("if user == '\u0430dmin' and role == 'x\u202e':")
    assert what_they_do(findings) == (
        "a look-alike letter from another script looks like a Latin letter but is another, "
        "so a name can impersonate another; a bidirectional control reorders how the line is "
        "drawn, so code can read differently from how it runs"
    )


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


def test_a_lookalike_in_the_name_of_a_new_file_flags_its_hunk() -> None:
    new_file = text_change("\u0430dmin.py", "", "print('hi')\n").hunks[0]
    assert needs_lookalike_data(new_file)
    (finding,) = hunk_findings(new_file)
    assert finding.in_file_name
    assert hunk_summary(new_file) == "“⟨U+0430⟩dmin” in the file name"
    plain_name = text_change("admin.py", "", "print('hi')\n").hunks[0]
    assert hunk_summary(plain_name) == ""


def test_a_bidi_control_in_a_file_name_is_named_with_where_it_is() -> None:
    hunk = text_change("notes\u202etxt.exe", "a\n", "b\n").hunks[0]
    assert hunk_summary(hunk) == "U+202E RIGHT-TO-LEFT OVERRIDE in the file name"


def test_names_and_titles_show_lookalike_letters_escaped() -> None:
    assert escape_hidden("\u0430dmin.py") == "⟨U+0430⟩dmin.py"
    assert escape_hidden("Fix r\u0430ce \u202eexe") == "Fix r⟨U+0430⟩ce ⟨U+202E⟩exe"
    assert escape_hidden("naïve café, привет") == "naïve café, привет"  # one script each
    assert escape_hidden("\u0430dmin", lookalikes=False) == "\u0430dmin"


def test_lookalike_letters_are_the_foreign_ones_of_each_mixed_word() -> None:
    text = "x = p\u0430yp\u0430l + caf\u00e9"
    assert sorted(lookalike_letters(text)) == [5, 8]


def test_the_cheap_first_look_never_clears_a_lookalike() -> None:
    """Every letter that Unicode's data calls a dangerous look-alike inside a Latin word
    is let through by the first look, wherever it stands in the word."""
    from confusable_homoglyphs import confusables

    missed = []
    for code in range(0x80, 0x30000):
        char = chr(code)
        if unicodedata.category(char) in ("Cs", "Co", "Cn"):
            continue
        for word in (f"{char}dmin", f"x{char}x", f"ab{char}"):
            if not might_mix_scripts(word) and confusables.is_dangerous(
                word, preferred_aliases=["latin"]
            ):
                missed.append(f"U+{code:04X}")
    assert missed == []
    assert not might_mix_scripts("café") and not might_mix_scripts("привет")


def test_each_marked_character_is_explained_for_its_tooltip() -> None:
    assert explain_char("\u202e") == (
        "U+202E RIGHT-TO-LEFT OVERRIDE: it reorders how the line is drawn, so code can read "
        "differently from how it runs"
    )
    assert explain_char("\u0430").startswith("U+0430 CYRILLIC SMALL LETTER A: it looks like")
    assert explain_char("\x1b").startswith("U+001B CONTROL CHARACTER: a terminal acts on it")
    assert explain_char("\udcff") == "the byte 0xFF: not valid UTF-8, shown as the byte"


def test_a_name_in_a_message_shows_what_hides_by_code_point() -> None:
    assert quoted_name("a\u202egnp.py") == "'a⟨U+202E⟩gnp.py'"
    assert quoted_name("nul\x00byte\x1b[2J.txt") == "'nul⟨U+0000⟩byte⟨U+001B⟩[2J.txt'"
    assert quoted_name("\u0430dmin.py") == "'⟨U+0430⟩dmin.py'"
    assert quoted_name("plain name.txt") == "'plain name.txt'"

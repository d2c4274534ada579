"""Untrusted text in messages: nothing a terminal acts on, hides or reorders gets through."""

from __future__ import annotations

import pytest

from vetline.core.errors import InputError
from vetline.core.escape import printable


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain name.txt", "plain name.txt"),
        ("caf\u00e9.txt", "caf\u00e9.txt"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("line\nbreak\tand\rreturn", "line\\nbreak\\tand\\rreturn"),
        ("bell\x07 del\x7f c1\x9b", "bell\\x07 del\\x7f c1\\x9b"),
        ("evil\u202egnp.exe", "evil\\u202egnp.exe"),
        ("zero\u200bwidth \u2066iso\u2069 \ufeff", "zero\\u200bwidth \\u2066iso\\u2069 \\ufeff"),
        ("sep\u2028ara\u2029tor", "sep\\u2028ara\\u2029tor"),
        ("latin1 caf\udce9", "latin1 caf\\xe9"),  # a byte that was not UTF-8
    ],
)
def test_unsafe_characters_are_escaped(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert printable(shown) == shown


def test_every_error_message_is_escaped() -> None:
    error = InputError("refusing caf\udce9\x1b[2J.txt")
    assert str(error) == "refusing caf\\xe9\\x1b[2J.txt"
    str(error).encode("utf-8")  # writable to a strict UTF-8 stream

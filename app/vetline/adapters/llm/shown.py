"""Names a model or a server sent, made safe to show: hidden characters escaped, length capped.

A path or a model name from an answer is untrusted text. Control, bidirectional,
zero-width and other invisible characters are written as ⟨U+XXXX⟩, so a message
naming a path shows every character the path really holds (Trojan Source,
CVE-2021-42574), and a very long name cannot flood the screen.
"""

from __future__ import annotations

import unicodedata

_LONGEST_NAME = 200
# Printable by Python's rules, yet drawn as nothing or as a blank: invisible fillers,
# the combining grapheme joiner, variation selectors.
_INVISIBLE = frozenset(
    {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x2800, 0x3164, 0xFFA0}
    | set(range(0xFE00, 0xFE10))
    | set(range(0xE0100, 0xE01F0))
)


def hidden(char: str) -> bool:
    """True for a character that is not drawn as itself (or not drawn at all)."""
    code = ord(char)
    if char == " ":
        return False
    if code in _INVISIBLE or not char.isprintable():
        return True
    # Spaces other than U+0020 look like it but are not (U+00A0, U+2003, ...).
    return unicodedata.category(char) == "Zs"


def escaped(text: str, longest: int = _LONGEST_NAME) -> str:
    """`text` with every hidden character as ⟨U+XXXX⟩, cut to `longest` characters."""
    shown = "".join(f"⟨U+{ord(char):04X}⟩" if hidden(char) else char for char in text)
    if len(shown) > longest:
        shown = shown[: longest - 1] + "…"
    return shown


def quoted(path: str) -> str:
    """A path for a message: escaped and in quotes, so spaces and dots stay visible."""
    return f"'{escaped(path)}'"


def has_hidden(text: str) -> bool:
    return any(hidden(char) for char in text)

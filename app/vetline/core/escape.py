"""Untrusted text made safe to show: control, bidirectional and invisible characters escaped."""

from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Controls (C0, DEL, C1) a terminal acts on; format characters that reorder or hide text
# (bidirectional overrides, zero-width spaces); line and paragraph separators; and lone
# surrogates, which a strict UTF-8 stream cannot even write.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# decode(..., "surrogateescape") turns each byte that is not UTF-8 into one of these.
_ESCAPED_BYTES = range(0xDC80, 0xDD00)


def printable(text: str) -> str:
    """`text` with every character a terminal would act on, hide or reorder written as an
    escape (\\x1b, \\u202e); a byte that was not UTF-8 (a Latin-1 name) shows as \\xNN.
    Escaping twice changes nothing more."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    for char in text:
        code = ord(char)
        if char in _NAMED:
            out.append(_NAMED[char])
        elif code in _ESCAPED_BYTES:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(char) in _UNSAFE_CATEGORIES:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)

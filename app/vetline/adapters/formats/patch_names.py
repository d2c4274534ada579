"""File names as git writes them in a patch: C-quoted names, a/ and b/ prefixes, /dev/null."""

from __future__ import annotations

import re

_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_SNIPPET = 60


class BadNameError(ValueError):
    """A quoted file name that does not parse; the reader adds the line number."""


def patch_name(value: str, prefix: str) -> tuple[str | None, bool]:
    """The name on a '---'/'+++' line: (name without a/ or b/, whether it is /dev/null)."""
    if value.startswith('"'):
        name, _ = _split_quoted(value)
    else:
        name = value.split("\t", 1)[0]  # a tab starts GNU diff's timestamp
    if name == "/dev/null":
        return None, True
    return name.removeprefix(prefix), False


def git_header_names(rest: str) -> tuple[str, str] | None:
    """The two names on a 'diff --git' line, when they can be told apart."""
    if rest.startswith('"'):
        old, tail = _split_quoted(rest)
        tail = tail.removeprefix(" ")
        new = _split_quoted(tail)[0] if tail.startswith('"') else tail
    elif ' "' in rest:
        # Only the new name is quoted; an unquoted name never contains a quote.
        split = rest.index(' "')
        old, new = rest[:split], _split_quoted(rest[split + 1 :])[0]
    else:
        # Unquoted names may hold spaces; git splits in the middle when both names are equal.
        middle = len(rest) // 2
        if len(rest) % 2 == 0 or rest[middle] != " ":
            return None
        old, new = rest[:middle], rest[middle + 1 :]
        if old.removeprefix("a/") != new.removeprefix("b/"):
            return None
    return old.removeprefix("a/"), new.removeprefix("b/")


def unquote_name(value: str) -> str:
    return _split_quoted(value)[0] if value.startswith('"') else value


def _split_quoted(value: str) -> tuple[str, str]:
    """A C-quoted name as git writes it ("sp\\303\\251cial") and the text after it."""
    out = bytearray()
    index = 1
    while index < len(value):
        char = value[index]
        if char == '"':
            return out.decode("utf-8", "surrogateescape"), value[index + 1 :]
        if char != "\\":
            out += char.encode("utf-8", "surrogateescape")
            index += 1
            continue
        escape = value[index + 1 : index + 2]
        if escape in _C_ESCAPES:
            out.append(_C_ESCAPES[escape])
            index += 2
        elif re.fullmatch(r"[0-3][0-7]{2}", value[index + 1 : index + 4]):
            out.append(int(value[index + 1 : index + 4], 8))
            index += 4
        else:
            raise BadNameError(f"bad escape in quoted file name {snippet(value)}")
    raise BadNameError(f"unterminated quoted file name {snippet(value)}")


def snippet(text: str) -> str:
    """A value for an error message, cut short (the diff reader uses it too)."""
    return repr(text if len(text) <= _SNIPPET else text[:_SNIPPET] + "…")

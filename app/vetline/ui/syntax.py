"""Syntax colours for the lines on screen: pygments, one line at a time, cached.

Only visible lines are ever tokenised, and each line on its own: a line inside a
multi-line string or comment is coloured as if it stood alone, so it may be coloured
wrongly. That is the price of never lexing a 100k-line file to show sixty lines of it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from enum import IntEnum
from fnmatch import fnmatch
from functools import cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pygments itself loads when colours are first wanted, after a first paint
    from pygments.lexer import Lexer
    from pygments.token import _TokenType

# Longer lines are drawn in the plain text colour: lexing them would stall a paint.
MAX_COLOURED_CHARS = 2_000


class SyntaxRole(IntEnum):
    """The few colours a line can have; everything else is plain text."""

    KEYWORD = 0
    STRING = 1
    COMMENT = 2
    NUMBER = 3
    DEFINITION = 4  # the name a def / class / function introduces
    BUILTIN = 5  # builtins and constants (None, true)
    META = 6  # decorators, preprocessor lines


# Colours per role, as hex, for light and dark backgrounds. None is red or green:
# those belong to removed and added lines.
LIGHT_COLOURS: dict[SyntaxRole, str] = {
    SyntaxRole.KEYWORD: "#8250df",
    SyntaxRole.STRING: "#0a3069",
    SyntaxRole.COMMENT: "#6e7781",
    SyntaxRole.NUMBER: "#0550ae",
    SyntaxRole.DEFINITION: "#953800",
    SyntaxRole.BUILTIN: "#1b6f78",
    SyntaxRole.META: "#953800",
}
DARK_COLOURS: dict[SyntaxRole, str] = {
    SyntaxRole.KEYWORD: "#d2a8ff",
    SyntaxRole.STRING: "#a5d6ff",
    SyntaxRole.COMMENT: "#8b949e",
    SyntaxRole.NUMBER: "#79c0ff",
    SyntaxRole.DEFINITION: "#ffa657",
    SyntaxRole.BUILTIN: "#56d4dd",
    SyntaxRole.META: "#ffa657",
}


@cache
def _role_of_family() -> tuple[tuple[_TokenType, SyntaxRole], ...]:
    """Checked in order: the first family a token type belongs to decides its role."""
    from pygments.token import Comment, Keyword, Name, Number, Operator, String

    return (
        (Comment.Preproc, SyntaxRole.META),
        (Comment, SyntaxRole.COMMENT),
        (String, SyntaxRole.STRING),
        (Number, SyntaxRole.NUMBER),
        (Keyword.Constant, SyntaxRole.BUILTIN),
        (Keyword, SyntaxRole.KEYWORD),
        (Operator.Word, SyntaxRole.KEYWORD),
        (Name.Function, SyntaxRole.DEFINITION),
        (Name.Class, SyntaxRole.DEFINITION),
        (Name.Decorator, SyntaxRole.META),
        (Name.Builtin, SyntaxRole.BUILTIN),
        (Name.Exception, SyntaxRole.BUILTIN),
        (Name.Tag, SyntaxRole.KEYWORD),
        (Name.Attribute, SyntaxRole.DEFINITION),
    )


RoleSpan = tuple[int, int, SyntaxRole]  # [start, end) offsets into the line

# Suffixes several lexers claim; pygments would look at the content to choose.
_PREFERRED_FOR_SUFFIX = {".pl": "perl", ".sql": "sql", ".m": "objective-c", ".h": "c"}


def lexer_name_for(path: str) -> str:
    """The pygments alias for a file name, or "" for plain text.

    Not `get_lexer_for_filename`: it scans installed plugins through package metadata,
    which costs ~70 ms on first use, too much for the first paint of a file.
    """
    name = PurePosixPath(path.replace("\\", "/")).name
    by_name, by_suffix, globs = _filename_index()
    if name in by_name:
        return by_name[name]
    suffix = name[name.rfind(".") :] if "." in name else ""
    for candidate in (suffix, suffix.lower()):  # "*.C" is C++ but "*.PY" is still Python
        if candidate in _PREFERRED_FOR_SUFFIX:
            return _PREFERRED_FOR_SUFFIX[candidate]
        if candidate in by_suffix:
            return by_suffix[candidate]
    return next((alias for pattern, alias in globs if fnmatch(name, pattern)), "")


@cache
def _filename_index() -> tuple[dict[str, str], dict[str, str], tuple[tuple[str, str], ...]]:
    """Exact names, "*.suffix" patterns, and other globs, each mapped to a lexer alias."""
    by_name: dict[str, str] = {}
    by_suffix: dict[str, str] = {}
    globs: list[tuple[str, str]] = []
    from pygments.lexers import get_all_lexers

    for _title, aliases, patterns, _mimetypes in get_all_lexers(plugins=False):
        if not aliases:
            continue
        for pattern in patterns:
            if not any(char in pattern for char in "*?["):
                by_name.setdefault(pattern, aliases[0])
            elif pattern.startswith("*.") and not any(c in pattern[2:] for c in "*?["):
                by_suffix.setdefault(pattern[1:], aliases[0])
            else:
                globs.append((pattern, aliases[0]))
    return by_name, by_suffix, tuple(globs)


@cache
def _lexer(name: str) -> Lexer | None:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(name)
    except ClassNotFound:
        return None


@cache
def _role_of(token_type: _TokenType) -> SyntaxRole | None:
    from pygments.token import is_token_subtype

    return next(
        (role for family, role in _role_of_family() if is_token_subtype(token_type, family)),
        None,
    )


class SyntaxColourCache:
    """Coloured spans per (lexer, line); the least recently drawn lines are forgotten first.

    Asking whether a line is known and colouring it are separate steps, so a paint can
    draw uncoloured lines when its time is up and colour them on the next pass.
    """

    def __init__(self, capacity: int = 16_384) -> None:
        self._capacity = capacity
        self._spans: OrderedDict[tuple[str, str], tuple[RoleSpan, ...]] = OrderedDict()
        self._loaded: set[str] = set()

    def cached(self, lexer_name: str, line: str) -> tuple[RoleSpan, ...] | None:
        if not lexer_name or not line or len(line) > MAX_COLOURED_CHARS:
            return ()
        key = (lexer_name, line)
        spans = self._spans.get(key)
        if spans is not None:
            self._spans.move_to_end(key)
        return spans

    def cached_or_in_time(
        self, lexer_name: str, line: str, deadline: float
    ) -> tuple[RoleSpan, ...] | None:
        """The line's spans if known, or lexed now if `time.perf_counter()` is before
        `deadline` and the lexer is loaded; None means "not yet, ask again later"."""
        spans = self.cached(lexer_name, line)
        if spans is None and self.is_loaded(lexer_name) and time.perf_counter() < deadline:
            spans = self.colour(lexer_name, line)
        return spans

    def is_loaded(self, lexer_name: str) -> bool:
        """True once `load_lexer` ran for it: colouring a line costs no import then."""
        return lexer_name in self._loaded

    def load_lexer(self, lexer_name: str) -> None:
        """Import the lexer's module (tens of ms the first time, so not during a paint)."""
        _lexer(lexer_name)
        self._loaded.add(lexer_name)

    def colour(self, lexer_name: str, line: str) -> tuple[RoleSpan, ...]:
        self.load_lexer(lexer_name)
        spans = self.cached(lexer_name, line)
        if spans is None:
            spans = self._spans[lexer_name, line] = line_spans(lexer_name, line)
            if len(self._spans) > self._capacity:
                self._spans.popitem(last=False)
        return spans


def line_spans(lexer_name: str, line: str) -> tuple[RoleSpan, ...]:
    """Coloured spans of one line (no line ending), merged when neighbours share a role."""
    lexer = _lexer(lexer_name) if lexer_name else None
    if lexer is None or not line or len(line) > MAX_COLOURED_CHARS:
        return ()
    spans: list[RoleSpan] = []
    # Lexers expect a final newline; tokens past the line's end are dropped.
    for start, token_type, value in lexer.get_tokens_unprocessed(line + "\n"):
        if start >= len(line):
            break
        role = _role_of(token_type)
        if role is None or not value:
            continue
        end = min(start + len(value), len(line))
        if spans and spans[-1][2] is role and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end, role)
        else:
            spans.append((start, end, role))
    return tuple(spans)

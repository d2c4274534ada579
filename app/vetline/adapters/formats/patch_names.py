"""File names as `git apply` reads them from a patch: C-quoted names, leading components
stripped (`-p1`, whatever the component is), GNU diff timestamps, /dev/null and epoch dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_SNIPPET = 60
# The whitespace git's own character table knows; \r, unlike a space or a tab, always ends
# an unquoted name.
_SPACES = " \t\r\n"
# The end of a '---'/'+++' line GNU diff and POSIX diff write: a date, a time (maybe with a
# fraction) and maybe a zone, after a tab or, when the tab was lost, after spaces.
_TIMESTAMP = re.compile(
    r"(?:\t| +)(?:\d\d)?\d\d-\d\d-\d\d(?: \d\d:\d\d:\d\d(?:\.\d+)?)?"
    r"(?: [+-]\d{4}| [+-]\d\d:\d\d)?$"
)
# GNU diff -N dates a missing side at the epoch: in UTC or any zone, with zero seconds.
_EPOCH = re.compile(
    r"(1969-12-31|1970-01-01) ([0-2]\d):([0-5]\d):00(?:\.0+)? ([-+])([0-2]\d):?([0-5]\d)$"
)


class BadNameError(ValueError):
    """A quoted file name that does not parse; the reader adds the line number."""


@dataclass(slots=True)
class NameStrip:
    """How many leading components come off every name (`git apply -p`), for one input.

    1 until a traditional header with no folder in either name shows it is 0; then it
    stays 0 for the rest of the input, as git's guess does.
    """

    count: int = 1
    known: bool = False


@dataclass(frozen=True, slots=True)
class TraditionalHeader:
    """What a '---'/'+++' pair without a 'diff --git' line says about its file."""

    name: str
    created: bool  # '--- /dev/null' or an epoch date on the old side
    deleted: bool  # '+++ /dev/null' or an epoch date on the new side


def is_dev_null(value: str) -> bool:
    return value.startswith("/dev/null") and (len(value) == 9 or value[9] in _SPACES)


def traditional_header(minus: str, plus: str, strip: NameStrip) -> TraditionalHeader:
    """The file of a traditional patch from the text after '--- ' and '+++ '.

    The new side's name wins, unless it is the old one with something added ("x.orig").
    """
    if not strip.known:
        old_guess, new_guess = _guess_strip(minus), _guess_strip(plus)
        if old_guess < 0:
            old_guess = new_guess
        if old_guess >= 0 and old_guess == new_guess:
            strip.count, strip.known = old_guess, True
    if is_dev_null(minus):
        name, created, deleted = _traditional_name(plus, None, strip.count), True, False
    elif is_dev_null(plus):
        name, created, deleted = _traditional_name(minus, None, strip.count), False, True
    else:
        first = _traditional_name(minus, None, strip.count)
        name = _traditional_name(plus, first, strip.count)
        created = _has_epoch_date(minus)
        deleted = not created and _has_epoch_date(plus)
    if not name:
        raise BadNameError("cannot find the file name in this '---'/'+++' header")
    return TraditionalHeader(name, created, deleted)


def git_section_names(
    minus: str,
    plus: str,
    strip: int,
    *,
    old: str | None,
    new: str | None,
    created: bool,
    deleted: bool,
) -> tuple[str | None, str | None]:
    """The names on the '---' and '+++' lines of a git diff (None for /dev/null), checked
    as git apply checks them: /dev/null exactly where the header says the file is new or
    deleted, a name on every other line, and the same name the header gave already
    (`old` and `new`: a rename's, or the 'diff --git' line's for a new or deleted file)."""
    if is_dev_null(minus) != created:
        raise BadNameError("'--- /dev/null' goes with a 'new file mode' line, and only with it")
    if is_dev_null(plus) != deleted:
        raise BadNameError("'+++ /dev/null' goes with a 'deleted file mode' line, and only with it")
    names: list[str | None] = []
    for value, side, said in ((minus, "---", old), (plus, "+++", new)):
        if is_dev_null(value):
            names.append(None)
            continue
        name = git_line_name(value, strip)
        if name is None:
            raise BadNameError(
                f"no file name on the '{side}' line once {strip} leading folder is taken off"
                " (git's -p1)"
            )
        if said is not None and name != said:
            raise BadNameError(f"{snippet(name)} is not {snippet(said)}, named above")
        names.append(name)
    return names[0], names[1]


def git_line_name(value: str, strip: int) -> str | None:
    """The name on a '---'/'+++' line of a git diff (a tab ends it; spaces belong to it)."""
    return _find_name(value, None, strip, until_tab=True)


def git_extended_name(value: str) -> str:
    """The name after 'rename from', 'copy to' and the like: whole, nothing stripped."""
    return _find_name(value, None, 0, until_tab=False) or value


def git_header_names(rest: str, strip: int) -> tuple[str, str] | None:
    """The name on a 'diff --git' line when both sides agree on it (as for a mode change,
    or an empty file created or deleted), with `strip` leading components taken off."""
    if rest.startswith('"'):
        first, tail = _split_quoted(rest)
        name = _skip_components(first, strip)
        tail = tail.lstrip(_SPACES)
        if name is None or not tail:
            return None
        second = _split_quoted(tail)[0] if tail.startswith('"') else tail
        other = _skip_components(second, strip)
        return (name, name) if other == name else None
    name = _skip_components(rest, strip)
    if name is None:
        return None
    quote = name.find('"')
    if quote >= 0:
        # An unquoted name never holds a quote: the new name starts there.
        other = _skip_components(_split_quoted(name[quote:])[0], strip)
        if other is None or not name.startswith((other + " ", other + "\t")):
            return None
        return other, other
    # Unquoted names may hold spaces: try each one as the split between equal names.
    for index, char in enumerate(name):
        if char in " \t":
            candidate = _skip_components(name[index + 1 :], strip)
            if candidate is not None and candidate == name[:index]:
                return candidate, candidate
    return None


def _guess_strip(value: str) -> int:
    """0 when the name has no folder (nothing to strip), -1 when it cannot tell."""
    if is_dev_null(value):
        return -1
    name = _traditional_name(value, None, 0)
    if name is None:
        return -1
    return 0 if "/" not in name else -1


def _traditional_name(value: str, default: str | None, strip: int) -> str | None:
    if value.startswith('"'):
        name = _quoted_name(value, strip)
        if name is not None:
            return name
    stamp = _TIMESTAMP.search(value)
    if stamp is None:
        return _common_name(value, default, strip, end=None, until_tab=True)
    return _common_name(value, default, strip, end=stamp.start(), until_tab=False)


def _find_name(value: str, default: str | None, strip: int, *, until_tab: bool) -> str | None:
    if value.startswith('"'):
        name = _quoted_name(value, strip)
        if name is not None:
            return name
    return _common_name(value, default, strip, end=None, until_tab=until_tab)


def _quoted_name(value: str, strip: int) -> str | None:
    # git reads a badly quoted name as an unquoted one, quotes and all; refusing is safer.
    unquoted = _split_quoted(value)[0]
    if unquoted.startswith("/"):
        return unquoted  # absolute: kept whole for the path rules to refuse
    parts = unquoted.split("/", strip)
    if len(parts) <= strip:
        return None
    return _squash_slashes(parts[strip])


def _common_name(
    value: str, default: str | None, strip: int, *, end: int | None, until_tab: bool
) -> str | None:
    """git's reading of an unquoted name: up to `end`, or else to whitespace (a tab only when
    `until_tab`; a space never), with `strip` slash-ended components taken off the front."""
    # git would strip "/etc/x" to "etc/x"; an absolute name is kept whole so that the path
    # rules refuse it, rather than quietly made relative.
    start: int | None = 0 if strip == 0 or value.startswith("/") else None
    left = -1 if start == 0 else strip
    limit = len(value) if end is None else end
    index = 0
    while index < limit:
        char = value[index]
        if end is None and char in _SPACES and (char != " ") and (char != "\t" or until_tab):
            break
        index += 1
        if char == "/":
            left -= 1
            if left == 0:
                start = index
    if start is None or index == start:
        return _squash_slashes(default) if default else default
    name = value[start:index]
    if default and len(default) < len(name) and name.startswith(default):
        return _squash_slashes(default)
    return _squash_slashes(name)


def _skip_components(name: str, strip: int) -> str | None:
    """`name` without its first `strip` components; None when it has fewer, or is absolute."""
    if strip == 0:
        return None if name.startswith("/") else name
    left = strip
    for index, char in enumerate(name):
        if char == "/":
            left -= 1
            if left <= 0:
                return None if index == 0 else name[index + 1 :]
    return None


def _has_epoch_date(value: str) -> bool:
    """Whether the timestamp after the line's last tab is the epoch (GNU diff's "no file")."""
    tab = value.rfind("\t")
    if tab < 0:
        return False
    match = _EPOCH.match(value[tab + 1 :])
    if match is None:
        return False
    day, hour, minute, sign, zone_hours, zone_minutes = match.groups()
    offset = int(zone_hours) * 60 + int(zone_minutes)
    offset = -offset if sign == "-" else offset
    midnight = 24 * 60 if day == "1969-12-31" else 0
    return int(hour) * 60 + int(minute) - offset == midnight


def _squash_slashes(name: str) -> str:
    return re.sub("/{2,}", "/", name)


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

"""Hunks from two texts, and the pure function that applies an accepted subset of them."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import add

from vetline.core.errors import VetlineError
from vetline.core.linediff import Edit, diff_lines, paused_gc
from vetline.core.model import Hunk, HunkKind
from vetline.core.text import split_lines
from vetline.core.xdiff import compiled_hunks

DEFAULT_CONTEXT = 3


class HunkMismatchError(VetlineError, ValueError):
    """A hunk's old side is not where it says, or is in several places: nothing is applied."""

    exit_code = 4  # a context mismatch, as a stale base

    def __init__(self, hunk: Hunk, message: str) -> None:
        super().__init__(f"{hunk.path}: hunk {hunk.id} (line {hunk.old_start}): {message}")
        self.hunk = hunk


def hunks_from_texts(
    path: str, base: str, new: str, context: int = DEFAULT_CONTEXT
) -> tuple[Hunk, ...]:
    """The hunks `git diff -U<context>` would show between two versions of one file."""
    with paused_gc():
        compiled = compiled_hunks(path, base, new, context)
        if compiled is not None:
            return compiled
        return hunks_from_edits(path, base, new, None, context)


def hunks_from_edits(
    path: str, base: str, new: str, edits: Sequence[Edit] | None, context: int
) -> tuple[Hunk, ...]:
    """The hunks of `edits` (found by the pure-Python diff if None), built in Python:
    where libgit2 cannot be loaded, and as the reference its hunks are tested against."""
    old_keys = _line_keys(base)
    new_keys = _line_keys(new)
    if edits is None:
        edits = diff_lines(old_keys, new_keys)
    return tuple(
        _build_hunk(path, old_keys, new_keys, group, context)
        for group in group_edits(edits, context)
    )


def _line_keys(text: str) -> list[str]:
    """Lines without their '\n', cheaper to make than `split_lines`.

    A last line with no newline gets a '\n' appended instead, which no other key has,
    so "x" at the end of a file never matches a terminated "x".
    """
    keys = text.split("\n")
    if keys[-1]:
        keys[-1] += "\n"
    else:
        keys.pop()
    return keys


def group_edits(edits: Sequence[Edit], context: int) -> list[list[Edit]]:
    """Edits whose context would touch or overlap share a hunk, as in git."""
    groups: list[list[Edit]] = []
    for edit in edits:
        if groups and edit.old_start - groups[-1][-1].old_end <= 2 * context:
            groups[-1].append(edit)
        else:
            groups.append([edit])
    return groups


def _build_hunk(
    path: str, old: Sequence[str], new: Sequence[str], group: Sequence[Edit], context: int
) -> Hunk:
    first_old, _, first_new, _ = group[0]
    _, last_old, _, last_new = group[-1]
    old_lo = max(0, first_old - context)
    new_lo = first_new - (first_old - old_lo)
    old_hi = min(len(old), last_old + context)
    new_hi = last_new + (old_hi - last_old)
    kinds: list[str] = []
    keys: list[str] = []
    x = old_lo
    for old_start, old_end, new_start, new_end in group:
        # Context before an edit and the lines it removes are adjacent in the old text.
        keys += old[x:old_end]
        keys += new[new_start:new_end]
        kinds += (" " * (old_start - x), "-" * (old_end - old_start), "+" * (new_end - new_start))
        x = old_end
    keys += old[x:old_hi]
    kinds.append(" " * (old_hi - x))
    # Only a file's last line can lack its newline (its key ends with "\n" instead),
    # so only a hunk reaching the end of a file needs the slower, checking pass.
    if (old_hi == len(old) and old and old[-1][-1:] == "\n") or (
        new_hi == len(new) and new and new[-1][-1:] == "\n"
    ):
        texts = tuple(key[:-1] if key[-1:] == "\n" else key + "\n" for key in keys)
    else:
        texts = tuple(map(add, keys, itertools.repeat("\n")))
    old_count, new_count = old_hi - old_lo, new_hi - new_lo
    return Hunk(
        path=path,
        # A side with no lines is named by the line before it, as unified diffs do.
        old_start=old_lo + 1 if old_count else old_lo,
        old_lines=old_count,
        new_start=new_lo + 1 if new_count else new_lo,
        new_lines=new_count,
        kinds="".join(kinds),
        texts=texts,
    )


@dataclass(frozen=True, slots=True)
class _Placement:
    start: int  # 0-based index of the first base line the hunk replaces
    hunk: Hunk
    new_side: tuple[str, ...]
    old_count: int


def apply_hunks(
    base: str,
    hunks: Iterable[Hunk],
    edited: dict[str, str] | None = None,
    *,
    patch_starts: Mapping[str, int] | None = None,
) -> str:
    """The base text with the given hunks applied; everything else kept byte for byte.

    No fuzz: a hunk's old side (context and removed lines, endings included) must match
    the base exactly, at its stated line or, failing that, at exactly one other place.
    `edited` maps a hunk id to the new-side text the reviewer wrote in its place.
    Zero-line hunks (renames, mode changes) carry no text and change nothing here.

    Hunks read from a patch are placed as `git apply` places them: `patch_starts` (see
    `git_start_guesses`) gives where git starts looking for each, and a hunk with no
    context after its change must end at the end of the file, one whose header starts
    at line 0 or 1 at its start. Where git would pick among several places, the one
    nearest its start is taken only if it is that start; otherwise the hunk is refused.
    """
    base_lines = split_lines(base)
    placements = sorted(
        (
            _place_as_git(base_lines, hunk, (edited or {}).get(hunk.id), patch_starts[hunk.id])
            if patch_starts is not None and hunk.id in patch_starts
            else _place(base_lines, hunk, (edited or {}).get(hunk.id))
            for hunk in hunks
            if hunk.kind is HunkKind.TEXT
        ),
        key=lambda placement: placement.start,
    )
    out: list[str] = []
    cursor = 0
    for placement in placements:
        if placement.start < cursor:
            raise HunkMismatchError(placement.hunk, "overlaps another accepted hunk")
        out.extend(base_lines[cursor : placement.start])
        out.extend(placement.new_side)
        cursor = placement.start + placement.old_count
        if out and not out[-1].endswith("\n") and cursor < len(base_lines):
            raise HunkMismatchError(
                placement.hunk, "ends without a newline but is not at the end of the file"
            )
    out.extend(base_lines[cursor:])
    return "".join(out)


def _place(base_lines: Sequence[str], hunk: Hunk, edited_new: str | None) -> _Placement:
    old_side = hunk.side(new=False)
    new_side = tuple(split_lines(edited_new) if edited_new is not None else hunk.side(new=True))
    count = len(old_side)
    stated = hunk.old_start - 1 if hunk.old_lines else hunk.old_start
    if not old_side:
        # A pure insertion with no context has only its line number to go by.
        if not 0 <= stated <= len(base_lines):
            raise HunkMismatchError(hunk, f"inserts after line {stated}, past the end")
        return _Placement(stated, hunk, new_side, 0)
    if list(base_lines[stated : stated + count]) == old_side:
        return _Placement(stated, hunk, new_side, count)
    found = _find_all(base_lines, old_side)
    if not found:
        raise HunkMismatchError(hunk, "its context does not match the file")
    if len(found) > 1:
        where = ", ".join(str(i + 1) for i in found[:5])
        raise HunkMismatchError(hunk, f"its context matches in {len(found)} places (lines {where})")
    return _Placement(found[0], hunk, new_side, count)


def git_start_guesses(hunks: Sequence[Hunk]) -> dict[str, int]:
    """Where `git apply` starts looking for each of a patch's hunks (all of one file, in
    patch order; split pieces included), as a 0-based line of the original text.

    git applies hunks one after another and starts each search at its new-side line in
    the text the hunks before it made; taking their growth back off gives the same
    place in the original, so any subset of them can be placed alone.
    """
    guesses: dict[str, int] = {}
    grown = 0
    for hunk in hunks:
        if hunk.kind is not HunkKind.TEXT:
            continue
        pieces = split_hunk(hunk)
        piece_grown = grown
        for unit in (hunk, *pieces) if len(pieces) > 1 else (hunk,):
            if unit is not hunk:
                guesses[unit.id] = max(0, unit.new_start - 1) - piece_grown
                piece_grown += unit.new_lines - unit.old_lines
            else:
                guesses[unit.id] = max(0, unit.new_start - 1) - grown
        grown += hunk.new_lines - hunk.old_lines
    return guesses


def _place_as_git(
    base_lines: Sequence[str], hunk: Hunk, edited_new: str | None, guess: int
) -> _Placement:
    old_side = hunk.side(new=False)
    new_side = tuple(split_lines(edited_new) if edited_new is not None else hunk.side(new=True))
    count = len(old_side)
    trailing = len(hunk.kinds) - len(hunk.kinds.rstrip(" "))
    at_start = hunk.old_start <= 1  # "@@ -0,0" or "@@ -1,…": the file's first lines
    at_end = trailing == 0  # nothing after the change: the file's last lines
    if at_start:
        places = [0] if base_lines[:count] == old_side else []
        if at_end:
            places = [place for place in places if place + count == len(base_lines)]
    elif at_end:
        end = len(base_lines) - count
        places = [end] if end >= 0 and list(base_lines[end:]) == old_side else []
    else:  # context after the change, so the old side is not empty
        places = _find_all(base_lines, old_side)
    if not places:
        where = " at the start of the file" if at_start else " at the end of the file"
        if not (at_start or at_end):
            where = ""
        raise HunkMismatchError(hunk, f"its context does not match the file{where}")
    guess = min(max(guess, 0), len(base_lines))
    # git takes the place nearest its start (looking forward first at equal distance).
    nearest = min(places, key=lambda place: (abs(place - guess), place < guess))
    if len(places) > 1 and nearest != guess:
        where = ", ".join(str(place + 1) for place in places[:5])
        raise HunkMismatchError(
            hunk, f"its context matches in {len(places)} places (lines {where})"
        )
    return _Placement(nearest, hunk, new_side, count)


def _find_all(haystack: Sequence[str], needle: Sequence[str]) -> list[int]:
    first = needle[0]
    count = len(needle)
    return [
        i
        for i in range(len(haystack) - count + 1)
        if haystack[i] == first and list(haystack[i : i + count]) == list(needle)
    ]


def split_hunk(hunk: Hunk) -> tuple[Hunk, ...]:
    """Break a hunk at each run of unchanged lines between its changes.

    The unchanged lines between two pieces are shared out (the first piece takes the
    upper half as trailing context, the second the rest as leading context) so the
    pieces never overlap and each can be accepted alone. A hunk with a single run
    of changes comes back as itself.
    """
    if hunk.kind is not HunkKind.TEXT:
        return (hunk,)
    kinds = hunk.kinds
    # Index ranges [start, end) of each run of changed lines.
    blocks: list[tuple[int, int]] = []
    index = 0
    while index < len(kinds):
        if kinds[index] == " ":
            index += 1
            continue
        start = index
        while index < len(kinds) and kinds[index] != " ":
            index += 1
        blocks.append((start, index))
    if len(blocks) < 2:
        return (hunk,)
    cuts = [0]
    for (_, gap_start), (gap_end, _) in itertools.pairwise(blocks):
        cuts.append(gap_start + (gap_end - gap_start + 1) // 2)
    cuts.append(len(kinds))
    pieces: list[Hunk] = []
    old_line = hunk.old_start if hunk.old_lines else hunk.old_start + 1
    new_line = hunk.new_start if hunk.new_lines else hunk.new_start + 1
    for start, end in itertools.pairwise(cuts):
        piece_kinds = kinds[start:end]
        old_count = len(piece_kinds) - piece_kinds.count("+")
        new_count = len(piece_kinds) - piece_kinds.count("-")
        pieces.append(
            Hunk(
                path=hunk.path,
                old_start=old_line if old_count else old_line - 1,
                old_lines=old_count,
                new_start=new_line if new_count else new_line - 1,
                new_lines=new_count,
                kinds=piece_kinds,
                texts=hunk.texts[start:end],
                section=hunk.section,
            )
        )
        old_line += old_count
        new_line += new_count
    return tuple(pieces)

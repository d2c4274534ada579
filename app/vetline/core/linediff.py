"""A minimal line diff (Myers, linear space) fast enough for 100k-line files.

Two reductions never change the result's minimality: the common prefix and suffix
are matched first, and lines that occur on one side only, which can never match,
are set aside (xdiff does the same). What is left goes to Myers' middle-snake
bisection, which is exact but costs D² steps for D edits: affordable in Python for
a few hundred lines, not for thousands of edits in a 100k-line file. So a region
longer than `_ANCHOR_ABOVE` lines is first cut at lines that occur exactly once on
each side and in the same order (patience diff's anchors), and Myers solves the
pieces between them. Like git's own cost heuristics, this can in theory miss the
shortest script; the tests hold it to "never more changed lines than git" and the
benchmark reports both counts.
"""

from __future__ import annotations

import gc
import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import compress
from operator import sub
from typing import NamedTuple, TypeVar

T = TypeVar("T")

# Like xdiff, one bisection searches at most max(512, √(N+M)) edits deep before it
# settles for the furthest point reached: exact for any pair with up to ~1,000 edits
# between anchors, and never minutes on a pathological pair (random repeated lines).
_MIN_COST_LIMIT = 512
# Regions with more lines than this (both sides together) are cut at unique lines.
_ANCHOR_ABOVE = 600
# One anchor candidate is sampled every this many lines: pieces of about this size
# cost least at 10k and at 100k lines (measured with `make bench`).
_LINES_PER_SAMPLE = 50
# Below this many line pairs, Myers beats setting one-sided lines aside first.
_SMALL_PIECE = 64


class Edit(NamedTuple):
    """Lines a[old_start:old_end] become b[new_start:new_end] (0-based, half-open)."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int


def common_prefix(a: Sequence[T], b: Sequence[T]) -> int:
    """Length of the common prefix, comparing galloping slices in C before a short scan."""
    limit = min(len(a), len(b))
    start, step = 0, 32
    while start < limit:
        stop = min(limit, start + step)
        if a[start:stop] != b[start:stop]:
            break
        start, step = stop, step * 2
    while start < limit and a[start] == b[start]:
        start += 1
    return start


def common_suffix(a: Sequence[T], b: Sequence[T], floor: int = 0) -> int:
    """Length of the common suffix, not reaching into the first `floor` items of either."""
    limit = min(len(a), len(b)) - floor
    length, step = 0, 32
    while length < limit:
        grow = min(limit, length + step)
        if a[len(a) - grow : len(a) - length] != b[len(b) - grow : len(b) - length]:
            break
        length, step = grow, step * 2
    while length < limit and a[len(a) - length - 1] == b[len(b) - length - 1]:
        length += 1
    return length


@contextmanager
def paused_gc() -> Iterator[None]:
    """Hold the cyclic garbage collector: a big diff allocates only acyclic tuples and
    lists, and collections triggered by their sheer number cost about a tenth of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def diff_lines(a: Sequence[str], b: Sequence[str]) -> list[Edit]:
    """The edits that turn `a` into `b`, in order, with as few changed lines as possible."""
    with paused_gc():
        return _diff_lines(a, b)


def _diff_lines(a: Sequence[str], b: Sequence[str]) -> list[Edit]:
    prefix = common_prefix(a, b)
    suffix = common_suffix(a, b, prefix)
    a_mid = list(a[prefix : len(a) - suffix])
    b_mid = list(b[prefix : len(b) - suffix])
    runs: list[tuple[int, int, int]] = []
    if a_mid and b_mid:
        _anchored_runs(a_mid, b_mid, 0, 0, runs)
    return _edits_between(runs, prefix, len(a_mid), len(b_mid))


# Matching runs are (a_index, b_index, length) triples. The functions below append
# them to `runs` in increasing order, shifted by the offsets of the piece they solve,
# so the whole diff is one list built without sorting or copying.


def _edits_between(
    runs: list[tuple[int, int, int]], offset: int, a_length: int, b_length: int
) -> list[Edit]:
    """The gaps between sorted matching runs, as edits shifted by `offset`."""
    edits: list[Edit] = []
    x = y = 0
    for rx, ry, length in runs:
        if rx != x or ry != y:
            edits.append(Edit(offset + x, offset + rx, offset + y, offset + ry))
        x, y = rx + length, ry + length
    if x != a_length or y != b_length:
        edits.append(Edit(offset + x, offset + a_length, offset + y, offset + b_length))
    return edits


def _anchored_runs(
    a: list[str], b: list[str], a_lo: int, b_lo: int, runs: list[tuple[int, int, int]]
) -> None:
    """A large region is cut at unique anchors and each piece solved on its own."""
    anchors = _unique_anchors(a, b) if len(a) + len(b) > _ANCHOR_ABOVE else []
    if not anchors:
        _piece_runs(a, b, a_lo, b_lo, runs)
        return
    x0 = y0 = -1
    for x1, y1 in [*anchors, (len(a), len(b))]:
        if x1 - x0 > 1 and y1 - y0 > 1:
            _anchored_runs(a[x0 + 1 : x1], b[y0 + 1 : y1], a_lo + x0 + 1, b_lo + y0 + 1, runs)
        if x1 < len(a):
            runs.append((a_lo + x1, b_lo + y1, 1))
        x0, y0 = x1, y1


def _piece_runs(
    a: list[str], b: list[str], a_lo: int, b_lo: int, runs: list[tuple[int, int, int]]
) -> None:
    """A piece between anchors: usually a context or two and a change."""
    prefix = common_prefix(a, b)
    suffix = common_suffix(a, b, prefix)
    if prefix:
        runs.append((a_lo, b_lo, prefix))
    middle_a, middle_b = a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]
    if middle_a and middle_b:
        # Setting lines aside costs more than it saves on a few lines.
        if len(middle_a) * len(middle_b) <= _SMALL_PIECE:
            runs += _myers_runs(middle_a, middle_b, a_lo + prefix, b_lo + prefix)
        else:
            runs += _reduced_runs(middle_a, middle_b, a_lo + prefix, b_lo + prefix)
    if suffix:
        runs.append((a_lo + len(a) - suffix, b_lo + len(b) - suffix, suffix))


def _reduced_runs(a: list[str], b: list[str], a_lo: int, b_lo: int) -> list[tuple[int, int, int]]:
    """Matching runs found after setting aside lines the other side lacks.

    Lines present on one side only cannot be part of any match, so dropping them
    keeps the result minimal while shrinking D, which Myers pays for squared.
    map/compress keep these passes in C.
    """
    a_keep = list(compress(range(len(a)), map(set(b).__contains__, a)))
    b_keep = list(compress(range(len(b)), map(set(a).__contains__, b)))
    if len(a_keep) == len(a) and len(b_keep) == len(b):
        return _myers_runs(a, b, a_lo, b_lo)
    reduced = _myers_runs(list(map(a.__getitem__, a_keep)), list(map(b.__getitem__, b_keep)))
    # keep[k] - k never decreases, and stays the same exactly while the kept lines
    # are adjacent: a binary search finds where a reduced run must be cut.
    a_gaps = list(map(sub, a_keep, range(len(a_keep))))
    b_gaps = list(map(sub, b_keep, range(len(b_keep))))
    runs: list[tuple[int, int, int]] = []
    for start_x, start_y, length in reduced:
        rx, ry = start_x, start_y
        end, shift = rx + length, ry - rx
        while rx < end:
            stop = min(
                bisect_right(a_gaps, a_gaps[rx], rx, end),
                bisect_right(b_gaps, b_gaps[ry], ry, end + shift) - shift,
            )
            runs.append((a_lo + a_keep[rx], b_lo + b_keep[ry], stop - rx))
            ry += stop - rx
            rx = stop
    return runs


def _myers_runs(
    a: list[str], b: list[str], a_lo: int = 0, b_lo: int = 0
) -> list[tuple[int, int, int]]:
    """Matching runs of a longest common subsequence, sorted, shifted by the offsets."""
    if a == b:  # common once one-sided lines are set aside
        return [(a_lo, b_lo, len(a))] if a else []
    runs: list[tuple[int, int, int]] = []
    pending: list[tuple[int, int, int, int]] = [(0, len(a), 0, len(b))]
    while pending:
        x_lo, x_hi, y_lo, y_hi = pending.pop()
        sub_a, sub_b = a[x_lo:x_hi], b[y_lo:y_hi]
        prefix = common_prefix(sub_a, sub_b)
        if prefix:
            runs.append((a_lo + x_lo, b_lo + y_lo, prefix))
            x_lo, y_lo = x_lo + prefix, y_lo + prefix
            sub_a, sub_b = sub_a[prefix:], sub_b[prefix:]
        suffix = common_suffix(sub_a, sub_b)
        if suffix:
            runs.append((a_lo + x_hi - suffix, b_lo + y_hi - suffix, suffix))
            x_hi, y_hi = x_hi - suffix, y_hi - suffix
            sub_a, sub_b = sub_a[: len(sub_a) - suffix], sub_b[: len(sub_b) - suffix]
        if not sub_a or not sub_b:
            continue
        split = _bisect(sub_a, sub_b)
        if split is None:
            continue  # nothing in common: all of it is one edit
        x, y = split
        pending.append((x_lo + x, x_hi, y_lo + y, y_hi))
        pending.append((x_lo, x_lo + x, y_lo, y_lo + y))
    runs.sort()
    return runs


def _unique_anchors(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """Pairs (i, j) with a[i] == b[j] occurring once in each, increasing on both sides.

    Samples every `_LINES_PER_SAMPLE`th line of `a`, then keeps the longest run of
    them that is in order in `b` (a longest increasing subsequence, patience-style).
    """
    stride = _LINES_PER_SAMPLE
    sampled = a[::stride]
    # Only sampled lines are counted and located; compress/map keep the scans in C.
    wanted = set(sampled).__contains__
    a_counts = Counter(filter(wanted, a))
    b_found = list(compress(range(len(b)), map(wanted, b)))
    b_lines = list(map(b.__getitem__, b_found))
    b_counts = Counter(b_lines)
    b_position = dict(zip(b_lines, b_found, strict=True))
    candidates = [
        (i * stride, b_position[line])
        for i, line in enumerate(sampled)
        if a_counts[line] == 1 and b_counts[line] == 1
    ]
    return _longest_increasing([pair for pair in candidates if _in_a_run(a, b, *pair)])


def _in_a_run(a: list[str], b: list[str], i: int, j: int) -> bool:
    """True when a neighbour of the pair matches too: a lone unique line amid changes may
    belong to no shortest edit script, and cutting there would cost extra lines."""
    return (i > 0 and j > 0 and a[i - 1] == b[j - 1]) or (
        i + 1 < len(a) and j + 1 < len(b) and a[i + 1] == b[j + 1]
    )


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of `pairs` (sorted by first item) increasing in the second."""
    tails: list[int] = []  # smallest second item ending an increasing run of each length
    tail_index: list[int] = []
    previous = [-1] * len(pairs)
    for index, (_, second) in enumerate(pairs):
        length = bisect_left(tails, second)
        if length == len(tails):
            tails.append(second)
            tail_index.append(index)
        else:
            tails[length] = second
            tail_index[length] = index
        previous[index] = tail_index[length - 1] if length else -1
    chain: list[tuple[int, int]] = []
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        chain.append(pairs[index])
        index = previous[index]
    chain.reverse()
    return chain


def _bisect(a: list[str], b: list[str]) -> tuple[int, int] | None:
    """Myers' middle snake: a point on a shortest edit path, or None if a and b share nothing.

    Both sequences are non-empty and differ at their first and last items.
    """
    n, m = len(a), len(b)
    max_d = (n + m + 1) // 2
    offset = max_d
    size = 2 * max_d + 2
    forward = [-1] * size
    backward = [-1] * size
    forward[offset + 1] = 0
    backward[offset + 1] = 0
    delta = n - m
    odd = delta % 2 != 0
    # Diagonals that ran off the grid are trimmed from the scan (k*_start / k*_end).
    k1_start = k1_end = k2_start = k2_end = 0
    best_point = (0, 0)
    cost_limit = max(_MIN_COST_LIMIT, math.isqrt(n + m + 3))
    for d in range(max_d):
        if d > cost_limit:
            return best_point if best_point != (0, 0) else (n // 2, m // 2)
        for k1 in range(-d + k1_start, d + 1 - k1_end, 2):
            k1_index = offset + k1
            if k1 == -d or (k1 != d and forward[k1_index - 1] < forward[k1_index + 1]):
                x1 = forward[k1_index + 1]
            else:
                x1 = forward[k1_index - 1] + 1
            y1 = x1 - k1
            while x1 < n and y1 < m and a[x1] == b[y1]:
                x1 += 1
                y1 += 1
            forward[k1_index] = x1
            if x1 > n:
                k1_end += 2
            elif y1 > m:
                k1_start += 2
            else:
                if x1 + y1 > best_point[0] + best_point[1] and x1 < n and y1 < m:
                    best_point = (x1, y1)
                if odd:
                    k2_index = offset + delta - k1
                    if 0 <= k2_index < size and backward[k2_index] != -1:
                        x2 = n - backward[k2_index]
                        if x1 >= x2:
                            return x1, y1
        for k2 in range(-d + k2_start, d + 1 - k2_end, 2):
            k2_index = offset + k2
            if k2 == -d or (k2 != d and backward[k2_index - 1] < backward[k2_index + 1]):
                x2 = backward[k2_index + 1]
            else:
                x2 = backward[k2_index - 1] + 1
            y2 = x2 - k2
            while x2 < n and y2 < m and a[n - x2 - 1] == b[m - y2 - 1]:
                x2 += 1
                y2 += 1
            backward[k2_index] = x2
            if x2 > n:
                k2_end += 2
            elif y2 > m:
                k2_start += 2
            elif not odd:
                k1_index = offset + delta - k2
                if 0 <= k1_index < size and forward[k1_index] != -1:
                    x1 = forward[k1_index]
                    y1 = offset + x1 - k1_index
                    if x1 >= n - x2:
                        return x1, y1
    return None

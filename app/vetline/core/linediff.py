"""A minimal line diff (Myers, linear space) fast enough for 100k-line files.

The speed comes from three reductions that never change the result's minimality:
the common prefix and suffix are matched first; lines that occur on one side only
can never match and are set aside (xdiff does the same); the rest goes to Myers'
middle-snake bisection. Only a pathological input (thousands of edits between
repeated lines) hits the work budget, where, like git, we settle for a good split
instead of the provably shortest one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import compress
from operator import not_
from typing import NamedTuple, TypeVar

T = TypeVar("T")

# Above this many diagonal steps in one bisection we stop insisting on minimality.
_WORK_BUDGET = 20_000_000


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


def diff_lines(a: Sequence[str], b: Sequence[str]) -> list[Edit]:
    """The edits that turn `a` into `b`, in order, with as few changed lines as possible."""
    prefix = common_prefix(a, b)
    suffix = common_suffix(a, b, prefix)
    a_mid = a[prefix : len(a) - suffix]
    b_mid = b[prefix : len(b) - suffix]
    if not a_mid or not b_mid:
        if not a_mid and not b_mid:
            return []
        return [Edit(prefix, prefix + len(a_mid), prefix, prefix + len(b_mid))]

    # Lines present on one side only cannot be part of any match: set them aside.
    # map/compress keep these passes in C; they dominate the time on big files.
    a_flags = list(map(set(b_mid).__contains__, a_mid))
    b_flags = list(map(set(a_mid).__contains__, b_mid))
    a_keep = list(compress(range(len(a_mid)), a_flags))
    b_keep = list(compress(range(len(b_mid)), b_flags))
    runs = _match_runs(list(compress(a_mid, a_flags)), list(compress(b_mid, b_flags)))
    a_breaks = _breaks(a_keep, a_flags)
    b_breaks = _breaks(b_keep, b_flags)

    # Walk the matched pairs only where one side skips an index: between runs, and
    # inside a run where a set-aside line sat. Everything skipped is an edit.
    edits: list[Edit] = []
    x = y = 0  # next unmatched index in a_mid / b_mid
    for rx, ry, length in runs:
        cuts = {rx}
        cuts.update(_within(a_breaks, rx, rx + length))
        cuts.update(k - ry + rx for k in _within(b_breaks, ry, ry + length))
        ordered = sorted(cuts)
        # Pairs from one cut up to the next are contiguous on both sides.
        for cut, next_cut in zip(ordered, [*ordered[1:], rx + length], strict=True):
            ax, by = a_keep[cut], b_keep[cut - rx + ry]
            if ax != x or by != y:
                edits.append(Edit(prefix + x, prefix + ax, prefix + y, prefix + by))
            x, y = a_keep[next_cut - 1] + 1, b_keep[next_cut - 1 - rx + ry] + 1
    if x != len(a_mid) or y != len(b_mid):
        edits.append(Edit(prefix + x, prefix + len(a_mid), prefix + y, prefix + len(b_mid)))
    return edits


def _breaks(keep: list[int], flags: list[bool]) -> list[int]:
    """Positions k in `keep` with set-aside lines just before keep[k], ascending."""
    dropped = compress(range(len(flags)), map(not_, flags))
    return sorted({bisect_left(keep, index) for index in dropped})


def _within(sorted_values: list[int], low: int, high: int) -> list[int]:
    """The values v with low < v < high."""
    return sorted_values[bisect_right(sorted_values, low) : bisect_left(sorted_values, high)]


def _match_runs(a: list[str], b: list[str]) -> list[tuple[int, int, int]]:
    """Matching runs (a_index, b_index, length) of a longest common subsequence, sorted."""
    runs: list[tuple[int, int, int]] = []
    pending: list[tuple[int, int, int, int]] = [(0, len(a), 0, len(b))]
    while pending:
        a_lo, a_hi, b_lo, b_hi = pending.pop()
        sub_a, sub_b = a[a_lo:a_hi], b[b_lo:b_hi]
        prefix = common_prefix(sub_a, sub_b)
        if prefix:
            runs.append((a_lo, b_lo, prefix))
            a_lo, b_lo = a_lo + prefix, b_lo + prefix
            sub_a, sub_b = sub_a[prefix:], sub_b[prefix:]
        suffix = common_suffix(sub_a, sub_b)
        if suffix:
            runs.append((a_hi - suffix, b_hi - suffix, suffix))
            a_hi, b_hi = a_hi - suffix, b_hi - suffix
            sub_a, sub_b = sub_a[: len(sub_a) - suffix], sub_b[: len(sub_b) - suffix]
        if not sub_a or not sub_b:
            continue
        split = _bisect(sub_a, sub_b)
        if split is None:
            continue  # nothing in common: all of it is one edit
        x, y = split
        pending.append((a_lo + x, a_hi, b_lo + y, b_hi))
        pending.append((a_lo, a_lo + x, b_lo, b_lo + y))
    runs.sort()
    return runs


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
    work = 0
    best_point = (0, 0)
    for d in range(max_d):
        work += 2 * d + 1
        if work > _WORK_BUDGET:
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

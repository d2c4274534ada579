"""`vetline log stats [--json]`: the reviewer's own numbers from the decision log."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from vetline.core.escape import printable
from vetline.core.leash import Level
from vetline.core.review_stats import Group, ReviewStats


def print_stats(path: Path, as_json: bool, out: TextIO) -> list[str]:
    """Print the figures for the log at `path`; returns the log's warnings to show."""
    from vetline.adapters.decision_log import DecisionLog
    from vetline.adapters.log.stats import stats_of

    with DecisionLog(path) as log:
        stats = stats_of(log)
        warnings = list(log.warnings)
    if as_json:
        out.write(json.dumps(stats.as_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(describe(stats))
    return warnings


def describe(stats: ReviewStats) -> str:
    """The figures as text for a person at a terminal."""
    if not stats.decisions:
        return "No decisions in the log yet: the numbers appear once you have reviewed.\n"
    lines = [
        f"{stats.decisions} decisions: {stats.accepted} accepted, {stats.rejected} rejected,"
        f" {stats.edited} edited; {stats.undone} undone",
        f"Rubber stamps (accepted faster than the reading time): {stats.rubber_stamps}",
        "",
        f"Suggested level: {_level_name(stats.suggested.level)}",
        textwrap.fill(stats.suggested.reason, 88, initial_indent="  ", subsequent_indent="  "),
    ]
    sections = (
        ("By agent", stats.by_agent),
        ("By model", stats.by_model),
        ("By level", {_level_name(level): group for level, group in stats.by_level.items()}),
        ("By file type", stats.by_extension),
    )
    for title, groups in sections:
        lines += ["", title, *_group_lines(groups)]
    lines += ["", "Time on screen by hunk size (changed lines; one hunk at a time)"]
    lines += [
        f"  {bucket.lines:>8} lines  {bucket.n:>6} hunks  median {_seconds(bucket.median_ms)}"
        for bucket in stats.time_by_size
    ] or ["  none decided one at a time"]
    return "\n".join(lines) + "\n"


def _group_lines(groups: Mapping[str, Group]) -> list[str]:
    width = max((len(printable(name)) for name in groups), default=0)
    return [
        f"  {printable(name):<{width}}  {group.decisions:>6} decisions"
        f"  {group.accept_rate:>4.0%} accepted  median {_seconds(group.median_ms)}"
        for name, group in groups.items()
    ]


def _level_name(level: int | None) -> str:
    if level is None:
        return "none"
    known = {int(known): known.title for known in Level}
    return f"{level} ({known[level]})" if level in known else str(level)


def _seconds(ms: int | None) -> str:
    return "-" if ms is None else f"{ms / 1000:.1f} s"

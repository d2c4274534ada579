"""A suggested autonomy level from the reviewer's own history, with the reason in words.

The suggestion is the largest level whose hunks the reviewer verifies quickly and mostly
accepts: at that level at least `ENOUGH_HUNKS` verdicts given one at a time, at least
`MOSTLY_ACCEPTED` of them accepted as proposed, in a median of at most `QUICK_MS` on
screen. With too little history there is no suggestion, and the reason says so. It only
suggests: the level changes when the reviewer changes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vetline.core.leash import Level

ENOUGH_HUNKS = 20
MOSTLY_ACCEPTED = 0.8
QUICK_MS = 30_000

# Per level: (verdicts given one at a time, of them accepted as proposed, median ms).
History = Mapping[int, tuple[int, int, int | None]]


@dataclass(frozen=True, slots=True)
class Suggestion:
    level: int | None  # None: no suggestion (the reason says why)
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"level": self.level, "reason": self.reason}


def suggest_level(history: History) -> Suggestion:
    judged = {level: figures for level, figures in history.items() if figures[0] >= ENOUGH_HUNKS}
    if not judged:
        seen = sum(figures[0] for figures in history.values())
        return Suggestion(
            None,
            f"Too little history: {seen} hunk{'s' if seen != 1 else ''} decided one at a time"
            f" so far; a suggestion needs {ENOUGH_HUNKS} at one level.",
        )
    passing = [level for level, figures in judged.items() if _passes(*figures)]
    if not passing:
        lowest = min(judged)
        return Suggestion(
            None,
            f"No level yet where you accept most hunks quickly: {_describe(lowest, judged)}"
            f" (a suggestion needs {_bar()}).",
        )
    best = max(passing)
    reason = _capital(f"{_describe(best, judged)}: you verify them quickly and mostly accept them.")
    higher = sorted(level for level in judged if level > best)
    if higher:
        reason += f" Not higher: {_describe(higher[0], judged)}."
    elif best < max(Level) and best + 1 not in judged:
        reason += f" Level {best + 1} has too little history to judge yet."
    return Suggestion(best, reason + f" (Bar: {_bar()}.)")


def _passes(hunks: int, accepted: int, median_ms: int | None) -> bool:
    return median_ms is not None and accepted / hunks >= MOSTLY_ACCEPTED and median_ms <= QUICK_MS


def _describe(level: int, judged: History) -> str:
    hunks, accepted, median_ms = judged[level]
    seconds = (median_ms or 0) / 1000
    return (
        f"at level {level} ({Level(level).title}) you accepted {accepted / hunks:.0%} of"
        f" {hunks} hunks, in a median {seconds:.1f} s each"
    )


def _bar() -> str:
    return (
        f"at least {ENOUGH_HUNKS} hunks, {MOSTLY_ACCEPTED:.0%} accepted, a median of at most"
        f" {QUICK_MS // 1000} s"
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]

"""The reviewer's own numbers, from the decision log's records: where the time goes.

How rows count (the same in `vetline log stats` and the Stats view):

* `accepted`, `rejected` and `edited` count the log's rows with that verdict, and
  `decisions` is their sum: every verdict given, including ones later undone and ones
  given in bulk (Ctrl+Enter, `vetline apply`). So the counts agree with
  `vetline log export` row for row.
* `undone` counts `undone` rows; the verdicts they take back stay counted above (the log
  is append-only, and so are its counts).
* `not_applied`, `refused` and `skipped` rows are not decisions and are not counted.
* Times (`median_ms`, `time_by_size`) and the suggested level use only verdicts given one
  hunk at a time: a bulk row's time on screen is not one hunk's reading time.
* The accept rate is accepted as proposed / decisions: an edit means the proposal was not
  right as it stood.
* Only verdicts on changes count: a citation's verdict (`kind` `citation`) judges a
  source, not a change, and is left out of every figure.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import PurePosixPath
from typing import Any, TypeVar

from vetline.core.autonomy_suggestion import Suggestion, suggest_level
from vetline.core.model import Decision, ItemKind, Verdict

DECIDING = (Verdict.ACCEPTED, Verdict.REJECTED, Verdict.EDITED)
# Hunk sizes (changed lines) the time on screen is grouped by: (label, largest size).
SIZE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("0-1", 1),
    ("2-5", 5),
    ("6-10", 10),
    ("11-20", 20),
    ("21-40", 40),
    ("41-100", 100),
    ("101-200", 200),
    ("201+", None),
)
NO_NAME = "(none)"
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Group:
    """The verdicts on one agent's, model's, level's or file type's hunks."""

    decisions: int
    accepted: int
    rejected: int
    edited: int
    median_ms: int | None  # of the verdicts given one at a time; None when there are none
    by_hand: int  # how many verdicts were given one at a time

    @property
    def accept_rate(self) -> float:
        return self.accepted / self.decisions if self.decisions else 0.0

    @property
    def reject_rate(self) -> float:
        return self.rejected / self.decisions if self.decisions else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "decisions": self.decisions,
            "accept_rate": round(self.accept_rate, 4),
            "median_ms": self.median_ms,
        }


@dataclass(frozen=True, slots=True)
class SizeBucket:
    lines: str  # e.g. "6-10" changed lines
    n: int
    median_ms: int


@dataclass(frozen=True, slots=True)
class ReviewStats:
    decisions: int
    accepted: int
    rejected: int
    edited: int
    undone: int
    rubber_stamps: int
    by_agent: Mapping[str, Group]
    by_model: Mapping[str, Group]
    by_level: Mapping[int, Group]
    by_extension: Mapping[str, Group]
    time_by_size: tuple[SizeBucket, ...]
    per_hour: tuple[int, ...]  # decisions in each hour of the day (0-23, the given zone)
    per_day: tuple[tuple[str, int], ...]  # (YYYY-MM-DD, decisions), oldest first
    suggested: Suggestion

    def as_json(self) -> dict[str, Any]:
        """The figures `vetline log stats --json` prints, in its documented shape."""
        return {
            "decisions": self.decisions,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "edited": self.edited,
            "undone": self.undone,
            "by_agent": _groups_json(self.by_agent),
            "by_model": _groups_json(self.by_model),
            "by_level": _groups_json({str(level): g for level, g in self.by_level.items()}),
            "by_extension": _groups_json(self.by_extension),
            "time_by_size": [
                {"lines": b.lines, "n": b.n, "median_ms": b.median_ms} for b in self.time_by_size
            ],
            "rubber_stamps": self.rubber_stamps,
            "suggested_level": self.suggested.as_json(),
        }


def review_stats(records: Iterable[Decision], zone: tzinfo = UTC) -> ReviewStats:
    """The figures over every record of the log, in log order. `zone` places the hours."""
    verdicts: list[Decision] = []
    undone = 0
    for record in records:
        if record.kind is not ItemKind.HUNK:
            continue
        if record.verdict in DECIDING:
            verdicts.append(record)
        elif record.verdict is Verdict.UNDONE:
            undone += 1
    counted = Counter(record.verdict for record in verdicts)
    by_level = dict(sorted(_grouped(verdicts, lambda record: record.level).items()))
    hours = [0] * 24
    days: Counter[str] = Counter()
    for record in verdicts:
        moment = _moment(record.decided_at, zone)
        if moment is not None:
            hours[moment.hour] += 1
            days[moment.date().isoformat()] += 1
    return ReviewStats(
        decisions=len(verdicts),
        accepted=counted[Verdict.ACCEPTED],
        rejected=counted[Verdict.REJECTED],
        edited=counted[Verdict.EDITED],
        undone=undone,
        rubber_stamps=sum(1 for record in verdicts if record.rubber_stamp),
        by_agent=_grouped(verdicts, lambda record: record.agent or NO_NAME),
        by_model=_grouped(verdicts, lambda record: record.served_model or record.model or NO_NAME),
        by_level=by_level,
        by_extension=_grouped(verdicts, _extension),
        time_by_size=_time_by_size(verdicts),
        per_hour=tuple(hours),
        per_day=tuple(sorted(days.items())),
        suggested=suggest_level(
            {
                level: (group.by_hand, _accepted_by_hand(verdicts, level), group.median_ms)
                for level, group in by_level.items()
            }
        ),
    )


def _grouped(records: Sequence[Decision], key: Callable[[Decision], K]) -> dict[K, Group]:
    members: defaultdict[K, list[Decision]] = defaultdict(list)
    for record in records:
        members[key(record)].append(record)
    groups = {name: _group(found) for name, found in members.items()}
    return dict(sorted(groups.items(), key=lambda item: (-item[1].decisions, str(item[0]))))


def _group(records: Sequence[Decision]) -> Group:
    counted = Counter(record.verdict for record in records)
    times = [record.ms_on_screen for record in records if not record.bulk]
    return Group(
        decisions=len(records),
        accepted=counted[Verdict.ACCEPTED],
        rejected=counted[Verdict.REJECTED],
        edited=counted[Verdict.EDITED],
        median_ms=_median(times) if times else None,
        by_hand=len(times),
    )


def _accepted_by_hand(records: Sequence[Decision], level: int) -> int:
    return sum(
        1
        for record in records
        if record.level == level and not record.bulk and record.verdict is Verdict.ACCEPTED
    )


def _time_by_size(records: Sequence[Decision]) -> tuple[SizeBucket, ...]:
    times: defaultdict[str, list[int]] = defaultdict(list)
    for record in records:
        if not record.bulk:
            times[size_bucket(record.added + record.removed)].append(record.ms_on_screen)
    return tuple(
        SizeBucket(label, len(times[label]), _median(times[label]))
        for label, _ in SIZE_BUCKETS
        if times[label]
    )


def size_bucket(changed_lines: int) -> str:
    for label, largest in SIZE_BUCKETS:
        if largest is None or changed_lines <= largest:
            return label
    raise AssertionError("the last bucket has no upper end")  # pragma: no cover


def _extension(record: Decision) -> str:
    return PurePosixPath(record.path).suffix.lower() or NO_NAME


def _median(values: Sequence[int]) -> int:
    import statistics  # when the numbers are shown: not on the first paint's path

    return round(statistics.median(values))


def _moment(decided_at: str, zone: tzinfo) -> datetime | None:
    try:
        moment = datetime.fromisoformat(decided_at)
    except ValueError:
        return None  # a row from elsewhere with an odd time: counted, not placed
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def _groups_json(groups: Mapping[str, Group]) -> dict[str, Any]:
    return {name: group.as_json() for name, group in groups.items()}

"""The decision log's records for the reviewer's numbers (core.review_stats computes them)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, tzinfo

from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.log.chain import decision_from_row
from vetline.core.model import Decision
from vetline.core.review_stats import ReviewStats, review_stats


def logged_decisions(log: DecisionLog) -> Iterator[Decision]:
    """Every row of the log as the Decision it records, in log order."""
    return (decision_from_row(row) for row in log.rows())


def stats_of(log: DecisionLog, zone: tzinfo | None = None) -> ReviewStats:
    """The figures over the whole log; hours and days in `zone` (default: this machine's)."""
    return review_stats(logged_decisions(log), zone or local_zone())


def local_zone() -> tzinfo:
    """This machine's time zone, for placing decisions in hours and days."""
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None  # astimezone() always gives an aware time
    return zone

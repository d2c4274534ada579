"""Rubber stamps: an accept faster than the hunk's reading time is flagged, nothing else is."""

from __future__ import annotations

from datetime import UTC, datetime

from helpers.proposals import text_change
from vetline.core.model import Agent, Decision, Proposal
from vetline.core.reading_time import ReadingTime
from vetline.core.session import ReviewSession
from vetline.core.settings import default_settings, settings_from_document

OLD = "".join(f"line {i}\n" for i in range(40))


def proposal_changing(lines: range) -> Proposal:
    new = OLD
    for number in lines:
        new = new.replace(f"line {number}\n", f"LINE {number}\n")
    return Proposal("p1", "edit", (text_change("a.txt", OLD, new),), agent=Agent("coder", "m"))


class Clock:
    def __init__(self) -> None:
        self.now = 10.0

    def __call__(self) -> float:
        return self.now


def session_on(
    proposal: Proposal, reading: ReadingTime
) -> tuple[ReviewSession, list[Decision], Clock]:
    rows: list[Decision] = []
    clock = Clock()

    def record(decision: Decision) -> int:
        rows.append(decision)
        return len(rows)

    session = ReviewSession(
        [proposal],
        record=record,
        clock=clock,
        now=lambda: datetime(2026, 1, 1, tzinfo=UTC),
        reading=reading,
    )
    return session, rows, clock


def test_reading_time_is_a_floor_or_a_time_per_line() -> None:
    reading = ReadingTime(ms_per_line=200, floor_ms=1000)
    assert reading.needed_ms(1) == 1000
    assert reading.needed_ms(20) == 4000
    assert reading.too_fast(3999, 20)
    assert not reading.too_fast(4000, 20)


def test_a_quick_accept_of_a_big_hunk_is_flagged_a_slow_one_is_not() -> None:
    reading = ReadingTime(ms_per_line=200, floor_ms=1000)
    session, rows, clock = session_on(proposal_changing(range(10, 20)), reading)  # 20 lines
    clock.now += 1.5  # 1.5 s for 20 changed lines: under the 4 s they take to read
    session.accept_current()
    assert rows[-1].rubber_stamp
    session.undo_last()
    clock.now += 4.0
    session.accept_current()
    assert not rows[-1].rubber_stamp
    assert not any(row.rubber_stamp for row in rows if row.verdict != "accepted")


def test_rejects_edits_and_bulk_accepts_are_never_rubber_stamps() -> None:
    reading = ReadingTime(ms_per_line=200, floor_ms=1000)
    session, rows, _ = session_on(proposal_changing(range(10, 20)), reading)
    session.reject_current("no")
    session.undo_last()
    session.edit_current("LINE 10\n")
    session.undo_last()
    session.decide_all(None)
    assert rows and not any(row.rubber_stamp for row in rows)


def test_asking_before_an_unread_accept_is_off_unless_set() -> None:
    big = proposal_changing(range(30))  # 60 changed lines
    quiet, _, _ = session_on(big, ReadingTime())
    assert not quiet.accept_asks_first()
    asking, rows, clock = session_on(big, ReadingTime(ask_above_lines=10))
    assert asking.accept_asks_first()
    clock.now += 60
    assert not asking.accept_asks_first()  # read long enough
    asking.accept_current(unread=True)  # said "accept without reading" before: still a stamp
    assert rows[-1].rubber_stamp
    small, _, _ = session_on(proposal_changing(range(1, 2)), ReadingTime(ask_above_lines=10))
    assert not small.accept_asks_first()  # too small to ask about


def test_the_reading_time_comes_from_the_settings() -> None:
    assert default_settings().reading_time() == ReadingTime(200, 1000, 0)
    document = {"review": {"reading_ms_per_line": 50, "reading_floor_ms": 0}}
    assert settings_from_document(document).reading_time().needed_ms(4) == 200
    asking = {"review": {"ask_unread_above_lines": 30}}
    assert settings_from_document(asking).reading_time().ask_above_lines == 30

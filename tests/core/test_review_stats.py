"""The reviewer's numbers: how each kind of row counts, groups, sizes, hours, the suggestion."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

from vetline.core.autonomy_suggestion import suggest_level
from vetline.core.model import Decision, ItemKind, Verdict
from vetline.core.review_stats import review_stats, size_bucket


def row(verdict: Verdict, **values: object) -> Decision:
    fields: dict[str, object] = {
        "proposal_id": "p",
        "hunk_id": "h",
        "hunk_sha256": "0" * 64,
        "path": "src/app.py",
        "verdict": verdict,
        "decided_at": "2026-03-02T09:15:00.000+00:00",
        "ms_on_screen": 4000,
        "level": 2,
        "agent": "coder",
        "model": "model-a",
        "added": 2,
        "removed": 1,
    }
    fields.update(values)
    return Decision(**fields)  # type: ignore[arg-type]


ACCEPT, REJECT, EDIT = Verdict.ACCEPTED, Verdict.REJECTED, Verdict.EDITED


def test_every_verdict_row_counts_and_nothing_else_does() -> None:
    stats = review_stats(
        [
            row(ACCEPT, ms_on_screen=300, rubber_stamp=True),
            row(REJECT),
            row(EDIT),
            row(Verdict.UNDONE, undoes=3),
            row(Verdict.NOT_APPLIED, ms_on_screen=0),
            row(Verdict.REFUSED, ms_on_screen=0, bulk=True),
            row(Verdict.SKIPPED),
            row(ACCEPT, ms_on_screen=0, bulk=True),
            row(ACCEPT, kind=ItemKind.CITATION, path="notes.md"),  # a source, not a change
            row(REJECT, kind=ItemKind.CITATION, path="notes.md", reason="misquoted"),
        ]
    )
    assert ".md" not in stats.by_extension
    assert (stats.decisions, stats.accepted, stats.rejected, stats.edited) == (4, 2, 1, 1)
    assert stats.undone == 1
    assert stats.rubber_stamps == 1
    coder = stats.by_agent["coder"]
    assert coder.decisions == 4
    assert coder.accept_rate == 2 / 4  # an edit is not an accept as proposed
    assert coder.median_ms == 4000  # of 300, 4000, 4000: the bulk row's 0 is no reading time
    assert stats.as_json()["by_agent"] == {
        "coder": {"decisions": 4, "accept_rate": 0.5, "median_ms": 4000}
    }


def test_groups_by_agent_model_level_and_file_type() -> None:
    stats = review_stats(
        [
            row(ACCEPT, agent="a", model="m1", level=1, path="x.PY"),
            row(ACCEPT, agent="a", model="m1", served_model="m2", level=3, path="README"),
            row(REJECT, agent="", model="", level=3, path="docs/x.md"),
        ]
    )
    assert list(stats.by_agent) == ["a", "(none)"]
    assert set(stats.by_model) == {"m1", "m2", "(none)"}  # the model that answered
    assert stats.by_level[3].decisions == 2
    assert stats.by_level[3].reject_rate == 0.5
    assert set(stats.by_extension) == {".py", "(none)", ".md"}
    assert set(stats.as_json()["by_level"]) == {"1", "3"}


def test_time_on_screen_by_size_takes_the_median_per_bucket() -> None:
    stats = review_stats(
        [
            row(ACCEPT, added=1, removed=0, ms_on_screen=1000),
            row(ACCEPT, added=3, removed=2, ms_on_screen=2000),
            row(REJECT, added=4, removed=0, ms_on_screen=6000),
            row(ACCEPT, added=4, removed=1, ms_on_screen=9000, bulk=True),
            row(ACCEPT, added=150, removed=150, ms_on_screen=60000),
        ]
    )
    assert [(b.lines, b.n, b.median_ms) for b in stats.time_by_size] == [
        ("0-1", 1, 1000),
        ("2-5", 2, 4000),
        ("201+", 1, 60000),
    ]
    assert [size_bucket(n) for n in (0, 1, 2, 40, 41, 200, 201)] == [
        "0-1",
        "0-1",
        "2-5",
        "21-40",
        "41-100",
        "101-200",
        "201+",
    ]


def test_hours_and_days_are_the_reviewers_own() -> None:
    late = "2026-03-02T23:30:00.000+00:00"
    stats = review_stats([row(ACCEPT, decided_at=late)], zone=timezone(timedelta(hours=2)))
    assert stats.per_hour[1] == 1
    assert stats.per_day == (("2026-03-03", 1),)
    assert review_stats([row(ACCEPT, decided_at=late)], zone=UTC).per_day == (("2026-03-02", 1),)


def test_an_empty_log_has_zeros_and_no_suggestion() -> None:
    stats = review_stats([])
    assert stats.as_json()["decisions"] == 0
    assert stats.as_json()["time_by_size"] == []
    assert stats.suggested.level is None
    assert "Too little history" in stats.suggested.reason


def test_the_suggestion_is_the_largest_level_verified_quickly_and_mostly_accepted() -> None:
    history = {
        1: (40, 39, 2_000),
        2: (60, 54, 9_000),  # 90 % in 9 s
        3: (25, 15, 20_000),  # 60 %: not mostly accepted
        4: (3, 3, 1_000),  # too few to judge
    }
    suggestion = suggest_level(history)
    assert suggestion.level == 2
    assert "level 2 (Chunk) you accepted 90% of 60 hunks" in suggestion.reason
    assert "Not higher: at level 3 (File) you accepted 60%" in suggestion.reason


def test_slow_reading_is_not_quick_and_a_next_level_untried_is_named() -> None:
    assert suggest_level({3: (30, 30, 45_000)}).level is None  # accepted, but 45 s each
    tried = suggest_level({1: (30, 29, 3_000)})
    assert tried.level == 1
    assert "Level 2 has too little history" in tried.reason


def test_the_suggestion_comes_from_hunks_decided_one_at_a_time() -> None:
    by_hand = [row(ACCEPT, level=3, ms_on_screen=5000) for _ in range(19)]
    in_bulk = [row(ACCEPT, level=3, ms_on_screen=0, bulk=True) for _ in range(50)]
    assert review_stats(by_hand + in_bulk).suggested.level is None  # 19 < 20
    stats = review_stats([*by_hand, row(ACCEPT, level=3, ms_on_screen=5000), *in_bulk])
    assert stats.suggested.level == 3
    assert stats.as_json()["suggested_level"]["level"] == 3

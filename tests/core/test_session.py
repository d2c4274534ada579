"""Leash checks, the review session's verdicts and timing, keymap and settings rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpers.proposals import text_change
from vetline.core.commands import (
    COMMANDS,
    DEFAULT_KEYMAP,
    KeymapError,
    build_keymap,
    conflicts,
    is_valid_key,
)
from vetline.core.leash import Leash, Level, path_refusal
from vetline.core.model import Agent, Decision, Proposal, Verdict
from vetline.core.session import HunkState, ReviewSession, SessionError
from vetline.core.settings import SettingsError, default_settings, settings_from_document


def numbered(count: int, prefix: str = "line") -> str:
    return "".join(f"{prefix} {i}\n" for i in range(count))


def two_hunk_proposal() -> Proposal:
    old = numbered(30)
    new = old.replace("line 3\n", "LINE 3\n").replace("line 25\n", "LINE 25\n")
    return Proposal(
        "p1", "Fix two lines", (text_change("a.txt", old, new),), agent=Agent("coder", "model-x")
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    def __init__(self) -> None:
        self.rows: list[Decision] = []

    def __call__(self, decision: Decision) -> int:
        self.rows.append(decision)
        return len(self.rows)


def new_session(*proposals: Proposal, level: int = 2) -> tuple[ReviewSession, Recorder, FakeClock]:
    recorder, clock = Recorder(), FakeClock()
    session = ReviewSession(
        proposals,
        record=recorder,
        clock=clock,
        level=level,
        now=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    return session, recorder, clock


def test_leash_names_each_limit_in_words() -> None:
    old = numbered(500)
    new = numbered(500, "changed")
    proposal = Proposal(
        "big", "Rewrite", (text_change("a.txt", old, new), text_change("b.txt", "x\n", "y\n"))
    )
    messages = [v.message for v in Leash().check(proposal, 2)]
    assert "1002 changed lines > 40 allowed at level 2 (Chunk)" in messages
    assert "2 files > 1 allowed at level 2 (Chunk)" in messages
    assert Leash().check(proposal, Level.REPO) == [
        v for v in Leash().check(proposal, Level.REPO) if v.rule == "changed-lines"
    ]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/etc/passwd", "absolute"),
        ("../x", "'..'"),
        ("a/.git/config", ".git/"),
        ("a\x00b", "control"),
        (".github/workflows/ci.yml", "denied"),
        ("deep/dir/.env", "denied"),
        ("C:/x", "absolute"),
    ],
)
def test_path_rules_refuse_with_a_reason(path: str, reason: str) -> None:
    refusal = path_refusal(path, Leash().denied_paths)
    assert refusal is not None
    assert reason in refusal


def test_ordinary_paths_pass() -> None:
    assert path_refusal("src/app.py", Leash().denied_paths) is None


def test_accept_and_reject_are_recorded_with_time_on_screen_and_advance() -> None:
    session, recorder, clock = new_session(two_hunk_proposal())
    clock.now += 2.5
    assert session.accept_current() is None  # the file still has an undecided hunk
    assert session.cursor == 1
    clock.now += 1.25
    outcome = session.reject_current("wrong")
    assert [row.verdict for row in recorder.rows] == [Verdict.ACCEPTED, Verdict.REJECTED]
    assert [row.ms_on_screen for row in recorder.rows] == [2500, 1250]
    assert recorder.rows[1].reason == "wrong"
    assert recorder.rows[0].decided_at == "2026-01-02T03:04:05.000+00:00"
    assert recorder.rows[0].agent == "coder"
    assert outcome is not None
    assert outcome.accepted == {session.items[0].hunk.id}
    assert session.finished
    assert session.median_seconds_per_decision() == pytest.approx(1.875)


def test_a_failing_log_write_changes_nothing() -> None:
    def broken(_: Decision) -> int:
        raise OSError("disk full")

    session = ReviewSession([two_hunk_proposal()], record=broken, clock=FakeClock())
    with pytest.raises(OSError, match="disk full"):
        session.accept_current()
    assert session.items[0].state is HunkState.PENDING
    assert session.cursor == 0


def test_undo_is_a_row_naming_the_decision_it_reverses() -> None:
    session, recorder, _ = new_session(two_hunk_proposal())
    session.accept_current()
    undone = session.undo_last()
    assert undone is not None
    assert recorder.rows[-1].verdict is Verdict.UNDONE
    assert recorder.rows[-1].undoes == 1
    assert session.items[0].state is HunkState.PENDING
    assert session.cursor == 0
    assert session.undo_last() is None


def test_next_undo_names_what_undo_reverses_without_undoing_it() -> None:
    session, recorder, _ = new_session(two_hunk_proposal())
    first, second = session.items
    session.accept_current()
    session.reject_current()  # completes the file
    session.show(1)
    session.accept_current()  # the reject is superseded: undo reverses this accept

    upcoming = session.next_undo()

    assert upcoming is not None and upcoming[0] is second
    outcome = upcoming[1]
    assert outcome is not None and outcome.accepted == {first.hunk.id, second.hunk.id}
    assert len(recorder.rows) == 3  # nothing logged
    assert session.undo_last() == upcoming
    upcoming = session.next_undo()  # the reject is in force again
    assert upcoming is not None and upcoming[0] is second
    outcome = upcoming[1]
    assert outcome is not None and outcome.accepted == {first.hunk.id}
    session.undo_last()
    upcoming = session.next_undo()
    assert upcoming is not None and upcoming[0] is first and upcoming[1] is None


def test_an_undo_the_log_refused_leaves_the_verdict_to_undo() -> None:
    rows: list[Decision] = []
    failing = False

    def record(decision: Decision) -> int:
        if failing:
            raise OSError("disk full")
        rows.append(decision)
        return len(rows)

    session = ReviewSession([two_hunk_proposal()], record=record, clock=FakeClock())
    session.accept_current()
    failing = True
    with pytest.raises(OSError, match="disk full"):
        session.undo_last()
    assert session.items[0].state is HunkState.ACCEPTED
    failing = False
    assert session.undo_last() is not None
    assert rows[-1].verdict is Verdict.UNDONE


def test_edit_is_accepted_with_the_reviewers_text() -> None:
    session, recorder, _ = new_session(two_hunk_proposal())
    session.edit_current("line 2\nMy line 3\nline 4\n")
    assert recorder.rows[0].verdict is Verdict.EDITED
    assert recorder.rows[0].edited_text == "line 2\nMy line 3\nline 4\n"
    assert session.items[0].state is HunkState.EDITED


def test_accept_rest_is_refused_over_the_leash_and_allowed_within() -> None:
    session, _, _ = new_session(two_hunk_proposal(), level=1)
    with pytest.raises(SessionError, match="over the leash"):
        session.accept_rest_of_proposal()
    session.set_level(2)
    outcomes = session.accept_rest_of_proposal()
    assert session.finished
    assert len(outcomes) == 1


def test_accept_rest_gives_screen_time_only_to_the_hunk_on_screen() -> None:
    old = numbered(60)
    other = text_change("b.txt", old, old.replace("line 40\n", "LINE 40\n"))
    first = two_hunk_proposal()
    proposal = Proposal("p1", "Three hunks", (*first.changes, other))
    session, recorder, clock = new_session(proposal, level=4)
    clock.now += 3.0
    session.accept_current()  # looked at for 3 s
    clock.now += 12.0
    session.accept_rest_of_proposal()  # the second hunk was on screen for 12 s
    assert [(row.ms_on_screen, row.bulk) for row in recorder.rows] == [
        (3000, False),
        (12000, True),
        (0, True),  # b.txt was never shown
    ]
    assert session.median_seconds_per_decision() == pytest.approx(7.5)


def test_a_scripted_review_claims_no_screen_time() -> None:
    session, recorder, clock = new_session(two_hunk_proposal())
    clock.now += 30.0
    session.decide_all([session.items[0].hunk.id], reason="no")
    assert [(row.verdict, row.ms_on_screen, row.bulk) for row in recorder.rows] == [
        (Verdict.ACCEPTED, 0, True),
        (Verdict.REJECTED, 0, True),
    ]


def test_a_refused_write_is_logged_and_the_hunks_are_undecided_again() -> None:
    session, recorder, _ = new_session(two_hunk_proposal())
    session.accept_current()
    outcome = session.reject_current()
    assert outcome is not None
    accepted = [item for item in session.items if item.state.takes_effect]
    session.record_not_applied(accepted, "stale")
    assert [row.verdict for row in recorder.rows] == [
        Verdict.ACCEPTED,
        Verdict.REJECTED,
        Verdict.NOT_APPLIED,
    ]
    assert recorder.rows[-1].reason == "stale"
    assert [item.state for item in session.items] == [HunkState.PENDING, HunkState.REJECTED]
    assert session.decided_count == 1
    assert session.items[0].problem == "stale"
    session.undo_last()  # the reject is the newest verdict still in force
    assert recorder.rows[-1].undoes == 2


def test_split_breaks_a_hunk_at_unchanged_lines() -> None:
    old = numbered(12)
    new = old.replace("line 3\n", "three\n").replace("line 6\n", "six\n")
    session, _, _ = new_session(Proposal("p", "t", (text_change("a", old, new),)))
    assert len(session.items) == 1
    assert session.split_current() == 2
    assert [item.hunk.added for item in session.items] == [1, 1]
    with pytest.raises(SessionError, match="no unchanged lines"):
        session.split_current()


def test_default_keymap_has_every_command_valid_keys_and_no_conflicts() -> None:
    assert set(DEFAULT_KEYMAP) == {command.id for command in COMMANDS}
    assert all(is_valid_key(key) for keys in DEFAULT_KEYMAP.values() for key in keys)
    assert conflicts(DEFAULT_KEYMAP) == []


def test_a_doubly_bound_key_is_reported() -> None:
    keymap = build_keymap({"review.reject_hunk": ["Ctrl+Y"]})
    assert conflicts(keymap) == [
        "Ctrl+Y is bound to both review.accept_hunk and review.reject_hunk"
    ]
    app_clash = build_keymap({"app.quit": ["J"]})
    assert any("J is bound to both" in message for message in conflicts(app_clash))
    # The image commands are live beside the review commands while an image is shown.
    image_clash = build_keymap({"image.pan_down": ["Down"]})
    assert conflicts(image_clash) == ["Down is bound to both review.next_hunk and image.pan_down"]


def test_bad_overrides_name_the_command() -> None:
    with pytest.raises(KeymapError, match="keys.review.nope: no such command"):
        build_keymap({"review.nope": "A"})
    with pytest.raises(KeymapError, match=r"'Ctrl\+' is not a key"):
        build_keymap({"review.accept_hunk": "Ctrl+"})


def test_settings_validate_types_and_build_the_leash() -> None:
    settings = settings_from_document(
        {
            "review": {"level": 3},
            "leash": {"level3": {"max_changed_lines": 10}},
            "keys": {"review.accept_hunk": ["Ctrl+Y", "A"]},
        }
    )
    assert settings["review.level"] == 3
    assert settings.keys["review.accept_hunk"] == ("Ctrl+Y", "A")
    assert settings.leash().limits[Level.FILE].max_changed_lines == 10
    assert default_settings()["view.layout"] == "unified"
    with pytest.raises(SettingsError, match="review.level must be between 1 and 4"):
        settings_from_document({"review": {"level": 9}})
    with pytest.raises(SettingsError, match="unknown setting 'review.colour'"):
        settings_from_document({"review": {"colour": "red"}})
    with pytest.raises(SettingsError, match="must be a whole number"):
        settings_from_document({"view": {"context_lines": True}})


def test_a_reread_change_replaces_its_items_and_the_proposal_follows() -> None:
    session, _, _ = new_session(two_hunk_proposal())
    old_change = session.items[0].change
    session.accept_current()
    fresh = text_change("a.txt", numbered(30), numbered(30).replace("line 9\n", "nine\n"))
    session.replace_change(old_change, [fresh])
    assert [item.hunk.added for item in session.items] == [1]
    assert session.items[0].state is HunkState.PENDING
    (proposal,) = session.proposals
    assert proposal.changes == (fresh,)
    assert session.items[0].proposal is proposal
    assert session.undo_last() is None  # the verdict was on a change that is gone

    extra = text_change("b.txt", "x\n", "y\n")
    session.add_changes(proposal, [extra])
    grown = session.proposals[0]
    assert grown.changes == (fresh, extra)
    assert [item.change.path for item in session.items] == ["a.txt", "b.txt"]
    assert all(item.proposal is grown for item in session.items)
    assert session.violations(grown)  # two files are over level 2's one
    session.replace_change(fresh, [])
    session.replace_change(extra, [])
    assert session.proposals == []
    assert session.current is None


def test_a_hunk_that_hides_characters_is_logged_as_flagged_and_never_accepted_in_bulk() -> None:
    old = numbered(30)
    new = old.replace("line 3\n", "line 3\u202e\n").replace("line 25\n", "LINE 25\n")
    proposal = Proposal("p1", "Hidden", (text_change("a.txt", old, new),))
    session, recorder, _ = new_session(proposal)
    with pytest.raises(SessionError, match="1 of its hunks hide characters .U\\+202E"):
        session.accept_rest_of_proposal()
    assert recorder.rows == []
    session.accept_current(flagged="U+202E RIGHT-TO-LEFT OVERRIDE")
    assert recorder.rows[0].flagged == "U+202E RIGHT-TO-LEFT OVERRIDE"
    session.accept_rest_of_proposal()  # what is left hides nothing
    assert [row.flagged for row in recorder.rows] == ["U+202E RIGHT-TO-LEFT OVERRIDE", ""]


def test_the_model_that_really_answered_is_recorded_beside_the_one_asked_for() -> None:
    old = numbered(10)
    change = text_change("a.txt", old, old.replace("line 3\n", "LINE 3\n"))
    agent = Agent("vetline ask", "openrouter/auto", "openrouter", served_model="x/model-b")
    session, recorder, _ = new_session(Proposal("p", "t", (change,), agent=agent))
    session.accept_current()
    assert (recorder.rows[0].model, recorder.rows[0].served_model) == (
        "openrouter/auto",
        "x/model-b",
    )

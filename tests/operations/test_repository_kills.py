"""A real `vetline apply REPO` killed with SIGKILL, or failed by an I/O error, at every
point of its writes to a git repository (see helpers/stop_points.py).

The repository is then opened again, as the next `apply` or the window would, and each
file must be wholly as the agent left it or wholly as the verdicts make it (index and
work tree alike), with the log saying which: no hunk logged as staged or restored that
is not, no temp file, no folder the write made, no intent or journal left.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers.command_line import vetline
from helpers.gitrepo import GitRepo
from helpers.stop_points import (
    ADDED,
    FROM_THE_SCRIPTED_REVIEW,
    NEW,
    OLD,
    STOP_POINTS,
    run_stopping_at,
    standing_verdicts,
)
from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.files.kept import KeptFiles
from vetline.adapters.git.tree import load_worktree
from vetline.core.session import ReviewSession
from vetline.operations.outcome import OutcomeKind
from vetline.operations.repository_journal import RepositoryWrites, settle_repository
from vetline.operations.repository_target import RepositoryTarget
from vetline.operations.reviewer import Reviewer

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL and inherited pipes")

HALF = OLD.replace("line 3\n", "line three\n")
# a.txt's first hunk accepted and its second rejected: staged, and restored in the work
# tree (both sides change). c.txt accepted; b.txt and the deletion of d/x.txt rejected.
# Per path: (index, work tree) as the agent left them, and as the verdicts make them.
AS_LEFT = {"a.txt": (OLD, NEW), "b.txt": (OLD, NEW), "c.txt": (None, ADDED), "d/x.txt": (OLD, None)}
AS_DECIDED = {
    "a.txt": (HALF, HALF),
    "b.txt": (OLD, OLD),
    "c.txt": (ADDED, ADDED),
    "d/x.txt": (OLD, OLD),
}
VERDICTS = {
    "a.txt": {"accepted", "rejected"},
    "b.txt": {"rejected"},
    "c.txt": {"accepted"},
    "d/x.txt": {"rejected"},
}
# The ids of the accepted hunks, as the child finds them.
CHOOSE = """
def chosen(proposal):
    hunks = {change.path: change.hunks for change in proposal.changes}
    return {hunks["a.txt"][0].id, *(hunk.id for hunk in hunks["c.txt"])}
"""

# `vetline apply REPO --accept <the chosen hunks>`, counted from the review.
STOPPING_APPLY = (
    STOP_POINTS
    + CHOOSE
    + FROM_THE_SCRIPTED_REVIEW
    + """
from pathlib import Path
from vetline.adapters.git.tree import load_worktree

repo = sys.argv[1]
(proposal,) = load_worktree(Path(repo)).proposals
ids = sorted(chosen(proposal))
done(main(["apply", repo, "--accept", ",".join(ids), "--level", "4"]))
"""
)

# The window's way: each hunk decided by its own command, staged or restored at once,
# then the last two undone (the same Reviewer and RepositoryTarget the window drives).
STOPPING_WINDOW = (
    STOP_POINTS
    + CHOOSE
    + """
import time
from pathlib import Path
from vetline.adapters.files.kept import KeptFiles
from vetline.adapters.git.tree import load_worktree
from vetline.core.session import ReviewSession
from vetline.operations.repository_journal import RepositoryWrites, settle_repository
from vetline.operations.outcome import OutcomeKind
from vetline.operations.repository_target import RepositoryTarget
from vetline.operations.reviewer import Reviewer

repo, data = Path(sys.argv[1]), Path(os.environ["VETLINE_DATA_DIR"])
with DecisionLog(data / "decisions.sqlite3") as log:
    tree = load_worktree(repo)
    settle_repository(tree, data, log)
    session = ReviewSession(tree.proposals, record=log.append, clock=time.monotonic, level=4)
    writes = RepositoryWrites(tree, data, log)
    reviewer = Reviewer(session, log, RepositoryTarget(tree, session, KeptFiles(data), writes))
    accepting = chosen(tree.proposals[0])
    active = True
    for _ in range(len(session.items)):
        if session.current is None:
            break
        taken = session.current.hunk.id in accepting
        outcome = reviewer.accept() if taken else reviewer.reject()
        if outcome.problem:
            print(outcome.message, file=sys.stderr)
            break
    for _ in range(2):  # and the last two verdicts undone
        outcome = reviewer.undo()
        if outcome.problem:
            print(outcome.message, file=sys.stderr)
done(0)
"""
)


def agent_left(root: Path) -> GitRepo:
    """A repository whose files the agent changed: two edited, one added, one deleted
    (with its folder)."""
    repo = GitRepo.init(root)
    (root / "d").mkdir()
    for path in ("a.txt", "b.txt", "d/x.txt"):
        (root / path).write_text(OLD, encoding="utf-8")
    repo.git("add", ".")
    repo.git("commit", "-q", "-m", "base")
    for path in ("a.txt", "b.txt"):
        (root / path).write_text(NEW, encoding="utf-8")
    (root / "c.txt").write_text(ADDED, encoding="utf-8")
    (root / "d" / "x.txt").unlink()
    (root / "d").rmdir()
    return repo


def state_of(repo: GitRepo, path: str) -> tuple[str | None, str | None]:
    """(index, work tree) texts at `path`; None: not there."""
    staged = repo.git("ls-files", "-s", "--", path)
    index = repo.git("cat-file", "blob", f":{path}").decode() if staged else None
    file = repo.root / path
    return index, file.read_text(encoding="utf-8") if file.exists() else None


def open_for_review(
    root: Path, data: Path, log: DecisionLog
) -> tuple[ReviewSession, RepositoryTarget]:
    """The repository's changes in a session, and the target the window writes them with."""
    tree = load_worktree(root)
    session = ReviewSession(tree.proposals, record=log.append, clock=time.monotonic, level=4)
    writes = RepositoryWrites(tree, data, log)
    return session, RepositoryTarget(tree, session, KeptFiles(data), writes)


def reviewing(
    root: Path, data: Path, log: DecisionLog
) -> tuple[ReviewSession, RepositoryTarget, Reviewer]:
    """`open_for_review`, with the Reviewer the window drives them with."""
    session, target = open_for_review(root, data, log)
    return session, target, Reviewer(session, log, target)


def go_to(session: ReviewSession, path: str) -> None:
    """Show the first hunk of `path`."""
    session.show(next(i for i, item in enumerate(session.items) if item.change.path == path))


def reopen(root: Path, data: Path) -> list[str]:
    """Open the repository for review as the next apply or the window does."""
    with DecisionLog(data / "decisions.sqlite3") as log:
        return list(settle_repository(load_worktree(root), data, log).notes)


def check_each_file_agrees(repo: GitRepo, data: Path, said: str) -> int:
    """Each file wholly as left or as decided, as its standing verdicts say; nothing of
    ours left anywhere. Returns how many files were written."""
    verdicts = standing_verdicts(data)
    written = 0
    for path, left in AS_LEFT.items():
        now = state_of(repo, path)
        assert now in (left, AS_DECIDED[path]), (said, path, now)
        decided = now == AS_DECIDED[path]
        hunks = verdicts.get(path, [])
        if decided:
            assert set(hunks) == VERDICTS[path], (said, path, hunks)
        else:
            assert set(hunks) <= {"pending", "refused"}, (said, path, hunks)
        written += decided
    check_nothing_of_ours_is_left(repo, data, said)
    return written


def check_nothing_of_ours_is_left(repo: GitRepo, data: Path, said: str) -> None:
    """No temp file or backup in the work tree, no folder a write made and never filled,
    no intent or journal in the data folder."""
    assert (repo.root / "d").exists() == (state_of(repo, "d/x.txt")[1] is not None), said
    ours = [p for p in repo.root.rglob("*") if ".vetline-" in p.name and ".git" not in p.parts]
    assert ours == [], (said, ours)
    for folder in ("write-intents", "write-journals"):
        left_behind = list((data / folder).iterdir()) if (data / folder).is_dir() else []
        assert left_behind == [], (said, left_behind)


def standing_in_order(data: Path) -> dict[str, list[str]]:
    """Per path, each hunk's standing verdict in the order the hunks were first logged
    (the queue's order); not_applied and undone: pending again."""
    standing: dict[str, dict[str, str]] = {}
    with DecisionLog(data / "decisions.sqlite3") as log:
        for row in log.rows():
            undecided = row["verdict"] in ("not_applied", "undone")
            verdict = "pending" if undecided else str(row["verdict"])
            standing.setdefault(str(row["path"]), {})[str(row["hunk_id"])] = verdict
    return {path: list(hunks.values()) for path, hunks in standing.items()}


def as_verdicts_make_it(path: str, verdicts: list[str]) -> tuple[str | None, str | None]:
    """(index, work tree) at `path` as these verdicts on its hunks, in order, make it."""
    first = [*verdicts, "pending"][0]
    if path == "c.txt":  # a new file: accept stages it, reject removes it
        return {"accepted": (ADDED, ADDED), "rejected": (None, None)}.get(first, (None, ADDED))
    if path == "d/x.txt":  # a deletion: accept stages it, reject brings the file back
        return {"accepted": (None, None), "rejected": (OLD, OLD)}.get(first, (OLD, None))
    index, tree = OLD, NEW
    edits = [("line 3\n", "line three\n"), ("line 15\n", "line fifteen\n")]
    for (old, new), verdict in zip(edits, [*verdicts, "pending", "pending"], strict=False):
        if verdict == "accepted":
            index = index.replace(old, new)
        if verdict == "rejected":
            tree = tree.replace(new, old)
    return index, tree


def check_each_hunk_agrees(repo: GitRepo, data: Path, said: str) -> int:
    """Hunks decided one at a time (the window's way): each file's index and work tree
    are exactly what its standing verdicts make them; nothing of ours left anywhere.
    Returns how many hunks stand decided."""
    verdicts = standing_in_order(data)
    for path in AS_LEFT:
        assert state_of(repo, path) == as_verdicts_make_it(path, verdicts.get(path, [])), (
            said,
            path,
            verdicts.get(path),
        )
    check_nothing_of_ours_is_left(repo, data, said)
    return sum(verdict != "pending" for hunks in verdicts.values() for verdict in hunks)


def at_every_point(
    tmp_path: Path, check: Callable[[GitRepo, Path, str], int], **how: Any
) -> list[int]:
    """Run once to count the points, then once per point (killed, or failed, there);
    reopen the repository and `check` it; returns what each check said."""
    script = how.pop("script", STOPPING_APPLY)
    whole = run_stopping_at(0, script, [str(agent_left(tmp_path / "r0").root)], tmp_path / "d0")
    points = int(whole.split()[1])
    assert points > 10, whole  # the writes' steps are all there to stop at
    checked = []
    for point in range(1, points + 1):
        repo = agent_left(tmp_path / f"r{point}")
        data = tmp_path / f"d{point}"
        said = run_stopping_at(point, script, [str(repo.root)], data, **how)
        assert said.startswith(f"at {point} "), said
        reopen(repo.root, data)
        checked.append(check(repo, data, said))
    return checked


def test_a_kill_at_any_point_of_a_repository_apply_leaves_the_log_and_the_disk_agreeing(
    tmp_path: Path,
) -> None:
    written = at_every_point(tmp_path, check_each_file_agrees)
    assert min(written) == 0  # killed before any file was written...
    assert max(written) == len(AS_LEFT)  # ...and after all of them


def test_an_io_error_at_any_point_of_a_repository_apply_leaves_them_agreeing(
    tmp_path: Path,
) -> None:
    written = at_every_point(tmp_path, check_each_file_agrees, fail=True)
    assert min(written) == 0
    assert max(written) == len(AS_LEFT)


def test_a_kill_at_any_point_of_a_review_of_a_repository_in_the_window(tmp_path: Path) -> None:
    decided = at_every_point(tmp_path, check_each_hunk_agrees, script=STOPPING_WINDOW)
    assert min(decided) == 0  # killed before the first verdict took effect...
    assert max(decided) == 6  # ...and after the last of the six


def test_an_io_error_at_any_point_of_a_review_of_a_repository_in_the_window(
    tmp_path: Path,
) -> None:
    """The review ends with two undos. One whose index or work tree cannot be put back
    (an I/O error) is no undo: the verdict it undid is logged again, so the log says
    what is staged and restored (and the window goes on: no traceback)."""
    decided = at_every_point(tmp_path, check_each_hunk_agrees, script=STOPPING_WINDOW, fail=True)
    assert min(decided) == 0  # failed before the first verdict took effect
    assert max(decided) == 5  # an undo not carried out: the verdict it undid stands
    assert decided[-1] == 4  # failed after both undos were carried out


def test_a_logged_accept_whose_staging_never_happened_is_recorded_not_applied(
    tmp_path: Path,
) -> None:
    """The gap itself, without a kill: a verdict logged, its intent noted, no write."""
    repo = agent_left(tmp_path / "repo")
    data = tmp_path / "data"
    with DecisionLog(data / "decisions.sqlite3") as log:
        session, target = open_for_review(repo.root, data, log)
        go_to(session, "a.txt")
        current = session.current
        assert current is not None
        assert target.before_verdict(current.proposal, [current.change]) is None
        session.accept_current()  # logged; then the process "dies" before staging

    notes = reopen(repo.root, data)

    assert any("a verdict logged before a crash was not applied" in note for note in notes)
    assert state_of(repo, "a.txt") == AS_LEFT["a.txt"]
    assert standing_verdicts(data)["a.txt"] == ["pending"]
    assert not list((data / "write-intents").iterdir())


def test_an_index_staged_without_its_work_tree_is_put_back(tmp_path: Path) -> None:
    repo = agent_left(tmp_path / "repo")
    data = tmp_path / "data"
    with DecisionLog(data / "decisions.sqlite3") as log:
        session, target = open_for_review(repo.root, data, log)
        tree = target.tree
        (proposal,) = tree.proposals
        hunks = {change.path: change.hunks for change in proposal.changes}
        chosen = {hunks["a.txt"][0].id}
        prepared = target.prepare(session.proposals, chosen)
        prepared.announce(log.end().rows)
        session.decide_all(list(chosen))
        # a.txt's index staged, its work tree not: as a kill between the two leaves it.
        half = next(plan for _, change, plan in prepared.plans if change.path == "a.txt")
        repo.git("hash-object", "-w", "--stdin", stdin=HALF.encode())
        tree.put_index({path: after for path, (_, after) in half.index.items()})
        assert state_of(repo, "a.txt") == (HALF, NEW)

    notes = reopen(repo.root, data)

    assert any("put back the index of a.txt" in note for note in notes), notes
    for path, left in AS_LEFT.items():
        assert state_of(repo, path) == left, path
    assert all(set(hunks) == {"pending"} for hunks in standing_verdicts(data).values())


# `vetline restore KEPT_ID`, counted from its start.
STOPPING_RESTORE = (
    STOP_POINTS
    + """
from vetline.cli import main
active = True
done(main(["restore", sys.argv[1]]))
"""
)


def rejected_with_a_kept_copy(root: Path, data: Path) -> tuple[GitRepo, str]:
    """a.txt as the agent left it, rejected by `vetline apply`: its kept id."""
    repo = agent_left(root)
    applied = run_stopping_at(
        0, STOP_POINTS + FROM_THE_SCRIPTED_REVIEW + APPLY_NONE, [str(repo.root)], data
    )
    assert applied.startswith("passed"), applied
    with DecisionLog(data / "decisions.sqlite3") as log:
        (kept,) = {str(row["kept"]) for row in log.rows() if row["path"] == "a.txt"}
    assert state_of(repo, "a.txt") == (OLD, OLD)
    return repo, kept


APPLY_NONE = """
done(main(["apply", sys.argv[1], "--accept", "none", "--level", "4"]))
"""


def test_a_kill_at_any_point_of_a_restore_leaves_the_log_and_the_disk_agreeing(
    tmp_path: Path,
) -> None:
    repo, kept = rejected_with_a_kept_copy(tmp_path / "r0", tmp_path / "d0")
    whole = run_stopping_at(0, STOPPING_RESTORE, [kept], tmp_path / "d0")
    points = int(whole.split()[1])
    assert points > 3, whole
    back_at: list[bool] = []
    for point in range(1, points + 1):
        data = tmp_path / f"d{point}"
        repo, kept = rejected_with_a_kept_copy(tmp_path / f"r{point}", data)
        said = run_stopping_at(point, STOPPING_RESTORE, [kept], data)
        reopen(repo.root, data)
        back = state_of(repo, "a.txt") == (OLD, NEW)
        assert back or state_of(repo, "a.txt") == (OLD, OLD), said
        with DecisionLog(data / "decisions.sqlite3") as log:
            undone = [row for row in log.rows() if row["verdict"] == "undone"]
        assert [row["path"] for row in undone] == (["a.txt", "a.txt"] if back else []), said
        check_nothing_of_ours_is_left(repo, data, said)
        back_at.append(back)
    assert set(back_at) == {True, False}  # killed before the file was back, and after


def undo_logged_not_carried_out(root: Path, data: Path) -> GitRepo:
    """a.txt's first hunk accepted (staged), then its undo noted and logged, and the
    index never put back: as a kill between the two leaves it."""
    repo = agent_left(root)
    with DecisionLog(data / "decisions.sqlite3") as log:
        session, target = open_for_review(repo.root, data, log)
        go_to(session, "a.txt")
        assert not Reviewer(session, log, target).accept().problem  # staged
        assert state_of(repo, "a.txt") == (HALF, NEW)
        assert target.before_undo() is None
        session.undo_last()  # logged; then the process "dies" before the index is put back
    return repo


def test_a_restore_killed_at_any_point_is_settled_by_the_next_restore(tmp_path: Path) -> None:
    """`vetline restore` settles what a killed restore left before it restores: the file
    is back once, with its two undone rows, and nothing of ours is left."""
    repo, kept = rejected_with_a_kept_copy(tmp_path / "r0", tmp_path / "d0")
    points = int(run_stopping_at(0, STOPPING_RESTORE, [kept], tmp_path / "d0").split()[1])
    settled_by_it = 0
    for point in range(1, points + 1):
        data = tmp_path / f"d{point}"
        repo, kept = rejected_with_a_kept_copy(tmp_path / f"r{point}", data)
        said = run_stopping_at(point, STOPPING_RESTORE, [kept], data)

        again = vetline("restore", kept, data_dir=data)

        assert again.returncode == 0, (said, again.stderr)
        settled_by_it += "vetline: " in again.stderr
        assert state_of(repo, "a.txt") == (OLD, NEW), said
        with DecisionLog(data / "decisions.sqlite3") as log:
            undone = [row["path"] for row in log.rows() if row["verdict"] == "undone"]
        assert undone == ["a.txt", "a.txt"], said
        check_nothing_of_ours_is_left(repo, data, said)
    assert settled_by_it > 0  # some kills left a temp file or the rows to log: said so


def test_a_restore_settles_what_a_killed_review_left_in_its_repository(tmp_path: Path) -> None:
    repo = agent_left(tmp_path / "repo")
    data = tmp_path / "data"
    with DecisionLog(data / "decisions.sqlite3") as log:
        session, target, reviewer = reviewing(repo.root, data, log)
        go_to(session, "c.txt")
        assert not reviewer.reject().problem  # the new file removed, and kept
        (kept,) = {str(row["kept"]) for row in log.rows() if row["path"] == "c.txt"}
        go_to(session, "a.txt")
        assert not reviewer.accept().problem  # staged
        assert target.before_undo() is None
        session.undo_last()  # logged; then the process "dies" before the index is put back

    restored = vetline("restore", kept, data_dir=data)

    assert restored.returncode == 0, restored.stderr
    assert "a.txt: an undo logged before a crash was not carried out" in restored.stderr
    assert state_of(repo, "c.txt") == (None, ADDED)
    assert state_of(repo, "a.txt") == (HALF, NEW)
    assert standing_in_order(data)["a.txt"] == ["accepted"]
    check_nothing_of_ours_is_left(repo, data, "restore")


def test_an_undo_logged_whose_write_never_happened_leaves_the_verdict_standing(
    tmp_path: Path,
) -> None:
    """The gap for an undo, without a kill: the undo logged, no write; the verdict it
    undid is what the disk holds, so the log says it again."""
    data = tmp_path / "data"
    repo = undo_logged_not_carried_out(tmp_path / "repo", data)

    notes = reopen(repo.root, data)

    assert any("an undo logged before a crash was not carried out" in note for note in notes)
    assert state_of(repo, "a.txt") == (HALF, NEW)
    assert standing_in_order(data)["a.txt"] == ["accepted"]
    assert not list((data / "write-intents").iterdir())


def test_an_undo_of_a_file_changed_under_the_review_is_refused_and_nothing_is_logged(
    tmp_path: Path,
) -> None:
    """Undo must never write a file it did not note, nor log an undo it cannot carry
    out: a file someone changed since it was shown is re-read instead."""
    repo = agent_left(tmp_path / "repo")
    data = tmp_path / "data"
    with DecisionLog(data / "decisions.sqlite3") as log:
        session, _, reviewer = reviewing(repo.root, data, log)
        go_to(session, "a.txt")
        assert not reviewer.accept().problem  # staged
        edited = NEW.replace("line 9\n", "line nine\n")
        (repo.root / "a.txt").write_text(edited, encoding="utf-8")  # the agent goes on
        rows = log.end().rows

        outcome = reviewer.undo()

        assert outcome.kind is OutcomeKind.REFUSED, outcome
        assert "nothing was undone: a.txt changed on disk" in outcome.message
        assert log.end().rows == rows  # no undo logged
        (hunk,) = [item.hunk for item in session.items if item.change.path == "a.txt"]
        assert {"line nine\n", "line fifteen\n"} <= set(hunk.texts)  # re-read, line 3 staged
    assert state_of(repo, "a.txt") == (HALF, edited)
    assert standing_in_order(data)["a.txt"] == ["accepted"]
    assert not list((data / "write-intents").iterdir())


# The next opening of a repository (`settle_repository`), counted from its start.
STOPPING_REOPEN = (
    STOP_POINTS
    + """
from pathlib import Path
from vetline.adapters.git.tree import load_worktree
from vetline.operations.repository_journal import settle_repository

data = Path(os.environ["VETLINE_DATA_DIR"])
with DecisionLog(data / "decisions.sqlite3") as log:
    tree = load_worktree(Path(sys.argv[1]))
    active = True
    settle_repository(tree, data, log)
done(0)
"""
)


def test_an_opening_killed_while_it_logs_an_undone_verdict_again_is_finished_by_the_next(
    tmp_path: Path,
) -> None:
    """The verdict logged again, the note not yet forgotten: the next opening must not
    take that row for a verdict whose write never happened."""
    repo = undo_logged_not_carried_out(tmp_path / "r0", tmp_path / "d0")
    whole = run_stopping_at(0, STOPPING_REOPEN, [str(repo.root)], tmp_path / "d0")
    points = int(whole.split()[1])
    assert points >= 2, whole  # the row logged again, and the note forgotten
    for point in range(1, points + 1):
        data = tmp_path / f"d{point}"
        repo = undo_logged_not_carried_out(tmp_path / f"r{point}", data)
        said = run_stopping_at(point, STOPPING_REOPEN, [str(repo.root)], data)
        assert said.startswith(f"at {point} "), said
        reopen(repo.root, data)
        assert state_of(repo, "a.txt") == (HALF, NEW), said
        assert standing_in_order(data)["a.txt"] == ["accepted"], said
        check_nothing_of_ours_is_left(repo, data, said)

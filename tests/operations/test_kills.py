"""A real `vetline apply` killed with SIGKILL, or failed by an I/O error, at every point
of its write, one point per run (see helpers/stop_points.py).

The points are counted once the scripted review has begun. The workspace is then
opened again, as the next `apply` or the window would, and must hold no leftover of
ours, no torn file, no folder the write made, and exactly what the log says.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers.gitrepo import git
from helpers.proposals import proposal_of, text_change
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
from vetline.adapters.inputs import load_source
from vetline.core.leash import DEFAULT_DENIED_PATHS
from vetline.core.session import ReviewSession
from vetline.operations.reviewer import Reviewer
from vetline.operations.workspace_target import WorkspaceTarget

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL and inherited pipes")

NAMES = ("a.txt", "b.txt")
HUNKS = {"a.txt": 2, "b.txt": 2, "c.txt": 1}  # hunks of each file in the patch

# `vetline apply PATCH --workspace WS --accept all`, counted from the scripted review.
STOPPING_APPLY = (
    STOP_POINTS
    + FROM_THE_SCRIPTED_REVIEW
    + """
done(main(["apply", sys.argv[1], "--workspace", sys.argv[2], "--accept", "all", "--level", "4"]))
"""
)

# The window's way: each hunk accepted by its own command, each file written once all
# its hunks are decided (the same Reviewer and WorkspaceTarget the window drives); then
# as many undos as the third argument says, each putting back the file its verdict wrote.
STOPPING_WINDOW = (
    STOP_POINTS
    + """
import time
from pathlib import Path
from vetline.adapters.inputs import load_source
from vetline.core.session import ReviewSession
from vetline.operations.reviewer import Reviewer
from vetline.operations.workspace_target import WorkspaceTarget

patch, workspace, data = sys.argv[1], Path(sys.argv[2]), Path(os.environ["VETLINE_DATA_DIR"])
with DecisionLog(data / "decisions.sqlite3") as log:
    session = ReviewSession(
        load_source(patch, workspace), record=log.append, clock=time.monotonic, level=4
    )
    target, _ = WorkspaceTarget.open(workspace, session, data, log=log)
    reviewer = Reviewer(session, log, target)
    active = True
    for _ in range(len(session.items)):
        outcome = reviewer.accept()
        if outcome.problem:
            print(outcome.message, file=sys.stderr)
    for _ in range(int(sys.argv[3])):
        outcome = reviewer.undo()
        if outcome.problem:
            print(outcome.message, file=sys.stderr)
done(0)
"""
)


def make_patch(folder: Path) -> Path:
    """Two files changed and one added, as `git diff` writes it."""
    for side in ("old", "new"):
        (folder / side).mkdir(parents=True)
        for name in NAMES:
            (folder / side / name).write_text(OLD if side == "old" else NEW, encoding="utf-8")
    (folder / "new" / "c.txt").write_text(ADDED, encoding="utf-8")
    diff = git(folder, "diff", "--no-index", "--no-color", "old", "new", check=False)
    patch = folder / "change.patch"
    patch.write_bytes(diff.replace(b"a/old/", b"a/").replace(b"b/new/", b"b/"))
    return patch


def fresh_workspace(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in NAMES:
        (folder / name).write_text(OLD, encoding="utf-8")
    return folder


def apply_stopping_at(
    stop_at: int,
    patch: Path,
    workspace: Path,
    data: Path,
    *,
    fail: bool = False,
    script: str = STOPPING_APPLY,
    undos: int = 0,
) -> str:
    """Run the apply (or the window's review, with `undos` undos at its end); kill it
    with SIGKILL where it stops (or, with `fail`, fail the call there and let it go on).
    Returns the child's report."""
    args = [str(patch), str(workspace), str(undos)]
    return run_stopping_at(stop_at, script, args, data, fail=fail)


def reopen(workspace: Path, data: Path) -> list[str]:
    """Open the workspace for writing as the next apply or the window does."""
    with DecisionLog(data / "decisions.sqlite3") as log:
        session = ReviewSession([], record=log.append, clock=time.monotonic)
        _, notes = WorkspaceTarget.open(workspace, session, data, DEFAULT_DENIED_PATHS, log=log)
    return notes


def check_log_and_disk_agree(workspace: Path, data: Path, said: str) -> bool:
    """Returns whether the write happened; fails naming the point otherwise."""
    names = sorted(path.name for path in workspace.iterdir())
    texts = {name: (workspace / name).read_text(encoding="utf-8") for name in names}
    written = texts.get("c.txt") == ADDED
    if written:
        assert names == ["a.txt", "b.txt", "c.txt"], said
        assert texts == {"a.txt": NEW, "b.txt": NEW, "c.txt": ADDED}, said
    else:
        assert names == ["a.txt", "b.txt"], (said, names)  # no temp file, no backup
        assert texts == {"a.txt": OLD, "b.txt": OLD}, said  # all or nothing
    verdicts = standing_verdicts(data)
    for path, hunks in verdicts.items():
        if written:
            assert hunks == ["accepted"] * len(hunks), (said, path, hunks)
        else:
            assert "accepted" not in hunks, (said, path, hunks)
    if written:
        assert sorted(verdicts) == ["a.txt", "b.txt", "c.txt"], said
    for folder in ("write-intents", "write-journals"):
        left = list((data / folder).iterdir()) if (data / folder).is_dir() else []
        assert left == [], (said, left)
    return written


def at_every_point(
    tmp_path: Path, check: Callable[[Path, Path, str], object], **how: Any
) -> list[object]:
    """Run the child once to count its points, then once per point (killed, or failed,
    there), reopen the workspace and `check` it; returns what each check said."""
    patch = make_patch(tmp_path / "patch")
    whole = apply_stopping_at(0, patch, fresh_workspace(tmp_path / "w0"), tmp_path / "d0", **how)
    points = int(whole.split()[1])
    assert points > 10, whole  # the write's steps are all there to stop at
    checked = []
    for point in range(1, points + 1):
        workspace = fresh_workspace(tmp_path / f"w{point}")
        data = tmp_path / f"d{point}"
        said = apply_stopping_at(point, patch, workspace, data, **how)
        assert said.startswith(f"at {point} "), said
        reopen(workspace, data)
        checked.append(check(workspace, data, said))
    return checked


def test_a_kill_at_any_point_of_a_write_leaves_no_leftovers_and_the_log_agrees(
    tmp_path: Path,
) -> None:
    written = at_every_point(tmp_path, check_log_and_disk_agree)
    # Both ends were reached: kills before the renames, and kills after them.
    assert set(written) == {True, False}


def test_an_io_error_at_any_point_of_a_write_leaves_the_log_and_the_disk_agreeing(
    tmp_path: Path,
) -> None:
    written = at_every_point(tmp_path, check_log_and_disk_agree, fail=True)
    assert set(written) == {True, False}


def check_each_file_agrees(workspace: Path, data: Path, said: str) -> int:
    """Files written one by one (the window's way): each is whole, as it was or as
    proposed, and as proposed exactly when every hunk of it stands accepted in the log.
    Returns how many were written."""
    proposed = {"a.txt": (OLD, NEW), "b.txt": (OLD, NEW), "c.txt": (None, ADDED)}
    names = sorted(path.name for path in workspace.iterdir())
    assert set(names) <= set(proposed), (said, names)  # no temp file, no backup
    verdicts = standing_verdicts(data)
    written = 0
    for name, (old, new) in proposed.items():
        path = workspace / name
        text = path.read_text(encoding="utf-8") if path.exists() else None
        assert text in (old, new), (said, name, text)
        all_accepted = verdicts.get(name, []) == ["accepted"] * HUNKS[name]
        assert all_accepted == (text == new), (said, name, verdicts.get(name))
        written += text == new
    for folder in ("write-intents", "write-journals"):
        left = list((data / folder).iterdir()) if (data / folder).is_dir() else []
        assert left == [], (said, left)
    return written


def test_a_kill_at_any_point_of_a_review_in_the_window_leaves_the_log_and_disk_agreeing(
    tmp_path: Path,
) -> None:
    patch = make_patch(tmp_path / "hunks")
    found = {
        change.path: len(change.hunks)
        for proposal in load_source(str(patch), fresh_workspace(tmp_path / "w-hunks"))
        for change in proposal.changes
    }
    assert found == HUNKS  # a file waits for its second hunk before it is written

    written = at_every_point(tmp_path, check_each_file_agrees, script=STOPPING_WINDOW)
    assert set(written) == {0, 1, 2, 3}  # killed before, between and after the files' writes


def test_a_kill_at_any_point_of_an_undo_in_the_window_leaves_the_log_and_disk_agreeing(
    tmp_path: Path,
) -> None:
    """Two undos after the review: c.txt's accept (it goes again) and b.txt's last one
    (its old text comes back). An undo logged whose file was never put back leaves the
    verdict it undid standing in the log, logged again on the next open."""
    written = at_every_point(tmp_path, check_each_file_agrees, script=STOPPING_WINDOW, undos=2)
    assert set(written) == {0, 1, 2, 3}  # killed before, between and after writes and undos
    assert written[-1] == 1  # both undos carried out: only a.txt stays written


def test_an_io_error_at_any_point_of_an_undo_in_the_window_leaves_them_agreeing(
    tmp_path: Path,
) -> None:
    """An undo whose file cannot be put back is no undo: the verdict is logged again
    (and the window goes on: no traceback)."""
    written = at_every_point(
        tmp_path, check_each_file_agrees, script=STOPPING_WINDOW, undos=2, fail=True
    )
    assert set(written) == {0, 1, 2}  # a failed undo leaves two files written, at most


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names descriptors by /proc")
def test_a_write_whose_folder_sync_failed_is_not_taken_for_interrupted_after_a_later_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first proposal's write to a.txt is whole, but its folder cannot be synced (EIO):
    its note stays. A second proposal then writes a.txt again. The next opening must not
    judge the first write by the disk the second left: both verdicts stand."""
    workspace, data = tmp_path / "ws", tmp_path / "data"
    workspace.mkdir()
    (workspace / "a.txt").write_text(OLD, encoding="utf-8")
    middle = OLD.replace("line 3\n", "line three\n")
    first = proposal_of(text_change("a.txt", OLD, middle), proposal_id="first")
    second = proposal_of(text_change("a.txt", middle, NEW), proposal_id="second")
    real_fsync = os.fsync

    def folders_fail(descriptor: int) -> None:
        """The workspace's folders cannot be synced (Vetline's own data folder can)."""
        where = str(Path(f"/proc/self/fd/{descriptor}").readlink())
        if stat.S_ISDIR(os.fstat(descriptor).st_mode) and where.startswith(str(workspace)):
            raise OSError(errno.EIO, "Input/output error")
        real_fsync(descriptor)

    with DecisionLog(data / "decisions.sqlite3") as log:
        session = ReviewSession([first, second], record=log.append, clock=time.monotonic)
        target, _ = WorkspaceTarget.open(workspace, session, data, DEFAULT_DENIED_PATHS, log=log)
        reviewer = Reviewer(session, log, target)
        monkeypatch.setattr(os, "fsync", folders_fail)
        assert reviewer.accept().ok
        monkeypatch.setattr(os, "fsync", real_fsync)
        assert (workspace / "a.txt").read_text(encoding="utf-8") == middle
        assert reviewer.accept().ok
    assert (workspace / "a.txt").read_text(encoding="utf-8") == NEW

    reopen(workspace, data)

    with DecisionLog(data / "decisions.sqlite3") as log:
        verdicts = [(row["proposal_id"], row["verdict"]) for row in log.rows()]
    assert verdicts == [("first", "accepted"), ("second", "accepted")]
    assert not (data / "write-intents").is_dir() or not list((data / "write-intents").iterdir())

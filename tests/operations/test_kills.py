"""A real `vetline apply` killed with SIGKILL, or failed by an I/O error, at every point
of its write, one point per run.

The child stops at its n-th file-system call (or log append) once the scripted review
has begun, says so through a pipe and waits; the test then kills it with SIGKILL —
waiting on the child's word, never on a clock. Or the n-th call fails with EIO (the log
with the error SQLite's "disk I/O error" gives) and the child goes on as it would. The workspace is
then opened again, as the next `apply` or the window would, and must hold no leftover
of ours, no torn file, and exactly what the log says.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from helpers.gitrepo import git
from vetline.adapters.decision_log import DecisionLog
from vetline.core.leash import DEFAULT_DENIED_PATHS
from vetline.core.session import ReviewSession
from vetline.operations.workspace_target import WorkspaceTarget

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL and inherited pipes")

OLD = "".join(f"line {i}\n" for i in range(20))
NEW = OLD.replace("line 3\n", "line three\n").replace("line 15\n", "line fifteen\n")
ADDED = "a new file\n"
NAMES = ("a.txt", "b.txt")

# `vetline apply` that stops at its n-th point (0: never; it then reports how many
# points it passed). Points are the file-system calls Vetline's writes make (through
# the os module) and each append to the decision log, from the start of the review.
STOPPING_APPLY = textwrap.dedent(
    """
    import os, sys
    from vetline.adapters.decision_log import DecisionLog
    from vetline.cli import main
    from vetline.operations.reviewer import Reviewer

    import errno
    from vetline.adapters.decision_log import DecisionLogError

    report = int(os.environ["VETLINE_TEST_REPORT_FD"])
    stop_at = int(os.environ["VETLINE_TEST_STOP_AT"])
    failing = os.environ["VETLINE_TEST_MODE"] == "fail"
    write, read = os.write, os.read
    passed = 0
    active = False

    def point(name, args=()):
        global passed
        if not active or (failing and not name.startswith("before")):
            return
        passed += 1
        if passed != stop_at:
            return
        write(report, f"at {passed} {name}\\n".encode())
        if not failing:
            read(0, 1)  # stdin stays open and silent: wait here for the kill
        elif name.endswith("log append"):  # as append says SQLite's error
            raise DecisionLogError("the decision log failed: disk I/O error")
        else:
            where = str(args[0]) if args and isinstance(args[0], (str, os.PathLike)) else None
            raise OSError(errno.EIO, "Input/output error", where)

    def watched(name, function):
        def call(*args, **kwargs):
            point(f"before {name}", args)
            result = function(*args, **kwargs)
            point(f"after {name}")
            return result
        return call

    for name in ("open", "fsync", "link", "replace", "rename", "unlink", "rmdir", "mkdir",
                 "chmod", "close"):
        setattr(os, name, watched(name, getattr(os, name)))
    DecisionLog.append = watched("log append", DecisionLog.append)
    decide_all = Reviewer.decide_all

    def deciding(self, *args, **kwargs):
        global active
        active = True
        return decide_all(self, *args, **kwargs)

    Reviewer.decide_all = deciding
    code = main(sys.argv[1:])
    active = False
    write(report, f"passed {passed}\\n".encode())
    sys.exit(code)
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
    stop_at: int, patch: Path, workspace: Path, data: Path, *, fail: bool = False
) -> str:
    """Run the apply; kill it with SIGKILL where it stops (or, with `fail`, fail the call
    there and let it go on). Returns the child's report."""
    read_end, write_end = os.pipe()
    env = {
        **os.environ,
        "VETLINE_DATA_DIR": str(data),
        "VETLINE_TEST_REPORT_FD": str(write_end),
        "VETLINE_TEST_STOP_AT": str(stop_at),
        "VETLINE_TEST_MODE": "fail" if fail else "stop",
    }
    arguments = ["apply", str(patch), "--workspace", str(workspace), "--accept", "all"]
    child = subprocess.Popen(
        [sys.executable, "-c", STOPPING_APPLY, *arguments, "--level", "4"],
        env=env,
        pass_fds=(write_end,),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as reports:
        said = reports.readline()  # the child stopped at its point, or finished
        if said.startswith("at ") and not fail:
            child.send_signal(signal.SIGKILL)
        reports.read()  # a failed call's child goes on to the end, and says so
    _, errors = child.communicate(timeout=120)
    if fail:
        # An I/O error is reported, never a crash: exit 1 and words, or done anyway.
        assert child.returncode in (0, 1) and "Traceback" not in errors, (said, errors)
    elif said.startswith("at "):
        assert child.returncode == -signal.SIGKILL, said
    else:
        assert child.returncode == 0, said
    return said.strip()


def reopen(workspace: Path, data: Path) -> list[str]:
    """Open the workspace for writing as the next apply or the window does."""
    with DecisionLog(data / "decisions.sqlite3") as log:
        session = ReviewSession([], record=log.append, clock=time.monotonic)
        _, notes = WorkspaceTarget.open(workspace, session, data, DEFAULT_DENIED_PATHS, log=log)
    return notes


def standing_verdicts(data: Path) -> dict[str, list[str]]:
    """Per path, each hunk's verdict as the log has it now (not_applied: pending again)."""
    standing: dict[tuple[str, str], str] = {}
    with DecisionLog(data / "decisions.sqlite3") as log:
        for row in log.rows():
            key = (str(row["path"]), str(row["hunk_id"]))
            standing[key] = "pending" if row["verdict"] == "not_applied" else str(row["verdict"])
    by_path: dict[str, list[str]] = {}
    for (path, _), verdict in sorted(standing.items()):
        by_path.setdefault(path, []).append(verdict)
    return by_path


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


def test_a_kill_at_any_point_of_a_write_leaves_no_leftovers_and_the_log_agrees(
    tmp_path: Path,
) -> None:
    patch = make_patch(tmp_path / "patch")
    whole = apply_stopping_at(0, patch, fresh_workspace(tmp_path / "w0"), tmp_path / "d0")
    points = int(whole.split()[1])
    assert points > 20, whole  # the write's steps are all there to stop at

    outcomes: dict[bool, int] = {True: 0, False: 0}
    for stop_at in range(1, points + 1):
        workspace = fresh_workspace(tmp_path / f"w{stop_at}")
        data = tmp_path / f"d{stop_at}"
        said = apply_stopping_at(stop_at, patch, workspace, data)
        assert said.startswith(f"at {stop_at} "), said
        reopen(workspace, data)
        outcomes[check_log_and_disk_agree(workspace, data, said)] += 1
    # Both ends were reached: kills before the renames, and kills after them.
    assert outcomes[True] > 0 and outcomes[False] > 0, outcomes


def test_an_io_error_at_any_point_of_a_write_leaves_the_log_and_the_disk_agreeing(
    tmp_path: Path,
) -> None:
    patch = make_patch(tmp_path / "patch")
    whole = apply_stopping_at(
        0, patch, fresh_workspace(tmp_path / "w0"), tmp_path / "d0", fail=True
    )
    points = int(whole.split()[1])
    assert points > 10, whole

    for fail_at in range(1, points + 1):
        workspace = fresh_workspace(tmp_path / f"w{fail_at}")
        data = tmp_path / f"d{fail_at}"
        said = apply_stopping_at(fail_at, patch, workspace, data, fail=True)
        assert said.startswith(f"at {fail_at} "), said
        reopen(workspace, data)
        check_log_and_disk_agree(workspace, data, said)

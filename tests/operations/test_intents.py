"""The log and the disk agree after a crash or an I/O error between a verdict and its write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import HANG_GUARD_S
from helpers.command_line import vetline
from helpers.gitrepo import git
from vetline.adapters.decision_log import DecisionLog

OLD = "".join(f"line {i}\n" for i in range(20))
NEW = OLD.replace("line 3\n", "line three\n")

# `vetline apply` in a child process that dies (os._exit, no clean-up) at a chosen point:
# "before" the files are written (the verdicts are logged by then), or "after" they are
# written but before the write is settled.
CRASHING_APPLY = textwrap.dedent(
    """
    import os, sys
    from vetline.adapters.files import workspace
    from vetline.cli import main

    where = sys.argv[1]
    original = workspace.Workspace.write

    def write(self, plan, *args, **kwargs):
        if where == "before":
            os._exit(9)
        original(self, plan, *args, **kwargs)
        os._exit(9)

    workspace.Workspace.write = write
    sys.exit(main(sys.argv[2:]))
    """
)


@pytest.fixture
def patch_file(tmp_path: Path) -> Path:
    """A two-file patch, and a workspace holding its base."""
    for side, text in (("old", OLD), ("new", NEW)):
        for name in ("a.txt", "b.txt"):
            (tmp_path / side).mkdir(exist_ok=True)
            (tmp_path / side / name).write_text(text, encoding="utf-8")
    diff = git(tmp_path, "diff", "--no-index", "--no-color", "old", "new", check=False)
    patch = tmp_path / "change.patch"
    patch.write_bytes(diff.replace(b"a/old/", b"a/").replace(b"b/new/", b"b/"))
    workspace = tmp_path / "work"
    workspace.mkdir()
    for name in ("a.txt", "b.txt"):
        (workspace / name).write_text(OLD, encoding="utf-8")
    return patch


def crash_apply(where: str, patch: Path, workspace: Path, data: Path) -> int:
    env = {**os.environ, "VETLINE_DATA_DIR": str(data)}
    arguments = [
        "apply",
        str(patch),
        "--workspace",
        str(workspace),
        "--accept",
        "all",
        "--level",
        "4",
    ]
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_APPLY, where, *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=HANG_GUARD_S,
    )
    return done.returncode


def verdicts(data: Path) -> list[tuple[str, str]]:
    with DecisionLog(data / "decisions.sqlite3") as log:
        return [(row["verdict"], row["path"]) for row in log.rows()]


def test_a_crash_before_the_write_is_recorded_as_not_applied_on_the_next_open(
    patch_file: Path, tmp_path: Path
) -> None:
    data, workspace = tmp_path / "data", tmp_path / "work"
    assert crash_apply("before", patch_file, workspace, data) == 9
    # The log says accepted, the disk is unchanged: the intent tells the two apart.
    assert verdicts(data) == [("accepted", "a.txt"), ("accepted", "b.txt")]
    assert (workspace / "a.txt").read_text(encoding="utf-8") == OLD

    again = vetline(
        "apply", str(patch_file), "--workspace", str(workspace), "--accept", "none", data_dir=data
    )
    assert again.returncode == 0, again.stderr
    assert "a verdict logged before a crash was not applied" in again.stderr
    assert verdicts(data)[:4] == [
        ("accepted", "a.txt"),
        ("accepted", "b.txt"),
        ("not_applied", "a.txt"),
        ("not_applied", "b.txt"),
    ]
    assert not list((data / "write-intents").iterdir())


def test_a_crash_after_the_write_needs_no_correction(patch_file: Path, tmp_path: Path) -> None:
    data, workspace = tmp_path / "data", tmp_path / "work"
    assert crash_apply("after", patch_file, workspace, data) == 9
    assert (workspace / "a.txt").read_text(encoding="utf-8") == NEW
    again = vetline(
        "apply", str(patch_file), "--workspace", str(workspace), "--accept", "none", data_dir=data
    )
    assert "not applied" not in again.stderr
    assert [verdict for verdict, _ in verdicts(data)][:2] == ["accepted", "accepted"]
    assert "not_applied" not in [verdict for verdict, _ in verdicts(data)]


def test_an_io_error_during_the_write_is_logged_as_not_applied(
    patch_file: Path, tmp_path: Path
) -> None:
    data, workspace = tmp_path / "data", tmp_path / "work"
    (workspace / "b.txt").chmod(0o644)
    script = textwrap.dedent(
        """
        import sys
        from vetline.adapters.files import transaction
        from vetline.cli import main
        calls = 0
        original = transaction.write_temp
        def failing(target, data, mode, *tag):
            global calls
            calls += 1
            if calls == 2:
                raise OSError(28, "No space left on device", str(target))
            return original(target, data, mode, *tag)
        transaction.write_temp = failing
        sys.exit(main(sys.argv[1:]))
        """
    )
    env = {**os.environ, "VETLINE_DATA_DIR": str(data)}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "apply",
            str(patch_file),
            "--workspace",
            str(workspace),
            "--accept",
            "all",
            "--level",
            "4",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=HANG_GUARD_S,
    )
    assert done.returncode == 1, done.stderr
    assert "No space left on device" in done.stderr
    assert (workspace / "a.txt").read_text(encoding="utf-8") == OLD  # all or nothing
    assert verdicts(data) == [
        ("accepted", "a.txt"),
        ("accepted", "b.txt"),
        ("not_applied", "a.txt"),
        ("not_applied", "b.txt"),
    ]
    exported = vetline("log", "export", data_dir=data).stdout.splitlines()
    assert "No space left on device" in json.loads(exported[-1])["reason"]

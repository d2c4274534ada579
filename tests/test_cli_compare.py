"""`vetline OLD NEW` on the command line, and called by a real `git difftool`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from helpers.command_line import HANG_GUARD_S, vetline, wait_until
from helpers.gitrepo import git
from vetline.adapters.decision_log import LOG_FILE_NAME
from vetline.cli import build_parser
from vetline.cli_compare import commands_of, split_comparison


def test_two_existing_files_are_a_comparison_and_commands_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("a\n")
    new.write_text("b\n")
    commands = commands_of(build_parser())
    assert "review" in commands and "log" in commands
    assert split_comparison([str(old), str(new)], commands) == ([], (str(old), str(new)))
    assert split_comparison(["--data-dir", str(tmp_path), str(old), os.devnull], commands) == (
        ["--data-dir", str(tmp_path)],
        (str(old), os.devnull),
    )
    # A command, a missing file, a folder, or one file alone is something else.
    assert split_comparison(["review", str(new)], commands) is None
    assert split_comparison([str(old), str(tmp_path / "missing")], commands) is None
    assert split_comparison([str(old), str(tmp_path)], commands) is None
    assert split_comparison([str(old)], commands) is None
    # A file named like a command is still the command.
    (tmp_path / "review").write_text("x\n")
    monkeypatch.chdir(tmp_path)
    assert split_comparison(["review", str(new)], commands) is None


def test_identical_files_are_said_without_a_window(tmp_path: Path) -> None:
    old, new = tmp_path / "a.txt", tmp_path / "b.txt"
    old.write_text("same\n")
    new.write_text("same\n")
    done = vetline(str(old), str(new), data_dir=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert "are identical" in done.stdout
    both_null = vetline(os.devnull, os.devnull, data_dir=tmp_path / "data")
    assert both_null.returncode == 2
    assert "nothing to compare" in both_null.stderr


def test_git_difftool_opens_vetline_on_its_two_sides(tmp_path: Path) -> None:
    """git difftool --tool=vetline with the README's configuration, offscreen.

    The window has opened once the decision log exists (the comparison is read before
    the window starts: a side vetline could not read ends the process first). The
    sides git handed over are read from the tool's command line, then the window is
    closed as a reviewer would end it, and git goes on.
    """
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "pager.py").write_text("def page():\n    return 1\n")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "one")
    (repo / "pager.py").write_text("def page():\n    return 2\n")
    data = tmp_path / "data"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "VETLINE_DATA_DIR": str(data),
        "QT_QPA_PLATFORM": "offscreen",
    }
    command = 'vetline "$LOCAL" "$REMOTE"'  # as README configures it
    with subprocess.Popen(
        ["git", "-c", f"difftool.vetline.cmd={command}", "difftool", "--tool=vetline", "-y"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as difftool:
        try:
            wait_until(
                lambda: (data / LOG_FILE_NAME).exists() or difftool.poll() is not None,
                "the vetline window opened",
            )
            assert difftool.poll() is None, difftool.communicate()
            [tool] = [
                child
                for child in psutil.Process(difftool.pid).children(recursive=True)
                if any("vetline" in part for part in child.cmdline()[:2])
            ]
            local, remote = tool.cmdline()[-2:]
            assert Path(local).read_text() == "def page():\n    return 1\n"  # git's copy of HEAD
            assert (Path(tool.cwd()) / remote).resolve() == (repo / "pager.py").resolve()
            tool.send_signal(signal.SIGTERM)
            difftool.communicate(timeout=HANG_GUARD_S)
        finally:
            if difftool.poll() is None:
                difftool.kill()
                difftool.communicate()
    assert (repo / "pager.py").read_text() == "def page():\n    return 2\n"  # nothing written

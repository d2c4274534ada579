"""No agent work is lost: what a reject takes out of a repository is kept and comes back."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from helpers.command_line import vetline
from helpers.gitrepo import git
from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.files.kept import KeptFiles
from vetline.adapters.git.tree import load_worktree
from vetline.core.errors import StaleBaseError
from vetline.core.session import ReviewSession
from vetline.operations.kept_restore import restore_kept
from vetline.operations.outcome import OutcomeKind
from vetline.operations.repository_target import RepositoryTarget
from vetline.operations.reviewer import Reviewer

OLD = "".join(f"line {i}\n" for i in range(40))
NEW = OLD.replace("line 3\n", "line three\n")
AGENT_FILE = b"# written by the agent\nprint('new')\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Committed OLD; the agent edited numbers.txt and made a new, untracked helper.py."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "numbers.txt").write_text(OLD, encoding="utf-8")
    git(root, "add", "numbers.txt")
    git(root, "commit", "-qm", "base")
    (root / "numbers.txt").write_text(NEW, encoding="utf-8")
    (root / "helper.py").write_bytes(AGENT_FILE)
    return root


def open_review(repo: Path, data: Path, log: DecisionLog) -> Reviewer:
    tree = load_worktree(repo)
    session = ReviewSession(tree.proposals, record=log.append, clock=time.monotonic, level=4)
    return Reviewer(session, log, RepositoryTarget(tree, session, KeptFiles(data)))


def go_to(reviewer: Reviewer, path: str) -> None:
    session = reviewer.session
    session.show(next(i for i, item in enumerate(session.items) if item.change.path == path))


def test_rejecting_a_new_file_keeps_it_and_restore_brings_it_back(
    repo: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    with DecisionLog(data / "log.sqlite3") as log:
        reviewer = open_review(repo, data, log)
        go_to(reviewer, "helper.py")
        assert reviewer.reject("not asked for").ok
        assert not (repo / "helper.py").exists()  # the reject removed the agent's file
        (row,) = log.rows()
        kept = KeptFiles(data).find(row["kept"])
        # Kept plainly: the agent's bytes, readable with any tool, where the log says.
        assert (data / "kept" / row["kept"] / "helper.py").read_bytes() == AGENT_FILE
        assert (kept.repository, kept.path, kept.existed) == (repo, "helper.py", True)

        message = restore_kept(kept, KeptFiles(data), log, reviewer="ana")
        assert message.startswith("restored the agent's version of helper.py")
        assert (repo / "helper.py").read_bytes() == AGENT_FILE
        rows = list(log.rows())
        assert [(r["verdict"], r["undoes"]) for r in rows] == [("rejected", None), ("undone", 1)]
        assert log.verify().ok


def test_restore_leaves_a_file_edited_since_the_reject(repo: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with DecisionLog(data / "log.sqlite3") as log:
        reviewer = open_review(repo, data, log)
        go_to(reviewer, "numbers.txt")
        reviewer.reject()
        assert (repo / "numbers.txt").read_text(encoding="utf-8") == OLD
        (repo / "numbers.txt").write_text(OLD + "a later edit\n", encoding="utf-8")
        kept = KeptFiles(data).find(next(iter(log.rows()))["kept"])
        with pytest.raises(StaleBaseError, match="numbers.txt changed since the reject"):
            restore_kept(kept, KeptFiles(data), log)
        assert (repo / "numbers.txt").read_text(encoding="utf-8") == OLD + "a later edit\n"
        assert [row["verdict"] for row in log.rows()] == ["rejected"]


def test_undo_after_a_restart_brings_back_the_newest_reject(repo: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with DecisionLog(data / "log.sqlite3") as log:
        first = open_review(repo, data, log)
        go_to(first, "numbers.txt")
        first.reject()
        go_to(first, "helper.py")
        first.reject()
    assert (repo / "numbers.txt").read_text(encoding="utf-8") == OLD
    assert not (repo / "helper.py").exists()

    with DecisionLog(data / "log.sqlite3") as log:  # a new window: its session has no history
        second = open_review(repo, data, log)
        assert second.session.items == []  # nothing left to review: the rejects took it all
        undone = second.undo()
        assert undone.kind is OutcomeKind.DONE, undone.message
        assert (repo / "helper.py").read_bytes() == AGENT_FILE
        assert [item.change.path for item in second.session.items] == ["helper.py"]
        assert second.undo().ok  # then the one before it
        assert (repo / "numbers.txt").read_text(encoding="utf-8") == NEW
        assert second.undo().kind is OutcomeKind.NOTHING
        verdicts = [(row["verdict"], row["undoes"]) for row in log.rows()]
    assert verdicts == [("rejected", None), ("rejected", None), ("undone", 2), ("undone", 1)]


def test_apply_accept_none_keeps_every_file_and_the_command_line_restores_it(
    repo: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    applied = vetline("apply", str(repo), "--accept", "none", data_dir=data)
    assert applied.returncode == 0, applied.stderr
    assert not (repo / "helper.py").exists()
    assert (repo / "numbers.txt").read_text(encoding="utf-8") == OLD

    listed = vetline("kept", data_dir=data).stdout.splitlines()
    assert sorted(line.split()[-1] for line in listed) == ["helper.py", "numbers.txt"]
    exported = vetline("log", "export", data_dir=data).stdout.splitlines()
    kept_ids = {json.loads(line)["kept"] for line in exported}
    assert kept_ids == {line.split()[0] for line in listed}

    for line in listed:
        restored = vetline("restore", line.split()[0], "--reviewer", "ana", data_dir=data)
        assert restored.returncode == 0, restored.stderr
    assert (repo / "helper.py").read_bytes() == AGENT_FILE
    assert (repo / "numbers.txt").read_text(encoding="utf-8") == NEW
    assert vetline("log", "verify", data_dir=data).returncode == 0
    missing = vetline("restore", "20990101T000000-00000000", data_dir=data)
    assert missing.returncode == 1
    assert "no kept file 20990101T000000-00000000" in missing.stderr


def test_kept_lists_names_with_hidden_characters_escaped(tmp_path: Path) -> None:
    """Names are shown as the window shows them: a Cyrillic letter in a Latin word (a file
    name the agent chose) and a terminal control in the repository's folder name are
    written out, never passed to the terminal as they are."""
    root = tmp_path / "repo\x1b[8m"  # ESC [8m would hide what follows in a terminal
    root.mkdir()
    git(root, "init", "-q")
    (root / "numbers.txt").write_text(OLD, encoding="utf-8")
    git(root, "add", "numbers.txt")
    git(root, "commit", "-qm", "base")
    lookalike = "\u0430dmin.py"  # Cyrillic а, then Latin letters
    (root / lookalike).write_bytes(AGENT_FILE)
    data = tmp_path / "data"
    applied = vetline("apply", str(root), "--accept", "none", data_dir=data)
    assert applied.returncode == 0, applied.stderr
    assert not (root / lookalike).exists()

    listed = vetline("kept", data_dir=data)

    assert listed.returncode == 0, listed.stderr
    assert "\u0430" not in listed.stdout and "\x1b" not in listed.stdout
    (line,) = listed.stdout.splitlines()
    assert line.endswith("  ⟨U+0430⟩dmin.py")
    assert "repo\\x1b[8m  " in line
    restored = vetline("restore", line.split()[0], data_dir=data)
    assert restored.returncode == 0, restored.stderr
    assert (root / lookalike).read_bytes() == AGENT_FILE
    assert "restored the agent's version of ⟨U+0430⟩dmin.py in " in restored.stdout
    assert "\u0430" not in restored.stdout and "\x1b" not in restored.stdout

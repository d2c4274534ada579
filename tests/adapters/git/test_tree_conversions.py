"""A repository whose attributes or core.autocrlf convert files, reviewed through git's own
conversions: each verdict leaves the index and the work tree as git's own commands would
(`git apply --cached` of the accepted hunks, `git apply -R` of the rejected ones)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.gitrepo import GIT_ENV, GitRepo, render_text_patch
from helpers.parity import run_git
from vetline.adapters.git.tree import load_worktree
from vetline.core.errors import InputError

LINES = [f"line {number}\n" for number in range(1, 31)]


@pytest.fixture(autouse=True)
def quiet_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)


def _repository(root: Path, attributes: str, autocrlf: str) -> GitRepo:
    repo = GitRepo.init(root)
    repo.git("config", "core.autocrlf", autocrlf)
    repo.write(".gitattributes", attributes)
    repo.write("notes.txt", "".join(LINES))
    repo.commit("base")
    # Checked out as git would (CRLF on disk where git writes it).
    repo.git("rm", "-q", "-r", "--cached", ".")
    assert run_git(root, "reset", "-q", "--hard").returncode == 0
    return repo


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    result = run_git(root, *args, stdin=stdin)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _state(root: Path) -> tuple[bytes, bytes]:
    """(the index's blob of notes.txt, the file on disk)."""
    return _git(root, "ls-files", "-s", "notes.txt"), (root / "notes.txt").read_bytes()


@pytest.mark.parametrize(
    ("attributes", "autocrlf", "crlf_on_disk"),
    [
        ("*.txt text eol=crlf\n", "false", True),
        ("", "true", True),
        ("*.txt text=auto\n", "true", True),
        ("", "input", False),
    ],
    ids=["eol-crlf", "autocrlf", "text-auto", "input"],
)
def test_accept_and_reject_leave_what_git_leaves(
    tmp_path: Path, attributes: str, autocrlf: str, crlf_on_disk: bool
) -> None:
    repo = _repository(tmp_path / "vetline", attributes, autocrlf)
    ending = b"\r\n" if crlf_on_disk else b"\n"
    assert (repo.root / "notes.txt").read_bytes().endswith(b"line 30" + ending)
    edited = list(LINES)
    edited[2], edited[25] = "line three\n", "line twenty-six\n"
    agent = "".join(edited).encode().replace(b"\n", ending)
    repo.write("notes.txt", agent)
    twin = repo.copy(tmp_path / "git")

    tree = load_worktree(repo.root)
    (change,) = tree.changes
    first, second = change.hunks
    assert b"\r" not in "".join(first.texts).encode()  # compared as git compares them
    tree.sync(change, {first.id}, {second.id}, {})

    _git(twin.root, "apply", "--cached", "-", stdin=render_text_patch(change, [first]))
    _git(twin.root, "apply", "-R", "-", stdin=render_text_patch(change, [second]))
    assert _state(repo.root) == _state(twin.root)
    assert b"line three" in (repo.root / "notes.txt").read_bytes()
    assert tree.agent_version(change) == agent  # kept as the agent left it


def test_accepting_everything_leaves_the_work_tree_alone(tmp_path: Path) -> None:
    """LF on disk where git would check out CRLF: staging does not rewrite the file."""
    repo = _repository(tmp_path / "vetline", "", "true")
    agent = "".join(LINES).replace("line 7", "line seven").encode()
    repo.write("notes.txt", agent)
    twin = repo.copy(tmp_path / "git")

    tree = load_worktree(repo.root)
    (change,) = tree.changes
    tree.sync(change, {hunk.id for hunk in change.hunks}, set(), {})

    _git(twin.root, "add", "notes.txt")
    assert _state(repo.root) == _state(twin.root)
    assert (repo.root / "notes.txt").read_bytes() == agent


def test_a_file_that_differs_only_by_conversion_is_not_a_change(tmp_path: Path) -> None:
    repo = _repository(tmp_path / "vetline", "", "true")
    repo.write("notes.txt", "".join(LINES))  # LF where git checks out CRLF

    assert load_worktree(repo.root).changes == ()
    assert _git(repo.root, "diff", "--stat") == b""


def test_a_filter_nobody_configured_is_refused(tmp_path: Path) -> None:
    repo = _repository(tmp_path / "vetline", "*.txt filter=lfs\n", "false")
    repo.write("notes.txt", "changed\n")

    with pytest.raises(InputError, match=r"notes\.txt: \.gitattributes names the filter 'lfs'"):
        load_worktree(repo.root)


def test_a_rejected_deletion_comes_back_as_git_restore_writes_it(tmp_path: Path) -> None:
    repo = _repository(tmp_path / "vetline", "", "true")
    (repo.root / "notes.txt").unlink()
    twin = repo.copy(tmp_path / "git")

    tree = load_worktree(repo.root)
    (change,) = tree.changes
    tree.sync(change, set(), {hunk.id for hunk in change.hunks}, {})

    _git(twin.root, "checkout", "--", "notes.txt")
    assert _state(repo.root) == _state(twin.root)
    assert (repo.root / "notes.txt").read_bytes().endswith(b"line 30\r\n")


@pytest.mark.parametrize(
    ("attributes", "autocrlf"), [("* text eol=crlf\n", "false"), ("", "true")], ids=["eol", "auto"]
)
def test_a_same_size_rewrite_in_the_index_entrys_second_is_a_change(
    tmp_path: Path, attributes: str, autocrlf: str
) -> None:
    """Racy git: the file is rewritten with as many bytes in the second its index entry
    records, and the index was written in that second too. Its stat matches the entry, yet
    git compares the contents (the entry is racy) and sees the change; so must the scan."""
    repo = _repository(tmp_path / "vetline", attributes, autocrlf)
    # ctime moves with every write and says nothing here: the same second, as git sees it
    # on a file system or build that keeps only seconds.
    repo.git("config", "core.trustctime", "false")
    notes, index = repo.root / "notes.txt", repo.root / ".git" / "index"
    moment = 1_700_000_000 * 10**9
    os.utime(notes, ns=(moment, moment))
    _git(repo.root, "update-index", "--really-refresh")  # the entry records that second
    before = notes.read_bytes()
    after = before.replace(b"line 17", b"line XV")
    assert len(after) == len(before) and after != before
    notes.write_bytes(after)
    os.utime(notes, ns=(moment, moment))
    os.utime(index, ns=(moment, moment))

    (change,) = load_worktree(repo.root).changes

    assert _git(repo.root, "status", "--porcelain") == b" M notes.txt\n"  # as git sees it
    assert change.path == "notes.txt"
    assert [(hunk.removed, hunk.added) for hunk in change.hunks] == [(1, 1)]
    assert "line XV\n" in (change.new_text or "")

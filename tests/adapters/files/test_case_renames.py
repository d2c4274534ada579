"""A rename that changes only case is a rename, as git makes it, wherever case counts or not."""

from __future__ import annotations

import os
import time
from pathlib import Path

from helpers.gitrepo import GitRepo
from helpers.parity import compare_apply
from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.files.workspace import Workspace
from vetline.adapters.formats.unified import parse_unified
from vetline.core.session import ReviewSession
from vetline.operations.reviewer import Reviewer
from vetline.operations.workspace_target import WorkspaceTarget

RENAME = (
    b"diff --git a/MakeFile b/Makefile\nsimilarity index 100%\n"
    b"rename from MakeFile\nrename to Makefile\n"
)


def case_rename_repo(tmp_path: Path) -> tuple[GitRepo, bytes]:
    repo = GitRepo.init(tmp_path / "base")
    rules = "".join(f"step{number}:\n\techo {number}\n" for number in range(10))
    repo.write("MakeFile", rules)
    repo.commit("base")
    repo.git("mv", "MakeFile", "Makefile")
    repo.write("Makefile", rules.replace("echo 5", "echo five"))
    patch = repo.diff()
    repo.git("reset", "-q", "--hard")
    repo.git("clean", "-fdq")
    return repo, patch


def test_a_case_only_rename_applies_as_git_applies_it(tmp_path: Path) -> None:
    write_base = tmp_path / "plain"
    write_base.mkdir()
    (write_base / "MakeFile").write_bytes(b"all:\n")
    compare_apply(write_base, RENAME, tmp_path / "pure").assert_same()

    repo, patch = case_rename_repo(tmp_path)
    assert b"rename to Makefile" in patch
    outcome = compare_apply(repo.root, patch, tmp_path / "edited")
    outcome.assert_same()
    assert set(outcome.vetline_tree) == {"Makefile"}


def test_where_both_names_are_one_file_the_rename_still_happens(tmp_path: Path) -> None:
    """Two names of one file (a hard link here) are what a case-insensitive file system
    shows: the new name must not be taken for a file already there."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "MakeFile").write_bytes(b"all:\n")
    os.link(root / "MakeFile", root / "Makefile")
    (proposal,) = parse_unified(RENAME, "rename.patch")

    Workspace(root).apply_proposal(proposal, {hunk.id for hunk in proposal.hunks})

    assert sorted(path.name for path in root.iterdir()) == ["Makefile"]
    assert (root / "Makefile").read_bytes() == b"all:\n"


def test_undoing_a_case_only_rename_brings_the_old_name_back(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "MakeFile").write_bytes(b"all:\n")
    (proposal,) = parse_unified(RENAME, "rename.patch")
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        session = ReviewSession([proposal], record=log.append, clock=time.monotonic, level=4)
        reviewer = Reviewer(session, log, WorkspaceTarget(Workspace(root), session))

        assert reviewer.accept().ok
        assert sorted(path.name for path in root.iterdir()) == ["Makefile"]
        undone = reviewer.undo()

    assert undone.ok, undone.message
    assert sorted(path.name for path in root.iterdir()) == ["MakeFile"]

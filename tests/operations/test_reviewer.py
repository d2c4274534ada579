"""The Reviewer: verdicts logged, then written — to a folder, a git repository, an inbox."""

from __future__ import annotations

import json
import time
from pathlib import Path

from helpers.gitrepo import git
from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.files.workspace import Workspace
from vetline.adapters.git.tree import load_worktree
from vetline.adapters.inbox import Inbox
from vetline.core.hunks import hunks_from_texts
from vetline.core.model import Change, FileStatus, Proposal, sha256_hex
from vetline.core.session import ReviewSession
from vetline.operations.reviewer import Reviewer

OLD = "".join(f"line {i}\n" for i in range(40))
NEW = OLD.replace("line 3\n", "line three\n").replace("line 30\n", "line thirty\n")


def proposal_for(path: str, old: str, new: str) -> Proposal:
    change = Change(
        path,
        FileStatus.MODIFIED,
        hunks_from_texts(path, old, new),
        base_text=old,
        new_text=new,
        base_sha256=sha256_hex(old),
    )
    return Proposal("p-1", "Spell out numbers", (change,))


def reviewer_for(proposals: list[Proposal], log: DecisionLog, **targets: object) -> Reviewer:
    session = ReviewSession(proposals, record=log.append, clock=time.monotonic, level=4)
    return Reviewer(session, log, targets.pop("workspace", None), **targets)  # type: ignore[arg-type]


def test_file_is_written_when_its_hunks_are_decided_and_undo_restores_it(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    target = tmp_path / "w" / "numbers.txt"
    target.write_text(OLD, encoding="utf-8")
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        reviewer = reviewer_for(
            [proposal_for("numbers.txt", OLD, NEW)], log, workspace=Workspace(tmp_path / "w")
        )
        assert reviewer.accept().written == ()
        assert target.read_text(encoding="utf-8") == OLD  # one hunk still undecided
        outcome = reviewer.reject("keep 30")
        assert outcome.written == ("numbers.txt",)
        assert target.read_text(encoding="utf-8") == OLD.replace("line 3\n", "line three\n")
        undone = reviewer.undo()
        assert undone.ok, undone.message
        assert target.read_text(encoding="utf-8") == OLD
        verdicts = [row["verdict"] for row in log.rows()]
    assert verdicts == ["accepted", "rejected", "undone"]


def test_undo_leaves_a_file_someone_changed_since(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    target = tmp_path / "w" / "numbers.txt"
    target.write_text(OLD, encoding="utf-8")
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        reviewer = reviewer_for(
            [proposal_for("numbers.txt", OLD, NEW)], log, workspace=Workspace(tmp_path / "w")
        )
        reviewer.accept_rest()
        target.write_text("someone else's edit\n", encoding="utf-8")
        outcome = reviewer.undo()
    assert outcome.problem
    assert "changed after Vetline wrote it" in outcome.message
    assert target.read_text(encoding="utf-8") == "someone else's edit\n"


def test_a_stale_base_is_reported_and_nothing_written(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    target = tmp_path / "w" / "numbers.txt"
    target.write_text(OLD.replace("line 0\n", "changed meanwhile\n"), encoding="utf-8")
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        reviewer = reviewer_for(
            [proposal_for("numbers.txt", OLD, NEW)], log, workspace=Workspace(tmp_path / "w")
        )
        reviewer.accept()
        outcome = reviewer.accept()
    assert outcome.problem
    assert outcome.message.startswith("stale base")
    assert "changed meanwhile" in target.read_text(encoding="utf-8")
    assert reviewer.session.items[0].problem


def test_git_tree_verdicts_take_effect_per_hunk(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "numbers.txt").write_text(OLD, encoding="utf-8")
    git(repo, "add", "numbers.txt")
    git(repo, "commit", "-qm", "base")
    (repo / "numbers.txt").write_text(NEW, encoding="utf-8")
    tree = load_worktree(repo)
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        reviewer = reviewer_for(tree.proposals, log, git_tree=tree)
        assert reviewer.accept().ok
        staged = git(repo, "show", ":numbers.txt").decode()
        assert staged == OLD.replace("line 3\n", "line three\n")  # staged at once
        assert reviewer.reject("no").ok
        assert (repo / "numbers.txt").read_text(encoding="utf-8") == staged
        assert reviewer.undo().ok  # the rejected hunk comes back in the work tree
        assert (repo / "numbers.txt").read_text(encoding="utf-8") == NEW


def test_inbox_proposal_gets_a_verdict_file_when_decided(tmp_path: Path) -> None:
    inbox_dir, workspace = tmp_path / "inbox", tmp_path / "w"
    inbox_dir.mkdir()
    workspace.mkdir()
    (workspace / "numbers.txt").write_text(OLD, encoding="utf-8")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "numbers.txt").write_text(OLD, encoding="utf-8")
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "numbers.txt").write_text(NEW, encoding="utf-8")
    diff = git(tmp_path, "diff", "--no-index", "--no-color", "old/numbers.txt", "new/numbers.txt")
    diff = diff.replace(b"a/old/numbers.txt", b"a/numbers.txt").replace(
        b"b/new/numbers.txt", b"b/numbers.txt"
    )
    (inbox_dir / "fix.patch").write_bytes(diff)
    inbox = Inbox(inbox_dir, workspace)
    assert inbox.scan(now=100.0).ready == ()
    (ready,) = inbox.scan(now=101.0).ready
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        reviewer = reviewer_for(
            list(ready.proposals), log, workspace=Workspace(workspace), inbox=inbox
        )
        reviewer.inbox_sources[ready.proposals[0].id] = ready.source
        reviewer.accept()
        outcome = reviewer.reject("not this one")
    assert "verdict written" in outcome.message
    (verdict_file,) = (inbox_dir / "outbox").iterdir()
    verdict = json.loads(verdict_file.read_text(encoding="utf-8"))
    assert len(verdict["accepted"]) == 1
    assert verdict["rejected"][0]["reason"] == "not this one"
    assert (inbox_dir / "done" / "fix.patch").exists()

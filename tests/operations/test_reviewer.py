"""The Reviewer: verdicts logged, then written — to a folder, a git repository, an inbox."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from helpers.gitrepo import git
from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.files.kept import KeptFiles
from vetline.adapters.files.workspace import Workspace
from vetline.adapters.git.tree import GitTree, load_worktree
from vetline.adapters.inbox import Inbox
from vetline.core.errors import StaleBaseError
from vetline.core.hunks import hunks_from_texts
from vetline.core.model import Change, FileStatus, Proposal, sha256_hex
from vetline.core.session import ReviewSession
from vetline.operations.outcome import OutcomeKind
from vetline.operations.repository_target import RepositoryTarget
from vetline.operations.reviewer import Reviewer
from vetline.operations.workspace_target import WorkspaceTarget
from vetline.operations.write_target import WriteTarget

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


def reviewer_for(
    proposals: list[Proposal],
    log: DecisionLog,
    *,
    workspace: Workspace | None = None,
    git_tree: GitTree | None = None,
    inbox: Inbox | None = None,
) -> Reviewer:
    session = ReviewSession(proposals, record=log.append, clock=time.monotonic, level=4)
    target: WriteTarget | None = None
    if workspace is not None:
        target = WorkspaceTarget(workspace, session)
    elif git_tree is not None:
        target = RepositoryTarget(git_tree, session, KeptFiles(log.path.parent))
    return Reviewer(session, log, target, inbox=inbox)


def repository_with_edits(tmp_path: Path) -> tuple[Path, GitTree]:
    """A repository with OLD committed and NEW in its work tree, read as a git tree."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "numbers.txt").write_text(OLD, encoding="utf-8")
    git(repo, "add", "numbers.txt")
    git(repo, "commit", "-qm", "base")
    (repo / "numbers.txt").write_text(NEW, encoding="utf-8")
    return repo, load_worktree(repo)


def numbers_file(tmp_path: Path, text: str) -> Path:
    """numbers.txt in the workspace folder `w`, holding `text`."""
    (tmp_path / "w").mkdir()
    target = tmp_path / "w" / "numbers.txt"
    target.write_text(text, encoding="utf-8")
    return target


def numbers_review(tmp_path: Path, log: DecisionLog) -> Reviewer:
    """OLD -> NEW proposed for numbers.txt, reviewed into the workspace folder `w`."""
    proposal = proposal_for("numbers.txt", OLD, NEW)
    return reviewer_for([proposal], log, workspace=Workspace(tmp_path / "w"))


def test_file_is_written_when_its_hunks_are_decided_and_undo_restores_it(tmp_path: Path) -> None:
    target = numbers_file(tmp_path, OLD)
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        reviewer = numbers_review(tmp_path, log)
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


def test_undo_of_a_file_someone_changed_since_is_refused_and_the_verdict_stands(
    tmp_path: Path,
) -> None:
    target = numbers_file(tmp_path, OLD)
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        reviewer = numbers_review(tmp_path, log)
        reviewer.accept_rest()
        target.write_text("someone else's edit\n", encoding="utf-8")
        outcome = reviewer.undo()
        assert outcome.kind is OutcomeKind.REFUSED
        assert outcome.message == (
            "nothing was undone: numbers.txt changed after Vetline wrote it; its verdict stands"
        )
        assert target.read_text(encoding="utf-8") == "someone else's edit\n"
        assert [row["verdict"] for row in log.rows()] == ["accepted", "accepted"]
        assert all(item.decision_seq is not None for item in reviewer.session.items)
        # Put back as Vetline wrote it, the undo goes through.
        target.write_text(NEW, encoding="utf-8")
        undone = reviewer.undo()
        assert undone.ok, undone.message
        assert target.read_text(encoding="utf-8") == OLD
        assert [row["verdict"] for row in log.rows()] == ["accepted", "accepted", "undone"]


THIRTY_ONLY = OLD.replace("line 30\n", "line thirty\n")


def test_a_hunk_whose_file_is_written_keeps_its_verdict_until_undo_takes_the_write_back(
    tmp_path: Path,
) -> None:
    target = numbers_file(tmp_path, OLD)
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        reviewer = numbers_review(tmp_path, log)
        reviewer.accept()
        assert reviewer.accept().written == ("numbers.txt",)
        assert target.read_text(encoding="utf-8") == NEW

        reviewer.session.show(0)  # back to the first hunk, in a file already written
        for decide in (reviewer.reject, reviewer.accept):
            refused = decide()
            assert refused.kind is OutcomeKind.REFUSED
            assert refused.message == (
                "nothing was decided: numbers.txt is already written with this hunk "
                "accepted; to change its verdict, Undo (Ctrl+Z) back to it"
            )
        assert target.read_text(encoding="utf-8") == NEW
        assert [row["verdict"] for row in log.rows()] == ["accepted", "accepted"]

        assert reviewer.undo().written == ("numbers.txt",)  # the write is taken back
        assert target.read_text(encoding="utf-8") == OLD
        reviewer.session.show(0)  # the first hunk, its file no longer written: decided again
        assert reviewer.reject("on second thought").written == ()
        assert reviewer.accept().written == ("numbers.txt",)  # the second, as before
        assert target.read_text(encoding="utf-8") == THIRTY_ONLY
        verdicts = [row["verdict"] for row in log.rows()]
    assert verdicts == ["accepted", "accepted", "undone", "rejected", "accepted"]


def test_ending_a_review_logs_the_verdicts_of_a_file_it_never_wrote(tmp_path: Path) -> None:
    target = numbers_file(tmp_path, OLD)
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        reviewer = numbers_review(tmp_path, log)
        assert reviewer.accept().written == ()  # the second hunk is undecided: not written
        assert reviewer.leave() == 1
        assert reviewer.leave() == 0  # said once
        rows = [(row["verdict"], row["reason"]) for row in log.rows()]
    assert rows == [
        ("accepted", ""),
        ("not_applied", "the review ended with hunks of this file undecided: nothing was written"),
    ]
    assert target.read_text(encoding="utf-8") == OLD


def test_ending_a_review_after_every_file_is_written_logs_nothing(tmp_path: Path) -> None:
    numbers_file(tmp_path, OLD)
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        reviewer = numbers_review(tmp_path, log)
        reviewer.accept_rest()
        assert reviewer.leave() == 0
        assert [row["verdict"] for row in log.rows()] == ["accepted", "accepted"]


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
        verdicts = [(row["verdict"], row["hunk_id"]) for row in log.rows()]
    assert outcome.kind is OutcomeKind.NOT_WRITTEN
    assert outcome.message.startswith("stale base")
    assert "changed meanwhile" in target.read_text(encoding="utf-8")
    first, second = (item.hunk.id for item in reviewer.session.items)
    # Both accepts are followed by a row saying they did not take effect.
    assert verdicts == [
        ("accepted", first),
        ("accepted", second),
        ("not_applied", first),
        ("not_applied", second),
    ]
    assert all(item.problem for item in reviewer.session.items)
    assert reviewer.session.decided_count == 0


def test_git_tree_verdicts_take_effect_per_hunk(tmp_path: Path) -> None:
    repo, tree = repository_with_edits(tmp_path)
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


def test_nothing_to_undo_is_a_note_and_an_empty_queue_refuses(tmp_path: Path) -> None:
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        reviewer = reviewer_for([], log)
        assert reviewer.undo().kind is OutcomeKind.NOTHING
        refused = reviewer.accept()
        assert refused.kind is OutcomeKind.REFUSED
        assert refused.message == "the queue is empty"
        assert list(log.rows()) == []


def test_a_scripted_review_logs_only_its_refusal_when_a_base_is_stale(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    target = tmp_path / "w" / "numbers.txt"
    target.write_text(OLD.replace("line 0\n", "changed meanwhile\n"), encoding="utf-8")
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        reviewer = reviewer_for(
            [proposal_for("numbers.txt", OLD, NEW)], log, workspace=Workspace(tmp_path / "w")
        )
        with pytest.raises(StaleBaseError, match="numbers.txt: hunk .* context does not match"):
            reviewer.decide_all(None)
        rows = list(log.rows())
        assert {row["verdict"] for row in rows} == {"refused"}
        assert len(rows) == len(reviewer.session.items)
        assert "context does not match" in rows[0]["reason"]
        assert not any(item.state.decided for item in reviewer.session.items)
    assert target.read_text(encoding="utf-8").startswith("changed meanwhile\n")


def test_a_scripted_review_in_a_repository_stages_and_restores(tmp_path: Path) -> None:
    repo, tree = repository_with_edits(tmp_path)
    first = tree.proposals[0].hunks[0].id
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        summary = reviewer_for(tree.proposals, log, git_tree=tree).decide_all([first], "no")
        assert [row["verdict"] for row in log.rows()] == ["accepted", "rejected"]
    assert summary.startswith("2 hunks decided: 1 accepted, 1 rejected")
    expected = OLD.replace("line 3\n", "line three\n")
    assert git(repo, "show", ":numbers.txt").decode() == expected
    assert (repo / "numbers.txt").read_text(encoding="utf-8") == expected

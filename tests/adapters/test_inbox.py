"""The inbox folder: files are read only once settled, bad ones set aside, verdicts sent back."""

from __future__ import annotations

import dataclasses
import itertools
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.inbox import (
    EditedHunk,
    Inbox,
    InboxFile,
    ProposalVerdicts,
    RejectedHunk,
    verdict_file_name,
    verdicts_from_items,
    verdicts_from_log,
)
from vetline.core.errors import InputError
from vetline.core.session import ReviewSession

PATCH = (
    b"--- a/hello.txt\n+++ b/hello.txt\n@@ -1,2 +1,2 @@\n-hello\n+hello world\n bye\n"
    b"--- a/other.txt\n+++ b/other.txt\n@@ -1 +1 @@\n-one\n+two\n"
)
TWO_PROPOSALS = json.dumps(
    {
        "vetline": 1,
        "proposals": [
            {
                "id": "first",
                "title": "One",
                "changes": [{"path": "a", "base": "a\n", "new": "b\n"}],
            },
            {
                "id": "second",
                "title": "Two",
                "changes": [{"path": "c", "base": "c\n", "new": "d\n"}],
            },
        ],
    }
).encode()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return inbox


def settle(inbox: Inbox, start: float = 0.0) -> tuple[InboxFile, ...]:
    """Two scans far enough apart for a file written before them to be ready."""
    inbox.scan(now=start)
    return inbox.scan(now=start + 1.0).ready


def test_a_file_written_in_two_halves_is_read_only_when_complete(folder: Path) -> None:
    inbox = Inbox(folder, workspace=None)
    target = folder / "fix.patch"
    target.write_bytes(PATCH[:30])  # cut inside the first header: not a valid patch yet

    first = inbox.scan(now=0.0)
    assert (first.ready, first.rejected, first.waiting) == ((), (), ("fix.patch",))
    with target.open("ab") as file:
        file.write(PATCH[30:])
    second = inbox.scan(now=1.0)  # grew since the last scan: wait again
    assert (second.ready, second.rejected, second.waiting) == ((), (), ("fix.patch",))
    too_soon = inbox.scan(now=1.2)
    assert too_soon.ready == ()

    ready = inbox.scan(now=1.6)

    (item,) = ready.ready
    assert item.source == target
    (proposal,) = item.proposals
    assert [change.path for change in proposal.changes] == ["hello.txt", "other.txt"]
    assert not (folder / "rejected").exists()
    assert inbox.scan(now=5.0).ready == ()  # handed out once, not again


def test_an_invalid_file_goes_to_rejected_with_the_reason_beside_it(folder: Path) -> None:
    (folder / "notes.txt").write_text("just some words, no proposal here\n")
    inbox = Inbox(folder, workspace=None)

    inbox.scan(now=0.0)
    result = inbox.scan(now=1.0)

    (rejected,) = result.rejected
    assert rejected.moved_to == folder / "rejected" / "notes.txt"
    assert rejected.moved_to.read_text() == "just some words, no proposal here\n"
    error = (folder / "rejected" / "notes.txt.error.txt").read_text()
    assert "not a recognised format" in error
    assert error.strip() == rejected.reason
    assert not (folder / "notes.txt").exists()


def test_search_replace_files_are_read_against_the_workspace(tmp_path: Path, folder: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "app.py").write_text("x = 1\n")
    edit = "app.py\n```python\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n```\n"
    (folder / "edit.md").write_text(edit)

    (item,) = settle(Inbox(folder, workspace))
    assert item.source.name == "edit.md"
    assert item.proposals[0].changes[0].path == "app.py"
    # Without a workspace the same file cannot be read: it is set aside, saying why.
    no_workspace = Inbox(folder, workspace=None)
    no_workspace.scan(now=0.0)
    (rejected,) = no_workspace.scan(now=1.0).rejected
    assert "need --workspace" in rejected.reason


def test_temporary_hidden_and_subfolder_files_are_never_read(folder: Path) -> None:
    for name in (".hidden.patch", "draft.patch.tmp", "upload.part", "backup.patch~"):
        (folder / name).write_bytes(PATCH)
    for sub in ("outbox", "done", "rejected", "elsewhere"):
        (folder / sub).mkdir()
        (folder / sub / "inside.patch").write_bytes(PATCH)
    inbox = Inbox(folder, workspace=None)

    results = [inbox.scan(now=float(moment)) for moment in range(4)]

    assert all(result == results[0] for result in results)
    assert results[0].ready == results[0].rejected == results[0].waiting == ()


def test_completing_writes_the_verdict_and_moves_the_file_to_done(folder: Path) -> None:
    (folder / "fix.patch").write_bytes(PATCH)
    inbox = Inbox(folder, workspace=None)
    (item,) = settle(inbox)
    (proposal,) = item.proposals
    log = itertools.count(1)
    session = ReviewSession([proposal], record=lambda _: next(log), clock=lambda: 0.0)
    session.accept_current()
    session.reject_current("too clever")
    verdicts = verdicts_from_items(
        proposal, session.items, now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    )

    completion = inbox.complete(item.source, verdicts)

    assert completion.verdict_file == folder / "outbox" / f"{proposal.id}.verdict.json"
    first, second = proposal.hunks
    assert json.loads(completion.verdict_file.read_text()) == {
        "vetline": 1,
        "proposal_id": proposal.id,
        "title": "fix.patch",
        "accepted": [first.id],
        "rejected": [{"hunk_id": second.id, "reason": "too clever"}],
        "edited": [],
        "citations": [],
        "decided_at": "2026-01-02T03:04:05.000+00:00",
    }
    assert completion.moved_to == folder / "done" / "fix.patch"
    assert completion.moved_to.read_bytes() == PATCH
    assert not (folder / "fix.patch").exists()
    assert [path.name for path in (folder / "outbox").iterdir()] == [f"{proposal.id}.verdict.json"]


def test_a_file_moves_to_done_only_when_all_its_proposals_are_complete(folder: Path) -> None:
    (folder / "pair.json").write_bytes(TWO_PROPOSALS)
    inbox = Inbox(folder, workspace=None)
    (item,) = settle(inbox)
    first, second = item.proposals
    edited = ProposalVerdicts(
        first.id, first.title, (), (), (EditedHunk(first.hunks[0].id, "B\n"),), "2026-01-01"
    )

    assert inbox.complete(item.source, edited).moved_to is None
    assert (folder / "pair.json").exists()
    saved = json.loads((folder / "outbox" / "first.verdict.json").read_text())
    assert saved["edited"] == [{"hunk_id": first.hunks[0].id, "text": "B\n"}]

    # A new Inbox (a restarted app) finds the first verdict in the outbox.
    restarted = Inbox(folder, workspace=None)
    rejected = ProposalVerdicts(
        second.id, second.title, (), (RejectedHunk(second.hunks[0].id, "no"),), (), "2026-01-01"
    )
    assert restarted.complete(item.source, rejected).moved_to == folder / "done" / "pair.json"


def test_a_name_taken_in_done_gets_a_numeric_suffix(folder: Path) -> None:
    (folder / "done").mkdir()
    (folder / "done" / "fix.patch").write_bytes(b"an earlier fix.patch\n")
    (folder / "fix.patch").write_bytes(PATCH)
    inbox = Inbox(folder, workspace=None)
    (item,) = settle(inbox)
    (proposal,) = item.proposals

    completion = inbox.complete(item.source, verdicts_from_items(proposal, []))

    assert completion.moved_to == folder / "done" / "fix-2.patch"
    assert completion.moved_to.read_bytes() == PATCH
    assert (folder / "done" / "fix.patch").read_bytes() == b"an earlier fix.patch\n"


def test_a_new_file_under_a_finished_name_is_read_afresh(folder: Path) -> None:
    (folder / "fix.patch").write_bytes(PATCH)
    inbox = Inbox(folder, workspace=None)
    (item,) = settle(inbox)
    inbox.complete(item.source, verdicts_from_items(item.proposals[0], []))

    (folder / "fix.patch").write_bytes(PATCH.replace(b"two", b"three"))

    (again,) = settle(inbox, start=10.0)
    assert again.proposals[0].id != item.proposals[0].id


def test_verdict_file_names_are_safe() -> None:
    assert verdict_file_name("e2dbd0744c8a") == "e2dbd0744c8a.verdict.json"
    for hostile in ("../../etc/passwd", ".hidden", "a/b", "", "x" * 300):
        name = verdict_file_name(hostile)
        assert "/" not in name
        assert not name.startswith(".")
        assert len(name) < 120


def test_a_missing_inbox_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="inbox folder does not exist"):
        Inbox(tmp_path / "nowhere", workspace=None)


def test_the_log_answers_for_a_proposal_only_while_every_verdict_stands(
    folder: Path, tmp_path: Path
) -> None:
    (folder / "two.json").write_bytes(TWO_PROPOSALS)
    (ready,) = settle(Inbox(folder, None))
    first, second = ready.proposals
    with DecisionLog(tmp_path / "decisions.sqlite3") as log:
        session = ReviewSession([first], record=log.append, clock=time.monotonic)
        assert verdicts_from_log(first, log.decisions_for_proposal("first")) is None  # none yet
        session.accept_current()
        answered = verdicts_from_log(first, log.decisions_for_proposal("first"))
        assert answered is not None
        assert answered.accepted == (first.changes[0].hunks[0].id,)
        last = log.last_decision()
        assert last is not None and answered.decided_at == last["decided_at"]
        assert verdicts_from_log(second, log.decisions_for_proposal("second")) is None

        session.undo_last()  # an undone verdict no longer answers
        assert verdicts_from_log(first, log.decisions_for_proposal("first")) is None
        session.reject_current("no")
        again = verdicts_from_log(first, log.decisions_for_proposal("first"))
        assert again is not None
        (rejected,) = again.rejected
        assert rejected.reason == "no"

        # Another proposal under the same id (other content) is not answered by these rows.
        other = dataclasses.replace(
            first, changes=(dataclasses.replace(second.changes[0], path="a"),)
        )
        assert verdicts_from_log(other, log.decisions_for_proposal("first")) is None


def test_an_answer_already_in_the_outbox_is_not_sent_twice(folder: Path) -> None:
    (folder / "two.json").write_bytes(TWO_PROPOSALS)
    inbox = Inbox(folder, None)
    (ready,) = settle(inbox)
    decided = ProposalVerdicts("first", "One", ("h",), (), (), "2026-12-03T00:00:00.000Z")
    inbox.complete(ready.source, decided)
    before = (folder / "outbox" / "first.verdict.json").read_bytes()

    later = Inbox(folder, None)  # the next run, which reads the file again
    (again,) = settle(later, 10.0)
    completion = later.answered_before(again.source, decided)

    assert completion.moved_to is None  # "second" still waits
    assert sorted(path.name for path in (folder / "outbox").iterdir()) == ["first.verdict.json"]
    assert (folder / "outbox" / "first.verdict.json").read_bytes() == before
    finished = later.answered_before(
        again.source, dataclasses.replace(decided, proposal_id="second")
    )
    assert finished.moved_to == folder / "done" / "two.json"
    assert (folder / "outbox" / "second.verdict.json").is_file()  # written: it was missing

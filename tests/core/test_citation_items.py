"""Citations as queue items: decided with the hunk keys, logged with kind "citation",
counted, undone, never written, and held by the leash's citations-first rule."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest

from helpers.proposals import text_change
from vetline.core.leash import Leash
from vetline.core.model import Citation, Decision, ItemKind, Proposal, Verdict
from vetline.core.session import HunkState, ReviewSession, SessionError, citation_verdicts_of

CITATIONS = (
    Citation("1", "Report", "report.txt", "The rate fell by 4 percent.", claim="fell 4 %"),
    Citation("2", "Notes", "https://example.org/notes", "It was never measured."),
)


def cited_answer() -> Proposal:
    return Proposal(
        "a1", "Cited answer", (), answer="Rates fell [1]; unmeasured [2].", citations=CITATIONS
    )


def edit_with_citations() -> Proposal:
    old = "".join(f"line {i}\n" for i in range(20))
    new = old.replace("line 3\n", "LINE 3\n")
    return Proposal("p1", "Edit", (text_change("a.txt", old, new),), citations=CITATIONS[:1])


@dataclass
class Logged:
    """The decisions a session handed to its recorder, in order."""

    rows: list[Decision] = field(default_factory=list)

    def append(self, decision: Decision) -> int:
        self.rows.append(decision)
        return len(self.rows)


def session_of(*proposals: Proposal, citations_first: bool = False) -> tuple[ReviewSession, Logged]:
    logged = Logged()
    session = ReviewSession(
        proposals,
        record=logged.append,
        clock=lambda: 10.0,
        now=lambda: datetime(2026, 1, 2, tzinfo=UTC),
        leash=Leash(citations_first=citations_first),
    )
    return session, logged


def test_a_cited_answer_has_its_citations_as_items() -> None:
    session, _ = session_of(cited_answer())
    assert [item.item_id for item in session.items] == ["1", "2"]
    assert all(item.kind is ItemKind.CITATION for item in session.items)
    assert session.current is session.items[0]


def test_a_citation_verdict_is_logged_with_its_kind_and_id_and_writes_nothing() -> None:
    session, recorder = session_of(cited_answer())
    assert session.accept_current() is None  # no file outcome: nothing to write
    assert session.reject_current("misquoted") is None
    first, second = recorder.rows
    assert (first.kind, first.hunk_id, first.path, first.verdict) == (
        ItemKind.CITATION,
        "1",
        "report.txt",
        Verdict.ACCEPTED,
    )
    assert (second.hunk_id, second.verdict, second.reason) == ("2", Verdict.REJECTED, "misquoted")
    assert session.decided_count == 2 and session.finished
    verdicts = citation_verdicts_of(session.items)
    assert verdicts.accepted == ("1",) and verdicts.rejected == (("2", "misquoted"),)


def test_the_item_hash_changes_with_the_quote() -> None:
    session, _ = session_of(cited_answer())
    changed = replace(
        cited_answer(),
        id="a2",
        citations=(replace(CITATIONS[0], quote="The rate fell by 5 percent."),),
    )
    other, _ = session_of(changed)
    assert session.items[0].hunk.sha256 != other.items[0].hunk.sha256


def test_undo_reverses_a_citation_verdict() -> None:
    session, recorder = session_of(cited_answer())
    session.reject_current("not in source")
    undone = session.undo_last()
    assert undone is not None and undone[0].citation is CITATIONS[0] and undone[1] is None
    assert session.items[0].state is HunkState.PENDING
    assert (
        recorder.rows[-1].verdict is Verdict.UNDONE and recorder.rows[-1].kind is ItemKind.CITATION
    )
    assert session.decided_count == 0


def test_hunks_come_first_and_accept_the_rest_leaves_citations_to_the_reviewer() -> None:
    session, recorder = session_of(edit_with_citations())
    assert [item.kind for item in session.items] == [ItemKind.HUNK, ItemKind.CITATION]
    outcomes = session.accept_rest_of_proposal()
    assert len(outcomes) == 1  # the file; no outcome for the citation
    assert [row.kind for row in recorder.rows] == [ItemKind.HUNK]
    assert session.items[1].state is HunkState.PENDING
    assert session.current is session.items[1]
    with pytest.raises(SessionError, match="citations are decided one by one"):
        session.accept_rest_of_proposal()


def test_the_leash_can_ask_for_every_citation_first() -> None:
    session, recorder = session_of(edit_with_citations(), citations_first=True)
    with pytest.raises(SessionError, match=r"citation to be decided first: 1 .*\[1\]"):
        session.accept_rest_of_proposal()
    assert recorder.rows == []
    with pytest.raises(SessionError, match="decided first"):
        session.decide_all(None)
    session.show(1)
    session.accept_current()
    session.show(0)
    assert len(session.accept_rest_of_proposal()) == 1


def test_a_scripted_review_leaves_citations_undecided_when_the_rule_is_off() -> None:
    session, recorder = session_of(edit_with_citations())
    session.decide_all(None)
    assert [row.kind for row in recorder.rows] == [ItemKind.HUNK]
    assert session.items[1].state is HunkState.PENDING


def test_a_citation_cannot_be_split_or_edited() -> None:
    session, _ = session_of(cited_answer())
    with pytest.raises(SessionError):
        session.split_current()
    with pytest.raises(SessionError):
        session.edit_current("x")

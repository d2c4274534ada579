"""Cited answers in proposal JSON, and citations in a model's reply: read, written, checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vetline.adapters.formats.json_reader import proposals_from_json
from vetline.adapters.formats.json_writer import proposal_to_json, write_proposal_file
from vetline.adapters.inputs import load_source
from vetline.adapters.llm.prompt import FileText, reply_of, system_message
from vetline.adapters.llm.reply import ReplyError, proposal_from_reply
from vetline.core.errors import InputError
from vetline.core.leash import DEFAULT_LIMITS, Level
from vetline.core.model import Agent, Citation, Proposal

ANSWER = {
    "id": "a1",
    "title": "Is the well water safe?",
    "answer": "Mostly not: 42 of 50 wells failed [1], as the survey says [2].",
    "citations": [
        {"id": "1", "locator": "notes/wells.txt", "quote": "42 of the 50 wells were not safe"},
        {
            "id": "2",
            "locator": "https://example.com/survey",
            "quote": "a survey of 50 wells",
            "claim": "50 wells were surveyed",
            "source_text": "This was a survey of 50 wells in the valley.",
        },
    ],
}


def test_a_cited_answer_is_a_proposal_without_changes() -> None:
    (proposal,) = proposals_from_json(ANSWER, "answer.json")
    assert proposal.answer.startswith("Mostly not")
    assert proposal.changes == () and proposal.hunks == ()
    assert [c.id for c in proposal.citations] == ["1", "2"]
    assert proposal.citations[1].source_text == "This was a survey of 50 wells in the valley."


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"changes": [{"path": "a", "new": "x"}]},
            "$: give either 'changes' or 'answer' (a cited answer changes no files)",
        ),
        ({"answer": ""}, "$.answer: must not be empty"),
        ({"answer": 7}, "$.answer: expected a string, got a number"),
    ],
)
def test_a_malformed_answer_is_refused_by_json_path(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError) as caught:
        proposals_from_json({**ANSWER, **overrides}, "answer.json")
    assert str(caught.value) == f"answer.json: {message}"


def test_a_proposal_needs_changes_or_an_answer() -> None:
    with pytest.raises(InputError, match="missing required key 'changes' \\(or 'answer'"):
        proposals_from_json({"title": "Nothing"}, "p.json")


def test_a_cited_answer_is_written_and_read_back_the_same(tmp_path: Path) -> None:
    (proposal,) = proposals_from_json(ANSWER, "answer.json")
    out = tmp_path / "answer.json"
    write_proposal_file(out, [proposal])
    written = json.loads(out.read_text(encoding="utf-8"))["proposals"][0]
    assert "changes" not in written
    assert written["answer"] == ANSWER["answer"]
    (loaded,) = load_source(str(out), None)
    assert loaded == proposal


def test_an_answer_with_changes_cannot_be_written() -> None:
    (proposal,) = proposals_from_json(
        {"title": "t", "changes": [{"path": "a.txt", "new": "x\n"}]}, "p.json"
    )
    mixed = Proposal(proposal.id, "t", proposal.changes, answer="Also an answer.")
    with pytest.raises(ValueError, match="a cited answer cannot also change files"):
        proposal_to_json(mixed)


FILES = [FileText("notes.md", "Old note.\n")]


def _reply(**extra: Any) -> str:
    return json.dumps(
        {
            "title": "Note the finding",
            "rationale": "The survey says so.",
            "changes": [{"path": "notes.md", "new_text": "Old note.\n42 of 50 wells failed.\n"}],
            **extra,
        }
    )


def _from_reply(reply: str) -> Proposal:
    return proposal_from_reply(
        reply, FILES, proposal_id="p1", task="t", agent=Agent(), created_at=""
    )


def test_a_models_citations_become_the_proposals_citations() -> None:
    cited = {"id": "1", "locator": "https://example.com/survey", "quote": "42 of 50", "claim": "c"}
    proposal = _from_reply(_reply(citations=[cited]))
    assert proposal.citations == (Citation("1", "", "https://example.com/survey", "42 of 50", "c"),)
    assert reply_of(proposal)["citations"] == [cited]


def test_a_reply_without_citations_has_none() -> None:
    assert _from_reply(_reply()).citations == ()
    assert _from_reply(_reply(citations=[])).citations == ()


@pytest.mark.parametrize(
    ("citations", "message"),
    [
        ({"id": "1"}, "$.citations: expected an array"),
        (["x"], "$.citations[0]: expected an object"),
        ([{"id": "1", "locator": "u"}], "$.citations[0]: missing required key 'quote'"),
        ([{"id": "", "locator": "u", "quote": "q"}], "id and locator must not be empty"),
        (
            [{"id": "1", "locator": "u", "quote": "q"}, {"id": "1", "locator": "v", "quote": "r"}],
            "$.citations[1].id: '1' appears twice",
        ),
        ([{"id": "1", "locator": "u", "quote": 3}], "$.citations[0].quote: expected a string"),
        ([{"id": "1", "locator": "u", "quote": "q", "page": 2}], "unexpected key 'page'"),
    ],
)
def test_malformed_citations_in_a_reply_say_where(citations: object, message: str) -> None:
    with pytest.raises(ReplyError, match=message.replace("[", r"\[").replace("$", r"\$")):
        _from_reply(_reply(citations=citations))


def test_the_model_is_told_to_copy_quotes_word_for_word() -> None:
    text = system_message(DEFAULT_LIMITS[Level.CHUNK]).content
    assert '"citations": []' in text
    assert "copied word for word" in text

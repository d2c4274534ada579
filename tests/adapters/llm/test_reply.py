"""A model's reply as a Proposal, the prompt behind it, and proposal JSON that loads back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers.llm_server import reply_json
from vetline.adapters.formats.json_writer import proposal_to_json, write_proposal_file
from vetline.adapters.inputs import load_source
from vetline.adapters.llm.prompt import (
    REPLY_SCHEMA,
    FileText,
    ask_messages,
    limit_statement,
    revise_messages,
    send_back_message,
)
from vetline.adapters.llm.reply import ReplyError, match_line_endings, proposal_from_reply
from vetline.core.hunks import apply_hunks, hunks_from_texts
from vetline.core.leash import DEFAULT_LIMITS, Leash, Level, Limits
from vetline.core.model import (
    Agent,
    Change,
    Citation,
    FileStatus,
    Proposal,
    sha256_hex,
)

BASE = "".join(f"line {n}\n" for n in range(1, 21))
FILES = [FileText("a.txt", BASE), FileText("b.txt", "keep\n")]


def _proposal(reply: str, files: list[FileText] = FILES, **fields: Any) -> Proposal:
    options: dict[str, Any] = {
        "proposal_id": "p1",
        "task": "do it",
        "agent": Agent("vetline ask", "m", "local"),
        "created_at": "2026-01-02T03:04:05+00:00",
    }
    options.update(fields)
    return proposal_from_reply(reply, files, **options)


def test_changed_files_get_hunks_against_their_current_text() -> None:
    new = BASE.replace("line 3\n", "line three\n")
    proposal = _proposal(
        reply_json("Three", {"a.txt": new, "b.txt": "keep\n", "docs/new.md": "# New\n"})
    )
    assert (proposal.id, proposal.title, proposal.rationale) == ("p1", "Three", "Because.")
    modified, added = proposal.changes  # b.txt is unchanged and left out
    assert modified.status is FileStatus.MODIFIED
    assert modified.hunks == hunks_from_texts("a.txt", BASE, new)
    assert modified.base_sha256 == sha256_hex(BASE.encode())
    assert apply_hunks(BASE, modified.hunks) == new
    assert (added.path, added.status, added.new_text) == (
        "docs/new.md",
        FileStatus.ADDED,
        "# New\n",
    )
    assert proposal.changed_lines == 3


def test_line_endings_follow_the_file_not_the_model() -> None:
    crlf = BASE.replace("\n", "\r\n")
    proposal = _proposal(
        reply_json("t", {"a.txt": BASE.replace("line 3\n", "x\n").rstrip("\n")}),
        [FileText("a.txt", crlf)],
    )
    assert proposal.changed_lines == 2
    assert match_line_endings("a\nb", "x\r\n") == "a\r\nb\r\n"
    assert match_line_endings("a\nb", "x") == "a\nb"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("[]", "$: expected a JSON object"),
        ('{"title": "t", "rationale": "", "changes": [], "extra": 1}', "$: unexpected key 'extra'"),
        ('{"title": " ", "rationale": "", "changes": []}', "$.title: must not be empty"),
        ('{"title": "t", "rationale": "", "changes": {}}', "$.changes: expected an array"),
        ('{"title": "t", "rationale": "", "changes": [1]}', "$.changes[0]: expected an object"),
        ('{"title": "t", "rationale": "", "changes": [{"path": "a.txt"}]}',
         "$.changes[0]: missing required key 'new_text'"),
        (reply_json("t", {"/etc/passwd": "x"}), "$.changes[0].path: '/etc/passwd': absolute path"),
        (reply_json("t", {".git/config": "x"}), ".git/ is never changed"),
        (json.dumps({"title": "t", "rationale": "", "changes": [
            {"path": "n.txt", "new_text": "1"}, {"path": "./n.txt", "new_text": "2"}]}),
         "$.changes[1].path: 'n.txt' appears twice"),
        (reply_json("t", {}), "the answer changes nothing"),
    ],
)  # fmt: skip
def test_replies_outside_the_schema_say_where(reply: str, message: str) -> None:
    with pytest.raises(ReplyError) as caught:
        _proposal(reply)
    assert message in str(caught.value)


def test_text_the_file_encoding_cannot_hold_is_refused() -> None:
    with pytest.raises(ReplyError, match=r"\$.changes\[0\].new_text: text cannot be written"):
        _proposal(reply_json("t", {"l.txt": "€\n"}), [FileText("l.txt", "e\n", "latin-1")])


def test_a_reply_wrapped_in_a_markdown_fence_is_read() -> None:
    fenced = "```json\n" + reply_json("t", {"b.txt": "changed\n"}) + "\n```"
    assert _proposal(fenced).changes[0].new_text == "changed\n"


# -- the prompt --


def test_the_limit_is_stated_in_plain_numbers() -> None:
    assert limit_statement(DEFAULT_LIMITS[Level.CHUNK]) == (
        "at most 40 changed lines (added plus removed), at most 1 file,"
        " at most 3 separate changed regions"
    )
    assert limit_statement(Limits(max_files=10, max_hunks=None, max_changed_lines=400)) == (
        "at most 400 changed lines (added plus removed), at most 10 files"
    )


def test_the_ask_shows_every_file_with_its_path_and_text() -> None:
    system, task = ask_messages("Fix it", [FileText("a.txt", "x")], DEFAULT_LIMITS[Level.FILE])
    assert system.role == "system" and "COMPLETE new content" in system.content
    assert task.content == (
        "Task: Fix it\n\nLimit: at most 200 changed lines (added plus removed), at most 1 file."
        '\n\nFiles:\n<file path="a.txt">\nx\n</file>'
    )


def test_a_send_back_names_what_is_over_and_what_fits() -> None:
    proposal = _proposal(reply_json("t", {"a.txt": "x\n", ".env": "SECRET=1\n"}))
    violations = Leash().check(proposal, Level.CHUNK)
    message = send_back_message(violations, DEFAULT_LIMITS[Level.CHUNK]).content
    assert message.startswith(
        "Too large (2 files > 1 allowed at level 2 (Chunk)): at most 40 changed lines"
    )
    assert "Not allowed: .env: matches the denied pattern '.env'." in message


def test_a_revision_replays_the_rejected_answer_before_the_reason() -> None:
    previous = _proposal(reply_json("Three", {"a.txt": BASE.replace("3", "three")}))
    messages = revise_messages(previous, "Too clever.", FILES[:1], DEFAULT_LIMITS[Level.CHUNK])
    assert [m.role for m in messages] == ["system", "user", "assistant", "user"]
    assert json.loads(messages[2].content)["changes"][0]["path"] == "a.txt"
    assert messages[3].content.startswith("The reviewer rejected this proposal. Their reason:")


def test_the_reply_schema_is_strict_mode_compatible() -> None:
    """Strict structured output needs every property required and no extra keys, everywhere."""

    def check(schema: dict[str, Any]) -> None:
        if schema.get("type") == "object":
            assert schema["additionalProperties"] is False
            assert sorted(schema["required"]) == sorted(schema["properties"])
            for child in schema["properties"].values():
                check(child)
        if schema.get("type") == "array":
            check(schema["items"])

    check(REPLY_SCHEMA)


# -- proposal JSON written and read back --


def _write_and_load(tmp_path: Path, proposal: Proposal) -> Proposal:
    out = tmp_path / "proposal.json"
    write_proposal_file(out, [proposal])
    (loaded,) = load_source(str(out), None)
    return loaded


def test_an_asked_proposal_loads_back_the_same(tmp_path: Path) -> None:
    proposal = _proposal(
        reply_json("Three", {"a.txt": BASE.replace("line 3\n", "line three\n"), "n.md": "new\n"}),
        parent_id="p0",
    )
    loaded = _write_and_load(tmp_path, proposal)
    assert loaded == proposal
    assert proposal_to_json(proposal)["proposals"][0]["parent_id"] == "p0"


def test_every_kind_of_text_change_and_citations_load_back(tmp_path: Path) -> None:
    undecodable = b"caf\xe9\n".decode("utf-8", "surrogateescape")
    (from_patch,) = load_source(
        _file(tmp_path, "p.diff", "--- a/d.txt\n+++ b/d.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"), None
    )
    changes = (
        Change("gone.txt", FileStatus.DELETED, hunks_from_texts("gone.txt", "bye\n", ""),
               base_text="bye\n", base_sha256=sha256_hex(b"bye\n")),
        Change("raw.txt", FileStatus.MODIFIED,
               hunks_from_texts("raw.txt", undecodable, "cafe\n"), base_text=undecodable,
               new_text="cafe\n", base_sha256=sha256_hex(b"caf\xe9\n")),
        from_patch.changes[0],
    )  # fmt: skip
    proposal = Proposal(
        "p2",
        "Mixed",
        changes,
        citations=(Citation("c1", "Guide", "https://example.com", "Be brief.", "Short."),),
    )
    loaded = _write_and_load(tmp_path, proposal)
    assert [c.hunks for c in loaded.changes] == [c.hunks for c in proposal.changes]
    assert [c.status for c in loaded.changes] == [c.status for c in proposal.changes]
    assert loaded.citations == proposal.citations
    assert loaded.changes[1].base_text == undecodable


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)

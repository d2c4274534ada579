"""Vetline proposal JSON: the model it builds, errors by JSON path, agreement with the schema."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from helpers import REPO_ROOT
from vetline.adapters.formats.json_reader import (
    FORMAT_VERSION,
    SHAPES,
    parse_json,
    proposals_from_json,
)
from vetline.core.errors import InputError
from vetline.core.hunks import apply_hunks
from vetline.core.model import Change, FileStatus, HunkKind
from vetline.core.text import encode

SCHEMA_PATH = REPO_ROOT / "resources" / "schema" / "proposal-v1.json"
BASE = "".join(f"line {n}\n" for n in range(1, 21))


def _document(**overrides: Any) -> dict[str, Any]:
    proposal: dict[str, Any] = {
        "id": "p1",
        "title": "Tidy up",
        "rationale": "Because.",
        "task": "Make it tidy",
        "agent": {"name": "coder", "model": "m-1", "provider": "local"},
        "created_at": "2024-05-06T07:08:09Z",
        "changes": [
            {"path": "a.txt", "base": BASE, "new": BASE.replace("line 3\n", "line three\n")},
            {"path": "new.txt", "new": "fresh\n"},
            {"path": "gone.txt", "base": "bye\n", "new": None},
            {"path": "b/moved.txt", "old_path": "moved.txt", "base": "m\n", "new": "m\n"},
            {"path": "d.txt", "diff": "@@ -1,2 +1,2 @@\n a\n-b\n+c\n"},
            {"path": "l.txt", "base": "caf\u00e9\n", "new": "th\u00e9\n", "encoding": "latin-1"},
        ],
        "citations": [
            {
                "id": "c1",
                "title": "Style guide",
                "locator": "https://example.com/style",
                "quote": "Be tidy.",
                "claim": "Tidy code is required.",
                "hunk_id": None,
            }
        ],
    }
    proposal.update(overrides)
    return {"vetline": FORMAT_VERSION, "proposals": [proposal]}


def _parse(value: object, name: str = "proposal.json") -> list[Any]:
    return parse_json(json.dumps(value).encode(), name)


def _error(value: object) -> str:
    with pytest.raises(InputError) as caught:
        _parse(value)
    return str(caught.value)


def test_a_document_becomes_proposals_with_hunks() -> None:
    (proposal,) = _parse(_document())
    assert (proposal.id, proposal.title, proposal.rationale, proposal.task) == (
        "p1",
        "Tidy up",
        "Because.",
        "Make it tidy",
    )
    assert (proposal.agent.name, proposal.agent.model, proposal.agent.provider) == (
        "coder",
        "m-1",
        "local",
    )
    changes: dict[str, Change] = {change.path: change for change in proposal.changes}
    modified = changes["a.txt"]
    assert modified.status is FileStatus.MODIFIED
    assert modified.base_text is not None
    assert apply_hunks(modified.base_text, modified.hunks) == modified.new_text
    assert modified.base_sha256 is not None
    assert changes["new.txt"].status is FileStatus.ADDED
    assert changes["gone.txt"].status is FileStatus.DELETED
    moved = changes["b/moved.txt"]
    assert (moved.status, moved.old_path) == (FileStatus.RENAMED, "moved.txt")
    assert [hunk.kind for hunk in moved.hunks] == [HunkKind.RENAME]
    diffed = changes["d.txt"]
    assert diffed.hunks[0].texts == ("a\n", "b\n", "c\n")
    latin = changes["l.txt"]
    assert latin.encoding == "iso8859-1"
    assert latin.base_text is not None
    assert latin.base_sha256 == hashlib.sha256(encode(latin.base_text, "latin-1")).hexdigest()
    (citation,) = proposal.citations
    assert (citation.id, citation.locator, citation.quote) == (
        "c1",
        "https://example.com/style",
        "Be tidy.",
    )


def test_a_single_proposal_object_is_accepted_and_gets_a_stable_id() -> None:
    single = {"title": "One", "changes": [{"path": "x", "base": "a\n", "new": "b\n"}]}
    (first,) = _parse(single)
    (again,) = proposals_from_json(json.loads(json.dumps(single, indent=2)), "other.json")
    assert len(first.id) == 12
    assert first.id == again.id


def test_a_diff_with_headers_must_be_for_its_path() -> None:
    diff = "--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-a\n+b\n"
    (proposal,) = _parse({"title": "t", "changes": [{"path": "x.txt", "diff": diff}]})
    assert proposal.changes[0].path == "x.txt"
    message = _error({"title": "t", "changes": [{"path": "y.txt", "diff": diff}]})
    assert message == "proposal.json: $.changes[0].diff: is a diff of 'x.txt', not of 'y.txt'"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            _document(changes=[{"path": 5, "new": "x"}]),
            "proposal.json: $.proposals[0].changes[0].path: expected a string, got a number",
        ),
        (
            _document(changes=[{"new": "x"}]),
            "$.proposals[0].changes[0]: missing required key 'path'",
        ),
        (
            _document(changes=[{"path": "a", "new": "x", "encoding": "klingon"}]),
            "$.proposals[0].changes[0].encoding: unknown encoding 'klingon'",
        ),
        (
            _document(changes=[{"path": "a", "new": "\u00e9", "encoding": "ascii"}]),
            "$.proposals[0].changes[0].new: text cannot be written as ascii",
        ),
        (
            _document(changes=[{"path": "a", "base": "x"}]),
            "$.proposals[0].changes[0]: needs 'new' (with 'base' unless the file is new) or 'diff'",
        ),
        (
            _document(changes=[{"path": "a", "new": "x", "diff": "@@ -1 +1 @@\n-a\n+b\n"}]),
            "$.proposals[0].changes[0]: give either 'diff' or 'base'/'new', not both",
        ),
        (
            _document(changes=[{"path": "a", "base": None, "new": None}]),
            "'base' and 'new' are both null",
        ),
        (
            _document(changes=[{"path": "a", "base": "same\n", "new": "same\n"}]),
            "$.proposals[0].changes[0]: 'base' and 'new' are the same",
        ),
        (
            _document(changes=[{"path": "a", "diff": "@@ -1,2 +1,2 @@\n a\n-b\n"}]),
            "proposal.json: $.proposals[0].changes[0].diff line 1: hunk says 2 new lines but has 1",
        ),
        (
            _document(changes=[{"path": "a", "new": "x", "colour": "red"}]),
            "$.proposals[0].changes[0]: unexpected key 'colour'",
        ),
        (_document(changes=[]), "$.proposals[0].changes: expected at least 1 item(s)"),
        (_document(changes={}), "$.proposals[0].changes: expected an array, got an object"),
        (_document(title=""), "$.proposals[0].title: must not be empty"),
        (_document(agent={"name": 1}), "$.proposals[0].agent.name: expected a string"),
        (_document(agent="me"), "$.proposals[0].agent: expected an object, got a string"),
        (_document(created_at="yesterday"), "$.proposals[0].created_at: not an ISO 8601"),
        (
            _document(citations=[{"id": "c", "locator": "x"}]),
            "$.proposals[0].citations[0]: missing required key 'quote'",
        ),
        ({"vetline": 2, "proposals": []}, "$.vetline: version 2 is not supported"),
        ({"vetline": True, "proposals": []}, "$.vetline: expected the format version 1"),
        ({"proposals": []}, "proposal.json: $: missing required key 'vetline'"),
        ([], "proposal.json: $: expected an object, got an array"),
        (
            {"vetline": 1, "proposals": [_document()["proposals"][0]] * 2},
            "$.proposals[1].id: duplicate id 'p1'",
        ),
    ],
)
def test_errors_name_the_json_path(document: object, message: str) -> None:
    assert message in _error(document)


def test_syntax_errors_name_the_line_and_encoding_errors_the_byte() -> None:
    with pytest.raises(InputError, match=r"p.json line 2 column 2: not valid JSON: Extra data"):
        parse_json(b'{"title": "x"\n}}', "p.json")
    with pytest.raises(InputError, match="JSON must be UTF-8"):
        parse_json(b'{"title": "\xff"}', "p.json")
    with pytest.raises(InputError, match="nested too deeply"):
        parse_json(b"[" * 100_000 + b"]" * 100_000, "p.json")


# ---- the schema file and the hand-written checks agree ---------------------------------------


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def test_the_schema_is_versioned_draft_2020_12() -> None:
    schema = _schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(":1")
    assert "single proposal" in schema["description"]


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_required_and_allowed_keys_match_the_schema(name: str) -> None:
    definition = _schema()["$defs"][name]
    shape = SHAPES[name]
    assert sorted(definition.get("required", [])) == sorted(shape.required)
    assert sorted(definition["properties"]) == sorted((*shape.required, *shape.optional))
    assert definition["additionalProperties"] is False


def _valid(schema: dict[str, Any], node: dict[str, Any], value: Any) -> bool:
    """A JSON Schema checker for exactly the keywords proposal-v1.json uses."""
    if "$ref" in node:
        return _valid(schema, schema["$defs"][node["$ref"].split("/")[-1]], value)
    checks: dict[str, Callable[[Any], bool]] = {
        "type": lambda kinds: _json_kind(value) in ([kinds] if isinstance(kinds, str) else kinds),
        "const": lambda const: _json_kind(value) == _json_kind(const) and value == const,
        "minLength": lambda n: not isinstance(value, str) or len(value) >= n,
        "minItems": lambda n: not isinstance(value, list) or len(value) >= n,
        "required": lambda keys: not isinstance(value, dict) or all(k in value for k in keys),
        "oneOf": lambda subs: sum(_valid(schema, sub, value) for sub in subs) == 1,
        "anyOf": lambda subs: any(_valid(schema, sub, value) for sub in subs),
        "not": lambda sub: not _valid(schema, sub, value),
        "items": lambda sub: (
            not isinstance(value, list) or all(_valid(schema, sub, item) for item in value)
        ),
        "properties": lambda props: (
            not isinstance(value, dict)
            or all(_valid(schema, props[k], v) for k, v in value.items() if k in props)
        ),
        "additionalProperties": lambda allowed: (
            allowed
            or not isinstance(value, dict)
            or all(k in node.get("properties", {}) for k in value)
        ),
    }
    return all(check(node[key]) for key, check in checks.items() if key in node)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {str: "string", list: "array", dict: "object", float: "number"}.get(type(value), "null")


AGREEMENT = [
    {"title": "t", "changes": [{"path": "a", "new": "x"}]},
    {"title": "t", "changes": [{"path": "a", "base": "x\n", "new": None}]},
    {"title": "t", "changes": [{"path": "a", "diff": "@@ -1 +1 @@\n-a\n+b\n"}]},
    _document(),
    {"changes": [{"path": "a", "new": "x"}]},
    {"title": "t", "changes": []},
    {"title": "t", "changes": [{"path": "a"}]},
    {"title": "t", "changes": [{"path": "a", "base": "x"}]},
    {"title": "t", "changes": [{"path": "a", "new": "x", "diff": "d"}]},
    {"title": "t", "changes": [{"path": "a", "base": "x", "diff": "d"}]},
    {"title": "t", "changes": [{"path": "", "new": "x"}]},
    {"title": "t", "changes": [{"path": "a", "new": 3}]},
    {"title": "t", "changes": [{"path": "a", "new": "x"}], "extra": 1},
    {"title": "t", "changes": [{"path": "a", "new": "x"}], "agent": {"who": "me"}},
    {"title": "t", "changes": [{"path": "a", "new": "x"}], "citations": [{"id": "c"}]},
    {"vetline": 1, "proposals": []},
    {"vetline": 2, "proposals": [{"title": "t", "changes": [{"path": "a", "new": "x"}]}]},
    {"vetline": True, "proposals": [{"title": "t", "changes": [{"path": "a", "new": "x"}]}]},
    {"vetline": 1, "proposals": [{"title": "t", "changes": [{"path": "a", "new": "x"}]}]},
    {"vetline": 1},
    "just a string",
    {"title": "t", "answer": "Yes [1].", "citations": [{"id": "1", "locator": "a", "quote": "q"}]},
    {"title": "t", "answer": "Yes.", "changes": [{"path": "a", "new": "x"}]},
    {"title": "t", "answer": ""},
    {"title": "t"},
]


@pytest.mark.parametrize("document", AGREEMENT)
def test_the_schema_and_the_parser_agree(document: Any) -> None:
    schema = _schema()
    try:
        proposals_from_json(document, "doc.json")
        parsed = True
    except InputError:
        parsed = False
    assert _valid(schema, schema, document) == parsed


def test_the_agreement_checker_can_say_no() -> None:
    schema = _schema()
    assert _valid(schema, schema, AGREEMENT[0])
    assert not _valid(schema, schema, AGREEMENT[5])

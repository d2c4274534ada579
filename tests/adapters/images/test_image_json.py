"""Proposal JSON's binary and annotation fields: what they build, their errors, the schema."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from vetline.adapters.formats.json_reader import proposals_from_json
from vetline.core.errors import InputError
from vetline.core.model import FileStatus, HunkKind

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "resources" / "schema" / "proposal-v1.json"
DATA = b"\x89PNG\r\n\x1a\n not really, but bytes all the same"
B64 = base64.b64encode(DATA).decode()
SHA = hashlib.sha256(b"old bytes").hexdigest()


def one_change(**change: object) -> dict[str, Any]:
    return {"title": "t", "changes": [{"path": "img/a.png", **change}]}


def test_new_base64_with_a_base_sha256_replaces_a_file() -> None:
    (proposal,) = proposals_from_json(one_change(new_base64=B64, base_sha256=SHA), "p.json")
    (change,) = proposal.changes
    assert change.status is FileStatus.BINARY
    assert change.base_sha256 == SHA
    assert change.binary_new is not None and change.binary_new.data == DATA
    assert change.binary_old is not None and change.binary_old.data is None  # read from disk
    assert [hunk.kind for hunk in change.hunks] == [HunkKind.BINARY]


def test_without_a_base_sha256_the_file_is_new_and_null_deletes() -> None:
    (created,) = proposals_from_json(one_change(new_base64=B64), "p.json")
    assert created.changes[0].binary_old is None
    (deleted,) = proposals_from_json(one_change(new_base64=None, base_sha256=SHA), "p.json")
    assert deleted.changes[0].binary_new is None


def test_annotations_alone_are_one_item_per_box() -> None:
    boxes = [
        {"id": "a", "label": "cat", "box": [1, 2, 3, 4]},
        {"id": "b", "box": [0, 0, 1, 1]},
    ]
    (proposal,) = proposals_from_json(one_change(annotations=boxes), "p.json")
    (change,) = proposal.changes
    assert [hunk.kind for hunk in change.hunks] == [HunkKind.ANNOTATION] * 2
    assert change.hunks[0].region is not None
    assert change.hunks[0].region.box == (1, 2, 3, 4)
    assert change.hunks[0].region.label == "cat"
    assert change.image is not None and change.image.annotated_sha256 is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"new_base64": "not base64!"}, r"\.new_base64: not valid base64"),
        ({"new_base64": B64, "new": "x"}, "give either 'new' or 'new_base64'"),
        ({"new_base64": B64, "base_sha256": "ABC"}, "64 lower-case hexadecimal digits"),
        ({"new_base64": None}, "needs its 'base_sha256'"),
        ({"new": "x", "base_sha256": SHA}, "'base_sha256' goes with 'new_base64'"),
        ({"annotations": []}, r"annotations: expected at least 1"),
        ({"annotations": [{"id": "a", "box": [1, 2, 3]}]}, r"box: expected \[x, y, width"),
        ({"annotations": [{"id": "a", "box": [1, 2, 0, 3]}]}, "width and height 1 or more"),
        ({"annotations": [{"id": "a", "box": [1, 2, True, 3]}]}, "four whole numbers"),
        (
            {"annotations": [{"id": "a", "box": [0, 0, 1, 1]}, {"id": "a", "box": [0, 0, 1, 1]}]},
            "duplicate id 'a'",
        ),
        ({"annotations": [{"id": "a", "box": [0, 0, 1, 1], "x": 1}]}, "unexpected key 'x'"),
        (
            {
                "new_base64": None,
                "base_sha256": SHA,
                "annotations": [{"id": "a", "box": [0, 0, 1, 1]}],
            },
            "a deleted image cannot be annotated",
        ),
    ],
)
def test_bad_image_fields_are_named_by_their_json_path(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        proposals_from_json(one_change(**change), "p.json")


# ---- the schema says the same ------------------------------------------------------------


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {str: "string", list: "array", dict: "object", float: "number"}.get(type(value), "null")


def valid(schema: dict[str, Any], node: Any, value: Any) -> bool:
    """A JSON Schema checker for the keywords proposal-v1.json uses (booleans included)."""
    if node is True or node is False:
        return bool(node)
    if "$ref" in node:
        return valid(schema, schema["$defs"][node["$ref"].split("/")[-1]], value)
    ok = True
    if "type" in node:
        kinds = [node["type"]] if isinstance(node["type"], str) else node["type"]
        ok &= _kind(value) in kinds
    if "const" in node:
        ok &= _kind(value) == _kind(node["const"]) and value == node["const"]
    if isinstance(value, str):
        ok &= len(value) >= node.get("minLength", 0)
        if "pattern" in node:
            ok &= re.search(node["pattern"], value) is not None
    if isinstance(value, int) and not isinstance(value, bool) and "minimum" in node:
        ok &= value >= node["minimum"]
    if isinstance(value, list):
        ok &= len(value) >= node.get("minItems", 0)
        prefix = node.get("prefixItems", [])
        ok &= all(valid(schema, sub, item) for sub, item in zip(prefix, value, strict=False))
        if "items" in node:
            ok &= all(valid(schema, node["items"], item) for item in value[len(prefix) :])
    if isinstance(value, dict):
        ok &= all(key in value for key in node.get("required", []))
        properties = node.get("properties", {})
        ok &= all(valid(schema, properties[k], v) for k, v in value.items() if k in properties)
        if node.get("additionalProperties") is False:
            ok &= all(key in properties for key in value)
    if "oneOf" in node:
        ok &= sum(valid(schema, sub, value) for sub in node["oneOf"]) == 1
    if "anyOf" in node:
        ok &= any(valid(schema, sub, value) for sub in node["anyOf"])
    if "not" in node:
        ok &= not valid(schema, node["not"], value)
    return ok


AGREEMENT = [
    one_change(new_base64=B64),
    one_change(new_base64=B64, base_sha256=SHA),
    one_change(new_base64=None, base_sha256=SHA),
    one_change(annotations=[{"id": "a", "label": "l", "box": [0, 0, 1, 1]}]),
    one_change(annotations=[{"id": "a", "box": [0, 0, 1, 1]}], base_sha256=SHA),
    one_change(new_base64=B64, annotations=[{"id": "a", "box": [5, 5, 2, 2]}]),
    one_change(new_base64=B64, new="x"),
    one_change(new_base64=B64, diff="@@ -1 +1 @@\n-a\n+b\n"),
    one_change(new_base64=B64, encoding="latin-1"),
    one_change(new_base64=B64, old_path="img/b.png"),
    one_change(new_base64=B64, base_sha256="F" * 64),
    one_change(new_base64=5),
    one_change(new="x", base_sha256=SHA),
    one_change(new="x", annotations=[{"id": "a", "box": [0, 0, 1, 1]}]),
    one_change(annotations=[]),
    one_change(annotations=[{"id": "a", "box": [0, 0, 0, 1]}]),
    one_change(annotations=[{"id": "a", "box": [-1, 0, 1, 1]}]),
    one_change(annotations=[{"id": "a", "box": [0, 0, 1, 1, 1]}]),
    one_change(annotations=[{"id": "a", "box": [0, 0, 1]}]),
    one_change(annotations=[{"id": "", "box": [0, 0, 1, 1]}]),
    one_change(annotations=[{"box": [0, 0, 1, 1]}]),
    one_change(annotations=[{"id": "a", "box": [0, 0, 1.5, 1]}]),
]


@pytest.mark.parametrize("document", AGREEMENT)
def test_the_schema_and_the_parser_agree_on_image_fields(document: dict[str, Any]) -> None:
    schema = _schema()
    try:
        proposals_from_json(document, "doc.json")
        parsed = True
    except InputError:
        parsed = False
    assert valid(schema, schema, document) == parsed


def test_the_checker_can_say_no() -> None:
    schema = _schema()
    assert valid(schema, schema, AGREEMENT[0])
    assert not valid(schema, schema, AGREEMENT[-1])

"""Vetline proposal JSON (resources/schema/proposal-v1.json), checked key by key into proposals.

The checks here are the schema's, written out by hand so that every error names its
JSON path ("$.proposals[0].changes[1].path: expected a string") and so that Vetline
needs no JSON Schema library. tests/test_parse_json.py holds the two in agreement.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from vetline.core.errors import InputError
from vetline.core.hunks import hunks_from_texts
from vetline.core.image_items import annotation_hunk
from vetline.core.model import (
    Agent,
    BinaryData,
    Change,
    Citation,
    FileStatus,
    Hunk,
    HunkKind,
    ImageDiff,
    ImageRegion,
    Proposal,
    sha256_hex,
)
from vetline.core.text import TextDecodeError, encode

FORMAT_VERSION = 1
_SHA256 = re.compile(r"[0-9a-f]{64}")


class Shape(NamedTuple):
    """The keys an object must have and the ones it may have (as in the schema's $defs)."""

    required: tuple[str, ...]
    optional: tuple[str, ...]


SHAPES: dict[str, Shape] = {
    "document": Shape(("vetline", "proposals"), ()),
    "proposal": Shape(
        ("title",),
        (
            *("id", "rationale", "task", "agent", "created_at", "parent_id"),
            *("changes", "answer", "citations"),
        ),
    ),
    "agent": Shape((), ("name", "model", "provider", "served_model")),
    "change": Shape(
        ("path",),
        (
            "old_path",
            "encoding",
            "base",
            "new",
            "diff",
            "new_base64",
            "base_sha256",
            "annotations",
        ),
    ),
    "annotation": Shape(("id", "box"), ("label",)),
    "citation": Shape(("id", "locator", "quote"), ("title", "claim", "hunk_id", "source_text")),
}


def parse_json(data: bytes, source_name: str) -> list[Proposal]:
    """The proposals of a JSON file: a {"vetline": 1, "proposals": [...]} document, or one."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{source_name}: JSON must be UTF-8 (bad byte at {error.start})"
        ) from error
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{source_name} line {error.lineno} column {error.colno}: not valid JSON: {error.msg}"
        ) from error
    except RecursionError as error:
        raise InputError(f"{source_name}: the JSON is nested too deeply") from error
    except ValueError as error:  # a number with more digits than Python converts
        raise InputError(f"{source_name}: not valid JSON: a number has too many digits") from error
    return proposals_from_json(value, source_name)


def proposals_from_json(value: object, source_name: str) -> list[Proposal]:
    """The proposals of an already-parsed JSON value (e.g. an LLM's structured reply)."""
    reader = _Reader(source_name)
    if isinstance(value, dict) and ("vetline" in value or "proposals" in value):
        document = reader.shaped(value, "$", "document")
        version = document["vetline"]
        if type(version) is not int:  # JSON true is not 1
            raise reader.error("$.vetline", f"expected the format version {FORMAT_VERSION}")
        if version != FORMAT_VERSION:
            raise reader.error(
                "$.vetline",
                f"version {version} is not supported (this Vetline reads {FORMAT_VERSION})",
            )
        items = reader.array(document["proposals"], "$.proposals", min_items=1)
        proposals = [reader.proposal(item, f"$.proposals[{i}]") for i, item in enumerate(items)]
    else:
        proposals = [reader.proposal(value, "$")]
    seen: set[str] = set()
    for index, proposal in enumerate(proposals):
        if proposal.id in seen:
            raise reader.error(f"$.proposals[{index}].id", f"duplicate id {proposal.id!r}")
        seen.add(proposal.id)
    return proposals


class _Reader:
    """Checks values against the schema's shapes and builds the model from them."""

    def __init__(self, source_name: str) -> None:
        self.source = source_name
        # Proposals against the same file carry the same base text: one copy is kept (and
        # pickled once, when a worker process parsed them for the window).
        self._texts: dict[str, str] = {}

    def error(self, path: str, message: str) -> InputError:
        return InputError(f"{self.source}: {path}: {message}")

    # -- schema checks --

    def shaped(self, value: object, path: str, shape_name: str) -> Mapping[str, object]:
        if not isinstance(value, dict):
            raise self.error(path, f"expected an object, got {_json_type(value)}")
        shape = SHAPES[shape_name]
        for key in shape.required:
            if key not in value:
                raise self.error(path, f"missing required key {key!r}")
        allowed = (*shape.required, *shape.optional)
        for key in value:
            if key not in allowed:
                raise self.error(path, f"unexpected key {key!r} (allowed: {', '.join(allowed)})")
        return value

    def array(self, value: object, path: str, min_items: int = 0) -> list[object]:
        if not isinstance(value, list):
            raise self.error(path, f"expected an array, got {_json_type(value)}")
        if len(value) < min_items:
            raise self.error(path, f"expected at least {min_items} item(s)")
        return value

    def string(
        self, data: Mapping[str, object], key: str, path: str, *, non_empty: bool = False
    ) -> str | None:
        """The string at `key`, or None when the key is absent."""
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, str):
            raise self.error(f"{path}.{key}", f"expected a string, got {_json_type(value)}")
        if non_empty and not value:
            raise self.error(f"{path}.{key}", "must not be empty")
        try:
            value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError as error:
            raise self.error(
                f"{path}.{key}", f"not valid Unicode (a lone surrogate at character {error.start})"
            ) from error
        return value

    def nullable_string(self, data: Mapping[str, object], key: str, path: str) -> str | None:
        if data.get(key) is None:
            return None
        return self.string(data, key, path)

    # -- model --

    def proposal(self, value: object, path: str) -> Proposal:
        data = self.shaped(value, path, "proposal")
        title = self.string(data, "title", path, non_empty=True) or ""
        answer = self.string(data, "answer", path, non_empty=True) or ""
        if answer and "changes" in data:
            raise self.error(
                path, "give either 'changes' or 'answer' (a cited answer changes no files)"
            )
        if not answer and "changes" not in data:
            raise self.error(
                path, "missing required key 'changes' (or 'answer' for a cited answer)"
            )
        changes = tuple(
            self.change(item, f"{path}.changes[{i}]")
            for i, item in enumerate(
                self.array(data.get("changes", []), f"{path}.changes", min_items=0 if answer else 1)
            )
        )
        citations = tuple(
            self.citation(item, f"{path}.citations[{i}]")
            for i, item in enumerate(self.array(data.get("citations", []), f"{path}.citations"))
        )
        created_at = self.string(data, "created_at", path) or ""
        if created_at:
            try:
                datetime.fromisoformat(created_at)
            except ValueError as error:
                raise self.error(f"{path}.created_at", "not an ISO 8601 date-time") from error
        agent = self.shaped(data.get("agent", {}), f"{path}.agent", "agent")
        return Proposal(
            id=self.string(data, "id", path, non_empty=True) or _content_id(value),
            title=title,
            changes=changes,
            rationale=self.string(data, "rationale", path) or "",
            task=self.string(data, "task", path) or "",
            agent=Agent(
                name=self.string(agent, "name", f"{path}.agent") or "",
                model=self.string(agent, "model", f"{path}.agent") or "",
                provider=self.string(agent, "provider", f"{path}.agent") or "",
                served_model=self.string(agent, "served_model", f"{path}.agent") or "",
            ),
            created_at=created_at,
            citations=citations,
            parent_id=self.nullable_string(data, "parent_id", path),
            answer=answer,
        )

    def citation(self, value: object, path: str) -> Citation:
        data = self.shaped(value, path, "citation")
        return Citation(
            id=self.string(data, "id", path, non_empty=True) or "",
            title=self.string(data, "title", path) or "",
            locator=self.string(data, "locator", path, non_empty=True) or "",
            quote=self.string(data, "quote", path) or "",
            claim=self.string(data, "claim", path) or "",
            hunk_id=self.nullable_string(data, "hunk_id", path),
            source_text=self.nullable_string(data, "source_text", path),
        )

    def change(self, value: object, path: str) -> Change:
        data = self.shaped(value, path, "change")
        file_path = self.string(data, "path", path, non_empty=True) or ""
        if "new_base64" in data or "annotations" in data:
            return self._image_change(file_path, data, path)
        if "base_sha256" in data:
            raise self.error(path, "'base_sha256' goes with 'new_base64' or 'annotations'")
        old_path = self.string(data, "old_path", path, non_empty=True)
        encoding = self._encoding(self.string(data, "encoding", path, non_empty=True), path)
        if "diff" in data:
            if "base" in data or "new" in data:
                raise self.error(path, "give either 'diff' or 'base'/'new', not both")
            diff = self.string(data, "diff", path, non_empty=True) or ""
            return self._diff_change(file_path, old_path, diff, encoding, path)
        if "new" not in data:
            raise self.error(path, "needs 'new' (with 'base' unless the file is new) or 'diff'")
        base = self.nullable_string(data, "base", path)
        if base is not None:
            base = self._texts.setdefault(base, base)
        new = self.nullable_string(data, "new", path)
        return self._text_change(file_path, old_path, base, new, encoding, path)

    def _image_change(self, file_path: str, data: Mapping[str, object], path: str) -> Change:
        """New bytes for a file (`new_base64`), proposed boxes on an image, or both."""
        for key in ("old_path", "encoding", "base", "new", "diff"):
            if key in data:
                other = "new_base64" if "new_base64" in data else "annotations"
                raise self.error(path, f"give either {key!r} or {other!r}, not both")
        base_sha256 = self._sha256(data, path)
        annotations = self._annotations(data, path)
        boxes = tuple(annotation_hunk(file_path, box) for box in annotations)
        if "new_base64" not in data:
            return Change(
                file_path,
                FileStatus.MODIFIED,
                boxes,
                image=ImageDiff(None, None, annotations=annotations, annotated_sha256=base_sha256),
            )
        new = self._base64(data, "new_base64", path)
        if new is None and base_sha256 is None:
            raise self.error(path, "deleting a file ('new_base64': null) needs its 'base_sha256'")
        if new is None and annotations:
            raise self.error(f"{path}.annotations", "a deleted image cannot be annotated")
        image = None
        if annotations:
            assert new is not None
            image = ImageDiff(None, None, annotations=annotations, annotated_sha256=sha256_hex(new))
        return Change(
            file_path,
            FileStatus.BINARY,
            (_zero_line_hunk(file_path, HunkKind.BINARY), *boxes),
            base_sha256=base_sha256,
            binary_old=None if base_sha256 is None else BinaryData(None),
            binary_new=None if new is None else BinaryData(new),
            image=image,
        )

    def _sha256(self, data: Mapping[str, object], path: str) -> str | None:
        value = self.string(data, "base_sha256", path)
        if value is not None and not _SHA256.fullmatch(value):
            raise self.error(f"{path}.base_sha256", "expected 64 lower-case hexadecimal digits")
        return value

    def _base64(self, data: Mapping[str, object], key: str, path: str) -> bytes | None:
        text = self.nullable_string(data, key, path)
        if text is None:
            return None
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as error:
            raise self.error(f"{path}.{key}", f"not valid base64: {error}") from error

    def _annotations(self, data: Mapping[str, object], path: str) -> tuple[ImageRegion, ...]:
        if "annotations" not in data:
            return ()
        where = f"{path}.annotations"
        items = self.array(data["annotations"], where, min_items=1)
        boxes = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            entry = self.shaped(item, f"{where}[{index}]", "annotation")
            box_id = self.string(entry, "id", f"{where}[{index}]", non_empty=True) or ""
            if box_id in seen:
                raise self.error(f"{where}[{index}].id", f"duplicate id {box_id!r}")
            seen.add(box_id)
            x, y, width, height = self._box(entry["box"], f"{where}[{index}].box")
            label = self.string(entry, "label", f"{where}[{index}]") or ""
            boxes.append(ImageRegion(x, y, width, height, label=label, annotation_id=box_id))
        return tuple(boxes)

    def _box(self, value: object, path: str) -> tuple[int, int, int, int]:
        numbers = self.array(value, path)
        whole = [number for number in numbers if type(number) is int]  # JSON true is not 1
        if len(numbers) != 4 or len(whole) != 4:
            raise self.error(path, "expected [x, y, width, height]: four whole numbers")
        x, y, width, height = whole
        if x < 0 or y < 0 or width < 1 or height < 1:
            raise self.error(path, "x and y must be 0 or more, width and height 1 or more")
        return x, y, width, height

    def _encoding(self, name: str | None, path: str) -> str:
        if name is None:
            return "utf-8"
        try:
            found = codecs.lookup(name).name
            if "\n".encode(found).decode(found) != "\n":
                raise LookupError(name)
        except (LookupError, ValueError, UnicodeError) as error:
            raise self.error(f"{path}.encoding", f"unknown encoding {name!r}") from error
        return found

    def _encoded(self, text: str, encoding: str, path: str) -> bytes:
        try:
            return encode(text, encoding)
        except TextDecodeError as error:
            raise self.error(path, str(error)) from error

    def _text_change(
        self,
        path: str,
        old_path: str | None,
        base: str | None,
        new: str | None,
        encoding: str,
        where: str,
    ) -> Change:
        if new is not None:
            self._encoded(new, encoding, f"{where}.new")
        if base is None:
            if new is None:
                raise self.error(where, "'base' and 'new' are both null: nothing to change")
            if old_path is not None:
                raise self.error(f"{where}.old_path", "a renamed file needs its 'base' text")
            hunks = hunks_from_texts(path, "", new) or (
                _zero_line_hunk(path, HunkKind.CREATE_EMPTY),
            )
            return Change(
                path, FileStatus.ADDED, hunks, base_text="", new_text=new, encoding=encoding
            )
        base_sha256 = sha256_hex(self._encoded(base, encoding, f"{where}.base"))
        if new is None:
            if old_path is not None and old_path != path:
                raise self.error(f"{where}.old_path", "a deleted file cannot be renamed")
            hunks = hunks_from_texts(path, base, "") or (
                _zero_line_hunk(path, HunkKind.DELETE_EMPTY),
            )
            return Change(
                path,
                FileStatus.DELETED,
                hunks,
                base_text=base,
                base_sha256=base_sha256,
                encoding=encoding,
            )
        renamed = old_path is not None and old_path != path
        rename = (_zero_line_hunk(path, HunkKind.RENAME),) if renamed else ()
        hunks = (*rename, *hunks_from_texts(path, base, new))
        if not hunks:
            raise self.error(where, "'base' and 'new' are the same: nothing to review")
        return Change(
            path,
            FileStatus.RENAMED if renamed else FileStatus.MODIFIED,
            hunks,
            old_path=old_path if renamed else None,
            base_text=base,
            new_text=new,
            base_sha256=base_sha256,
            encoding=encoding,
        )

    def _diff_change(
        self, path: str, old_path: str | None, diff: str, encoding: str, where: str
    ) -> Change:
        header_lines = 0
        if not any(line.startswith(("--- ", "diff --git ")) for line in diff.splitlines()):
            # Hunks alone: the change's path says which file they are for.
            source = old_path or path
            header = f"diff --git a/{source} b/{path}\n"
            if source != path:
                header += f"rename from {source}\nrename to {path}\n"
            header += f"--- a/{source}\n+++ b/{path}\n"
            header_lines = header.count("\n")
            diff = header + diff
        from vetline.adapters.formats.unified import parse_file_diffs  # only for a "diff"

        changes = parse_file_diffs(diff, f"{self.source}: {where}.diff", line_offset=-header_lines)
        if len(changes) != 1:
            raise self.error(f"{where}.diff", f"changes {len(changes)} files; give one per change")
        change = changes[0]
        if change.path != path:
            raise self.error(f"{where}.diff", f"is a diff of {change.path!r}, not of {path!r}")
        if old_path is not None and change.source_path != old_path:
            raise self.error(
                f"{where}.diff", f"renames {change.source_path!r}, not {old_path!r} (old_path)"
            )
        return dataclasses.replace(change, encoding=encoding)


def _zero_line_hunk(path: str, kind: HunkKind) -> Hunk:
    return Hunk(path, 0, 0, 0, 0, kind=kind)


def _content_id(value: object) -> str:
    """A proposal without an id gets one from its content, so re-reading it gives the same."""
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()[:12]


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"

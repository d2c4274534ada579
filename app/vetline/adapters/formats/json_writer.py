"""Proposals written as Vetline proposal JSON (resources/schema/proposal-v1.json).

The writer for what formats/json_reader reads: a file written here loads back through
adapters.inputs.load_source into the same changes and hunks.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vetline.adapters.files.atomic import write_atomically
from vetline.adapters.formats.json_reader import FORMAT_VERSION
from vetline.core.model import Change, Citation, FileStatus, HunkKind, Proposal
from vetline.core.patch_text import file_patch


def proposal_to_json(proposal: Proposal) -> dict[str, Any]:
    """A one-proposal document {"vetline": 1, "proposals": [...]}."""
    return proposals_to_json([proposal])


def proposals_to_json(proposals: Sequence[Proposal]) -> dict[str, Any]:
    return {"vetline": FORMAT_VERSION, "proposals": [_proposal(p) for p in proposals]}


def write_proposal_file(path: Path, proposals: Sequence[Proposal]) -> None:
    """Write the document as UTF-8 JSON, replacing the file only once it is complete."""
    document = proposals_to_json(proposals)
    try:
        data = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    except UnicodeEncodeError:
        # Undecodable bytes kept as lone surrogates (core.text.decode) cannot be UTF-8;
        # as \\u escapes they survive, and the reader turns them back into the bytes.
        data = json.dumps(document, ensure_ascii=True, indent=2).encode("ascii")
    write_atomically(path, data + b"\n")


def _proposal(proposal: Proposal) -> dict[str, Any]:
    out: dict[str, Any] = {"id": proposal.id, "title": proposal.title}
    if proposal.rationale:
        out["rationale"] = proposal.rationale
    if proposal.task:
        out["task"] = proposal.task
    agent = {
        key: value
        for key, value in (
            ("name", proposal.agent.name),
            ("model", proposal.agent.model),
            ("provider", proposal.agent.provider),
            ("served_model", proposal.agent.served_model),
        )
        if value
    }
    if agent:
        out["agent"] = agent
    if proposal.created_at:
        out["created_at"] = proposal.created_at
    if proposal.parent_id is not None:
        out["parent_id"] = proposal.parent_id
    if proposal.answer:
        if proposal.changes:
            raise ValueError(f"proposal {proposal.id}: a cited answer cannot also change files")
        out["answer"] = proposal.answer
    else:
        out["changes"] = [_change(change, proposal.id) for change in proposal.changes]
    if proposal.citations:
        out["citations"] = [_citation(citation) for citation in proposal.citations]
    return out


def _change(change: Change, proposal_id: str) -> dict[str, Any]:
    where = f"proposal {proposal_id}: {change.path}"
    if change.is_binary or (change.image is not None and change.image.annotations):
        return _binary_change(change, where)
    out: dict[str, Any] = {"path": change.path}
    if change.old_path is not None and change.old_path != change.path:
        out["old_path"] = change.old_path
    if change.encoding != "utf-8":
        out["encoding"] = change.encoding
    if change.base_text is not None and (
        change.new_text is not None or change.status is FileStatus.DELETED
    ):
        if change.status is not FileStatus.ADDED:
            out["base"] = change.base_text
        out["new"] = change.new_text
        return out
    # A change read from a patch has no texts: its hunks go out as a patch of this file.
    if not change.hunks or any(hunk.kind is not HunkKind.TEXT for hunk in change.hunks):
        raise ValueError(f"{where}: a change without texts can only be written as text hunks")
    out["diff"] = file_patch(
        change.path,
        change.hunks,
        old_path=change.old_path,
        created=change.status is FileStatus.ADDED,
        deleted=change.status is FileStatus.DELETED,
    )
    return out


def _binary_change(change: Change, where: str) -> dict[str, Any]:
    """`new_base64` and the base's sha256, and any proposed boxes (`annotations`)."""
    out: dict[str, Any] = {"path": change.path}
    image = change.image
    if change.is_binary:
        if change.source_path != change.path:
            raise ValueError(f"{where}: a renamed binary file cannot be written as JSON")
        new = _new_bytes(change)
        if change.binary_old is not None:
            if change.base_sha256 is None:
                raise ValueError(
                    f"{where}: the base's sha256 is not known, so it cannot be checked"
                )
            out["base_sha256"] = change.base_sha256
        out["new_base64"] = None if new is None else base64.b64encode(new).decode("ascii")
    elif image is not None and image.annotated_sha256:
        out["base_sha256"] = image.annotated_sha256
    if image is not None and image.annotations:
        out["annotations"] = [
            {"id": box.annotation_id, "label": box.label, "box": list(box.box)}
            for box in image.annotations
        ]
    return out


def _new_bytes(change: Change) -> bytes | None:
    """The new file's bytes, whole (None: the change deletes the file)."""
    new = change.binary_new
    if new is None:
        return None
    if new.data is not None and not new.is_delta:
        return new.data
    if change.image is not None and change.image.after_data is not None:
        return change.image.after_data  # a delta the image step applied
    raise ValueError(f"{change.path}: the new content is not in the source (a delta or no data)")


def _citation(citation: Citation) -> dict[str, Any]:
    out: dict[str, Any] = {"id": citation.id, "locator": citation.locator, "quote": citation.quote}
    if citation.title:
        out["title"] = citation.title
    if citation.claim:
        out["claim"] = citation.claim
    if citation.hunk_id is not None:
        out["hunk_id"] = citation.hunk_id
    if citation.source_text is not None:
        out["source_text"] = citation.source_text
    return out

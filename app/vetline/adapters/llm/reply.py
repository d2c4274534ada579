"""A model's reply as a Proposal with hunks Vetline computes, or an IncompleteAnswer: why not."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from vetline.adapters.llm.prompt import FileText
from vetline.core.hunks import hunks_from_texts
from vetline.core.leash import leaving_refusal, path_refusal
from vetline.core.model import (
    Agent,
    Change,
    Citation,
    FileStatus,
    Hunk,
    HunkKind,
    Proposal,
    sha256_hex,
)
from vetline.core.text import TextDecodeError, encode

if TYPE_CHECKING:  # the client loads openai; reading a reply does not need it
    from vetline.adapters.llm.client import ChatReply

# Some local servers in json_object mode still wrap the object in a Markdown fence.
_FENCE = re.compile(r"\A\s*```[A-Za-z]*\s*\n(.*?)\n\s*```\s*\Z", re.DOTALL)
_REPLY_KEYS = ("title", "rationale", "changes")
# Citations came after the first servers were set up; a reply without them has none.
_OPTIONAL_REPLY_KEYS = ("citations",)
_CHANGE_KEYS = ("path", "new_text")
_CITATION_KEYS = ("id", "locator", "quote")
_OPTIONAL_CITATION_KEYS = ("claim",)


class ReplyError(ValueError):
    """The reply is not a usable proposal; the message says why (with a JSON path)."""


@dataclass(frozen=True, slots=True)
class IncompleteAnswer:
    """An answer cut off, not JSON, or not the schema's shape: shown, never accepted.

    It stands where a Proposal would, so the window can show the raw text and offer
    to ask again.
    """

    reason: str
    raw_text: str
    task: str = ""
    agent: Agent = field(default_factory=Agent)
    parent_id: str | None = None
    created_at: str = ""
    title: str = "Incomplete answer"

    @property
    def incomplete(self) -> bool:
        return True

    @property
    def acceptable(self) -> bool:
        return False


def read_reply(
    reply: ChatReply,
    files: Sequence[FileText],
    *,
    task: str,
    agent: Agent,
    parent_id: str | None = None,
) -> Proposal | IncompleteAnswer:
    """The proposal in a finished reply, or an IncompleteAnswer saying why there is none."""
    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        reason = _incomplete_reason(reply)
        if reason:
            raise ReplyError(reason)
        return proposal_from_reply(
            reply.text,
            files,
            proposal_id=uuid.uuid4().hex[:12],
            task=task,
            agent=agent,
            created_at=created_at,
            parent_id=parent_id,
        )
    except ReplyError as error:
        return IncompleteAnswer(
            str(error),
            reply.text,
            task=task,
            agent=agent,
            parent_id=parent_id,
            created_at=created_at,
        )


def _incomplete_reason(reply: ChatReply) -> str:
    """Why a finished stream is not a whole answer, or "" when it is."""
    received = f"after {len(reply.text)} characters"
    if reply.cut_off:
        return f"the answer broke off {received}: {reply.cut_off}"
    if reply.finish_reason is None:
        return f"the stream ended {received} without the model finishing"
    if reply.finish_reason == "length":
        return f"the model hit its output limit {received}"
    if reply.finish_reason == "content_filter":
        return "the provider's content filter stopped the answer"
    return ""


def proposal_from_reply(
    reply_text: str,
    files: Sequence[FileText],
    *,
    proposal_id: str,
    task: str,
    agent: Agent,
    created_at: str,
    parent_id: str | None = None,
) -> Proposal:
    """The proposal a reply describes; raises ReplyError if it does not fit the schema."""
    value = _load_json(reply_text)
    if not isinstance(value, dict):
        raise ReplyError("$: expected a JSON object")
    _check_keys(value, _REPLY_KEYS, "$", _OPTIONAL_REPLY_KEYS)
    title = _string(value, "title", "$").strip()
    if not title:
        raise ReplyError("$.title: must not be empty")
    rationale = _string(value, "rationale", "$")
    items = value["changes"]
    if not isinstance(items, list):
        raise ReplyError("$.changes: expected an array")
    by_path = {file.path: file for file in files}
    seen: set[str] = set()
    changes = []
    for index, item in enumerate(items):
        where = f"$.changes[{index}]"
        if not isinstance(item, dict):
            raise ReplyError(f"{where}: expected an object")
        _check_keys(item, _CHANGE_KEYS, where)
        path = _string(item, "path", where).strip().removeprefix("./")
        # A name nobody asked about that is merely odd (dots only, an invisible character)
        # is out of scope: the scope check sends the answer back naming it. One that leads
        # outside the workspace or into .git/ is refused here, whoever asked.
        refusal = path_refusal(path) if path in by_path else leaving_refusal(path)
        if refusal:
            raise ReplyError(f"{where}.path: {path!r}: {refusal}")
        if path in seen:
            raise ReplyError(f"{where}.path: {path!r} appears twice")
        seen.add(path)
        change = _change(path, _string(item, "new_text", where), by_path.get(path), where)
        if change is not None:
            changes.append(change)
    if not changes:
        raise ReplyError("the answer changes nothing")
    citations = _citations(value.get("citations", []))
    return Proposal(
        id=proposal_id,
        title=title,
        changes=tuple(changes),
        rationale=rationale.strip(),
        task=task,
        agent=agent,
        created_at=created_at,
        parent_id=parent_id,
        citations=citations,
    )


def _citations(items: object) -> tuple[Citation, ...]:
    """The reply's citations; each is checked against its source later, like any other."""
    if not isinstance(items, list):
        raise ReplyError("$.citations: expected an array")
    citations = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"$.citations[{index}]"
        if not isinstance(item, dict):
            raise ReplyError(f"{where}: expected an object")
        _check_keys(item, _CITATION_KEYS, where, _OPTIONAL_CITATION_KEYS)
        citation_id = _string(item, "id", where).strip()
        locator = _string(item, "locator", where).strip()
        if not citation_id or not locator:
            raise ReplyError(f"{where}: id and locator must not be empty")
        if citation_id in seen:
            raise ReplyError(f"{where}.id: {citation_id!r} appears twice")
        seen.add(citation_id)
        claim = _string(item, "claim", where) if "claim" in item else ""
        citations.append(
            Citation(citation_id, "", locator, _string(item, "quote", where), claim=claim)
        )
    return tuple(citations)


def _load_json(reply_text: str) -> object:
    fenced = _FENCE.match(reply_text)
    text = fenced.group(1) if fenced else reply_text
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ReplyError(
            f"not valid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        raise ReplyError("the JSON is nested too deeply") from None


def _check_keys(
    value: Mapping[str, object],
    keys: tuple[str, ...],
    where: str,
    optional: tuple[str, ...] = (),
) -> None:
    for key in keys:
        if key not in value:
            raise ReplyError(f"{where}: missing required key {key!r}")
    for key in value:
        if key not in keys and key not in optional:
            raise ReplyError(f"{where}: unexpected key {key!r}")


def _string(value: Mapping[str, object], key: str, where: str) -> str:
    text = value[key]
    if not isinstance(text, str):
        raise ReplyError(f"{where}.{key}: expected a string")
    return text


def _change(path: str, new_text: str, current: FileText | None, where: str) -> Change | None:
    """The change from the file's current text to `new_text`; None if they are the same."""
    if current is None:
        _check_encodable(new_text, "utf-8", where)
        hunks = hunks_from_texts(path, "", new_text) or (
            Hunk(path, 0, 0, 0, 0, kind=HunkKind.CREATE_EMPTY),
        )
        return Change(path, FileStatus.ADDED, hunks, base_text="", new_text=new_text)
    new_text = match_line_endings(new_text, current.text)
    if new_text == current.text:
        return None
    _check_encodable(new_text, current.encoding, where)
    return Change(
        path,
        FileStatus.MODIFIED,
        hunks_from_texts(path, current.text, new_text),
        base_text=current.text,
        new_text=new_text,
        base_sha256=sha256_hex(encode(current.text, current.encoding)),
        encoding=current.encoding,
    )


def match_line_endings(new_text: str, base_text: str) -> str:
    """`new_text` with the base file's line endings and final newline.

    Models write "\\n" and often drop the last newline; left alone, a CRLF file would
    show every line as changed and the last line would show as a spurious change.
    """
    if "\r\n" in base_text and "\r\n" not in new_text:
        new_text = new_text.replace("\n", "\r\n")
    if new_text and base_text.endswith("\n") and not new_text.endswith("\n"):
        new_text += "\r\n" if base_text.endswith("\r\n") else "\n"
    return new_text


def _check_encodable(text: str, encoding: str, where: str) -> None:
    try:
        encode(text, encoding)
    except TextDecodeError as error:
        raise ReplyError(f"{where}.new_text: {error}") from None

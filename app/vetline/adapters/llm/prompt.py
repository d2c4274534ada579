"""What Vetline tells the model: the reply schema, the task with its files, and send-backs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from vetline.adapters.llm.scope import SCOPE_RULE
from vetline.core.leash import Limits, Violation
from vetline.core.model import Proposal

SCHEMA_NAME = "vetline_proposal"

# The shape the model must answer in. Strict structured output wants every property
# required and no extras; full file texts (not diffs) because models write whole files
# far more reliably than line-numbered hunks, and Vetline computes the hunks itself.
REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "description": "One line: what the change does."},
        "rationale": {"type": "string", "description": "Why, in a few sentences."},
        "changes": {
            "type": "array",
            "description": "One entry per file changed or created.",
            "items": {
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "The file's path as given."},
                    "new_text": {
                        "type": "string",
                        "description": "The complete new content of the file.",
                    },
                },
                "required": ["path", "new_text"],
                "additionalProperties": False,
            },
        },
        "citations": {
            "type": "array",
            "description": "The sources the change relies on; empty when it relies on none.",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "description": 'A short id, e.g. "1".'},
                    "locator": {
                        "type": "string",
                        "description": "The source: its URL, or a file's path as given.",
                    },
                    "quote": {
                        "type": "string",
                        "description": "A passage copied word for word from the source.",
                    },
                    "claim": {"type": "string", "description": "What the passage supports."},
                },
                "required": ["id", "locator", "quote", "claim"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["title", "rationale", "changes", "citations"],
    "additionalProperties": False,
}

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class FileText:
    """A file the model is shown: its workspace-relative path and current text."""

    path: str
    text: str
    encoding: str = "utf-8"


def limit_statement(limits: Limits) -> str:
    """The leash said plainly, e.g. "at most 40 changed lines, at most 1 file"."""
    parts = [f"at most {limits.max_changed_lines} changed lines (added plus removed)"]
    if limits.max_files is not None:
        parts.append(f"at most {_count(limits.max_files, 'file')}")
    if limits.max_hunks is not None:
        parts.append(f"at most {_count(limits.max_hunks, 'separate changed region')}")
    return ", ".join(parts)


def system_message(limits: Limits) -> ChatMessage:
    return ChatMessage(
        "system",
        "You propose code and text changes that a reviewer verifies one hunk at a time, so"
        " propose the smallest change that does what is asked.\n"
        "Answer with one JSON object only: "
        '{"title": "...", "rationale": "...", "changes": [{"path": "...", "new_text": "..."}],'
        ' "citations": []}\n'
        "- new_text is the COMPLETE new content of the file, never a diff or an excerpt; keep"
        " every line you do not mean to change exactly as it is.\n"
        "- When the change relies on a source (a file given, or a web page), cite it:"
        ' {"id": "1", "locator": URL or path, "quote": a passage copied word for word,'
        ' "claim": what it supports}. The reviewer checks every quote against its source.\n'
        "- List only the files you change, with their paths exactly as given. A path that was"
        " not given creates a new file.\n"
        f"- Stay within the limit: {limit_statement(limits)}. If the task needs more, do the"
        " first part that fits and say in the rationale what remains.",
    )


def task_message(
    instruction: str, files: Sequence[FileText], limits: Limits, scope: str = ""
) -> ChatMessage:
    shown = "\n".join(
        f'<file path="{file.path}">\n{file.text}{"" if file.text.endswith(chr(10)) else chr(10)}'
        "</file>"
        for file in files
    )
    return ChatMessage(
        "user",
        f"Task: {instruction.strip()}\n\n"
        f"Limit: {limit_statement(limits)}.\n\n"
        + (f"Scope: {scope}\n\n" if scope else "")
        + f"Files:\n{shown or '(none: create what the task needs)'}",
    )


def ask_messages(
    instruction: str, files: Sequence[FileText], limits: Limits, scope: str = ""
) -> list[ChatMessage]:
    """The system message and the task; `scope` says which files the answer may touch."""
    return [system_message(limits), task_message(instruction, files, limits, scope)]


def revise_messages(
    previous: Proposal, reason: str, files: Sequence[FileText], limits: Limits, scope: str = ""
) -> list[ChatMessage]:
    """The original task, the rejected answer as the model's own turn, then the reason."""
    return [
        *ask_messages(previous.task, files, limits, scope),
        ChatMessage("assistant", json.dumps(reply_of(previous), ensure_ascii=False)),
        ChatMessage(
            "user",
            f"The reviewer rejected this proposal. Their reason: {reason.strip()}\n"
            f"Propose a revised change that addresses it. Limit: {limit_statement(limits)}.",
        ),
    ]


def send_back_message(
    violations: Sequence[Violation], limits: Limits, scope: str = ""
) -> ChatMessage:
    """Why an answer is sent back (over the leash, out of scope), and what would be accepted."""
    lines = []
    size = [v.message for v in violations if v.rule not in ("path", SCOPE_RULE)]
    paths = [v.message for v in violations if v.rule == "path"]
    outside = [v.message for v in violations if v.rule == SCOPE_RULE]
    if outside:
        lines.append(
            f"Out of scope: {'; '.join(outside)}. {scope or 'Change only the files given.'}"
            " Leave every other file out of the changes."
        )
    if size:
        lines.append(
            f"Too large ({'; '.join(size)}): {limit_statement(limits)}. Split the work and"
            " send only the first part that fits; say in the rationale what remains."
        )
    if paths:
        lines.append(f"Not allowed: {'; '.join(paths)}. Leave those files unchanged.")
    lines.append("Answer again with the same JSON format.")
    return ChatMessage("user", "\n".join(lines))


def reply_of(proposal: Proposal) -> dict[str, Any]:
    """A proposal as the model would have written it (for putting it back in a conversation)."""
    return {
        "title": proposal.title,
        "rationale": proposal.rationale,
        "changes": [
            {"path": change.path, "new_text": change.new_text}
            for change in proposal.changes
            if change.new_text is not None
        ],
        "citations": [
            {"id": c.id, "locator": c.locator, "quote": c.quote, "claim": c.claim}
            for c in proposal.citations
        ],
    }


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"

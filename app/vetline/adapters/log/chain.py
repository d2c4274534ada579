"""The hash chain: a log row's columns, its hash, and the walk that finds the first bad row."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vetline.core.errors import LogIntegrityError
from vetline.core.model import Decision, ItemKind, Verdict

GENESIS_HASH = "0" * 64

# The Decision fields, in column order; the table adds seq before and the chain after.
DECISION_COLUMNS = (
    "decided_at",
    "proposal_id",
    "hunk_id",
    "hunk_sha256",
    "path",
    "verdict",
    "reason",
    "ms_on_screen",
    "reviewer",
    "level",
    "agent",
    "model",
    "added",
    "removed",
    "edited_text",
    "undoes",
    "bulk",
    "kept",
    "flagged",
    "served_model",
    "kind",
    "rubber_stamp",
)
# Columns added after the first schema, with the value older rows have. A row's hash
# leaves such a column out while it holds that value, so rows written before the
# column existed still verify.
LATER_COLUMNS: dict[str, object] = {
    "bulk": 0,
    "kept": "",
    "flagged": "",
    "served_model": "",
    "kind": "hunk",
    "rubber_stamp": 0,
}
COLUMNS = ("seq", *DECISION_COLUMNS, "prev_hash", "hash")

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome of checking the log.

    `rows_checked` counts the rows found intact before the first problem (all of them
    when `ok`); `first_bad_seq` (when a row is to blame) and `problem` name that problem.
    """

    ok: bool
    rows_checked: int
    first_bad_seq: int | None = None
    problem: str = ""

    def raise_if_broken(self) -> None:
        if not self.ok:
            raise LogIntegrityError(f"the decision log is altered: {self.problem}")


def row_hash(row: Mapping[str, Any]) -> str:
    """sha256 of the row's fields (all but `hash`) as compact JSON with sorted keys."""
    fields = {
        name: value
        for name, value in row.items()
        if name != "hash" and not (name in LATER_COLUMNS and value == LATER_COLUMNS[name])
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def decision_from_row(row: Mapping[str, Any]) -> Decision:
    """The Decision a log row records (for undo and for replaying a session)."""
    values = {name: row[name] for name in DECISION_COLUMNS}
    values["verdict"] = Verdict(values["verdict"])
    values["bulk"] = bool(values["bulk"])
    values["kind"] = ItemKind(values["kind"])
    values["rubber_stamp"] = bool(values["rubber_stamp"])
    return Decision(**values)


def row_of(decision: Decision) -> Row:
    """The table's values for one decision (seq and the chain are added on append)."""
    row: Row = {name: getattr(decision, name) for name in DECISION_COLUMNS}
    row["verdict"] = str(decision.verdict)
    row["bulk"] = int(decision.bulk)
    row["kind"] = str(decision.kind)
    row["rubber_stamp"] = int(decision.rubber_stamp)
    for name, value in row.items():
        if isinstance(value, str):
            row[name] = _storable(value)
    return row


def walk_chain(rows: Iterable[Mapping[str, Any]]) -> VerifyResult:
    """Walk the chain from the first row; stop at the first row that does not fit."""
    previous_seq = 0
    previous_hash = GENESIS_HASH
    checked = 0
    for row in rows:
        seq = row["seq"]
        if seq != previous_seq + 1:
            return broken(checked, previous_seq + 1, _missing(previous_seq + 1, seq))
        if row["prev_hash"] != previous_hash:
            after = f"row {previous_seq}" if previous_seq else "the start of the chain"
            return broken(checked, seq, f"row {seq}: prev_hash does not match {after}")
        if row_hash(row) != row["hash"]:
            return broken(checked, seq, f"row {seq}: hash does not match its contents")
        previous_seq, previous_hash = seq, row["hash"]
        checked += 1
    return VerifyResult(ok=True, rows_checked=checked)


def broken(checked: int, seq: int | None, problem: str) -> VerifyResult:
    return VerifyResult(ok=False, rows_checked=checked, first_bad_seq=seq, problem=problem)


def _storable(text: str) -> str:
    """Text SQLite can store: lone surrogates (from undecodable bytes) become escapes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _missing(expected: int, found: int) -> str:
    if found < expected:
        return f"row {found} appears out of order after row {expected - 1}"
    if found == expected + 1:
        return f"row {expected} is missing"
    return f"rows {expected} to {found - 1} are missing"

"""Exports of the log (JSON lines, CSV) that carry its head, and the check of an export.

Every record carries the log's head when it was exported (`head_seq`, `head_hash`), so
an export cut short, or with rows taken out, is noticed by `check_export`. An export of
a log with no decisions holds one record with only the head, so that it, too, says how
many rows it should hold: a file emptied to 0 bytes, or a CSV cut to its header, is
damage, never an empty log.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal, TextIO

from vetline.adapters.log.chain import (
    COLUMNS,
    GENESIS_HASH,
    Row,
    VerifyResult,
    broken,
    row_hash,
    walk_chain,
)
from vetline.adapters.log.errors import DecisionLogError
from vetline.adapters.log.head import LogHead

# The flat record every export carries, in this order, then the extras.
EXPORT_FIELDS = (
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
    "prev_hash",
    "hash",
    "seq",
    "undoes",
    "edited_text",
    "bulk",
    "kept",
    "flagged",
    "served_model",
    "kind",
    "rubber_stamp",
    "head_seq",
    "head_hash",
)
ExportFormat = Literal["jsonl", "csv"]
_INTEGERS = ("seq", "ms_on_screen", "level", "added", "removed", "head_seq")


def export_rows(rows: Iterable[Row], end: LogHead, fmt: ExportFormat, out: TextIO) -> int:
    """Write one record per row to `out` (the head alone when there is none); returns
    how many rows were written."""
    if fmt == "jsonl":
        count = 0
        for row in rows:
            record = _export_record(row, end)
            record["otel"] = _otel_attributes(row)
            out.write(_json_line(record))
            count += 1
        if not count:
            out.write(_json_line(_head_record(end)))
        return count
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, restval="")
        writer.writeheader()
        count = 0
        for row in rows:
            writer.writerow(_export_record(row, end))
            count += 1
        if not count:
            writer.writerow(_head_record(end))
        return count
    raise DecisionLogError(f"unknown export format {fmt!r} (use jsonl or csv)")


def check_export(lines: Iterable[str]) -> VerifyResult:
    """Check an export (either format) against its own chain and the head it carries."""
    lines = iter(lines)
    first = next(lines, "")
    while first and not first.strip():
        first = next(lines, "")
    if not first:
        return broken(0, None, "the export is empty: even a log with no decisions exports its head")
    if first.lstrip().startswith("{"):
        records: Iterator[Mapping[str, Any]] = _jsonl_records(first, lines)
    else:
        records = csv.DictReader([first, *lines])
    heads: set[tuple[int, str]] = set()
    rows: list[Row] = []
    try:
        for number, record in enumerate(records, start=1):
            heads.add((int(record["head_seq"]), str(record["head_hash"])))
            if len(heads) > 1:
                return broken(len(rows), None, f"record {number} names another head")
            if _is_head_only(record):
                if number > 1 or next(iter(records), None) is not None:
                    return broken(len(rows), None, f"record {number} has a head but no row")
                break
            rows.append(_row_from_record(record))
    except (ValueError, KeyError, TypeError) as error:
        return broken(len(rows), None, f"record {len(rows) + 1} is not a log record: {error}")
    if not heads:
        return broken(
            0, None, "the export holds no records, not even its head (cut to its header?)"
        )
    result = walk_chain(_with_either_edited_text(row) for row in rows)
    if not result.ok:
        return result
    ((head_seq, head_hash),) = heads
    last_seq = rows[-1]["seq"] if rows else 0
    if last_seq < head_seq:
        held = f"its records end at row {last_seq}" if rows else "it holds none"
        return broken(
            result.rows_checked,
            last_seq + 1,
            f"rows were cut off the end: the export's head says {head_seq} decisions, {held}",
        )
    if not rows:
        return result if head_hash == GENESIS_HASH else broken(0, None, _NOT_THE_HEAD)
    last = rows[-1]
    if last["seq"] != head_seq or last["hash"] != head_hash:
        return broken(result.rows_checked, last["seq"], _NOT_THE_HEAD)
    return result


_NOT_THE_HEAD = "the last record is not the head"


def _head_record(end: LogHead) -> Row:
    """The only record of an export of a log with no decisions: its head, no row."""
    return {"head_seq": end.rows, "head_hash": end.last_hash}


def _is_head_only(record: Mapping[str, Any]) -> bool:
    return record.get("seq") in (None, "")


def _json_line(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def _export_record(row: Mapping[str, Any], end: LogHead) -> Row:
    record = {name: row[name] for name in EXPORT_FIELDS[:-2]}
    record["bulk"] = bool(record["bulk"])
    record["rubber_stamp"] = bool(record["rubber_stamp"])
    record["head_seq"] = end.rows
    record["head_hash"] = end.last_hash
    return record


def _otel_attributes(row: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenTelemetry `gen_ai.evaluation.result` event's attributes for one decision."""
    return {
        "event.name": "gen_ai.evaluation.result",
        "gen_ai.evaluation.name": "vetline.review",
        "gen_ai.evaluation.score.label": row["verdict"],
        "gen_ai.evaluation.explanation": row["reason"],
        "gen_ai.request.model": row["model"],
        "gen_ai.response.model": row["served_model"] or row["model"],
        "gen_ai.agent.name": row["agent"],
    }


def _jsonl_records(first: str, rest: Iterator[str]) -> Iterator[Mapping[str, Any]]:
    for line in (first, *rest):
        if line.strip():
            record = json.loads(line)
            if not isinstance(record, dict):
                raise TypeError("a line is not a JSON object")
            yield record


def _row_from_record(record: Mapping[str, Any]) -> Row:
    """The log row a record was made from (CSV gives text: the types come back here)."""
    row: Row = {name: record[name] for name in COLUMNS}
    for name in _INTEGERS:
        if name in row:
            row[name] = int(row[name])
    for flag in ("bulk", "rubber_stamp"):
        row[flag] = int(row[flag] in (True, "True", "true", "1", 1))
    row["undoes"] = None if row["undoes"] in (None, "") else int(row["undoes"])
    return row


def _with_either_edited_text(row: Row) -> Row:
    """CSV writes no text and empty text alike: take whichever the row's hash was made of."""
    if row["edited_text"] == "" and row_hash(row) != row["hash"]:
        return {**row, "edited_text": None}
    return row

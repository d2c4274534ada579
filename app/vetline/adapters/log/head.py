"""The chain's head (which log, how many rows, the last hash) kept in a file beside the log.

The log cannot vouch for its own end: a copy cut short, emptied or swapped for an older
one still chains perfectly. So after every append the head is written, synced, to
`<log>.head` as well; opening or verifying the log compares the two. The head is written
after the row is committed, so after a crash it may lag behind the log (which is fine:
the log may be ahead of its head, never behind it).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from vetline.adapters.files.atomic import durable_sync, write_atomically
from vetline.adapters.log.chain import GENESIS_HASH
from vetline.adapters.log.errors import DecisionLogError

HEAD_SUFFIX = ".head"
_FORMAT = "vetline-log-head"
_HEX = frozenset("0123456789abcdef")
# Two fixed-size slots, each a line of JSON with its own checksum (like the two meta
# pages of LMDB): an append overwrites the older slot in place.
_SLOT_BYTES = 256


class HeadFileError(DecisionLogError):
    """The head file exists but cannot be read or is not a head file."""


@dataclass(frozen=True, slots=True)
class LogHead:
    """The end of one log: its id, its row count (the last seq) and the last row's hash."""

    log_id: str
    rows: int
    last_hash: str

    def describe(self) -> str:
        if self.rows == 0:
            return "no decisions"
        return f"{self.rows} decisions (the last hashed {self.last_hash[:12]})"


def head_path(log_path: Path) -> Path:
    return log_path.with_name(log_path.name + HEAD_SUFFIX)


def read_head(path: Path) -> LogHead | None:
    """The head in `path`, or None when there is no such file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise HeadFileError(f"cannot read the head file {path}: {error.strerror}") from error
    found = [head for head in map(_parse_slot, _slots(data)) if head is not None]
    if not found:
        raise HeadFileError(f"the head file {path} is damaged or not a Vetline log head")
    if len({head.log_id for head in found}) > 1:
        raise HeadFileError(f"the head file {path} names two different logs")
    return max(found, key=lambda head: head.rows)


def write_head(path: Path, head: LogHead) -> None:
    """Make (or replace) the head file whole: both slots, temp file, fsync, rename."""
    slot = _slot_text(head)
    write_atomically(path, slot + slot)


def advance_head(path: Path, head: LogHead) -> None:
    """Move the head on after an append: overwrite the slot holding the older end, sync.

    The other slot keeps the previous end, so a write torn by a crash leaves a head one
    row behind, which is allowed. One small synced write per append, no rename.
    """
    with path.open("r+b") as file:
        slots = [_parse_slot(text) for text in _slots(file.read(2 * _SLOT_BYTES + 1))]
        if len(slots) != 2:
            file.close()
            write_head(path, head)  # not a head file's shape: make it whole again
            return
        rows = [-1 if slot is None else slot.rows for slot in slots]
        file.seek(0 if rows[0] <= rows[1] else _SLOT_BYTES)
        file.write(_slot_text(head))
        file.flush()
        durable_sync(file.fileno())


def end_of(connection: sqlite3.Connection, log_id: str) -> LogHead:
    """The head as the log itself has it now."""
    last = connection.execute("SELECT seq, hash FROM decisions ORDER BY seq DESC LIMIT 1")
    found = last.fetchone()
    if found is None:
        return LogHead(log_id, 0, GENESIS_HASH)
    return LogHead(log_id, int(found[0]), str(found[1]))


def head_problem(connection: sqlite3.Connection, head: LogHead, log_id: str | None) -> str | None:
    """What is wrong with the log's end as its head file describes it (None: nothing).

    The log may hold rows past the head (a crash between the commit and the head's
    write); it must hold the head's last row, unchanged.
    """
    if log_id is not None and log_id != head.log_id:
        return (
            f"this is not the log its head file describes (log id {log_id[:12]}…, the "
            f"head file names {head.log_id[:12]}…): it was swapped for another log"
        )
    if head.rows == 0:
        return None
    found = connection.execute("SELECT hash FROM decisions WHERE seq = ?", (head.rows,))
    at_head = found.fetchone()
    if at_head is not None:
        if at_head[0] == head.last_hash:
            return None
        return (
            f"row {head.rows} is not the row the head file names (hash "
            f"{str(at_head[0])[:12]}…, expected {head.last_hash[:12]}…): the log was "
            "swapped for another copy or rewritten"
        )
    last = connection.execute("SELECT max(seq) FROM decisions").fetchone()[0] or 0
    if last < head.rows:
        held = f"ends at row {last}" if last else "holds no decisions"
        return (
            f"rows were cut off the end: the head file says {head.rows} decisions, the log {held}"
        )
    return f"row {head.rows}, the last row the head file names, is missing"


def names_another_log(connection: sqlite3.Connection, head: LogHead, log_id: str | None) -> bool:
    """True when the log is not the one its head file describes: another log's id, or
    another row where the head's last row should be (a rewritten or diverged copy).
    Resealing such a log would accept it in place of the real one."""
    if log_id is not None and log_id != head.log_id:
        return True
    if head.rows == 0:
        return False
    found = connection.execute("SELECT hash FROM decisions WHERE seq = ?", (head.rows,))
    at_head = found.fetchone()
    return at_head is not None and at_head[0] != head.last_hash


def _slots(data: bytes) -> list[bytes]:
    if len(data) != 2 * _SLOT_BYTES:
        return []
    return [data[:_SLOT_BYTES], data[_SLOT_BYTES:]]


def _slot_text(head: LogHead) -> bytes:
    record = {
        "format": _FORMAT,
        "log_id": head.log_id,
        "rows": head.rows,
        "last_hash": head.last_hash,
        "check": _check(head),
    }
    text = json.dumps(record, separators=(",", ":")).encode("ascii")
    if len(text) >= _SLOT_BYTES:
        raise HeadFileError(f"a log id this long cannot be kept in a head: {head.log_id!r}")
    return text.ljust(_SLOT_BYTES - 1) + b"\n"


def _parse_slot(data: bytes) -> LogHead | None:
    """The head one slot holds, or None when it is torn, altered or not a head."""
    try:
        record = json.loads(data)
        head = LogHead(str(record["log_id"]), int(record["rows"]), str(record["last_hash"]))
    except (ValueError, KeyError, TypeError):
        return None
    valid = (
        record.get("format") == _FORMAT
        and record.get("check") == _check(head)
        and head.rows >= 0
        and _is_hash(head.last_hash)
    )
    return head if valid else None


def _check(head: LogHead) -> str:
    text = f"{head.log_id}|{head.rows}|{head.last_hash}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _is_hash(text: str) -> bool:
    return len(text) == 64 and set(text) <= _HEX

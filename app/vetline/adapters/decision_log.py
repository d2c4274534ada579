"""The decision log: every verdict appended durably to a hash-chained SQLite table."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

from vetline.adapters.paths import data_dir
from vetline.core.errors import LogIntegrityError, VetlineError
from vetline.core.model import Decision, Verdict

LOG_FILE_NAME = "decisions.sqlite3"
SCHEMA_VERSION = 2  # 2: the `bulk`, `kept` and `flagged` columns
# PRAGMA application_id marks the file as ours ("VTLN"), so a stray SQLite file is refused.
APPLICATION_ID = int.from_bytes(b"VTLN", "big")
GENESIS_HASH = "0" * 64
DEFAULT_BUSY_TIMEOUT_S = 5.0
_SQLITE_MAGIC = b"SQLite format 3\x00"
_BATCH = 500

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
)
# Columns added after the first schema, with the value older rows have. A row's hash
# leaves such a column out while it holds that value, so rows written before the
# column existed still verify.
LATER_COLUMNS: dict[str, object] = {"bulk": 0, "kept": "", "flagged": ""}
COLUMNS = ("seq", *DECISION_COLUMNS, "prev_hash", "hash")

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
)

# Separate statements: executescript() would COMMIT the transaction that guards them.
_SCHEMA = (
    """
CREATE TABLE decisions (
    seq INTEGER PRIMARY KEY,
    decided_at TEXT NOT NULL,
    proposal_id TEXT NOT NULL,
    hunk_id TEXT NOT NULL,
    hunk_sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    verdict TEXT NOT NULL,
    reason TEXT NOT NULL,
    ms_on_screen INTEGER NOT NULL,
    reviewer TEXT NOT NULL,
    level INTEGER NOT NULL,
    agent TEXT NOT NULL,
    model TEXT NOT NULL,
    added INTEGER NOT NULL,
    removed INTEGER NOT NULL,
    edited_text TEXT,
    undoes INTEGER,
    bulk INTEGER NOT NULL DEFAULT 0,
    kept TEXT NOT NULL DEFAULT '',
    flagged TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
)""",
    "CREATE INDEX decisions_by_proposal ON decisions (proposal_id, seq)",
)

# Schema 1 -> 2. Rows from before hold the defaults: not decided in bulk, nothing kept.
_MIGRATE_1_TO_2 = (
    "ALTER TABLE decisions ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE decisions ADD COLUMN kept TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE decisions ADD COLUMN flagged TEXT NOT NULL DEFAULT ''",
)

Row = dict[str, Any]


class DecisionLogError(VetlineError):
    """The decision log cannot be opened, read or written."""


class DecisionLogBusyError(DecisionLogError):
    """Another process held the log's write lock for longer than the busy timeout."""


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome of walking the hash chain.

    `rows_checked` counts the rows found intact before the first problem (all of them
    when `ok`); `first_bad_seq` and `problem` name that problem.
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
    return Decision(**values)


class DecisionLog:
    """An append-only, hash-chained log of decisions in one SQLite file.

    Safe to share between processes: appends take SQLite's write lock, and a writer
    that cannot get it within `busy_timeout_s` gets DecisionLogBusyError.
    """

    def __init__(
        self, path: str | Path | None = None, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S
    ) -> None:
        self.path = Path(path) if path is not None else data_dir() / LOG_FILE_NAME
        self._lock = threading.Lock()  # one connection, shared by the UI and its worker
        _refuse_foreign_file(self.path)
        self._connection = self._connect(busy_timeout_s)
        try:
            with self._translated_errors():
                self._prepare()
        except BaseException:
            self._connection.close()
            raise

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def __enter__(self) -> DecisionLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def append(self, decision: Decision) -> int:
        """Write one decision durably (committed and synced) and return its seq."""
        with self._lock, self._translated_errors():
            # BEGIN IMMEDIATE takes the write lock first, so no other process can
            # append between our reading the chain's end and our inserting after it.
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                last = self._connection.execute(
                    "SELECT seq, hash FROM decisions ORDER BY seq DESC LIMIT 1"
                ).fetchone()
                row = _row_of(decision)
                row["seq"] = last[0] + 1 if last else 1
                row["prev_hash"] = last[1] if last else GENESIS_HASH
                row["hash"] = row_hash(row)
                placeholders = ", ".join(f":{name}" for name in COLUMNS)
                self._connection.execute(
                    f"INSERT INTO decisions ({', '.join(COLUMNS)}) VALUES ({placeholders})",  # noqa: S608 - fixed column names
                    row,
                )
                self._connection.execute("COMMIT")
            except BaseException:
                if self._connection.in_transaction:
                    self._connection.execute("ROLLBACK")
                raise
            seq: int = row["seq"]
            return seq

    def rows(self) -> Iterator[Row]:
        """Every row as a dict (columns in table order), in seq order, read in batches."""
        return self._select("1", ())

    def decisions_for_proposal(self, proposal_id: str) -> list[Row]:
        return list(self._select("proposal_id = ?", (proposal_id,)))

    def last_decision(self) -> Row | None:
        with self._lock, self._translated_errors():
            found = self._connection.execute(
                f"SELECT {', '.join(COLUMNS)} FROM decisions ORDER BY seq DESC LIMIT 1"  # noqa: S608
            ).fetchone()
        return dict(zip(COLUMNS, found, strict=True)) if found else None

    def verify(self) -> VerifyResult:
        """Walk the chain from the first row; stop at the first row that does not fit."""
        previous_seq = 0
        previous_hash = GENESIS_HASH
        checked = 0
        for row in self.rows():
            seq = row["seq"]
            if seq != previous_seq + 1:
                return _broken(checked, previous_seq + 1, _missing(previous_seq + 1, seq))
            if row["prev_hash"] != previous_hash:
                after = f"row {previous_seq}" if previous_seq else "the start of the chain"
                return _broken(checked, seq, f"row {seq}: prev_hash does not match {after}")
            if row_hash(row) != row["hash"]:
                return _broken(checked, seq, f"row {seq}: hash does not match its contents")
            previous_seq, previous_hash = seq, row["hash"]
            checked += 1
        return VerifyResult(ok=True, rows_checked=checked)

    def export(self, fmt: Literal["jsonl", "csv"], out: TextIO) -> int:
        """Write one record per decision to `out`; returns how many were written."""
        if fmt == "jsonl":
            return _export_jsonl(self.rows(), out)
        if fmt == "csv":
            return _export_csv(self.rows(), out)
        raise DecisionLogError(f"unknown export format {fmt!r} (use jsonl or csv)")

    def _select(self, where: str, parameters: tuple[object, ...]) -> Iterator[Row]:
        # Batches keyed on seq, so no cursor (or lock) stays open while the caller
        # works through the rows, and an append meanwhile is simply seen or not.
        after = 0
        query = (
            f"SELECT {', '.join(COLUMNS)} FROM decisions "  # noqa: S608 - fixed column names
            f"WHERE seq > ? AND ({where}) ORDER BY seq LIMIT {_BATCH}"
        )
        while True:
            with self._lock, self._translated_errors():
                batch = self._connection.execute(query, (after, *parameters)).fetchall()
            for values in batch:
                yield dict(zip(COLUMNS, values, strict=True))
            if len(batch) < _BATCH:
                return
            after = batch[-1][0]

    def _connect(self, busy_timeout_s: float) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we write BEGIN/COMMIT ourselves; `timeout` is
            # SQLite's busy timeout, how long to wait for another writer's lock.
            return sqlite3.connect(
                self.path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as error:
            raise DecisionLogError(f"cannot open the decision log {self.path}: {error}") from error

    def _prepare(self) -> None:
        connection = self._connection
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("BEGIN IMMEDIATE")
        try:
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if application_id == 0 and version == 0 and tables == 0:
                for statement in _SCHEMA:
                    connection.execute(statement)
                connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
                connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            elif application_id != APPLICATION_ID:
                raise DecisionLogError(f"{self.path} is not a Vetline decision log")
            elif version > SCHEMA_VERSION:
                raise DecisionLogError(
                    f"{self.path} was written by a newer Vetline (log schema {version}, "
                    f"this version reads up to {SCHEMA_VERSION})"
                )
            elif version < SCHEMA_VERSION:
                # Migrated inside this same transaction: all of it, or none.
                for statement in _MIGRATE_1_TO_2:
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise DecisionLogBusyError(
                    f"the decision log is busy (another Vetline is writing): {self.path}"
                ) from error
            raise DecisionLogError(f"the decision log failed: {self.path}: {error}") from error
        except sqlite3.DatabaseError as error:
            raise DecisionLogError(
                f"the decision log is damaged or not a Vetline log: {self.path}: {error}"
            ) from error


def _refuse_foreign_file(path: Path) -> None:
    """Refuse a non-SQLite file before SQLite sees it, with a message naming it."""
    if path.is_dir():
        raise DecisionLogError(f"{path} is a folder, not a Vetline decision log")
    try:
        with path.open("rb") as file:
            header = file.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except OSError as error:
        raise DecisionLogError(f"cannot read the decision log {path}: {error}") from error
    if header and header != _SQLITE_MAGIC:
        raise DecisionLogError(f"{path} is not a Vetline decision log (not an SQLite file)")


def _row_of(decision: Decision) -> Row:
    row: Row = {name: getattr(decision, name) for name in DECISION_COLUMNS}
    row["verdict"] = str(decision.verdict)
    row["bulk"] = int(decision.bulk)
    for name, value in row.items():
        if isinstance(value, str):
            row[name] = _storable(value)
    return row


def _storable(text: str) -> str:
    """Text SQLite can store: lone surrogates (from undecodable bytes) become escapes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _broken(checked: int, seq: int, problem: str) -> VerifyResult:
    return VerifyResult(ok=False, rows_checked=checked, first_bad_seq=seq, problem=problem)


def _missing(expected: int, found: int) -> str:
    if found < expected:
        return f"row {found} appears out of order after row {expected - 1}"
    if found == expected + 1:
        return f"row {expected} is missing"
    return f"rows {expected} to {found - 1} are missing"


def _export_record(row: Mapping[str, Any]) -> Row:
    record = {name: row[name] for name in EXPORT_FIELDS}
    record["bulk"] = bool(record["bulk"])
    return record


def _otel_attributes(row: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenTelemetry `gen_ai.evaluation.result` event's attributes for one decision."""
    return {
        "event.name": "gen_ai.evaluation.result",
        "gen_ai.evaluation.name": "vetline.review",
        "gen_ai.evaluation.score.label": row["verdict"],
        "gen_ai.evaluation.explanation": row["reason"],
        "gen_ai.request.model": row["model"],
        "gen_ai.agent.name": row["agent"],
    }


def _export_jsonl(rows: Iterator[Row], out: TextIO) -> int:
    count = 0
    for row in rows:
        record = _export_record(row)
        record["otel"] = _otel_attributes(row)
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def _export_csv(rows: Iterator[Row], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(_export_record(row))
        count += 1
    return count

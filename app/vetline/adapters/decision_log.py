"""The decision log: every verdict appended durably to a hash-chained SQLite table.

Its parts live in `adapters/log/`: the chain, the schema, the head file beside the log,
page checks, rolling backups, who else has it open, and exports.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from vetline.adapters.log.backups import backup_paths, read_copy, take_backup
from vetline.adapters.log.chain import (
    COLUMNS,
    DECISION_COLUMNS,
    GENESIS_HASH,
    LATER_COLUMNS,
    Row,
    VerifyResult,
    broken,
    decision_from_row,
    row_hash,
    row_of,
    walk_chain,
)
from vetline.adapters.log.checks import page_problems
from vetline.adapters.log.errors import (
    DecisionLogBusyError,
    DecisionLogDamagedError,
    DecisionLogError,
    NewLogError,
)
from vetline.adapters.log.export import EXPORT_FIELDS, ExportFormat, export_rows
from vetline.adapters.log.filesystem import network_filesystem
from vetline.adapters.log.head import LogHead, advance_head, end_of, head_path
from vetline.adapters.log.inspect import end_problem, network_warning, read_head_of, shared_notice
from vetline.adapters.log.opening import damaged_error, prepare, refuse_what_is_not_a_new_log
from vetline.adapters.log.presence import IN_USE_SUFFIX, Presence
from vetline.adapters.log.schema import APPLICATION_ID, SCHEMA_VERSION
from vetline.adapters.paths import data_dir
from vetline.core.model import Decision

__all__ = [
    "APPLICATION_ID",
    "COLUMNS",
    "DECISION_COLUMNS",
    "EXPORT_FIELDS",
    "GENESIS_HASH",
    "LATER_COLUMNS",
    "LOG_FILE_NAME",
    "SCHEMA_VERSION",
    "DecisionLog",
    "DecisionLogBusyError",
    "DecisionLogDamagedError",
    "DecisionLogError",
    "Row",
    "VerifyResult",
    "decision_from_row",
    "row_hash",
]

LOG_FILE_NAME = "decisions.sqlite3"
DEFAULT_BUSY_TIMEOUT_S = 5.0
BACKUP_EVERY = 100  # appends by one process between two rolling copies
_BATCH = 500


class DecisionLog:
    """An append-only, hash-chained log of decisions in one SQLite file.

    Opening checks the file's pages (`quick_check`) and that its end is the one the head
    file beside it names; a damaged, emptied, cut or swapped log raises
    DecisionLogDamagedError, which says how to restore it, and is never started anew.
    Safe to share between processes: appends take SQLite's write lock, and a writer
    that cannot get it within `busy_timeout_s` gets DecisionLogBusyError. `warnings`
    holds what the reviewer should be told (another program has the log open, a network
    file system, a copy that could not be made).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
        backup_every: int = BACKUP_EVERY,
    ) -> None:
        self.path = Path(path) if path is not None else data_dir() / LOG_FILE_NAME
        self.warnings: list[str] = []
        self._lock = threading.Lock()  # one connection, shared by the UI and its worker
        self._busy_ms = int(busy_timeout_s * 1000)
        self._backup_every = backup_every
        self._appends_since_backup = 0
        self._damage: tuple[str, ...] = ()
        refuse_what_is_not_a_new_log(self.path)
        existed = self.path.exists()
        self._connection = self._connect(busy_timeout_s)
        self._presence: Presence | None = None
        try:
            with self._translated_errors():
                try:
                    self._log_id = prepare(self._connection, self.path)
                except NewLogError:
                    if not existed:  # the empty file SQLite made goes too
                        self._connection.close()
                        _remove_new_log(self.path)
                    raise
            self._identity = _identity(self.path)
            self._presence = Presence(self.path)
            self._gather_notices()
            self._backup_if_changed()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the log; a copy is made first when this process appended since the last."""
        with self._lock:
            if self._appends_since_backup and not self._damage:
                self._backup()
            if self._presence is not None:
                self._presence.close()
            self._connection.close()

    def __enter__(self) -> DecisionLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def append(self, decision: Decision) -> int:
        """Write one decision durably (committed and synced) and return its seq."""
        with self._lock, self._translated_errors():
            self._refuse_if_damaged_or_replaced()
            # BEGIN IMMEDIATE takes the write lock first, so no other process can
            # append between our reading the chain's end and our inserting after it.
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                self._check_end_against_head()
                row = row_of(decision)
                end = end_of(self._connection, self._log_id)
                row["seq"] = end.rows + 1
                row["prev_hash"] = end.last_hash
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
            self._write_head_after_commit()
            self._appends_since_backup += 1
            if self._appends_since_backup >= self._backup_every:
                self._backup()
            seq: int = row["seq"]
            return seq

    def rows(self) -> Iterator[Row]:
        """Every row as a dict (columns in table order), in seq order, read in batches."""
        return self._select("1", ())

    def rows_after(self, seq: int) -> Iterator[Row]:
        """The rows logged after row `seq`, in seq order."""
        return self._select("seq > ?", (seq,))

    def decisions_for_proposal(self, proposal_id: str) -> list[Row]:
        return list(self._select("proposal_id = ?", (proposal_id,)))

    def last_decision(self) -> Row | None:
        with self._lock, self._translated_errors():
            found = self._connection.execute(
                f"SELECT {', '.join(COLUMNS)} FROM decisions ORDER BY seq DESC LIMIT 1"  # noqa: S608
            ).fetchone()
        return dict(zip(COLUMNS, found, strict=True)) if found else None

    def end(self) -> LogHead:
        """The log's end now: its id, its last seq and that row's hash."""
        with self._lock, self._translated_errors():
            return end_of(self._connection, self._log_id)

    @property
    def in_use_folder(self) -> Path:
        """The folder where each program that has the log open keeps a locked file."""
        return self.path.with_name(self.path.name + IN_USE_SUFFIX)

    def others_open(self) -> list[str]:
        """The other programs that have this log open now, described for the reviewer."""
        if self._presence is None:
            return []
        return [opener.describe() for opener in self._presence.others()]

    def verify(self) -> VerifyResult:
        """Check every page, walk the chain from the first row, and compare its end with
        the head file; stop at the first problem."""
        head, head_error = read_head_of(self.path)  # before the rows: the log may be ahead
        with self._lock, self._translated_errors():
            pages = page_problems(self._connection, thorough=True)
        if pages:
            return broken(0, None, pages[0])
        result = walk_chain(self.rows())
        if not result.ok:
            return result
        with self._lock, self._translated_errors():
            problem = end_problem(self.path, self._connection, head, head_error, self._log_id)
        return broken(result.rows_checked, None, problem) if problem else result

    def export(self, fmt: ExportFormat, out: TextIO) -> int:
        """Write one record per decision to `out`, each carrying the log's end as it was
        when the export began; returns how many were written."""
        end = self.end()
        rows = self._select("seq <= ?", (end.rows,))
        return export_rows(rows, end, fmt, out)

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

    def _check_end_against_head(self) -> None:
        """Inside an append's write lock: the log must still reach the head file's end."""
        head, head_error = read_head_of(self.path)
        problem = end_problem(self.path, self._connection, head, head_error, self._log_id)
        if problem is not None:
            self._damage = (problem,)
            raise damaged_error(self.path, self._damage, self._log_id, hint=False)

    def _refuse_if_damaged_or_replaced(self) -> None:
        if not self._damage:
            try:
                if _identity(self.path) != self._identity:
                    self._damage = ("the log file was replaced on disk while it was open",)
            except FileNotFoundError:
                self._damage = ("the log file was removed while it was open",)
        if self._damage:
            raise damaged_error(self.path, self._damage, self._log_id, hint=False)

    def _write_head_after_commit(self) -> None:
        """Write the head once the row is committed; never let the head run ahead."""
        connection = self._connection
        connection.execute("PRAGMA busy_timeout=0")
        try:
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                # Another writer holds the lock: it writes a newer head after its commit.
                return
            try:
                advance_head(head_path(self.path), end_of(connection, self._log_id))
            finally:
                connection.execute("ROLLBACK")
        except OSError as error:
            # The row is committed; the head merely lags (the log may be ahead of it).
            self.warnings.append(f"the head file could not be written: {error}")
        finally:
            connection.execute(f"PRAGMA busy_timeout={self._busy_ms}")

    def _gather_notices(self) -> None:
        kind = network_filesystem(self.path.parent)
        if kind is not None:
            self.warnings.append(network_warning(self.path.parent, kind))
        self.warnings.extend(shared_notice(who) for who in self.others_open())

    def _backup_if_changed(self) -> None:
        end = end_of(self._connection, self._log_id)
        copies = backup_paths(self.path)
        newest = read_copy(copies[-1]) if copies else None
        if end.rows > 0 and (newest is None or newest.end != end):
            with self._lock:
                self._backup()

    def _backup(self) -> None:
        self._appends_since_backup = 0
        try:
            take_backup(self._connection, self.path)
        except (OSError, sqlite3.Error) as error:
            self.warnings.append(f"no copy of the log could be made: {error}")

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
            # "file is not a database", "database disk image is malformed"…
            self._damage = (f"the file is damaged: {error}",)
            raise damaged_error(self.path, self._damage, None) from error


def _remove_new_log(path: Path) -> None:
    """Remove a log this process just made and could not start (it holds nothing)."""
    for name in (path.name, *(path.name + side for side in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(OSError):
            path.with_name(name).unlink(missing_ok=True)


def _identity(path: Path) -> tuple[int, int]:
    """Which file `path` names now (device and inode), to notice a replaced log."""
    status = path.stat()
    return status.st_dev, status.st_ino

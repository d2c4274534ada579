"""Rolling copies of the log, made with SQLite's backup API, and the search for a good one.

Copies go to `<data>/log-backups/`, newest last by name; a few generations are kept.
Each copy is written under a temporary name, synced and renamed, so a crash never
leaves a half copy under a good name.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vetline.adapters.files.atomic import TEMP_MARK, durable_sync, fsync_folder
from vetline.adapters.log.chain import COLUMNS, VerifyResult, broken, walk_chain
from vetline.adapters.log.checks import page_problems
from vetline.adapters.log.head import LogHead, end_of
from vetline.adapters.log.schema import log_id_of

BACKUP_FOLDER = "log-backups"
GENERATIONS = 3
ABANDONED_AFTER_S = 600
_STAMP = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True, slots=True)
class LogCopy:
    """One backup copy of a log and the end it holds."""

    path: Path
    end: LogHead
    made_at: str  # ISO 8601, UTC

    def describe(self) -> str:
        return f"{self.path.name} (made {self.made_at}, {self.end.describe()})"


def backup_folder(log_path: Path) -> Path:
    return log_path.parent / BACKUP_FOLDER


def backup_paths(log_path: Path) -> list[Path]:
    """The copies of logs named like `log_path`, oldest first."""
    folder = backup_folder(log_path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{log_path.stem}-*{log_path.suffix}"))


def take_backup(
    connection: sqlite3.Connection, log_path: Path, generations: int = GENERATIONS
) -> Path:
    """Copy the log through `connection` (a consistent snapshot); keep `generations` copies."""
    folder = backup_folder(log_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime(_STAMP)
    target = folder / f"{log_path.stem}-{stamp}{log_path.suffix}"
    temp = folder / f".{target.name}{TEMP_MARK}{secrets.token_hex(4)}"
    try:
        with closing(sqlite3.connect(temp, isolation_level=None)) as copy:
            # No syncs while copying: the whole file is synced once, before its rename.
            copy.execute("PRAGMA synchronous=OFF")
            connection.backup(copy)
            # One self-contained file: no -wal beside the copy.
            copy.execute("PRAGMA journal_mode=DELETE")
        _fsync_file(temp)
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_folder(folder)
    for old in backup_paths(log_path)[:-generations]:
        old.unlink(missing_ok=True)
    _remove_abandoned_temps(folder)
    return target


def read_copy(path: Path) -> LogCopy | None:
    """The end a copy holds, read without checking it (None when it cannot be read)."""
    try:
        with closing(_open_read_only(path)) as connection:
            log_id = log_id_of(connection) or ""
            end = end_of(connection, log_id)
    except sqlite3.Error:
        return None
    return LogCopy(path, end, _made_at(path))


def check_copy(path: Path) -> tuple[LogCopy | None, VerifyResult]:
    """Read a copy and check all of it: its pages and its whole chain."""
    try:
        with closing(_open_read_only(path)) as connection:
            problems = page_problems(connection, thorough=True)
            if problems:
                return None, broken(0, None, problems[0])
            rows = connection.execute(
                f"SELECT {', '.join(COLUMNS)} FROM decisions ORDER BY seq"  # noqa: S608 - fixed column names
            )
            result = walk_chain(dict(zip(COLUMNS, values, strict=True)) for values in rows)
            end = end_of(connection, log_id_of(connection) or "")
    except sqlite3.Error as error:
        return None, broken(0, None, f"the copy cannot be read: {error}")
    return LogCopy(path, end, _made_at(path)), result


def newest_good_copy(log_path: Path, log_id: str | None) -> LogCopy | None:
    """The newest copy that checks out whole (and is of the log `log_id`, when given)."""
    for path in reversed(backup_paths(log_path)):
        copy, result = check_copy(path)
        if copy is not None and result.ok and log_id in (None, copy.end.log_id):
            return copy
    return None


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _made_at(path: Path) -> str:
    stamp = path.stem.rsplit("-", 1)[-1]
    try:
        made = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
    except ValueError:
        made = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return made.isoformat(timespec="seconds")


def _remove_abandoned_temps(folder: Path) -> None:
    """Half copies left by a process that died while copying (another may be copying
    now: only those untouched for a while go)."""
    cutoff = time.time() - ABANDONED_AFTER_S
    for temp in folder.glob(f".*{TEMP_MARK}*"):
        with contextlib.suppress(OSError):
            if temp.stat().st_mtime < cutoff:
                temp.unlink()


def _fsync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDWR)  # Windows syncs only what it may write
    try:
        durable_sync(descriptor)
    finally:
        os.close(descriptor)

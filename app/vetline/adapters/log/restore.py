"""Putting a damaged log right, only when asked: restore a copy, start anew, or reseal.

The damaged files are never deleted: they are renamed aside (`<log>.damaged-<when>`,
with their `-wal` and head) for whoever wants to look at them.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from vetline.adapters.files.atomic import durable_sync, fsync_folder, write_temp
from vetline.adapters.log.backups import LogCopy, backup_folder, check_copy, newest_good_copy
from vetline.adapters.log.chain import GENESIS_HASH
from vetline.adapters.log.errors import DecisionLogError
from vetline.adapters.log.head import HEAD_SUFFIX, LogHead, end_of, head_path, write_head
from vetline.adapters.log.inspect import LogReport, check_log, read_head_of
from vetline.adapters.log.presence import IN_USE_SUFFIX, live_openers
from vetline.adapters.log.schema import create_schema, log_id_of, new_log_id, set_log_id

_SIDE_FILES = ("-wal", "-shm", "-journal", HEAD_SUFFIX)


def restorable_copy(path: Path) -> LogCopy | None:
    """The copy `restore_log` puts back in place of the log at `path`: the newest good one
    of the log its head file names (None: there is none)."""
    head, _ = read_head_of(path)
    return newest_good_copy(path, head.log_id if head is not None else None)


def restore_log(path: Path, source: Path | None = None) -> str:
    """Put back the newest good copy (or `source`) in place of a damaged log."""
    report = _damaged_report(path)
    head, _ = read_head_of(path)
    log_id = head.log_id if head is not None else None
    if source is None:
        copy = restorable_copy(path)
        if copy is None:
            raise DecisionLogError(
                f"there is no good copy of the log in {backup_folder(path)}; "
                "`vetline log restore --new` sets the damaged log aside and starts an empty one"
            )
    else:
        checked, result = check_copy(source)
        if checked is None or not result.ok:
            raise DecisionLogError(f"{source} is not a good copy of the log: {result.problem}")
        if log_id is not None and checked.end.log_id != log_id:
            raise DecisionLogError(f"{source} is a copy of another log, not of {path}")
        copy = checked
    aside = _set_aside(path)
    temp = write_temp(path, b"", 0o644)
    try:
        shutil.copyfile(copy.path, temp)
        _sync(temp)
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)
    write_head(head_path(path), copy.end)
    lost = ""
    if head is not None and head.rows > copy.end.rows:
        lost = f" The last {head.rows - copy.end.rows} decisions the head named are not in it."
    return (
        f"restored the decision log from {copy.describe()}.{lost} "
        f"The damaged log is kept as {aside or 'nothing (there was no file)'}. "
        + _problems_line(report)
    )


def start_new_log(path: Path) -> str:
    """Set a damaged log aside and start an empty one in its place."""
    report = _damaged_report(path)
    aside = _set_aside(path)
    log_id = new_log_id()
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("BEGIN IMMEDIATE")
        create_schema(connection, log_id)
        connection.execute("COMMIT")
    write_head(head_path(path), LogHead(log_id, 0, GENESIS_HASH))
    return (
        f"started an empty decision log at {path}. The damaged log is kept as "
        f"{aside or 'nothing (there was no file)'}. " + _problems_line(report)
    )


def reseal_log(path: Path) -> str:
    """Accept the log's end as it is now (pages and chain sound): write a new head."""
    report = check_log(path)
    _refuse_while_open(path)
    if not report.exists or report.file_problems or report.chain is None:
        raise DecisionLogError(
            "reseal accepts a sound log's end, and this log is not sound: "
            + "; ".join(report.problems or ["there is no log"])
            + ". Use `vetline log restore` instead"
        )
    if not report.chain.ok:
        raise DecisionLogError(
            f"reseal accepts a sound log's end, but a row was altered: {report.chain.problem}. "
            "Use `vetline log restore` instead"
        )
    if report.swapped:
        raise DecisionLogError(
            f"reseal accepts the end of the log its head file describes, and this is another "
            f"log: {report.end_problem}. Resealing would take it in place of yours; "
            "`vetline log restore` puts back the newest good copy of the real one. To keep "
            f"this log instead, move its head file {head_path(path)} aside first"
        )
    old, _ = read_head_of(path)
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("BEGIN IMMEDIATE")
        log_id = log_id_of(connection)
        if log_id is None:
            log_id = new_log_id()
            set_log_id(connection, log_id)
        end = end_of(connection, log_id)
        write_head(head_path(path), end)
        connection.execute("COMMIT")
    before = f"it said {old.describe()}" if old is not None else "there was none"
    return f"the head file now says {end.describe()} ({before})"


def _damaged_report(path: Path) -> LogReport:
    _refuse_while_open(path)
    report = check_log(path)
    if report.ok:
        raise DecisionLogError(
            f"the decision log {path} is intact ({report.rows_checked} decisions): "
            "nothing to restore"
        )
    return report


def _refuse_while_open(path: Path) -> None:
    openers = live_openers(path.with_name(path.name + IN_USE_SUFFIX))
    if openers:
        who = "; ".join(opener.describe() for opener in openers)
        raise DecisionLogError(
            f"close the other Vetline programs that have the log open first ({who})"
        )


def _set_aside(path: Path) -> Path | None:
    """Rename the log and its side files to `<log>.damaged-<when>…`; the log's new name."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    moved = None
    if path.exists():
        path.rename(aside)
        moved = aside
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(aside.with_name(aside.name + suffix))
    fsync_folder(path.parent)
    return moved


def _sync(path: Path) -> None:
    with path.open("r+b") as file:
        durable_sync(file.fileno())


def _problems_line(report: LogReport) -> str:
    return "It was damaged: " + "; ".join(report.problems) + "."

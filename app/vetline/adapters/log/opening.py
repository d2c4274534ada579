"""Opening a log: never start anew where one existed, check its pages, make or migrate
the schema, and hold the log's end against its head file."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path

from vetline.adapters.log.chain import GENESIS_HASH
from vetline.adapters.log.checks import file_state, page_problems
from vetline.adapters.log.errors import DecisionLogDamagedError, DecisionLogError, NewLogError
from vetline.adapters.log.head import (
    LogHead,
    end_of,
    head_path,
    head_problem,
    names_another_log,
    write_head,
)
from vetline.adapters.log.inspect import end_problem, read_head_of, restore_advice, vanished_problem
from vetline.adapters.log.schema import (
    create_schema,
    is_fresh,
    log_id_of,
    new_log_id,
    set_log_id,
    upgrade_schema,
)


def refuse_what_is_not_a_new_log(path: Path) -> None:
    """Before SQLite sees the file: a folder or a stranger's file is refused, and a log
    that existed (its head file or its copies say so) is never started anew."""
    state = file_state(path)
    if state == "folder":
        raise DecisionLogError(f"{path} is a folder, not a Vetline decision log")
    if state == "sqlite":
        return
    head, head_error = read_head_of(path)
    problem = vanished_problem(path, state, head, head_error)
    if problem is not None:
        raise damaged_error(path, (problem,), head.log_id if head else None)
    if state == "foreign":
        raise DecisionLogError(f"{path} is not a Vetline decision log (not an SQLite file)")


# Turning a new log to WAL needs it alone for a moment, and SQLite answers "locked" at
# once (no busy wait) while another process does the same: a few short tries settle it.
_WAL_TRIES = 50
_WAL_PAUSE_S = 0.02


def _use_wal(connection: sqlite3.Connection) -> None:
    for attempt in range(_WAL_TRIES):
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == _WAL_TRIES - 1:
                raise
            time.sleep(_WAL_PAUSE_S)


def prepare(connection: sqlite3.Connection, path: Path) -> str:
    """Check the pages, make or migrate the schema, and hold the end against the head
    file; returns the log's id."""
    _use_wal(connection)
    connection.execute("PRAGMA synchronous=FULL")
    # macOS: a commit reaches the drive's platters, not only its cache (F_FULLFSYNC);
    # other systems ignore it.
    connection.execute("PRAGMA fullfsync=ON")
    pages = page_problems(connection)
    if pages:
        raise damaged_error(path, tuple(pages), None)
    # Under the write lock: no one appends or writes the head while we compare.
    connection.execute("BEGIN IMMEDIATE")
    try:
        log_id = _make_or_check(connection, path)
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return log_id


def damaged_error(
    path: Path,
    problems: tuple[str, ...],
    log_id: str | None,
    *,
    only_the_end: bool = False,
    hint: bool = True,
) -> DecisionLogDamagedError:
    """The error for a damaged log: what is wrong, and (with `hint`) what can be done."""
    message = f"the decision log {path} is damaged: " + "; ".join(problems)
    message += ". Nothing more is recorded in it"
    if hint:
        advice = restore_advice(path, log_id, only_the_end=only_the_end)
        message += ". " + advice[0].upper() + advice[1:]
    else:
        message += "; `vetline log verify` says what to do"
    return DecisionLogDamagedError(message, problems)


def _make_or_check(connection: sqlite3.Connection, path: Path) -> str:
    head, head_error = read_head_of(path)
    if is_fresh(connection):
        if head_error is not None:
            raise damaged_error(path, (f"the log holds nothing, and {head_error}",), None)
        if head is not None and head.rows > 0:
            held = f"the log holds nothing, but its head file says it held {head.describe()}"
            raise damaged_error(path, (held,), head.log_id)
        log_id = head.log_id if head is not None else new_log_id()
        create_schema(connection, log_id)
        # Before the commit: a head naming a log with no rows is never wrong.
        _write_new_head(path, LogHead(log_id, 0, GENESIS_HASH), made=head is None)
        return log_id
    upgrade_schema(connection, path)
    known_id = log_id_of(connection)
    if known_id is None:  # a log from before heads were kept (or a crash while adding one)
        log_id = head.log_id if head is not None else new_log_id()
        if head is not None and (problem := head_problem(connection, head, None)):
            other = names_another_log(connection, head, None)
            raise damaged_error(path, (problem,), log_id, only_the_end=not other)
        set_log_id(connection, log_id)
        write_head(head_path(path), end_of(connection, log_id))
        return log_id
    problem = end_problem(path, connection, head, head_error, known_id)
    if problem is not None:
        other = head is not None and names_another_log(connection, head, known_id)
        raise damaged_error(path, (problem,), known_id, only_the_end=not other)
    return known_id


def _write_new_head(path: Path, head: LogHead, *, made: bool) -> None:
    """Write a new log's head file; on failure nothing of it stays (`made`: no head
    file was there before) and NewLogError says why (the schema is rolled back)."""
    file = head_path(path)
    try:
        write_head(file, head)
    except OSError as error:
        if made:
            with contextlib.suppress(OSError):
                file.unlink(missing_ok=True)
        raise NewLogError(
            f"cannot start a new decision log at {path}: its head file {file} cannot be "
            f"written ({error.strerror or error}); nothing was recorded"
        ) from error

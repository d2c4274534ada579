"""The whole check of a log on disk (for `vetline log verify`), and what to do if it fails.

Nothing here creates or changes a file: a missing log stays missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from vetline.adapters.log.backups import backup_folder, backup_paths, newest_good_copy
from vetline.adapters.log.chain import COLUMNS, Row, VerifyResult, walk_chain
from vetline.adapters.log.checks import file_state, page_problems
from vetline.adapters.log.filesystem import network_filesystem
from vetline.adapters.log.head import (
    HeadFileError,
    LogHead,
    head_path,
    head_problem,
    names_another_log,
    read_head,
)
from vetline.adapters.log.presence import IN_USE_SUFFIX, live_openers
from vetline.adapters.log.schema import log_id_of


@dataclass(frozen=True, slots=True)
class LogReport:
    """What a whole check of the log found: damage of each kind, and notices."""

    path: Path
    exists: bool
    rows_checked: int = 0
    file_problems: tuple[str, ...] = ()  # the file is gone, emptied, not SQLite, bad pages
    chain: VerifyResult | None = None  # None when the file could not be read that far
    end_problem: str | None = None  # the log's end disagrees with its head file
    warnings: tuple[str, ...] = ()
    swapped: bool = False  # not the log its head file describes: never to be resealed

    @property
    def problems(self) -> list[str]:
        found = list(self.file_problems)
        if self.chain is not None and not self.chain.ok:
            found.append(self.chain.problem)
        if self.end_problem:
            found.append(self.end_problem)
        return found

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def only_the_end(self) -> bool:
        """Pages and chain are sound; only the end disagrees with the head file (and the
        log is the one the head file describes, cut or moved, not another swapped in)."""
        return (
            not self.file_problems and self.chain is not None and self.chain.ok and not self.swapped
        )


def read_head_of(log_path: Path) -> tuple[LogHead | None, str | None]:
    """The head file's head, or what is wrong with the head file."""
    try:
        return read_head(head_path(log_path)), None
    except HeadFileError as error:
        return None, str(error)


def vanished_problem(
    log_path: Path, state: str, head: LogHead | None, head_error: str | None
) -> str | None:
    """Why a missing, empty or non-SQLite file must not be taken for a new log (None: it may)."""
    what = {
        "missing": "is missing",
        "empty": "is empty (0 bytes)",
        "foreign": "is no longer an SQLite file (overwritten, or cut inside its header)",
    }[state]
    if head is not None and (head.rows > 0 or state == "foreign"):
        return f"the log {what}, but its head file says it held {head.describe()}"
    if head_error is not None:
        return f"the log {what}, and {head_error}"
    copies = backup_paths(log_path)
    if head is None and copies:
        return f"the log {what}, but {len(copies)} copies of it are in {backup_folder(log_path)}"
    return None


def check_log(path: Path) -> LogReport:
    """Check everything: the file, every page, the whole chain, and the end against the head."""
    head, head_error = read_head_of(path)  # before the log: the log may only be ahead
    warnings = tuple(_notices(path))
    state = file_state(path)
    if state == "folder":
        return LogReport(path, True, file_problems=(f"{path} is a folder, not a log",))
    if state != "sqlite":
        problem = vanished_problem(path, state, head, head_error)
        if problem is None and state == "foreign":
            problem = f"{path} is not a Vetline decision log (not an SQLite file)"
        files = (problem,) if problem else ()
        return LogReport(path, state == "foreign", file_problems=files, warnings=warnings)
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)) as db:
            pages = page_problems(db, thorough=True)
            if pages:
                return LogReport(path, True, file_problems=tuple(pages), warnings=warnings)
            chain = walk_chain(_rows(db))
            log_id = log_id_of(db)
            end = end_problem(path, db, head, head_error, log_id)
            swapped = head is not None and names_another_log(db, head, log_id)
    except sqlite3.Error as error:
        damaged = (f"the file is damaged: {error}",)
        return LogReport(path, True, file_problems=damaged, warnings=warnings)
    return LogReport(path, True, chain.rows_checked, (), chain, end, warnings, swapped)


def restore_advice(path: Path, log_id: str | None, *, only_the_end: bool) -> str:
    """What the reviewer can do about a damaged log, naming the copy a restore would use.

    The copy is looked for as `vetline log restore` looks: by the head file's log id
    when there is a head file (a swapped-in log's own id names none of the real log's
    copies), and by `log_id` only when there is none.
    """
    head, _ = read_head_of(path)
    copy = newest_good_copy(path, head.log_id if head is not None else log_id)
    if copy is not None:
        advice = f"`vetline log restore` puts back the newest good copy, {copy.describe()}"
    else:
        advice = (
            f"there is no good copy in {backup_folder(path)}; `vetline log restore --new` "
            "sets the damaged log aside and starts an empty one"
        )
    if only_the_end:
        advice += (
            "; or, if you know why its end and its head file differ (say, the log was "
            "moved here without its head file), `vetline log reseal` accepts it as it is"
        )
    return advice


def end_problem(
    path: Path,
    db: sqlite3.Connection,
    head: LogHead | None,
    head_error: str | None,
    log_id: str | None,
) -> str | None:
    if head_error is not None:
        return head_error
    if head is None:
        if log_id is None:
            return None  # a log from before heads were kept: its first opening writes one
        return (
            f"the head file {head_path(path)} is missing, so rows cut off the end cannot "
            "be ruled out"
        )
    return head_problem(db, head, log_id)


def _rows(db: sqlite3.Connection) -> Iterator[Row]:
    query = f"SELECT {', '.join(COLUMNS)} FROM decisions ORDER BY seq"  # noqa: S608 - fixed column names
    for values in db.execute(query):
        yield dict(zip(COLUMNS, values, strict=True))


def _notices(path: Path) -> Iterator[str]:
    """Warnings that are not damage: a network file system, other openers."""
    kind = network_filesystem(path.parent)
    if kind is not None:
        yield network_warning(path.parent, kind)
    for opener in live_openers(path.with_name(path.name + IN_USE_SUFFIX)):
        yield shared_notice(opener.describe())


def network_warning(folder: Path, kind: str) -> str:
    return (
        f"the data folder {folder} is on a network file system ({kind}): SQLite's "
        "write-ahead log needs every program that opens the log on one computer. Opened "
        "from two computers at once it can be damaged; keep the data folder on a local "
        "disk (--data-dir or VETLINE_DATA_DIR)"
    )


def shared_notice(who: str) -> str:
    return (
        f"another Vetline has this decision log open ({who}): both record into it safely, "
        "one decision at a time"
    )

"""Bringing back what a reject took out of a repository, from the agent's kept version.

Used by `vetline restore ID` and by Undo in the window once the session that made
the reject is gone (after a restart). The file goes back only if it still holds what
the reject left (the index's version): an edit made since is never overwritten. The
log gets an `undone` row naming the reject it reverses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from vetline.adapters.decision_log import DecisionLog, Row, decision_from_row
from vetline.adapters.files.intents import WriteIntents
from vetline.adapters.files.kept import KeptFile, KeptFiles
from vetline.adapters.files.workspace import Workspace
from vetline.adapters.git.state import index_bytes
from vetline.core.errors import StaleBaseError
from vetline.core.model import Verdict, sha256_hex


def restore_kept(
    kept: KeptFile,
    files: KeptFiles,
    log: DecisionLog,
    *,
    reviewer: str = "",
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    intents: WriteIntents | None = None,
) -> str:
    """Put the agent's version back in its repository's work tree; returns what was done.

    With `intents`, the write is noted first: a crash between the write and the log is
    put right when the repository is next opened (repository_journal). Raises
    StaleBaseError when the file changed since the reject (nothing written).
    """
    data = files.data(kept)
    workspace = Workspace(kept.repository, deny=())
    current = workspace.read_bytes(kept.path)
    if current == data:
        # Already back (by hand, or by a restore that stopped before its log rows).
        if log_restored(log, kept.id, reviewer, now()):
            return f"{kept.path} already held the agent's version; the log now says so"
        return f"{kept.path} already holds the agent's version"
    left = index_bytes(kept.repository, kept.path)
    if current != left:
        where = files.folder / kept.id / kept.path
        raise StaleBaseError(
            f"{kept.path} changed since the reject, so it is left as it is; the agent's "
            f"version is kept at {where}"
        )
    shas = {kept.path: (_sha(current), _sha(data))}
    intent = intents.record(kept.repository, shas, (), restores=kept.id) if intents else None
    untidy = workspace.restore([(kept.path, data)], intent.tag if intent else "")
    log_restored(log, kept.id, reviewer, now())
    if intent is not None and intents is not None and not untidy:
        intents.settle(intent)
    return f"restored the agent's version of {kept.path} in {kept.repository}"


def log_restored(log: DecisionLog, kept_id: str, reviewer: str, when: datetime) -> int:
    """An `undone` row for each reject that kept `kept_id` and is not undone yet (its
    file holds the agent's version again); returns how many were logged."""
    stamp = when.astimezone(UTC).isoformat(timespec="milliseconds")
    rejects = _rejects_that_kept(log, kept_id)
    for reject in rejects:
        log.append(
            replace(
                decision_from_row(reject),
                verdict=Verdict.UNDONE,
                undoes=reject["seq"],
                decided_at=stamp,
                ms_on_screen=0,
                reason="restored the agent's version",
                edited_text=None,
                bulk=False,
                reviewer=reviewer or reject["reviewer"],
            )
        )
    return len(rejects)


def _sha(data: bytes | None) -> str | None:
    return None if data is None else sha256_hex(data)


def last_undoable_reject(log: DecisionLog, files: KeptFiles, repository: Path) -> KeptFile | None:
    """The newest reject in `repository` whose agent's version was kept and not restored."""
    undone: set[int] = set()
    rejects: list[Row] = []
    for row in log.rows():
        if row["verdict"] == Verdict.UNDONE and row["undoes"] is not None:
            undone.add(row["undoes"])
        elif row["verdict"] == Verdict.REJECTED and row["kept"]:
            rejects.append(row)
    for row in reversed(rejects):
        if row["seq"] in undone:
            continue
        kept = files.find(row["kept"])
        if kept.repository == repository:
            return kept
    return None


def _rejects_that_kept(log: DecisionLog, kept_id: str) -> list[Row]:
    """The reject rows naming `kept_id` that no undo has reversed yet (one pass: an undo
    always comes after the row it reverses)."""
    rejects: dict[int, Row] = {}
    for row in log.rows():
        if row["verdict"] == Verdict.UNDONE:
            rejects.pop(row["undoes"], None)
        elif row["verdict"] == Verdict.REJECTED and row["kept"] == kept_id:
            rejects[row["seq"]] = row
    return list(rejects.values())

"""Putting a repository's re-read changes into a review queue.

A re-read file replaces its change (the session keeps the proposal in step); a file
that appears while the repository is reviewed joins the repository's proposal, or a
new one when there is none.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vetline.core.model import Change, Proposal
from vetline.core.session import ReviewItem, ReviewSession


@dataclass(frozen=True, slots=True)
class RepositoryRefresh:
    """What re-reading the paths someone else changed did to the queue."""

    reread: tuple[str, ...] = ()  # paths whose changes were re-read
    current_reread: bool = False  # the hunk on screen was re-read: its file is shown anew


def change_paths(changes: Iterable[Change]) -> set[str]:
    """Both names of each change (a rename's old and new path)."""
    return {path for change in changes for path in (change.path, change.source_path)}


def put_in_queue(
    session: ReviewSession, old: Change | None, fresh: Sequence[Change], root: Path
) -> None:
    """Swap `old`'s items for `fresh` ones (undecided), or add `fresh` as new files."""
    if old is not None and any(item.change is old for item in session.items):
        session.replace_change(old, fresh)
        return
    if not fresh:
        return
    if session.proposals:
        session.add_changes(session.proposals[-1], fresh)
    else:
        session.add_proposals([_repository_proposal(root, fresh)])


def show_again(session: ReviewSession, item: ReviewItem | None, *, restart_clock: bool) -> None:
    """Put `item` back under the cursor after items moved (by identity, not equality).

    `restart_clock`: the reviewer sees it anew, so its time on screen starts again.
    """
    index = next((i for i, each in enumerate(session.items) if each is item), None)
    if index is None:
        return
    if restart_clock:
        session.show(index)
    else:
        session.cursor = index  # the same hunk stays on screen: its clock keeps running


def _repository_proposal(root: Path, changes: Sequence[Change]) -> Proposal:
    """A proposal for changes that appeared in a repository that had none when opened."""
    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    digest = hashlib.sha256(os.fsencode(str(root)) + created_at.encode())
    for change in changes:
        digest.update(change.path.encode("utf-8", "surrogateescape") + b"\0")
    count = len(changes)
    return Proposal(
        id=digest.hexdigest()[:12],
        title=f"Uncommitted changes in {root.name}",
        changes=tuple(changes),
        rationale=f"{count} file{'s' if count != 1 else ''} changed in the work tree while"
        " Vetline was watching",
        created_at=created_at,
    )

"""What an Ask request is about: the hunk on screen (level 1), its file (2), or files (3).

Ctrl+K, Ctrl+L and Ctrl+I are the autonomy slider's first three levels: the scope
says which files go to the model, which are offered to tick, and for a hunk the
lines it covers, named in the instruction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vetline.core.leash import Level
from vetline.core.model import FileStatus, HunkKind
from vetline.ui.controller import ReviewController


@dataclass(frozen=True, slots=True)
class AskScope:
    """What a request is about: its level, the files offered and chosen, and a region."""

    level: Level
    workspace: Path
    chosen: tuple[str, ...] = ()
    offered: tuple[str, ...] = ()  # the queue's files, to tick
    region: str = ""  # e.g. "lines 12–18 of src/pager.py"


def ask_scope(controller: ReviewController, level: Level, workspace: Path) -> AskScope:
    """The hunk on screen (level 1), its file (2), or the queue's files to pick from (3)."""
    offered = tuple(
        sorted(
            {
                change.path
                for proposal in controller.session.proposals
                for change in proposal.changes
                if change.status is not FileStatus.ADDED and (workspace / change.path).is_file()
            }
        )
    )
    item = controller.current
    if item is None or item.change.path not in offered:
        return AskScope(level, workspace, (), offered)
    path = item.change.path
    if level is Level.SUGGEST and item.hunk.kind is HunkKind.TEXT:
        siblings = controller.queue_index.items_of(item.proposal, item.change)
        # Once its file is written, the disk holds the new side: count lines there.
        written = all(each.state.decided for each in siblings) and any(
            each.state.takes_effect for each in siblings
        )
        start, count = (
            (item.hunk.new_start, item.hunk.new_lines)
            if written
            else (item.hunk.old_start, item.hunk.old_lines)
        )
        lines = f"line {max(start, 1)}" if count <= 1 else f"lines {start}–{start + count - 1}"
        return AskScope(level, workspace, (path,), (path,), f"{lines} of {path}")
    if level is Level.FILE:
        return AskScope(level, workspace, (path,), offered)
    return AskScope(level, workspace, (path,), (path,))

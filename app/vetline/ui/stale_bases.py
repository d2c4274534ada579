"""Which files a verdict would be refused for: the file on disk is not the proposal's base.

Checked on the gateway's I/O lane when proposals arrive and after each write, so the
queue can show "stale base" before the reviewer decides, not only after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from vetline.core.model import Change, Proposal
from vetline.core.session import ReviewItem
from vetline.operations.write_target import StaleKey


class StaleBases:
    """The (proposal id, path) pairs last found stale."""

    def __init__(self) -> None:
        self.keys: set[StaleKey] = set()

    def is_stale(
        self,
        proposal: Proposal,
        change: Change,
        items_of_file: Callable[[], Iterable[ReviewItem]],
    ) -> bool:
        """The file on disk is not this change's base, and that still matters: a hunk is
        undecided, or a verdict could not be written (a file we wrote ourselves is not stale).

        The file's items are asked for only when its base is known to be stale: the
        queue asks this for every row it paints."""
        if (proposal.id, change.path) not in self.keys:
            return False
        return any(not item.state.decided or item.problem for item in items_of_file())

    def note(self, found: dict[StaleKey, bool]) -> None:
        for key, is_stale in found.items():
            if is_stale:
                self.keys.add(key)
            else:
                self.keys.discard(key)


def written_pairs(
    proposals: Iterable[Proposal], written: Iterable[str]
) -> list[tuple[Proposal, Change]]:
    """Every queued change at a path that was just written (its base may be gone now)."""
    touched = set(written)
    return [
        (proposal, change)
        for proposal in proposals
        for change in proposal.changes
        if change.source_path in touched or change.path in touched
    ]

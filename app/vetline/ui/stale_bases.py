"""Which hunks a verdict would be refused for: their lines on disk are not the proposal's.

Checked on the gateway's I/O lane when proposals arrive and after each write, so the
queue can show "stale base" before the reviewer decides, not only after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from vetline.core.model import Change, Proposal
from vetline.core.session import ReviewItem
from vetline.operations.write_target import StaleKey


class StaleBases:
    """The hunks last found stale, by (proposal id, path)."""

    def __init__(self) -> None:
        self.hunks: dict[StaleKey, frozenset[str]] = {}

    def stale_hunks(
        self,
        proposal: Proposal,
        change: Change,
        items_of_file: Callable[[], Iterable[ReviewItem]],
    ) -> frozenset[str]:
        """The ids of the file's items whose base is gone, where that still matters: the item
        is undecided, or its verdict could not be written (a file we wrote is not stale).

        The file's items are asked for only when some hunk is known to be stale: the queue
        asks this for every row it paints."""
        found = self.hunks.get((proposal.id, change.path))
        if not found:
            return frozenset()
        return frozenset(
            item.hunk.id
            for item in items_of_file()
            if _among(item, found, change) and (not item.state.decided or item.problem)
        )

    def note(self, found: dict[StaleKey, frozenset[str]]) -> None:
        for key, stale in found.items():
            if stale:
                self.hunks[key] = stale
            else:
                self.hunks.pop(key, None)


def _among(item: ReviewItem, stale: frozenset[str], change: Change) -> bool:
    """A piece of a split hunk counts as stale when the hunk it came from is."""
    if item.hunk.id in stale:
        return True
    return item.hunk.id not in {hunk.id for hunk in change.hunks}


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

"""Where each hunk sits in the queue: per-file and per-proposal item lists, built once per change.

`ReviewSession.items_of` scans the whole queue, and `Change.added` re-counts every hunk:
fine once, but the window asks on every key press, and a 100k-line file has thousands
of hunks. The index answers the same questions in O(1) and is rebuilt, in one pass,
only when the queue's items change (the controller invalidates it on `queue_rebuilt`).
No Qt here.
"""

from __future__ import annotations

from vetline.core.model import Change, Proposal
from vetline.core.session import ReviewItem, ReviewSession

_FileKey = tuple[int, int]  # id(proposal), id(change): identity, as ReviewSession.items_of


class QueueIndex:
    """O(1) answers about the session's items; always consistent with `session.items`.

    Keys are object ids, which is safe because the index keeps the objects alive (through
    the items) for as long as it keeps their ids. Besides the explicit `invalidate`, a
    replaced or resized item list is noticed by itself, so a forgotten signal costs a
    rebuild, never a wrong answer about which hunks a file has.
    """

    def __init__(self, session: ReviewSession) -> None:
        self._session = session
        self._items: list[ReviewItem] | None = None  # the list indexed (kept: its id is ours)
        self._length = -1
        self._by_file: dict[_FileKey, tuple[ReviewItem, ...]] = {}
        self._by_proposal: dict[int, tuple[ReviewItem, ...]] = {}
        self._position: dict[int, tuple[int, int]] = {}  # id(item): queue index, index in file
        self._file_totals: dict[int, tuple[Change, int, int]] = {}
        self._proposal_totals: dict[int, tuple[Proposal, int, int, int]] = {}

    def invalidate(self) -> None:
        """The queue's items changed (added, split, re-read): rebuild on the next question."""
        self._items = None

    def items_of(self, proposal: Proposal, change: Change) -> tuple[ReviewItem, ...]:
        """The hunks of one file of one proposal, in queue order."""
        self._fresh()
        return self._by_file.get((id(proposal), id(change)), ())

    def items_of_proposal(self, proposal: Proposal) -> tuple[ReviewItem, ...]:
        self._fresh()
        return self._by_proposal.get(id(proposal), ())

    def queue_index(self, item: ReviewItem) -> int | None:
        """Where `item` (this very object) is in `session.items`, or None if it is not."""
        self._fresh()
        found = self._position.get(id(item))
        return found[0] if found is not None and self._session.items[found[0]] is item else None

    def index_in_file(self, item: ReviewItem) -> int:
        """Its position among its file's hunks (0-based); -1 if it is not queued."""
        self._fresh()
        found = self._position.get(id(item))
        return found[1] if found is not None and self._session.items[found[0]] is item else -1

    def file_totals(self, change: Change) -> tuple[int, int]:
        """Lines added and removed by all of a change's hunks (counted once per change)."""
        known = self._file_totals.get(id(change))
        if known is None or known[0] is not change:
            known = self._file_totals[id(change)] = (change, change.added, change.removed)
        return known[1], known[2]

    def proposal_totals(self, proposal: Proposal) -> tuple[int, int, int]:
        """Files, hunks and changed lines of a proposal (counted once per proposal)."""
        known = self._proposal_totals.get(id(proposal))
        if known is None or known[0] is not proposal:
            files = len({change.path for change in proposal.changes})
            hunks = sum(len(change.hunks) for change in proposal.changes)
            lines = sum(sum(self.file_totals(change)) for change in proposal.changes)
            known = self._proposal_totals[id(proposal)] = (proposal, files, hunks, lines)
        return known[1], known[2], known[3]

    def _fresh(self) -> None:
        items = self._session.items
        if self._items is not items or self._length != len(items):
            self._build(items)

    def _build(self, items: list[ReviewItem]) -> None:
        by_file: dict[_FileKey, list[ReviewItem]] = {}
        by_proposal: dict[int, list[ReviewItem]] = {}
        position: dict[int, tuple[int, int]] = {}
        for queue_index, item in enumerate(items):
            siblings = by_file.setdefault((id(item.proposal), id(item.change)), [])
            position[id(item)] = (queue_index, len(siblings))
            siblings.append(item)
            by_proposal.setdefault(id(item.proposal), []).append(item)
        self._by_file = {key: tuple(each) for key, each in by_file.items()}
        self._by_proposal = {key: tuple(each) for key, each in by_proposal.items()}
        self._position = position
        # Totals are of immutable values, but keyed by id: drop those of objects gone.
        self._file_totals.clear()
        self._proposal_totals.clear()
        self._items, self._length = items, len(items)

"""Undo in a review: the verdicts in force, newest last, and the one the last undo reversed."""

from __future__ import annotations

from dataclasses import dataclass, replace

from vetline.core.model import Change
from vetline.core.review_items import FileOutcome, HunkState, ReviewItem


@dataclass(slots=True)
class VerdictRecord:
    """A verdict given in this session, with what its item was before it."""

    item: ReviewItem
    seq: int
    previous_state: HunkState
    previous_seq: int | None
    previous_text: str | None
    file_outcome: FileOutcome | None


class UndoHistory:
    """Which verdict an undo reverses next, and how to stand the last undone one again."""

    def __init__(self) -> None:
        self._records: list[VerdictRecord] = []
        # The verdict the last undo reversed, and the item as it was before that undo.
        self._last_undone: tuple[VerdictRecord, HunkState, str | None] | None = None

    def add(self, record: VerdictRecord) -> None:
        self._records.append(record)

    def newest_in_force(self) -> VerdictRecord | None:
        """The newest verdict of the history still in force (superseded ones are dropped)."""
        while self._records:
            record = self._records[-1]
            if record.item.decision_seq == record.seq:
                return record
            self._records.pop()  # superseded by a later verdict on the same hunk
        return None

    def reverse(self, record: VerdictRecord) -> None:
        """The undo of `record` (the newest in force) is logged: its item goes back to
        what it was before that verdict."""
        self._records.pop()
        item = record.item
        self._last_undone = (record, item.state, item.edited_text)
        item.state = record.previous_state
        item.decision_seq = record.previous_seq
        item.edited_text = record.previous_text
        item.reason = ""

    @property
    def last_undone_seq(self) -> int | None:
        """The log row of the verdict the last undo reversed (None: no undo yet)."""
        return None if self._last_undone is None else self._last_undone[0].seq

    def reinstate_last_undone(self, seq: int) -> None:
        """The verdict the last undo reversed stands again, logged anew at `seq`."""
        if self._last_undone is None:
            return
        record, state, text = self._last_undone
        self._last_undone = None
        item = record.item
        item.state, item.decision_seq, item.edited_text = state, seq, text
        self._records.append(replace(record, seq=seq))

    def forget_change(self, change: Change) -> None:
        """`change` left the queue: its verdicts can no longer be undone."""
        self._records = [record for record in self._records if record.item.change is not change]

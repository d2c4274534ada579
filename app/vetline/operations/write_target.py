"""Where verdicts take effect: the one interface a workspace folder and a repository share.

The Reviewer hands every verdict to its target and never asks which kind it is: a
workspace writes a file once all its hunks are decided; a repository stages or
restores each hunk at once. Both take a verdict back on undo, say which queued files
are stale, and carry out a scripted review all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from vetline.adapters.decision_log import DecisionLog
from vetline.core.model import Change, Proposal
from vetline.core.session import FileOutcome, ReviewItem, ReviewSession
from vetline.operations.outcome import Outcome

StaleKey = tuple[str, str]  # (proposal id, path) whose base is not what is on disk


class PreparedWrite(Protocol):
    """A scripted review's writes, checked before any verdict is logged."""

    def announce(self, log_end: int) -> None:
        """Just before the verdicts are logged (the log's last seq is `log_end`): note what
        is about to be written, so a crash between the log and the disk can be resolved."""
        ...

    def commit(self, session: ReviewSession) -> str:
        """Carry out the session's verdicts; returns what was done, in words."""
        ...


class WriteTarget(Protocol):
    """A place verdicts take effect in."""

    @property
    def root(self) -> Path:
        """The folder the proposals' paths are relative to."""
        ...

    def before_verdict(self, proposal: Proposal, changes: Sequence[Change]) -> Outcome | None:
        """A refusal when these files must not be decided now (nothing logged), or None."""
        ...

    def after_verdict(
        self,
        proposal: Proposal,
        changes: Sequence[Change],
        outcomes: Sequence[FileOutcome],
        decided: Sequence[ReviewItem],
    ) -> Outcome:
        """Make the verdicts now in force on `changes` take effect; `outcomes` are the
        files whose hunks are all decided, `decided` the items this command decided.
        A verdict that cannot take effect is logged as not applied and is undecided
        again (OutcomeKind.NOT_WRITTEN)."""
        ...

    def before_undo(self) -> Outcome | None:
        """Just before an undo is logged: note what it may write (a refusal: nothing is
        undone), so a crash between the log and the disk is told apart."""
        ...

    def after_undo(self, item: ReviewItem, outcome: FileOutcome | None) -> Outcome:
        """Take back what the undone verdict did (`outcome`: the file it completed)."""
        ...

    def keep_before_reject(self, proposal: Proposal, change: Change) -> str:
        """Keep what a reject of `change` would take away; returns the kept id ("": nothing
        is taken away, or nothing could be kept). Called before the reject is logged."""
        ...

    def undo_from_log(self, log: DecisionLog) -> Outcome:
        """Undo with no verdict of this session left: bring back the newest kept version."""
        ...

    def unwritten(self) -> list[ReviewItem]:
        """Verdicts in force that have not taken effect: what ending the review now leaves
        unwritten (a workspace writes a file only once all its hunks are decided)."""
        ...

    def stale_of(self, pairs: Iterable[tuple[Proposal, Change]]) -> dict[StaleKey, frozenset[str]]:
        """The hunks of each change that could not be written now: their base is gone."""
        ...

    def prepare(self, proposals: Sequence[Proposal], chosen: set[str]) -> PreparedWrite:
        """Check a scripted review before it is logged: raises when it cannot take effect."""
        ...

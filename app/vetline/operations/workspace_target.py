"""A workspace folder as a write target: a file is written once all its hunks are decided.

Each write keeps the bytes it replaced, so undoing the verdict that completed a file
puts them back — unless someone changed the file since, which is said and left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.files.transaction import JOURNAL_FOLDER
from vetline.adapters.files.workspace import FileWrite, Workspace
from vetline.adapters.git.conversion import WorkTreeConversions
from vetline.core.errors import InputError, StaleBaseError, VetlineError
from vetline.core.leash import DEFAULT_DENIED_PATHS
from vetline.core.model import Change, Proposal, sha256_hex
from vetline.core.session import FileOutcome, ReviewItem, ReviewSession
from vetline.operations.outcome import DONE, Outcome, OutcomeKind
from vetline.operations.write_target import StaleKey

__all__ = ["JOURNAL_FOLDER", "WorkspaceTarget"]


@dataclass(slots=True)
class _WrittenFile:
    """Enough to take a write back: the bytes before, and what we wrote."""

    path: str
    before: bytes | None
    after_sha256: str | None  # None: we deleted the file


@dataclass(slots=True)
class _Write:
    outcome: FileOutcome
    files: list[_WrittenFile] = field(default_factory=list)


class WorkspaceTarget:
    """Verdicts written into a folder, file by file, each write all or nothing."""

    def __init__(self, workspace: Workspace, session: ReviewSession) -> None:
        self.workspace = workspace
        self.session = session
        self._writes: dict[int, _Write] = {}  # id(FileOutcome) -> what was written for it
        # A folder in a git work tree: git apply would write through git's conversions.
        self._conversions = WorkTreeConversions(workspace.root)

    @classmethod
    def open(
        cls,
        root: Path,
        session: ReviewSession,
        data_dir: Path,
        deny: Sequence[str] = DEFAULT_DENIED_PATHS,
    ) -> tuple[WorkspaceTarget, list[str]]:
        """The target for `root`, having finished any write a crash interrupted there;
        also returns what was finished, in words. The journals live in `data_dir`."""
        workspace = Workspace(root, deny, journal_dir=data_dir / JOURNAL_FOLDER)
        finished = workspace.finish_interrupted_writes()
        return cls(workspace, session), finished

    @property
    def root(self) -> Path:
        return self.workspace.root

    def before_verdict(self, proposal: Proposal, changes: Sequence[Change]) -> Outcome | None:
        return None  # the base is checked when the file is written

    def after_verdict(
        self,
        proposal: Proposal,
        changes: Sequence[Change],
        outcomes: Sequence[FileOutcome],
        decided: Sequence[ReviewItem],
    ) -> Outcome:
        written: list[str] = []
        refusals: list[str] = []
        for outcome in outcomes:
            if not outcome.accepted:
                continue  # every hunk rejected: the file stays as it is
            try:
                self._write(outcome)
            except VetlineError as error:
                kind = "stale base" if isinstance(error, StaleBaseError) else "write refused"
                refusals.append(f"{kind}: {error}")
                # Rejected hunks are true as they stand: the file is as it was.
                accepted = self.session.items_of(outcome.proposal, outcome.change)
                self.session.record_not_applied(
                    [item for item in accepted if item.state.takes_effect], str(error)
                )
                continue
            written.append(outcome.change.path)
        if refusals:
            return Outcome(OutcomeKind.NOT_WRITTEN, "; ".join(refusals), tuple(written))
        if written:
            return Outcome(OutcomeKind.DONE, "wrote " + ", ".join(written), tuple(written))
        return DONE

    def after_undo(self, item: ReviewItem, outcome: FileOutcome | None) -> Outcome:
        record = self._writes.pop(id(outcome), None) if outcome is not None else None
        if record is None:
            return Outcome(OutcomeKind.DONE, f"undid the verdict on {item.change.path}")
        return self._restore(record, item)

    def keep_before_reject(self, proposal: Proposal, change: Change) -> str:
        return ""  # a reject leaves the workspace as it is: nothing is taken away

    def undo_from_log(self, log: DecisionLog) -> Outcome:
        return Outcome(OutcomeKind.NOTHING, "nothing to undo")

    def stale_of(self, pairs: Iterable[tuple[Proposal, Change]]) -> dict[StaleKey, frozenset[str]]:
        return {
            (proposal.id, change.path): self._stale_hunks(proposal, change)
            for proposal, change in pairs
        }

    def _stale_hunks(self, proposal: Proposal, change: Change) -> frozenset[str]:
        """The hunks of `change` whose base is gone from disk (each tried alone)."""
        if (
            self._refusal(proposal, change, {hunk.id for hunk in change.hunks})
            is not StaleBaseError
        ):
            return frozenset()  # all of them fit (or are refused for another reason)
        return frozenset(
            hunk.id
            for hunk in change.hunks
            if self._refusal(proposal, change, {hunk.id}) is StaleBaseError
        )

    def _refusal(
        self, proposal: Proposal, change: Change, hunk_ids: set[str]
    ) -> type[VetlineError] | None:
        try:
            self.workspace.plan(proposal, hunk_ids, only=change)
        except StaleBaseError:
            return StaleBaseError
        except VetlineError as error:
            return type(error)
        return None

    def prepare(self, proposals: Sequence[Proposal], chosen: set[str]) -> _PlannedWrite:
        # Every write is planned before anything is logged: an unsafe path or a stale
        # base means the review cannot take effect, so nothing is logged or written.
        # A series may edit one file twice: each proposal is planned on the one before.
        plan = self.workspace.plan_in_order(proposals, chosen)
        self._refuse_converted(plan)
        return _PlannedWrite(self.workspace, plan)

    def _refuse_converted(self, plan: Sequence[FileWrite]) -> None:
        """Bytes git would write otherwise (converted line endings, a filter) are refused,
        never written raw where git apply's result would differ."""
        written = {write.path: write.data for write in plan if write.data is not None}
        reasons = self._conversions.refusals(written)
        if reasons:
            raise InputError(
                "; ".join(f"{path}: {why}" for path, why in reasons.items())
                + "; nothing was written"
            )

    # ---- writing and taking back -----------------------------------------------------

    def _write(self, outcome: FileOutcome) -> None:
        plan = self.workspace.plan(
            outcome.proposal, set(outcome.accepted), dict(outcome.edited), only=outcome.change
        )
        self._refuse_converted(plan)
        record = _Write(outcome, [self._snapshot(write) for write in plan])
        for path in (write.vacates for write in plan if write.vacates):
            # A rename leaves its old path behind: its content must come back on undo.
            record.files.append(_WrittenFile(path, self.workspace.read_bytes(path), None))
        self.workspace.write(plan)
        self._writes[id(outcome)] = record

    def _snapshot(self, write: FileWrite) -> _WrittenFile:
        after = None if write.data is None else sha256_hex(write.data)
        return _WrittenFile(write.path, self.workspace.read_bytes(write.path), after)

    def _restore(self, record: _Write, item: ReviewItem) -> Outcome:
        """Put back the bytes from before the write, unless someone changed them since."""
        for written in record.files:
            current = self.workspace.read_bytes(written.path)
            current_sha = None if current is None else sha256_hex(current)
            if current_sha != written.after_sha256:
                return Outcome(
                    OutcomeKind.PROBLEM,
                    f"undid the verdict, but {written.path} changed after Vetline wrote it: "
                    "left as it is",
                )
        try:
            self.workspace.restore([(w.path, w.before) for w in record.files])
        except VetlineError as error:
            return Outcome(
                OutcomeKind.PROBLEM, f"undid the verdict, but could not restore: {error}"
            )
        paths = tuple(w.path for w in record.files)
        return Outcome(
            OutcomeKind.DONE,
            f"undid the verdict on {item.change.path}; restored " + ", ".join(paths),
            paths,
        )


@dataclass(frozen=True, slots=True)
class _PlannedWrite:
    workspace: Workspace
    plan: list[FileWrite]

    def commit(self, session: ReviewSession) -> str:
        self.workspace.write(self.plan)
        return f"{len(self.plan)} files written"

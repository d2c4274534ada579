"""A workspace folder as a write target: a file is written once all its hunks are decided.

Each write keeps the bytes it replaced, so undoing the verdict that completed a file
puts them back — unless someone changed the file since, which is said and left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.files.intents import WriteIntent, WriteIntents, missing_folders
from vetline.adapters.files.transaction import JOURNAL_FOLDER, Untidy
from vetline.adapters.files.workspace import FileWrite, Workspace, WorkspaceIOError
from vetline.adapters.git.conversion import WorkTreeConversions
from vetline.core.errors import InputError, StaleBaseError, VetlineError
from vetline.core.leash import DEFAULT_DENIED_PATHS
from vetline.core.model import Change, Proposal, sha256_hex
from vetline.core.session import FileOutcome, ReviewItem, ReviewSession
from vetline.operations.outcome import DONE, Outcome, OutcomeKind
from vetline.operations.unsettled import (
    Resolver,
    State,
    remove_made_folders,
    resolve_left_over,
    sha_or_none,
    undo_not_carried_out,
)
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

    def __init__(
        self,
        workspace: Workspace,
        session: ReviewSession,
        intents: WriteIntents | None = None,
    ) -> None:
        self.workspace = workspace
        self.session = session
        self.intents = intents  # None: no crash between log and disk can be told apart
        self.log: DecisionLog | None = None  # set by open(): its end dates a verdict's intent
        self._verdict_intent: WriteIntent | None = None
        self._writes: dict[int, _Write] = {}  # id(FileOutcome) -> what was written for it
        # Whole writes whose folder could not be synced: noted until a later write syncs it.
        self._unsynced: list[WriteIntent] = []
        # A folder in a git work tree: git apply would write through git's conversions.
        self._conversions = WorkTreeConversions(workspace.root)
        workspace.conversions = self._conversions

    @classmethod
    def open(
        cls,
        root: Path,
        session: ReviewSession,
        data_dir: Path,
        deny: Sequence[str] = DEFAULT_DENIED_PATHS,
        log: DecisionLog | None = None,
    ) -> tuple[WorkspaceTarget, list[str]]:
        """The target for `root`, having finished any write a crash interrupted there and
        recorded, in `log`, each logged verdict whose write never happened; also returns
        what was done, in words. Journals and intents live in `data_dir`."""
        workspace = Workspace(root, deny, journal_dir=data_dir / JOURNAL_FOLDER)
        finished = workspace.finish_interrupted_writes()
        target = cls(workspace, session, WriteIntents(data_dir))
        if log is not None:
            target.log = log
            finished += target.resolve_left_over_intents(log)
        return target, finished

    def resolve_left_over_intents(self, log: DecisionLog) -> list[str]:
        """Compare each write a crash left unsettled with the disk; log what did not happen,
        and remove what a write killed before its journal left behind (temp files, the
        folders it made)."""
        assert self.intents is not None
        workspace = self.workspace

        def now(intent: WriteIntent) -> State:
            return {("file", path): sha for path, sha in self._shas_now(intent.files).items()}

        def clear(intent: WriteIntent, completed: bool) -> list[str]:
            return workspace.clear_leftovers(intent.files, intent.tag, completed=completed).notes

        def undo_partial(intent: WriteIntent, state: State) -> list[str]:
            return remove_made_folders(workspace.root, intent)

        left = [
            intent
            for intent in self.intents.left_over(workspace.root)
            if not intent.in_repository  # settled when the repository is opened
        ]
        return resolve_left_over(self.intents, left, log, Resolver(now, clear, undo_partial))

    @property
    def root(self) -> Path:
        return self.workspace.root

    def _shas_now(self, paths: Iterable[str]) -> dict[str, str | None]:
        """Each file's sha256 as it is on disk now (None: it is not there)."""
        return {path: sha_or_none(self.workspace.read_bytes(path)) for path in paths}

    def before_verdict(self, proposal: Proposal, changes: Sequence[Change]) -> Outcome | None:
        """Note the files as they are before the verdict is logged, so that a crash
        between the log and the write is told apart on the next open (the base itself
        is checked when the file is written)."""
        self._settle_verdict_intent()  # one a refused command left
        refused = self._refuse_redeciding_written(changes)
        if refused is not None or self.intents is None or self.log is None:
            return refused
        try:
            paths = dict.fromkeys(p for c in changes for p in (c.source_path, c.path))
            before = {path: (sha, None) for path, sha in self._shas_now(paths).items()}
            end = self.log.end().rows
            self._verdict_intent = self.intents.record(
                self.workspace.root, before, (), end, pending=True
            )
        except WorkspaceIOError as error:
            return Outcome(OutcomeKind.REFUSED, f"nothing was decided: {error}")
        except VetlineError:
            return None  # an unsafe path: refused, and logged so, when the file is written
        return None

    def _refuse_redeciding_written(self, changes: Sequence[Change]) -> Outcome | None:
        """A hunk whose file Vetline has written keeps its verdict until Undo takes that
        write back: a new verdict would change the file under a journal made for the old
        one. Refused, nothing logged, saying how to change it."""
        current = self.session.current
        if current is None or not current.state.decided or list(changes) != [current.change]:
            return None
        written = any(
            record.outcome.proposal.id == current.proposal.id
            and record.outcome.change.path == current.change.path
            for record in self._writes.values()
        )
        if not written:
            return None
        return Outcome(
            OutcomeKind.REFUSED,
            f"nothing was decided: {current.change.path} is already written with this hunk "
            f"{current.state.value}; to change its verdict, Undo (Ctrl+Z) back to it",
        )

    def _settle_verdict_intent(self) -> None:
        if self._verdict_intent is not None and self.intents is not None:
            self.intents.settle(self._verdict_intent)
        self._verdict_intent = None

    def after_verdict(
        self,
        proposal: Proposal,
        changes: Sequence[Change],
        outcomes: Sequence[FileOutcome],
        decided: Sequence[ReviewItem],
    ) -> Outcome:
        try:
            return self._carry_out(outcomes)
        finally:
            self._settle_verdict_intent()  # the write (if any) had an intent of its own

    def _carry_out(self, outcomes: Sequence[FileOutcome]) -> Outcome:
        written: list[str] = []
        refusals: list[str] = []
        for outcome in outcomes:
            if not outcome.accepted:
                continue  # every hunk rejected: the file stays as it is
            try:
                self._write(outcome)  # a refusal is logged there, as not applied
            except VetlineError as error:
                kind = "stale base" if isinstance(error, StaleBaseError) else "write refused"
                refusals.append(f"{kind}: {error}")
                continue
            written.append(outcome.change.path)
        if refusals:
            return Outcome(OutcomeKind.NOT_WRITTEN, "; ".join(refusals), tuple(written))
        if written:
            return Outcome(OutcomeKind.DONE, "wrote " + ", ".join(written), tuple(written))
        return DONE

    def before_undo(self) -> Outcome | None:
        """Note the files the undo will put back, as they are, before the undo is logged:
        a crash between the log and the restore is then told apart on the next open (the
        verdict it undid is logged again, for the disk still holds it)."""
        self._settle_verdict_intent()  # one a refused command left
        upcoming = self.session.next_undo()
        outcome = upcoming[1] if upcoming is not None else None
        record = self._writes.get(id(outcome)) if outcome is not None else None
        if record is None:
            return None  # the undo puts nothing back (its file was not written)
        try:
            now = self._shas_now(file.path for file in record.files)
            changed = _changed_since_written(record, now)
            if changed is not None:
                return Outcome(
                    OutcomeKind.REFUSED,
                    f"nothing was undone: {changed} changed after Vetline wrote it; "
                    "its verdict stands",
                )
            if self.intents is None or self.log is None:
                return None
            end = self.log.end().rows
            self._verdict_intent = self.intents.record(
                self.workspace.root,
                {path: (sha, None) for path, sha in now.items()},
                (),
                end,
                pending=True,
            )
        except WorkspaceIOError as error:
            return Outcome(OutcomeKind.REFUSED, f"nothing was undone: {error}")
        return None

    def after_undo(self, item: ReviewItem, outcome: FileOutcome | None) -> Outcome:
        try:
            record = self._writes.pop(id(outcome), None) if outcome is not None else None
            if record is None:
                return Outcome(OutcomeKind.DONE, f"undid the verdict on {item.change.path}")
            return self._restore(record, item)
        finally:
            self._settle_verdict_intent()  # the restore (if any) had an intent of its own

    def keep_before_reject(self, proposal: Proposal, change: Change) -> str:
        return ""  # a reject leaves the workspace as it is: nothing is taken away

    def undo_from_log(self, log: DecisionLog) -> Outcome:
        return Outcome(OutcomeKind.NOTHING, "nothing to undo")

    def unwritten(self) -> list[ReviewItem]:
        """Accepted and edited hunks of each file some of whose hunks are undecided."""
        left: list[ReviewItem] = []
        for proposal in self.session.proposals:
            for change in proposal.changes:
                items = [i for i in self.session.items_of(proposal, change) if i.citation is None]
                if any(not item.state.decided for item in items):
                    left += [item for item in items if item.state.takes_effect]
        return left

    def stale_of(self, pairs: Iterable[tuple[Proposal, Change]]) -> dict[StaleKey, frozenset[str]]:
        pairs = list(pairs)
        self._conversions.read_attributes(
            path for _, change in pairs for path in {change.path, change.source_path}
        )
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
        return _PlannedWrite(self.workspace, plan, self.intents)

    def _refuse_converted(self, plan: Sequence[FileWrite]) -> None:
        """Bytes git would write otherwise (converted line endings, a filter) are refused,
        never written raw where git apply's result would differ."""
        written = {
            write.path: write.data
            for write in plan
            if write.data is not None and not write.converted
        }
        reasons = self._conversions.refusals(written)
        if reasons:
            raise InputError(
                "; ".join(f"{path}: {why}" for path, why in reasons.items())
                + "; nothing was written"
            )

    # ---- writing and taking back -----------------------------------------------------

    def _write(self, outcome: FileOutcome) -> None:
        """Write a decided file; a refusal (stale base, unsafe path, I/O) is logged as not
        applied for its accepted hunks, then raised. Rejected hunks stand as they are."""
        taking_effect = [
            item
            for item in self.session.items_of(outcome.proposal, outcome.change)
            if item.state.takes_effect
        ]
        intent = None
        try:
            plan = self.workspace.plan(
                outcome.proposal, set(outcome.accepted), dict(outcome.edited), only=outcome.change
            )
            self._refuse_converted(plan)
            record = _Write(outcome, [self._snapshot(write) for write in plan])
            for path in (write.vacates for write in plan if write.vacates):
                # A rename leaves its old path behind: its content must come back on undo.
                record.files.append(_WrittenFile(path, self.workspace.read_bytes(path), None))
            intent = self._note_intent(record.files, taking_effect)
            self._written(intent, _write_under(self.workspace, plan, self.intents, intent))
        except VetlineError as error:
            self.session.record_not_applied(taking_effect, str(error))
            raise
        self._writes[id(outcome)] = record

    def _written(self, intent: WriteIntent | None, became: str) -> None:
        """After a whole write: one whose folder could not be synced keeps its note until a
        later write syncs that folder — then it goes, for a note left over would judge the
        later write's bytes on the next open and call the earlier write interrupted."""
        if intent is None or self.intents is None or became == _KEPT:
            return
        if became == _UNSYNCED:
            self._unsynced.append(intent)
            return
        synced = {(self.root / path).parent for path in intent.files}
        for earlier in self._unsynced[:]:
            if all((self.root / path).parent in synced for path in earlier.files):
                self._unsynced.remove(earlier)
                self.intents.settle(earlier)

    def _note_intent(
        self, files: Sequence[_WrittenFile], items: Sequence[ReviewItem]
    ) -> WriteIntent | None:
        if self.intents is None:
            return None
        shas = {file.path: (sha_or_none(file.before), file.after_sha256) for file in files}
        seqs = [item.decision_seq for item in items if item.decision_seq is not None]
        made = missing_folders(
            self.workspace.root, (file.path for file in files if file.after_sha256 is not None)
        )
        return self.intents.record(self.workspace.root, shas, seqs, folders=made)

    def _snapshot(self, write: FileWrite) -> _WrittenFile:
        after = None if write.data is None else sha256_hex(write.data)
        return _WrittenFile(write.path, self.workspace.read_bytes(write.path), after)

    def _restore(self, record: _Write, item: ReviewItem) -> Outcome:
        """Put back the bytes from before the write, unless someone changed them since.
        One that cannot be put back leaves the verdict standing: the log says it again."""
        try:
            now = self._shas_now(w.path for w in record.files)
            changed = _changed_since_written(record, now)
            if changed is not None:  # changed between the undo's note and now
                self._writes[id(record.outcome)] = record
                return self._undo_not_carried_out(
                    f"{changed} changed after Vetline wrote it: left as it is"
                )
            plan = self.workspace.plan_restore([(w.path, w.before) for w in record.files])
            intent = (
                self.intents.record(
                    self.workspace.root, _shas(plan), (), folders=_folders(self.root, plan)
                )
                if self.intents is not None
                else None
            )
            self._written(intent, _write_under(self.workspace, plan, self.intents, intent))
        except VetlineError as error:
            self._writes[id(record.outcome)] = record  # still written: undoable again
            return self._undo_not_carried_out(f"could not restore: {error}")
        paths = tuple(w.path for w in record.files)
        return Outcome(
            OutcomeKind.DONE,
            f"undid the verdict on {item.change.path}; restored " + ", ".join(paths),
            paths,
        )

    def _undo_not_carried_out(self, why: str) -> Outcome:
        """The undo just logged did not take effect: the verdict it reversed is logged
        again and stands in the session, as on disk."""
        outcome, logged = undo_not_carried_out(self.session, self.log, why)
        if not logged:
            self._verdict_intent = None  # the note stays: the next open logs it again
        return outcome


def _changed_since_written(record: _Write, now: dict[str, str | None]) -> str | None:
    """The first file of the write whose bytes are no longer the ones Vetline wrote."""
    for written in record.files:
        if now[written.path] != written.after_sha256:
            return written.path
    return None


@dataclass(slots=True)
class _PlannedWrite:
    workspace: Workspace
    plan: list[FileWrite]
    intents: WriteIntents | None
    intent: WriteIntent | None = None

    def announce(self, log_end: int) -> None:
        """Note the write before its verdicts are logged (the log ends at `log_end`): a
        crash between the log and the disk is then told apart on the next open."""
        if self.intents is not None and self.intent is None:
            self.intent = self.intents.record(
                self.workspace.root,
                _shas(self.plan),
                (),
                log_end,
                folders=_folders(self.workspace.root, self.plan),
            )

    def commit(self, session: ReviewSession) -> str:
        """Write the plan all or nothing; a failure is logged as not applied, then raised."""
        taking_effect = [item for item in session.items if item.state.takes_effect]
        intent = self.intent
        if self.intents is not None and intent is None:
            seqs = [item.decision_seq for item in taking_effect if item.decision_seq is not None]
            intent = self.intents.record(
                self.workspace.root,
                _shas(self.plan),
                seqs,
                folders=_folders(self.workspace.root, self.plan),
            )
        try:
            _write_under(self.workspace, self.plan, self.intents, intent)
        except VetlineError as error:
            session.record_not_applied(taking_effect, str(error))
            raise
        return f"{len(self.plan)} files written"


def _folders(root: Path, plan: Sequence[FileWrite]) -> list[str]:
    """The folders writing `plan` must make."""
    return missing_folders(root, (write.path for write in plan if write.data is not None))


def _shas(plan: Sequence[FileWrite]) -> dict[str, tuple[str | None, str | None]]:
    """Each file `plan` changes: its sha256 before and after (None: absent)."""
    shas: dict[str, tuple[str | None, str | None]] = {}
    for write in plan:
        # The plan was made from these bytes (and checks them again before writing).
        shas[write.path] = (write.expected_sha256, sha_or_none(write.data))
        if write.vacates:
            shas[write.vacates] = (write.vacates_sha256, None)
    return shas


def _write_under(
    workspace: Workspace,
    plan: Sequence[FileWrite],
    intents: WriteIntents | None,
    intent: WriteIntent | None,
) -> str:
    """Write `plan` under its intent, then settle the intent — unless the write left a
    temp file or backup it could not remove, or could not sync a folder: then the intent
    stays, and the next open of the workspace clears up and checks the disk again.
    Returns what became of the intent: SETTLED, UNSYNCED (kept only because a folder
    could not be synced) or KEPT (the next open has things to clear up or to check)."""
    if intent is None or intents is None:
        workspace.write(plan)
        return _KEPT
    completed = False
    untidy = Untidy()
    try:
        untidy = workspace.write(plan, intent.tag)
        completed = True
    finally:
        left: tuple[str, ...] = ()
        if not completed or untidy.left_behind:
            # Only then is each folder looked at for what the write left.
            left = workspace.clear_leftovers(intent.files, intent.tag, completed=completed).left
        if not left and not untidy.unsynced:
            intents.settle(intent)
    if left:
        return _KEPT
    return _UNSYNCED if untidy.unsynced else _SETTLED


_SETTLED, _UNSYNCED, _KEPT = "settled", "unsynced", "kept"

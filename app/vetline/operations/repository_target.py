"""A git working tree as a write target: each verdict is staged or restored at once.

Someone else (the agent, an editor) may change the repository while it is reviewed.
The target records what each changed path held when Vetline last read or wrote it,
so a later edit is told from Vetline's own, and only the paths someone else changed
are re-read — their hunks come back undecided, the rest keep their verdicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.files.atomic import WorkspaceIOError
from vetline.adapters.files.intents import WriteIntent
from vetline.adapters.files.kept import KeptFiles
from vetline.adapters.git.state import PathState, listed_changes, path_states
from vetline.adapters.git.tree import GitTree, SyncPlan
from vetline.core.errors import StaleBaseError, VetlineError
from vetline.core.model import Change, Proposal
from vetline.core.session import FileOutcome, ReviewItem, ReviewSession
from vetline.operations.kept_restore import last_undoable_reject, restore_kept
from vetline.operations.outcome import Outcome, OutcomeKind
from vetline.operations.repository_journal import RepositoryWrites
from vetline.operations.repository_queue import (
    RepositoryRefresh,
    change_paths,
    put_in_queue,
    show_again,
)
from vetline.operations.unsettled import undo_not_carried_out
from vetline.operations.write_target import StaleKey


class RepositoryTarget:
    """Accept stages a hunk in the index; reject restores it in the work tree."""

    def __init__(
        self,
        tree: GitTree,
        session: ReviewSession,
        kept: KeptFiles,
        writes: RepositoryWrites | None = None,
    ) -> None:
        self.tree = tree
        self.session = session
        self.kept = kept  # where the agent's version goes before a reject takes it out
        # Each write noted before it is made (None: a crash between the log and the
        # write cannot be told apart; see repository_journal).
        self.writes = writes
        self._verdict_intent: WriteIntent | None = None
        # What the repository's changed paths held when last read or written by us.
        self._states: dict[str, PathState] = {}

    @property
    def root(self) -> Path:
        return self.tree.root

    def before_verdict(self, proposal: Proposal, changes: Sequence[Change]) -> Outcome | None:
        """A file that changed since it was shown is re-read and shown again, never decided
        blind. (Syncing the verdicts already in force writes nothing; it is the tree's own
        check for bytes it did not expect.)"""
        self._settle_verdict_intent()  # one a refused command left
        for change in changes:
            refused = self._refuse_if_changed(proposal, change, "not decided")
            if refused is not None:
                return refused
        if self.writes is not None:
            try:
                self._verdict_intent = self.writes.note_before_verdict(changes)
            except WorkspaceIOError as error:
                return Outcome(OutcomeKind.REFUSED, f"nothing was decided: {error}")
            except VetlineError:
                return None  # not a changed file: the verdict's own write will report it
        return None

    def _refuse_if_changed(
        self, proposal: Proposal, change: Change, refusal: str
    ) -> Outcome | None:
        """A refusal (`refusal`: what was not done) if `change`'s file changed since it
        was shown: it is re-read and shown again."""
        try:
            self.tree.sync_items(change, list(self.session.items_of(proposal, change)))
        except StaleBaseError as error:
            self._reread(change)
            return Outcome(OutcomeKind.REFUSED, f"{refusal}: {error}. Look at it again")
        except VetlineError:
            pass  # not a changed file: the write will report it
        return None

    def _settle_verdict_intent(self) -> None:
        if self._verdict_intent is not None and self.writes is not None:
            self.writes.intents.settle(self._verdict_intent)
        self._verdict_intent = None

    def after_verdict(
        self,
        proposal: Proposal,
        changes: Sequence[Change],
        outcomes: Sequence[FileOutcome],
        decided: Sequence[ReviewItem],
    ) -> Outcome:
        """Stage accepted hunks and restore rejected ones in the work tree, right away."""
        try:
            return self._carry_out(proposal, changes, decided)
        finally:
            self._settle_verdict_intent()  # each write had an intent of its own

    def _carry_out(
        self,
        proposal: Proposal,
        changes: Sequence[Change],
        decided: Sequence[ReviewItem],
        *,
        undoing: bool = False,
    ) -> Outcome:
        for change in changes:
            items = list(self.session.items_of(proposal, change))
            try:
                plan = self.tree.plan_items(change, items)
                if plan is not None and self.writes is not None:
                    seqs = [
                        item.decision_seq
                        for item in decided
                        if item.change is change and item.decision_seq is not None
                    ]
                    self.writes.carry_out(plan, seqs)
                elif plan is not None:
                    self.tree.carry_out(plan)
            except VetlineError as error:
                if undoing:
                    return self._undo_not_carried_out(change, error)
                # Nothing of this file was staged or restored: the verdicts just given
                # did not take effect, and the log says so.
                mine = [item for item in decided if item.change is change]
                self.session.record_not_applied(mine, str(error))
                if isinstance(error, StaleBaseError):
                    self._reread(change)
                    return Outcome(
                        OutcomeKind.NOT_WRITTEN,
                        f"not staged or restored: {error}. Look at it again",
                    )
                return Outcome(OutcomeKind.NOT_WRITTEN, f"not applied to the repository: {error}")
        self._remember(change_paths(changes))
        return Outcome(OutcomeKind.DONE, "", tuple(change.path for change in changes))

    def before_undo(self) -> Outcome | None:
        """Before the undo is logged: the file it rewrites must still be as shown (if not,
        it is re-read and nothing is undone), and is noted as it is, so a crash between
        the log and the write is told apart. What cannot be noted is not undone."""
        self._settle_verdict_intent()
        upcoming = self.session.next_undo()
        if upcoming is None or upcoming[0].citation is not None:
            return None  # a kept copy put back notes its own write; a citation writes none
        item = upcoming[0]
        refused = self._refuse_if_changed(item.proposal, item.change, "nothing was undone")
        if refused is not None or self.writes is None:
            return refused
        try:
            self._verdict_intent = self.writes.note_before_verdict([item.change])
        except VetlineError as error:
            return Outcome(OutcomeKind.REFUSED, f"nothing was undone: {error}")
        return None

    def after_undo(self, item: ReviewItem, outcome: FileOutcome | None) -> Outcome:
        """Put the index and work tree back as the verdicts left standing make them."""
        try:
            return self._carry_out(item.proposal, [item.change], [], undoing=True)
        finally:
            self._settle_verdict_intent()

    def _undo_not_carried_out(self, change: Change, error: VetlineError) -> Outcome:
        """Nothing of the undo reached the index or work tree: the verdict it reversed is
        logged again and stands in the session, as in the repository."""
        why = f"the repository could not be written: {error}"
        log = self.writes.log if self.writes is not None else None
        outcome, logged = undo_not_carried_out(self.session, log, why)
        if not logged:
            self._verdict_intent = None  # the note stays: the next opening logs it again
        if isinstance(error, StaleBaseError):
            self._reread(change)
            return outcome.with_note("look at it again")
        return outcome

    def keep_before_reject(self, proposal: Proposal, change: Change) -> str:
        if not self.tree.changes_on_reject(change):
            return ""  # listed only (a submodule, a link): a reject changes nothing
        return self.kept.keep(self.root, change.path, self.tree.agent_version(change)).id

    def unwritten(self) -> list[ReviewItem]:
        return []  # each verdict is staged or restored at once

    def undo_from_log(self, log: DecisionLog) -> Outcome:
        """After a restart: bring back the newest reject's kept version, and re-read it."""
        kept = last_undoable_reject(log, self.kept, self.root)
        if kept is None:
            return Outcome(OutcomeKind.NOTHING, "nothing to undo")
        try:
            message = restore_kept(
                kept,
                self.kept,
                log,
                reviewer=self.session.reviewer,
                intents=self.writes.intents if self.writes is not None else None,
            )
        except VetlineError as error:
            return Outcome(OutcomeKind.REFUSED, str(error))
        old = self._queued_change_at(kept.path)
        fresh = self.tree.reload_change(kept.path)
        put_in_queue(self.session, old, fresh, self.root)
        self._remember(change_paths([*fresh, *([old] if old is not None else [])]))
        return Outcome(OutcomeKind.DONE, message, (kept.path,))

    def stale_of(self, pairs: Iterable[tuple[Proposal, Change]]) -> dict[StaleKey, frozenset[str]]:
        return {}  # a file that changed under the review is re-read, not marked stale

    def prepare(self, proposals: Sequence[Proposal], chosen: set[str]) -> _RepositorySync:
        """Plan every file's write before anything is logged: a file changed since it
        was read refuses the whole review (StaleBaseError), as in a workspace."""
        plans: list[tuple[Proposal, Change, SyncPlan]] = []
        for proposal in proposals:
            for change in proposal.changes:
                ids = {hunk.id for hunk in change.hunks}
                plan = self.tree.plan_sync(change, ids & chosen, ids - chosen, {})
                if plan is not None:
                    plans.append((proposal, change, plan))
        return _RepositorySync(self.tree, self.writes, plans)

    # ---- a repository someone else changes while it is reviewed ----------------------

    def remember(self) -> None:
        """Record what the repository's changed paths hold now, as the queue shows them."""
        paths = change_paths(item.change for item in self.session.items) | listed_changes(self.root)
        self._states = path_states(self.root, paths)

    def changed_paths(self) -> list[str]:
        """Paths whose work tree bytes or index entry are not what Vetline last saw or wrote."""
        return self._changed_paths()[0]

    def refresh(self) -> RepositoryRefresh:
        """Re-read the changes at each path someone else changed; the rest keep their verdicts.

        A re-read file's hunks come back undecided (what was staged or restored before
        is now part of the index or work tree). The hunk on screen stays on screen
        unless its own file was re-read: then the file's first fresh hunk is shown.
        """
        changed, states = self._changed_paths()
        if not changed:
            return RepositoryRefresh()
        current = self.session.current
        target: ReviewItem | None = current
        reread: list[str] = []
        done: set[str] = set()
        for path in changed:
            if path in done:
                continue
            old = self._queued_change_at(path)
            fresh = self.tree.reload_change(path)
            done |= change_paths([*fresh, *([old] if old is not None else [])])
            if fresh == ((old,) if old is not None else ()):
                continue  # the same differences as shown: nothing to re-read
            put_in_queue(self.session, old, fresh, self.root)
            reread.append(path)
            if current is not None and old is current.change:
                target = self.session.current  # the re-read file's first fresh hunk
        # The states from before the re-read: an edit landing meanwhile is seen next time.
        self._states = states
        shown_again = target is not current
        show_again(self.session, target, restart_clock=shown_again)
        return RepositoryRefresh(tuple(reread), shown_again)

    def _reread(self, change: Change) -> None:
        """Put what is on disk now in the queue in place of `change`."""
        fresh = self.tree.reload_change(change.path)
        put_in_queue(self.session, change, fresh, self.root)
        self._remember(change_paths([change, *fresh]))

    def _changed_paths(self) -> tuple[list[str], dict[str, PathState]]:
        candidates = set(self._states) | listed_changes(self.root)
        now = path_states(self.root, candidates)
        changed = sorted(path for path in candidates if now[path] != self._states.get(path))
        return changed, now

    def _queued_change_at(self, path: str) -> Change | None:
        """The queued change that has `path` as either of its names."""
        for item in self.session.items:
            if path in (item.change.path, item.change.source_path):
                return item.change
        return None

    def _remember(self, paths: Iterable[str]) -> None:
        self._states.update(path_states(self.root, paths))


@dataclass(slots=True)
class _RepositorySync:
    tree: GitTree
    writes: RepositoryWrites | None
    plans: list[tuple[Proposal, Change, SyncPlan]]
    intents: list[WriteIntent] = field(default_factory=list)

    def announce(self, log_end: int) -> None:
        """Note every file's write before its verdicts are logged (the log ends at
        `log_end`): a crash between the log and the disk is told apart on the next opening."""
        if self.writes is not None and not self.intents:
            self.intents = [self.writes.note(plan, (), log_end) for _, _, plan in self.plans]

    def commit(self, session: ReviewSession) -> str:
        """Stage and restore file by file. A file that cannot be written is logged as not
        applied, with every file after it (none of them is written); then the error."""
        for number, (_, _, plan) in enumerate(self.plans):
            try:
                if self.writes is not None and number < len(self.intents):
                    self.writes.write_noted(plan, self.intents[number])
                else:
                    self.tree.carry_out(plan)
            except VetlineError as error:
                for proposal, change, _ in self.plans[number:]:
                    session.record_not_applied(session.items_of(proposal, change), str(error))
                if self.writes is not None:
                    for intent in self.intents[number + 1 :]:
                        self.writes.intents.settle(intent)  # never begun: nothing to look at
                raise
        return "accepted hunks staged, rejected ones restored in the work tree"

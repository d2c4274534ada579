"""A repository's writes journalled like a workspace's: an intent before, settled after.

A verdict in a repository changes the index (accept stages) and the work tree (reject
restores). Each such write is noted first as an intent naming every index entry and
file before and after; a crash between the log and the write leaves the intent, and
the next opening of the repository (`settle_repository`) finishes a work tree write
the crash cut half-way, puts back an index updated without its work tree, removes
what the write left (temp files, folders it made) and records each logged verdict
whose write never happened as not applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.files.intents import WriteIntent, WriteIntents
from vetline.adapters.files.transaction import JOURNAL_FOLDER, remove_empty_folders
from vetline.adapters.git.tree import GitTree, SyncPlan
from vetline.core.errors import VetlineError
from vetline.core.model import Change, Verdict
from vetline.operations.kept_restore import log_restored
from vetline.operations.unsettled import Resolver, State, remove_made_folders, resolve_left_over

# In a repository a reject restores the work tree: it is a write too.
_TAKING_EFFECT = (Verdict.ACCEPTED, Verdict.EDITED, Verdict.REJECTED)


@dataclass(frozen=True, slots=True)
class Settled:
    """What opening a repository found of a crash, in words; `changed`: the index or the
    work tree was changed to settle it, so what was read of the repository before is stale."""

    notes: tuple[str, ...] = ()
    changed: bool = False


def settle_repository(tree: GitTree, data_dir: Path, log: DecisionLog) -> Settled:
    """Finish or take back what a crash left of Vetline's writes in `tree`'s repository,
    and make the log say so; from now on its work tree writes are journalled too."""
    tree.keep_journals_in(data_dir / JOURNAL_FOLDER)
    finished = tree.finish_interrupted_writes()
    intents = WriteIntents(data_dir)
    changed: list[str] = []

    def now(intent: WriteIntent) -> State:
        state: dict[tuple[str, str], str | None] = {
            ("file", path): sha for path, sha in tree.file_shas(intent.files).items()
        }
        if intent.index:
            entries = tree.index_now(intent.index)
            state.update({("index", path): entry for path, entry in entries.items()})
        return state

    def clear(intent: WriteIntent, completed: bool) -> list[str]:
        return tree.clear_leftovers(intent.files, intent.tag, completed=completed).notes

    def undo_partial(intent: WriteIntent, state: State) -> list[str]:
        """The index was updated and the work tree not (a kill between the two): the
        index is put back, so the file is as the agent left it."""
        if intent.pending or any(
            state[("file", path)] != before for path, (before, _) in intent.files.items()
        ):
            return []
        notes = remove_made_folders(tree.root, intent)
        staged = {
            path: before
            for path, (before, after) in intent.index.items()
            if state[("index", path)] == after and after != before
        }
        untouched = all(
            state[("index", path)] in (before, after)
            for path, (before, after) in intent.index.items()
        )
        if staged and untouched:
            tree.put_index(staged)
            changed.extend(staged)
            notes.append(
                "put back the index of " + ", ".join(staged) + " (an interrupted write had "
                "staged it without its work tree)"
            )
        return notes

    # A workspace's writes in this folder (no index named) are settled by its opening.
    left = [intent for intent in intents.left_over(tree.root) if intent.in_repository]
    notes = _settle_restores(tree, intents, [i for i in left if i.restores], log)
    notes += resolve_left_over(
        intents,
        [intent for intent in left if not intent.restores],
        log,
        Resolver(now, clear, undo_partial, _TAKING_EFFECT),
    )
    return Settled(tuple(finished + notes), bool(finished or changed))


def _settle_restores(
    tree: GitTree, intents: WriteIntents, restores: Sequence[WriteIntent], log: DecisionLog
) -> list[str]:
    """A kept file put back by a restore that stopped before its log rows: the log now
    says it is undone. One that was not put back is as the log says already."""
    notes: list[str] = []
    for intent in restores:
        now = tree.file_shas(intent.files)
        back = all(now[path] == after for path, (_, after) in intent.files.items())
        notes += tree.clear_leftovers(intent.files, intent.tag, completed=back).notes
        if back and log_restored(log, intent.restores, "", datetime.now(UTC)):
            paths = ", ".join(intent.files)
            notes.append(
                f"{paths}: the agent's version was put back before a crash; the log now "
                "says the reject is undone"
            )
        intents.settle(intent)
    return notes


class RepositoryWrites:
    """The intents of one repository's writes, in Vetline's data folder."""

    def __init__(self, tree: GitTree, data_dir: Path, log: DecisionLog) -> None:
        self.tree = tree
        self.intents = WriteIntents(data_dir)
        self.log = log
        tree.keep_journals_in(data_dir / JOURNAL_FOLDER)
        # Whole writes whose folders could not be synced: noted until a later write syncs them.
        self._unsynced: list[WriteIntent] = []

    def note_before_verdict(self, changes: Sequence[Change]) -> WriteIntent:
        """Note `changes`' files and index entries as they are before a verdict is logged
        (what the verdict will write is not known yet): a crash between the log and the
        write is then told apart on the next opening."""
        files: dict[str, tuple[str | None, str | None]] = {}
        index: dict[str, tuple[str | None, str | None]] = {}
        for change in changes:
            change_files, change_index = self.tree.expected_state(change)
            files.update(change_files)
            index.update(change_index)
        return self.intents.record(
            self.tree.root, files, (), self.log.end().rows, pending=True, index=index
        )

    def carry_out(
        self, plan: SyncPlan, decisions: Sequence[int], after_seq: int | None = None
    ) -> None:
        """Note the write, make it, and settle the note once the write is whole."""
        intent = self.note(plan, decisions, after_seq)
        self.write_noted(plan, intent)

    def note(
        self, plan: SyncPlan, decisions: Sequence[int], after_seq: int | None = None
    ) -> WriteIntent:
        return self.intents.record(
            self.tree.root,
            plan.files,
            decisions,
            after_seq,
            index=plan.index,
            folders=plan.folders,
        )

    def write_noted(self, plan: SyncPlan, intent: WriteIntent) -> None:
        """Make a noted write. A failed one is taken back whole by the tree (the index
        put back, no file changed): its note goes once the disk says so. A whole one
        that left a temp file or backup beside its files has them cleared now; its note
        stays only if some remain, or a folder could not be synced — for a note left
        over would judge the next verdict's write to the same file on the next opening."""
        try:
            untidy = self.tree.carry_out(plan, intent.tag)
        except BaseException:
            self.settle_if_as_before(intent)
            raise
        left: tuple[str, ...] = ()
        if untidy.left_behind:
            left = self.tree.clear_leftovers(intent.files, intent.tag, completed=True).left
            # A backup beside a deleted file kept its folder from going, as it goes in git.
            root = self.tree.root
            gone = [root / path for path, (_, after) in intent.files.items() if after is None]
            remove_empty_folders([path.parent for path in gone], root)
        if untidy.unsynced:
            self._unsynced.append(intent)
        elif not left:
            self.intents.settle(intent)
            self._settle_synced_by(intent)

    def _settle_synced_by(self, written: WriteIntent) -> None:
        """A whole write syncs its files' folders: an earlier one in them whose folder
        could not be synced then, noted still, is durable now and its note goes (else a
        later write to the same file would have the next opening judge it interrupted)."""
        synced = {(self.tree.root / path).parent for path in written.files}
        for earlier in self._unsynced[:]:
            if all((self.tree.root / path).parent in synced for path in earlier.files):
                self._unsynced.remove(earlier)
                self.intents.settle(earlier)

    def settle_if_as_before(self, intent: WriteIntent) -> None:
        """Forget a note whose write did not happen, if the disk holds what it did before
        (else the next opening puts it right)."""
        try:
            files = self.tree.file_shas(intent.files)
            index = self.tree.index_now(intent.index)
        except (VetlineError, OSError):
            return  # what cannot be read now is left to the next opening
        if all(files[path] == before for path, (before, _) in intent.files.items()) and all(
            index[path] == before for path, (before, _) in intent.index.items()
        ):
            self.intents.settle(intent)

"""Drives a ReviewSession against the real world: the decision log and the workspace.

The window and the headless `vetline apply` both go through this class, so a
verdict means the same thing from a key press and from a script: it is logged
first, and when a file's hunks are all decided, the accepted ones are written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.files.workspace import FileWrite, Workspace
from vetline.adapters.git.state import PathState, listed_changes, path_states
from vetline.adapters.git.tree import GitTree
from vetline.adapters.inbox import Inbox, verdicts_from_items
from vetline.core.errors import StaleBaseError, VetlineError
from vetline.core.model import Change, Proposal, sha256_hex
from vetline.core.session import FileOutcome, ReviewItem, ReviewSession, SessionError
from vetline.operations.repository_queue import (
    RepositoryRefresh,
    change_paths,
    put_in_queue,
    show_again,
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one command did, for the window's status line or banner."""

    ok: bool
    message: str = ""
    written: tuple[str, ...] = ()
    problem: bool = False  # True: show it in the banner (a refusal, not a note)


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


class Reviewer:
    """A session bound to its log and workspace; each method is one reviewer command."""

    def __init__(
        self,
        session: ReviewSession,
        log: DecisionLog,
        workspace: Workspace | None,
        on_written: Callable[[FileOutcome], None] | None = None,
        *,
        git_tree: GitTree | None = None,
        inbox: Inbox | None = None,
    ) -> None:
        self.session = session
        self.log = log
        self.workspace = workspace
        # A git working tree is written after every verdict (index and work tree);
        # other workspaces when all hunks of a file are decided.
        self.git_tree = git_tree
        self.inbox = inbox
        self.inbox_sources: dict[str, Path] = {}  # proposal id -> the inbox file it came from
        self._on_written = on_written
        self._writes: dict[int, _Write] = {}  # id(FileOutcome) -> what was written for it
        # What the repository's changed paths held when last read or written by us.
        self._repository_states: dict[str, PathState] = {}

    def accept(self) -> Outcome:
        return self._run(self.session.accept_current)

    def reject(self, reason: str = "") -> Outcome:
        return self._run(lambda: self.session.reject_current(reason))

    def edit(self, new_text: str) -> Outcome:
        return self._run(lambda: self.session.edit_current(new_text))

    def accept_rest(self) -> Outcome:
        current = self.session.current
        if current is not None and self.git_tree is not None:
            changes = dict.fromkeys(item.change for item in self.session.items_of(current.proposal))
            refused = self._refuse_if_changed(current.proposal, list(changes))
            if refused is not None:
                return refused
        try:
            outcomes = self.session.accept_rest_of_proposal()
        except (SessionError, VetlineError) as error:
            return Outcome(False, str(error), problem=True)
        if current is None:
            return Outcome(True)
        if self.git_tree is not None:
            changes = dict.fromkeys(item.change for item in self.session.items_of(current.proposal))
            return self._after_git_verdict(current.proposal, list(changes))
        return self._finish(current.proposal, self._write_all(outcomes))

    def split(self) -> Outcome:
        try:
            pieces = self.session.split_current()
        except SessionError as error:
            return Outcome(False, str(error), problem=True)
        return Outcome(True, f"split into {pieces} hunks")

    def undo(self) -> Outcome:
        try:
            undone = self.session.undo_last()
        except VetlineError as error:
            return Outcome(False, str(error), problem=True)
        if undone is None:
            return Outcome(False, "nothing to undo")
        item, outcome = undone
        if self.git_tree is not None:
            return self._after_git_verdict(item.proposal, [item.change])
        if outcome is None or id(outcome) not in self._writes:
            return Outcome(True, f"undid the verdict on {item.change.path}")
        return self._restore(self._writes.pop(id(outcome)), item)

    def _run(self, command: Callable[[], FileOutcome | None]) -> Outcome:
        decided = self.session.current
        if decided is not None and self.git_tree is not None:
            refused = self._refuse_if_changed(decided.proposal, [decided.change])
            if refused is not None:
                return refused
        try:
            outcome = command()
        except (SessionError, VetlineError) as error:
            return Outcome(False, str(error), problem=True)
        if decided is None:
            return Outcome(True)
        if self.git_tree is not None:
            return self._after_git_verdict(decided.proposal, [decided.change])
        return self._finish(decided.proposal, self._write_all([outcome] if outcome else []))

    def _after_git_verdict(self, proposal: Proposal, changes: list[Change]) -> Outcome:
        """Stage accepted hunks and restore rejected ones in the work tree, right away."""
        assert self.git_tree is not None
        for change in changes:
            items = list(self.session.items_of(proposal, change))
            try:
                self.git_tree.sync_items(change, items)
            except StaleBaseError as error:
                self._reread(change)
                return Outcome(
                    False, f"not staged or restored: {error}. Look at it again", problem=True
                )
            except VetlineError as error:
                for item in items:
                    item.problem = str(error)
                return Outcome(False, f"not applied to the repository: {error}", problem=True)
        self._remember_paths(change_paths(changes))
        return self._finish(proposal, Outcome(True, "", tuple(c.path for c in changes)))

    def _refuse_if_changed(self, proposal: Proposal, changes: list[Change]) -> Outcome | None:
        """Before a verdict is logged: a file that changed since it was shown is re-read
        and shown again, never decided blind. (Syncing the verdicts already in force
        writes nothing; it is the tree's own check for bytes it did not expect.)"""
        assert self.git_tree is not None
        for change in changes:
            try:
                self.git_tree.sync_items(change, list(self.session.items_of(proposal, change)))
            except StaleBaseError as error:
                self._reread(change)
                return Outcome(False, f"not decided: {error}. Look at it again", problem=True)
            except VetlineError:
                continue  # not a changed file: the verdict's own write will report it
        return None

    def _reread(self, change: Change) -> None:
        """Put what is on disk now in the queue in place of `change`."""
        assert self.git_tree is not None
        fresh = self.git_tree.reload_change(change.path)
        put_in_queue(self.session, change, fresh, self.git_tree.root)
        self._remember_paths(change_paths([change, *fresh]))

    # ---- a repository someone else changes while it is reviewed ----------------------

    def remember_repository(self) -> None:
        """Record what the repository's changed paths hold now, as the queue shows them."""
        if self.git_tree is None:
            return
        root = self.git_tree.root
        paths = change_paths(item.change for item in self.session.items) | listed_changes(root)
        self._repository_states = path_states(root, paths)

    def repository_changed_paths(self) -> list[str]:
        """Paths whose work tree bytes or index entry are not what Vetline last saw or wrote."""
        return self._changed_paths()[0]

    def refresh_repository(self) -> RepositoryRefresh:
        """Re-read the changes at each path someone else changed; the rest keep their verdicts.

        A re-read file's hunks come back undecided (what was staged or restored before
        is now part of the index or work tree). The hunk on screen stays on screen
        unless its own file was re-read: then the file's first fresh hunk is shown.
        """
        changed, states = self._changed_paths()
        if self.git_tree is None or not changed:
            return RepositoryRefresh()
        current = self.session.current
        target: ReviewItem | None = current
        reread: list[str] = []
        done: set[str] = set()
        for path in changed:
            if path in done:
                continue
            old = self._queued_change_at(path)
            fresh = self.git_tree.reload_change(path)
            done |= change_paths([*fresh, *([old] if old is not None else [])])
            if fresh == ((old,) if old is not None else ()):
                continue  # the same differences as shown: nothing to re-read
            put_in_queue(self.session, old, fresh, self.git_tree.root)
            reread.append(path)
            if current is not None and old is current.change:
                target = self.session.current  # the re-read file's first fresh hunk
        # The states from before the re-read: an edit landing meanwhile is seen next time.
        self._repository_states = states
        shown_again = target is not current
        show_again(self.session, target, restart_clock=shown_again)
        return RepositoryRefresh(tuple(reread), shown_again)

    def _changed_paths(self) -> tuple[list[str], dict[str, PathState]]:
        if self.git_tree is None:
            return [], {}
        root = self.git_tree.root
        candidates = set(self._repository_states) | listed_changes(root)
        now = path_states(root, candidates)
        changed = sorted(
            path for path in candidates if now[path] != self._repository_states.get(path)
        )
        return changed, now

    def _queued_change_at(self, path: str) -> Change | None:
        """The queued change that has `path` as either of its names."""
        for item in self.session.items:
            if path in (item.change.path, item.change.source_path):
                return item.change
        return None

    def _remember_paths(self, paths: Iterable[str]) -> None:
        if self.git_tree is not None:
            self._repository_states.update(path_states(self.git_tree.root, paths))

    def _finish(self, proposal: Proposal, outcome: Outcome) -> Outcome:
        """Tell an inbox's agent the outcome once every hunk of its proposal is decided."""
        source = self.inbox_sources.get(proposal.id)
        if self.inbox is None or source is None or not self.session.proposal_decided(proposal):
            return outcome
        items = list(self.session.items_of(proposal))
        try:
            completion = self.inbox.complete(source, verdicts_from_items(proposal, items))
        except VetlineError as error:
            return Outcome(False, f"could not write the verdict file: {error}", problem=True)
        del self.inbox_sources[proposal.id]
        note = f"verdict written to {completion.verdict_file.name}"
        return Outcome(
            outcome.ok,
            "; ".join(m for m in (outcome.message, note) if m),
            outcome.written,
            outcome.problem,
        )

    def _write_all(self, outcomes: list[FileOutcome]) -> Outcome:
        written: list[str] = []
        for outcome in outcomes:
            if not outcome.accepted:
                continue  # every hunk rejected: the file stays as it is
            if self.workspace is None:
                return Outcome(True, "decided (no workspace: nothing to write)")
            try:
                self._write(outcome)
            except VetlineError as error:
                self._mark_problem(outcome, str(error))
                kind = "stale base" if isinstance(error, StaleBaseError) else "write refused"
                return Outcome(False, f"{kind}: {error}", tuple(written), problem=True)
            written.append(outcome.change.path)
        if written:
            return Outcome(True, "wrote " + ", ".join(written), tuple(written))
        return Outcome(True)

    def _write(self, outcome: FileOutcome) -> None:
        assert self.workspace is not None
        plan = self.workspace.plan(
            outcome.proposal, set(outcome.accepted), dict(outcome.edited), only=outcome.change
        )
        record = _Write(outcome, [self._snapshot(write) for write in plan])
        for path in _vacated_paths(plan):
            record.files.append(_WrittenFile(path, self.workspace.read_bytes(path), None))
        self.workspace.write(plan)
        self._writes[id(outcome)] = record
        if self._on_written:
            self._on_written(outcome)

    def _snapshot(self, write: FileWrite) -> _WrittenFile:
        assert self.workspace is not None
        after = None if write.data is None else sha256_hex(write.data)
        return _WrittenFile(write.path, self.workspace.read_bytes(write.path), after)

    def _restore(self, record: _Write, item: ReviewItem) -> Outcome:
        """Put back the bytes from before the write, unless someone changed them since."""
        assert self.workspace is not None
        for written in record.files:
            current = self.workspace.read_bytes(written.path)
            current_sha = None if current is None else sha256_hex(current)
            if current_sha != written.after_sha256:
                return Outcome(
                    False,
                    f"undid the verdict, but {written.path} changed after Vetline wrote it: "
                    "left as it is",
                    problem=True,
                )
        try:
            self.workspace.restore([(w.path, w.before) for w in record.files])
        except VetlineError as error:
            return Outcome(
                False, f"undid the verdict, but could not restore: {error}", problem=True
            )
        paths = tuple(w.path for w in record.files)
        return Outcome(
            True, f"undid the verdict on {item.change.path}; restored " + ", ".join(paths), paths
        )

    def _mark_problem(self, outcome: FileOutcome, message: str) -> None:
        for item in self.session.items_of(outcome.proposal, outcome.change):
            item.problem = message


def _vacated_paths(plan: list[FileWrite]) -> list[str]:
    """Paths a rename leaves behind (their old content must come back on undo)."""
    return [write.vacates for write in plan if write.vacates]

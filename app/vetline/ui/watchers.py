"""Sources that change while they are reviewed: a git working tree, and an inbox folder.

No busy polling: QFileSystemWatcher tells when something happened, and the work of
finding out what (git, parsing) runs on the gateway's I/O lane, in turn with the
writes. A repository is looked at ~200 ms after a burst of events starts; an inbox
also gets a light timer, but only while a file is still settling (the Inbox reads a
file once its size and time have held still across two looks).

git and the inbox (with every input parser) load on a follower's first look: the
window's first paint needs neither.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from vetline.core.errors import VetlineError
from vetline.core.hidden_text import escape_hidden
from vetline.ui.controller import ReviewController

if TYPE_CHECKING:
    from vetline.adapters.git.state import WatchTargets
    from vetline.adapters.inbox import Inbox, ScanResult
    from vetline.core.model import Proposal
    from vetline.operations.repository_queue import RepositoryRefresh

REPOSITORY_DELAY_MS = 200  # after the first event of a burst (an agent writes several files)
INBOX_DELAY_MS = 100
INBOX_SETTLE_LOOK_MS = 300  # while a file is still settling


class DebouncedWatcher(QObject):
    """A file system watcher that reports a burst of events once, `delay_ms` after its first."""

    changed = Signal()

    def __init__(self, delay_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.changed)
        self._watcher.directoryChanged.connect(self._on_event)
        self._watcher.fileChanged.connect(self._on_file_event)

    def watch(self, files: Iterable[str], folders: Iterable[str]) -> None:
        """Watch exactly these (those that exist); others are let go."""
        wanted = {path for path in (*files, *folders) if os.path.exists(path)}  # noqa: PTH110
        watched = set(self._watcher.files()) | set(self._watcher.directories())
        if watched - wanted:
            self._watcher.removePaths(sorted(watched - wanted))
        if wanted - watched:
            self._watcher.addPaths(sorted(wanted - watched))

    @property
    def pending(self) -> bool:
        """Events came in and are waiting for the delay to pass."""
        return self._timer.isActive()

    def watched(self) -> set[str]:
        return set(self._watcher.files()) | set(self._watcher.directories())

    def stop(self) -> None:
        self._timer.stop()
        self.watch((), ())

    def _on_file_event(self, path: str) -> None:
        # A file replaced by a rename is a new file: let the old one go, so the next
        # `watch` adds the new one (Qt would keep watching the inode that is gone).
        if path in self._watcher.files():
            self._watcher.removePath(path)
        self._on_event(path)

    def _on_event(self, _path: str) -> None:
        if not self._timer.isActive():
            self._timer.start()


class _Follower(QObject):
    """One look at a time: a look asked for during another runs once, right after it."""

    def __init__(self, controller: ReviewController, parent: QObject | None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._looking = False
        self._look_again = False
        self._stopped = False

    def look(self) -> None:
        if self._stopped:
            return
        if self._looking:
            self._look_again = True
            return
        self._looking = True
        self._controller.start(self._look())

    async def _look(self) -> None:
        raise NotImplementedError

    def _look_again_if_asked(self) -> None:
        """The end of every look: run the one asked for meanwhile, if any."""
        if self._look_again:
            self._look_again = False
            self.look()


class RepositoryFollower(_Follower):
    """Re-reads the files of the reviewed repository that someone else changes.

    Starts itself when the controller opens a repository. Vetline's own verdicts cause
    events too; the Reviewer tells them apart (see adapters.git.state), so only
    other people's edits re-read a file.
    """

    looked = Signal(object)  # RepositoryRefresh: after each look (tests wait on it)

    def __init__(self, controller: ReviewController, parent: QObject | None = None) -> None:
        super().__init__(controller, parent)
        self.watcher = DebouncedWatcher(REPOSITORY_DELAY_MS, self)
        self.watcher.changed.connect(self.look)
        self._base_targets: WatchTargets | None = None
        controller.sources_opened.connect(self._start_if_repository)

    @property
    def active(self) -> bool:
        return self._base_targets is not None

    def stop(self) -> None:
        """For good: the window is closing."""
        self._stopped = True
        self.watcher.stop()

    def _start_if_repository(self) -> None:
        if self._controller.repository is not None and not self._looking:
            self.look()  # watches it, and catches edits made since it was read

    async def _look(self) -> None:
        from vetline.adapters.git.state import change_targets, repository_targets
        from vetline.operations.repository_queue import RepositoryRefresh, change_paths

        controller = self._controller
        tree = controller.repository
        refresh = RepositoryRefresh()
        try:
            if tree is None:
                return
            if self._base_targets is None:
                self._base_targets = await controller.gateway.serial(repository_targets, tree.root)
                if not self._base_targets.complete:
                    controller.note.emit(
                        "A large repository: its changed files and the first "
                        f"{len(self._base_targets.files)} others are watched for edits"
                    )
            if await controller.gateway.serial(tree.changed_paths):
                refresh = await controller.exclusive(tree.refresh)
            paths = change_paths(item.change for item in controller.session.items)
            changed = await controller.gateway.serial(change_targets, tree.root, paths)
            if self._stopped:
                return
            self.watcher.watch(
                (*self._base_targets.files, *changed.files),
                (*self._base_targets.folders, *changed.folders),
            )
        except VetlineError as error:
            controller.problem.emit(f"Could not re-read the repository: {error}")
        finally:
            self._looking = False
        self._report(refresh)
        self.looked.emit(refresh)
        self._look_again_if_asked()

    def _report(self, refresh: RepositoryRefresh) -> None:
        if not refresh.reread:
            return
        controller = self._controller
        controller.queue_rebuilt.emit()
        controller.cursor_moved.emit()
        names = ", ".join(refresh.reread)
        if refresh.current_reread:
            current = controller.current
            shown = current.change.path if current is not None else names
            controller.problem.emit(
                f"{shown} changed on disk; it was re-read and is shown again: look before deciding."
            )
        else:
            controller.note.emit(f"Re-read (changed on disk): {names}")


class InboxFollower(_Follower):
    """Queues the proposals agents drop into an inbox folder; reports the files it refuses."""

    looked = Signal(object)  # ScanResult: after each look (tests wait on it)

    def __init__(self, controller: ReviewController, inbox: Inbox, workspace: Path | None) -> None:
        super().__init__(controller, controller)
        self.inbox = inbox
        self._workspace = workspace
        self.watcher = DebouncedWatcher(INBOX_DELAY_MS, self)
        self.watcher.changed.connect(self.look)
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(INBOX_SETTLE_LOOK_MS)
        self._settle_timer.timeout.connect(self.look)
        self.watcher.watch((), (str(inbox.folder),))

    def stop(self) -> None:
        """For good: the window is closing."""
        self._stopped = True
        self._settle_timer.stop()
        self.watcher.stop()

    async def _look(self) -> None:
        from vetline.adapters.inbox import ScanResult

        result = ScanResult()
        try:
            result = await self._controller.gateway.serial(self.inbox.scan)
        except (OSError, VetlineError) as error:
            self._controller.problem.emit(f"Could not read the inbox {self.inbox.folder}: {error}")
        finally:
            self._looking = False
        if result.waiting:
            self._settle_timer.start()  # only while something is still being written
        if result.ready:
            # Adding to the queue while a verdict is being written could race with it.
            self._controller.when_free(lambda: self._queue(result))
        self._report_rejected(result)
        self.looked.emit(result)
        self._look_again_if_asked()

    def _queue(self, result: ScanResult) -> None:
        controller = self._controller
        proposals = []
        answered: list[str] = []
        for ready in result.ready:
            for proposal in ready.proposals:
                if self._answered_before(ready.source, proposal):
                    answered.append(proposal.id)
                    continue
                controller.reviewer.inbox_sources[proposal.id] = ready.source
                proposals.append(proposal)
        names = ", ".join(ready.source.name for ready in result.ready)
        if proposals:
            controller.open_proposals(proposals, self._workspace)
        note = f"Inbox: {_count(len(proposals), 'proposal')} from {names}"
        if answered:
            note += (
                f"; {_count(len(answered), 'proposal')} decided before ("
                + ", ".join(answered)
                + ") answered from the log, not queued again"
            )
        controller.note.emit(escape_hidden(note))

    def _answered_before(self, source: Path, proposal: Proposal) -> bool:
        """True when the log holds a verdict on every item of `proposal` (decided in an
        earlier run that stopped before, or after, telling the agent): the agent gets
        its answer from the log, and the proposal is not reviewed twice."""
        from vetline.adapters.inbox import verdicts_from_log

        log = self._controller.reviewer.log
        verdicts = verdicts_from_log(proposal, log.decisions_for_proposal(proposal.id))
        if verdicts is None:
            return False
        try:
            self.inbox.answered_before(source, verdicts)
        except (OSError, VetlineError) as error:
            self._controller.problem.emit(
                escape_hidden(f"Inbox: could not answer {proposal.id} from the log: {error}")
            )
        return True

    def _report_rejected(self, result: ScanResult) -> None:
        if not result.rejected:
            return
        lines = [f"{file.name}: {file.reason}" for file in result.rejected]
        self._controller.problem.emit(
            f"Inbox: not a proposal, moved to {result.rejected[0].moved_to.parent.name}/ "
            "(with the reason beside it) — " + "; ".join(lines)
        )


def follow_inbox(
    controller: ReviewController, folder: Path, workspace: Path | None
) -> InboxFollower | None:
    """Watch `folder` for proposal files; verdicts go to its outbox. None if it cannot be."""
    from vetline.adapters.inbox import Inbox

    try:
        inbox = Inbox(folder, workspace)
    except VetlineError as error:
        controller.problem.emit(f"Cannot watch the inbox: {error}")
        return None
    controller.reviewer.inbox = inbox
    follower = InboxFollower(controller, inbox, workspace)
    # Sets the workspace verdicts are written to, and remembers the inbox for next time.
    controller.open_proposals([], workspace)
    follower.look()
    return follower


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")

"""The window's review logic: one handler per reviewer command, a busy flag, and signals.

Every verdict goes through `operations.reviewer.Reviewer` (log first, then write) on the
gateway's I/O lane, so the window keeps painting while a file is written. While a
write is in flight the controller is `busy` and ignores every review command: a
second Ctrl+Y must not decide a hunk the reviewer has not seen yet.
"""

from __future__ import annotations

import getpass
import logging
import time
from collections.abc import Callable, Coroutine, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.files.workspace import Workspace
from vetline.core.errors import VetlineError
from vetline.core.leash import Level, Violation
from vetline.core.model import Change, Proposal
from vetline.core.session import ReviewItem, ReviewSession
from vetline.core.settings import Settings
from vetline.operations.outcome import Outcome, OutcomeKind
from vetline.operations.reviewer import Reviewer
from vetline.operations.workspace_target import WorkspaceTarget
from vetline.operations.write_target import StaleKey
from vetline.ui.hidden_scans import HiddenScans
from vetline.ui.plain_text import as_sentence
from vetline.ui.queue_index import QueueIndex
from vetline.ui.source_loading import SourceLoader
from vetline.ui.stale_bases import StaleBases, written_pairs
from vetline.ui.tasks import BackgroundWork
from vetline.ui.window_tasks import WindowTasks

if TYPE_CHECKING:  # git loads when a repository is opened, not for the first paint
    from vetline.operations.repository_target import RepositoryTarget

_log = logging.getLogger(__name__)
T = TypeVar("T")


class ReviewController(QObject):
    """Owns the session, its Reviewer and the workspace; views listen to its signals."""

    queue_rebuilt = Signal()  # items were added or split: views rebuild
    # Verdicts, leash or staleness changed: views repaint states. Carries the ids of the
    # proposals touched (a frozenset), or None for all of them (a new autonomy level).
    states_changed = Signal(object)
    cursor_moved = Signal()  # another hunk is current
    level_changed = Signal()  # the reviewer chose another autonomy level
    # A hunk that hides characters was to be accepted: the window asks a second time, with
    # (the item, what it hides in words), and accepts with confirm_hidden=that text.
    confirm_hidden = Signal(object, str)
    # A too-fast accept of a big hunk, when the settings ask for a question: (the item).
    confirm_unread = Signal(object)
    navigated = Signal()  # the reviewer moved to another hunk (not a verdict's advance)
    problems_settled = Signal()  # a verdict took effect: banners about earlier ones are old
    busy_changed = Signal(bool)
    problem = Signal(str)  # for the banner: a refusal or a failure, in words
    note = Signal(str)  # for the status bar: what a command did
    command_finished = Signal()  # a write, undo or load is done (tests wait on this)
    hidden_scanned = Signal()  # more hunks are known to hide characters or not (hidden_in)
    sources_opened = Signal()  # the queue's sources changed (remembered for next start)
    # A big source is being parsed (its name and size, in words), or "" when none is.
    loading_changed = Signal(str)

    def __init__(
        self,
        log: DecisionLog,
        settings: Settings,
        gateway: BackgroundWork,
        *,
        level: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.log = log
        self.settings = settings
        self.gateway = gateway
        self.session = ReviewSession(
            [],
            record=log.append,
            clock=clock,
            reviewer=settings["review.reviewer"] or _login_name(),
            level=level or settings["review.level"],
            leash=settings.leash(),
            reading=settings.reading_time(),
        )
        self.reviewer = Reviewer(self.session, log)
        # Connected first, so every view that rebuilds on queue_rebuilt reads a fresh index.
        self.queue_index = QueueIndex(self.session)
        self.queue_rebuilt.connect(self.queue_index.invalidate)
        self.sources: list[str] = []
        self.demo = False
        self.stale_bases = StaleBases()
        # Proposals asked of a model at a stricter level than the slider's keep that leash.
        self.asked_levels: dict[str, Level] = {}
        # What each hunk hides, found off the GUI thread; an accept waits for it.
        self.tasks = WindowTasks(self.problem.emit)
        self.hidden_scans = HiddenScans(gateway, self.tasks.start, self)
        self.hidden_scans.scanned.connect(self._on_hidden_scanned)
        self.session.hidden_summary = self.hidden_scans.summary_now
        self._after_scan: Callable[[], object] | None = None
        self.written_paths: set[str] = set()  # every path a verdict of this window wrote
        self._repository: RepositoryTarget | None = None  # set where one is opened
        self.busy = False
        self._busy_holds = 0  # a write and a repository refresh may overlap
        self._when_free: list[Callable[[], None]] = []
        self._loader = SourceLoader(self)

    # --- the queue ------------------------------------------------------------------------

    @property
    def workspace(self) -> Workspace | None:
        """The folder verdicts are written into, when it is not a repository."""
        target = self.reviewer.target
        return target.workspace if isinstance(target, WorkspaceTarget) else None

    @property
    def repository(self) -> RepositoryTarget | None:
        """The repository whose own changes are reviewed, if that is what this window does."""
        target = self._repository
        return target if target is not None and self.reviewer.target is target else None

    def open_proposals(
        self,
        proposals: Sequence[Proposal],
        workspace: Path | None,
        sources: Sequence[str] = (),
        *,
        demo: bool = False,
    ) -> None:
        """Add proposals to the queue; the first workspace given is the one written to."""
        # A repository writes to its own working tree; otherwise the first workspace given.
        if workspace is not None and self.reviewer.target is None:
            try:
                target, finished = WorkspaceTarget.open(
                    workspace,
                    self.session,
                    self.log.path.parent,
                    self.settings.leash().denied_paths,
                    log=self.log,
                )
                self.reviewer.target = target
                for note in finished:
                    self.problem.emit(as_sentence(note) + ".")
            except VetlineError as error:
                self.problem.emit(f"Nothing will be written: {error}")
        queued = {proposal.id for proposal in self.session.proposals}
        fresh = [proposal for proposal in proposals if proposal.id not in queued]
        if len(fresh) < len(proposals):
            self.note.emit(f"{len(proposals) - len(fresh)} proposal(s) already in the queue")
        self.session.add_proposals(fresh)
        # Looked at now, so each is known before the reviewer reaches it.
        self.hidden_scans.request(hunk for proposal in fresh for hunk in proposal.hunks)
        self.sources.extend(spec for spec in sources if spec not in self.sources)
        self.demo = self.demo or demo
        self.queue_rebuilt.emit()
        self.cursor_moved.emit()
        self.sources_opened.emit()
        self.tasks.start(self._rescan_stale(fresh))

    def load_sources(self, specs: Sequence[str], workspace: Path | None) -> None:
        """Parse sources (big ones in the worker process) and queue their proposals."""
        self.tasks.start(self._loader.load(list(specs), workspace))

    @property
    def loading(self) -> bool:
        """Whether a big source is being parsed now."""
        return self._loader.loading

    def cancel_loading(self) -> None:
        """Stop parsing every big source now being loaded (nothing of it is queued)."""
        self._loader.cancel()

    def review_repository(self, repository: RepositoryTarget) -> None:
        """Verdicts are staged or restored in this repository's working tree from now on."""
        self.reviewer.target = self._repository = repository

    @property
    def write_root(self) -> Path | None:
        """Where verdicts take effect: the workspace, or the repository's working tree."""
        return self.reviewer.target.root if self.reviewer.target is not None else None

    # --- moving ---------------------------------------------------------------------------

    @property
    def current(self) -> ReviewItem | None:
        return self.session.current

    def move(self, step: int) -> None:
        if self.busy:
            return
        if self.session.move(step):
            self.navigated.emit()  # first: what the move itself says comes after it
            self.cursor_moved.emit()
        else:
            self.note.emit("Last hunk" if step > 0 else "First hunk")

    def show_item(self, item: ReviewItem) -> None:
        if self.busy:
            return
        index = self.queue_index.queue_index(item)
        if index is not None and index != self.session.cursor:
            self.session.show(index)
            self.navigated.emit()  # first: what the move itself says comes after it
            self.cursor_moved.emit()

    # --- verdicts -------------------------------------------------------------------------

    def accept(self, confirmed_hidden: str | None = None, confirmed_unread: bool = False) -> bool:
        """Accept the current hunk; one that hides characters waits for a confirm first, and
        so does a big one accepted faster than it can be read (when the settings ask); one
        not yet looked at for hidden characters waits for that."""
        item = self.current
        hidden = self.hidden_in(item) if item is not None and not self.busy else ""
        if hidden is None and item is not None:
            self._wait_for_scan(
                lambda: self.current is item and self.accept(confirmed_hidden, confirmed_unread)
            )
            return False
        if hidden and confirmed_hidden != hidden:
            self.confirm_hidden.emit(item, hidden)
            return False
        if not (confirmed_unread or self.busy) and self.session.accept_asks_first():
            self.confirm_unread.emit(item)
            return False
        return self._write(lambda: self.reviewer.accept(hidden or "", unread=confirmed_unread))

    def hidden_in(self, item: ReviewItem) -> str | None:
        """What the hunk's added lines hide, in words ("" for nothing); None while it is
        still being looked at (hidden_scanned says when more is known)."""
        return self.hidden_scans.summary_of(item.hunk)

    def _wait_for_scan(self, then: Callable[[], object]) -> None:
        """Run `then` once the hunks it needs are looked at (the newest wait wins)."""
        self._after_scan = then
        self.note.emit("Looking for hidden characters first…")

    def _on_hidden_scanned(self) -> None:
        self.hidden_scanned.emit()
        then, self._after_scan = self._after_scan, None
        if then is not None and not self.busy:
            then()

    def reject(self, reason: str = "") -> bool:
        return self._write(lambda: self.reviewer.reject(reason))

    def edit(self, new_text: str) -> bool:
        return self._write(lambda: self.reviewer.edit(new_text))

    def accept_rest(self) -> bool:
        current = self.current
        if current is not None and not self.busy:
            unknown = [
                item.hunk
                for item in self.session.items_of(current.proposal)
                if not item.state.decided and self.hidden_scans.known(item.hunk) is None
            ]
            if unknown:
                self.hidden_scans.request(unknown)
                self._wait_for_scan(lambda: self.current is current and self.accept_rest())
                return False
        return self._write(self.reviewer.accept_rest)

    def undo(self) -> bool:
        return self._write(self.reviewer.undo, needs_current=False)

    def split(self) -> None:
        if self.busy or not self._require_current():
            return
        whole = self.current
        before = {id(item) for item in self.session.items}
        outcome = self.reviewer.split()
        if whole is not None:
            pieces = [item.hunk for item in self.session.items if id(item) not in before]
            self.hidden_scans.split(whole.hunk, pieces)
        self._report(outcome)
        if outcome.ok:
            self.queue_rebuilt.emit()
            self.cursor_moved.emit()

    def set_level(self, level: int) -> bool:
        """A new autonomy level re-checks the whole queue at once."""
        if self.busy:
            return False
        if level != self.session.level:
            self.session.set_level(level)
            chosen = Level(level)
            self.note.emit(f"Autonomy level {int(chosen)} ({chosen.title})")
            self.states_changed.emit(None)
            self.level_changed.emit()
        return True

    def violations(self, proposal: Proposal) -> list[Violation]:
        """The leash's verdict: the slider's level, or the stricter one it was asked at."""
        asked = self.asked_levels.get(proposal.id)
        if asked is not None and asked < self.session.level:
            return self.session.leash.check(proposal, asked)
        return self.session.violations(proposal)

    def leash_level(self, proposal: Proposal) -> Level:
        return min(self.asked_levels.get(proposal.id, self.session.level), self.session.level)

    def over_leash(self, proposal: Proposal) -> bool:
        return bool(self.violations(proposal))

    def stale_hunks(self, proposal: Proposal, change: Change) -> frozenset[str]:
        """The file's hunks that would be refused now because their lines changed on disk."""
        return self.stale_bases.stale_hunks(
            proposal, change, lambda: self.queue_index.items_of(proposal, change)
        )

    def is_stale(self, proposal: Proposal, change: Change) -> bool:
        return bool(self.stale_hunks(proposal, change))

    def is_hunk_stale(self, item: ReviewItem) -> bool:
        return item.hunk.id in self.stale_hunks(item.proposal, item.change)

    # --- running commands -----------------------------------------------------------------

    def _write(self, command: Callable[[], Outcome], *, needs_current: bool = True) -> bool:
        """Start a logged (and maybe written) verdict; False when it was ignored."""
        if self.busy or (needs_current and not self._require_current()):
            return False
        self._set_busy(True)  # before anything can run: the next key press sees it
        self.tasks.start(self._run_write(command))
        return True

    async def _run_write(self, command: Callable[[], Outcome]) -> None:
        touched = {self.current.proposal.id} if self.current else set()
        items_before = [id(item) for item in self.session.items]
        try:
            outcome, stale_now = await self.gateway.serial(self._command_then_rescan, command)
        except Exception as error:  # noqa: BLE001 - a bug must reach the banner, not kill the loop
            _log.exception("review command failed")
            outcome = Outcome(OutcomeKind.PROBLEM, f"Something went wrong: {error}")
            stale_now = {}
        finally:
            self._set_busy(False)
        self.stale_bases.note(stale_now)
        self._report(outcome)
        if self.current is not None:
            touched.add(self.current.proposal.id)  # an undo may reach back to another one
        touched.update(proposal_id for proposal_id, _ in stale_now)
        if [id(item) for item in self.session.items] != items_before:
            self.queue_rebuilt.emit()  # a file was re-read: its hunks are new items
        else:
            self.states_changed.emit(frozenset(touched))
        self.cursor_moved.emit()
        self.command_finished.emit()

    def _command_then_rescan(
        self, command: Callable[[], Outcome]
    ) -> tuple[Outcome, dict[StaleKey, frozenset[str]]]:
        """Runs on the I/O lane: the command, then the staleness of the files it wrote."""
        outcome = command()
        if not outcome.written:
            return outcome, {}
        return outcome, self._stale_of(written_pairs(self.session.proposals, outcome.written))

    async def _rescan_stale(self, proposals: Iterable[Proposal]) -> None:
        pairs = [(proposal, change) for proposal in proposals for change in proposal.changes]
        if self.reviewer.target is None or not pairs:
            return
        found = await self.gateway.serial(self._stale_of, pairs)
        self.stale_bases.note(found)
        if any(found.values()):
            self.states_changed.emit(frozenset(pid for (pid, _), stale in found.items() if stale))

    def _stale_of(self, pairs: Iterable[tuple[Proposal, Change]]) -> dict[StaleKey, frozenset[str]]:
        target = self.reviewer.target
        return target.stale_of(pairs) if target is not None else {}

    def _report(self, outcome: Outcome) -> None:
        self.written_paths.update(outcome.written)
        if outcome.ok:
            self.problems_settled.emit()
        if outcome.kind is OutcomeKind.NOT_WRITTEN:
            # The log says "not applied" and the hunks are undecided again: say so.
            self.problem.emit(
                f"{as_sentence(outcome.message)}. Nothing was written: the log records it as "
                "not applied, and the hunk is undecided again."
            )
        elif outcome.problem:
            self.problem.emit(as_sentence(outcome.message))
        elif outcome.message:
            self.note.emit(as_sentence(outcome.message))

    def _require_current(self) -> bool:
        if self.session.current is None:
            self.note.emit("The queue is empty: open proposals with Ctrl+O")
            return False
        return True

    def _set_busy(self, busy: bool) -> None:
        self._busy_holds += 1 if busy else -1
        now = self._busy_holds > 0
        if now != self.busy:
            self.busy = now
            self.busy_changed.emit(now)
        while not self.busy and self._when_free:
            self._when_free.pop(0)()

    async def exclusive(self, job: Callable[..., T], *args: Any) -> T:
        """Run `job` on the I/O lane with every review command ignored until it is done.

        For work that changes the queue behind the reviewer's back (a repository
        re-read): a key pressed meanwhile must not decide a hunk about to be replaced.
        """
        self._set_busy(True)
        try:
            return await self.gateway.serial(job, *args)
        finally:
            self._set_busy(False)

    def when_free(self, callback: Callable[[], None]) -> None:
        """Run `callback` now, or as soon as no write is in flight (it may change the queue)."""
        if self.busy:
            self._when_free.append(callback)
        else:
            callback()

    def start(self, work: Coroutine[object, object, None]) -> None:
        """Run a coroutine of the window's; its failure reaches the banner."""
        self.tasks.start(work)

    def leave(self) -> None:
        """The window closes: verdicts left without effect are logged as not applied."""
        try:
            self.reviewer.leave()
        except Exception as error:  # noqa: BLE001 - a log that cannot be written (damaged,
            # closed, busy) must not keep the window from closing: nothing more to do here
            _log.warning("closing: %s", error)

    def has_pending_work(self) -> bool:
        return self.tasks.pending

    def call_when_idle(self, callback: Callable[[], None]) -> None:
        """Run `callback` once every task started so far (and any they start) is done."""
        self.tasks.call_when_idle(callback)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers and services
        return ""

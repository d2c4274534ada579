"""Opening sources in the window: small ones parsed here, big ones in the worker process.

A repository folder becomes the window's git working tree; a source refused as unsafe
gets a `refused` row per hunk in the log, as on the command line. The parsers and git
load when a source is first opened, not for the first paint.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vetline.adapters.files.kept import KeptFiles
from vetline.core.errors import InputError, VetlineError
from vetline.core.model import Proposal
from vetline.operations.reviewer import refuse_unreviewed
from vetline.ui.plain_text import as_sentence
from vetline.ui.tasks import Cancelled, JobFailed, Superseded, is_big_input, load_source_job

if TYPE_CHECKING:
    from vetline.ui.controller import ReviewController

LOAD_SLOT = "load:"  # the gateway's cancellable slots of big sources start with it


class SourceLoader:
    """Parses the sources the reviewer opens and queues their proposals in `controller`."""

    def __init__(self, controller: ReviewController) -> None:
        self._controller = controller

    async def load(self, specs: list[str], workspace: Path | None) -> None:
        from vetline.adapters.inputs import UnsafeSourceError  # the parsers load when needed

        controller = self._controller
        proposals: list[Proposal] = []
        loaded: list[str] = []
        failures: list[str] = []
        max_bytes = controller.settings["input.max_source_mb"] << 20
        for spec in specs:
            try:
                if is_big_input(spec, controller.gateway.inline_limit_bytes):
                    found = await self._load_in_worker(spec, workspace, max_bytes)
                else:
                    found = self._open_inline(spec, workspace, max_bytes)
            except Superseded:
                continue  # the same source was asked for again; that request wins
            except Cancelled:
                controller.note.emit(f"Stopped loading {spec}")
                continue
            except UnsafeSourceError as error:
                await controller.gateway.serial(self._log_refusal, error.proposals, str(error))
                failures.append(f"{spec}: {error}")
                continue
            except (VetlineError, JobFailed) as error:
                failures.append(f"{spec}: {error}")
                continue
            proposals.extend(found)
            loaded.append(spec)
        if len(failures) == 1:
            controller.problem.emit(f"Could not open {failures[0]}")
        elif failures:  # every one named, not only the last
            listed = "\n".join(f"• {failure}" for failure in failures)
            controller.problem.emit(f"Could not open {len(failures)} sources:\n{listed}")
        if proposals or loaded:
            controller.open_proposals(proposals, workspace, loaded)
        if loaded and not proposals:
            controller.note.emit("No proposals in " + ", ".join(loaded))
        controller.command_finished.emit()

    async def _load_in_worker(
        self, spec: str, workspace: Path | None, max_bytes: int
    ) -> list[Proposal]:
        """Parse a big source in a process of its own, which `cancel` stops."""
        controller = self._controller
        controller.loading_changed.emit(f"Loading {Path(spec).name} ({_size_words(spec)})")
        try:
            found = await controller.gateway.cancellable(
                f"{LOAD_SLOT}{spec}", load_source_job, spec, _text_or_none(workspace), max_bytes
            )
        finally:
            if not self.loading:
                controller.loading_changed.emit("")
        if found.refusal:
            from vetline.adapters.inputs import UnsafeSourceError

            raise UnsafeSourceError(found.refusal, found.proposals)
        return found.proposals

    @property
    def loading(self) -> bool:
        """Whether a big source is being parsed now."""
        slots = self._controller.gateway.cancellable_slots
        return any(slot.startswith(LOAD_SLOT) for slot in slots)

    def cancel(self) -> None:
        """Stop parsing every big source now being loaded (nothing of it is queued)."""
        gateway = self._controller.gateway
        for slot in gateway.cancellable_slots:
            if slot.startswith(LOAD_SLOT):
                gateway.cancel(slot)

    def _log_refusal(self, proposals: Sequence[Proposal], reason: str) -> None:
        """A source read but refused: its hunks get a `refused` row each, as on the command
        line."""
        controller = self._controller
        session = controller.session
        refuse_unreviewed(
            controller.log,
            proposals,
            reason,
            reviewer=session.reviewer,
            level=session.level,
            leash=session.leash,
        )

    def _open_inline(self, spec: str, workspace: Path | None, max_bytes: int) -> list[Proposal]:
        """Parse a source here; a repository folder becomes the window's git working tree.

        Its verdicts are staged or restored in that tree, so it cannot share a window
        with other sources (their verdicts would go to the repository too).
        """
        from vetline.adapters.inputs import open_source
        from vetline.operations.repository_journal import RepositoryWrites, settle_repository
        from vetline.operations.repository_target import RepositoryTarget

        controller = self._controller
        stdin = sys.stdin.buffer if spec == "-" else None
        opened = open_source(spec, workspace, stdin=stdin, max_bytes=max_bytes)
        if opened.git_tree is None:
            if controller.repository is not None:
                raise InputError("this window reviews a repository; open other sources in another")
            return opened.proposals
        on_its_own = controller.repository is None and controller.reviewer.inbox is None
        if controller.session.items or not on_its_own:
            raise InputError("a repository is reviewed on its own: open it in a new window")
        log = controller.log
        data = log.path.parent  # kept files and write intents live beside the log
        tree = opened.git_tree
        settled = settle_repository(tree, data, log)
        for note in settled.notes:
            controller.problem.emit(as_sentence(note) + ".")
        if settled.changed:  # what was read of the repository is stale now
            opened = open_source(spec, workspace, stdin=stdin, max_bytes=max_bytes)
            tree = opened.git_tree or tree
        writes = RepositoryWrites(tree, data, log)
        repository = RepositoryTarget(tree, controller.session, KeptFiles(data), writes)
        repository.remember()  # later edits by others are told from our own
        controller.review_repository(repository)
        return opened.proposals


def _size_words(spec: str) -> str:
    try:
        size = Path(spec).stat().st_size
    except OSError:
        return "size unknown"
    return f"{size / (1 << 20):.1f} MB" if size >= 1 << 20 else f"{size // 1024} KB"


def _text_or_none(path: Path | None) -> str | None:
    return None if path is None else str(path)

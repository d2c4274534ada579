"""Asking a model from the window: one request at a time, streamed, cancellable, revisable.

The request runs as a coroutine on the qasync loop (the HTTP client is asyncio's), so
the window keeps painting while tokens arrive. Files are read on the gateway's I/O
lane. An answer becomes a proposal in the queue; the runner remembers how each was
asked for, so rejecting one with a reason can send that reason back ("Revise").
A provider whose key is nowhere to be found stops the request before it is sent:
`key_needed` asks the panel for it, and `give_key` keeps it in memory (TypedKeys;
saved only by the reviewer's choice) and asks again.

The LLM machinery (openai and its HTTP stack: ~0.4 s and ~36 MB) is imported only
when the Ask panel is first opened, on the I/O lane: most sessions never ask, and
none should pay for it before the first proposal is on screen.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from vetline.adapters.config import settings_path
from vetline.adapters.llm.errors import AskCancelledError
from vetline.adapters.llm.providers import ProviderConfig, providers_from_settings
from vetline.adapters.llm.typed_keys import KeyStorage, TypedKeys, storage_for, why_missing
from vetline.adapters.paths import resources_dir
from vetline.core.errors import VetlineError
from vetline.core.hidden_text import escape_hidden
from vetline.core.leash import Level
from vetline.core.model import FileStatus, Proposal
from vetline.ui.controller import ReviewController

if TYPE_CHECKING:
    from vetline.adapters.llm.ask import AskHooks, AskRequest, AskResult
    from vetline.adapters.llm.prompt import FileText

    Asking = Callable[[AskHooks], Awaitable[AskResult]]

# What `load_llm` imports: the ask loop, and the headless helpers (they import openai).
_LLM_MODULES = ("vetline.adapters.llm.ask", "vetline.adapters.llm.headless")


def load_llm() -> None:
    """Import the LLM machinery (on the I/O lane; a no-op once it is loaded)."""
    import importlib

    for name in _LLM_MODULES:
        importlib.import_module(name)


@dataclass(frozen=True, slots=True)
class KeyNeeded:
    """A provider with no key anywhere: why, and where the key would be saved if chosen."""

    provider: ProviderConfig
    why: str
    storage: KeyStorage


@dataclass(frozen=True, slots=True)
class _Held:
    """A request stopped for a key, to run as soon as the key is given."""

    what: str
    workspace: Path
    asking: Asking
    providers: tuple[ProviderConfig, ...]


@dataclass(frozen=True, slots=True)
class AskedFor:
    """How a queued proposal was asked for: enough to ask for a revision of it."""

    request: AskRequest
    workspace: Path


class AskRunner(QObject):
    """Runs the Ask panel's requests; the panel shows what its signals say."""

    started = Signal(str)  # what is being asked, in words
    progress = Signal(object)  # StreamProgress: tokens so far, elapsed time
    waiting = Signal(object)  # RateLimitWait: a countdown before asking again
    answered = Signal(object)  # AskResult: a proposal (queued), or an incomplete answer
    failed = Signal(str)  # no answer, and why
    cancelled = Signal()
    running_changed = Signal(bool)
    key_needed = Signal(object)  # KeyNeeded: nothing was sent; the panel asks for the key
    key_kept = Signal(str)  # what was done with a typed key, in words (never the key)

    def __init__(
        self,
        controller: ReviewController,
        settings_file: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._settings_file = settings_file
        self.asked: dict[str, AskedFor] = {}  # proposal id -> how it was asked for
        self.last_request: AskedFor | None = None  # what Retry asks again
        self._task: asyncio.Future[None] | None = None
        self._cancel: threading.Event | None = None
        self._llm_loaded = False
        self.keys = TypedKeys()  # keys typed in the panel: in memory for this window only
        self._held: _Held | None = None
        self._needed: KeyNeeded | None = None

    @property
    def running(self) -> bool:
        return self._task is not None

    def ask(self, instruction: str, paths: Sequence[str], level: Level, workspace: Path) -> bool:
        """Ask for a proposal doing `instruction` to `paths`; False if it cannot start."""
        providers = self._providers()
        if providers is None or self.running:
            return False
        controller = self._controller

        async def asking(hooks: AskHooks) -> AskResult:
            from vetline.adapters.llm import ask as llm_ask
            from vetline.adapters.llm.headless import ask_settings, read_workspace_files

            files = await controller.gateway.serial(read_workspace_files, workspace, list(paths))
            return await llm_ask.ask(
                instruction,
                files,
                providers,
                level=level,
                settings=ask_settings(controller.settings, self.keys.lookup),
                hooks=hooks,
                workspace=workspace,
            )

        what = f"Asking {providers[0].name} about {_files_words(paths)} (level {int(level)})"
        self._run(what, workspace, asking, providers)
        return True

    def retry(self) -> bool:
        """Ask the last request again (after an incomplete answer or a failure)."""
        last = self.last_request
        providers = self._providers()
        if last is None or providers is None or self.running:
            return False
        settings = self._controller.settings

        def asking(hooks: AskHooks) -> Awaitable[AskResult]:
            from vetline.adapters.llm import ask as llm_ask
            from vetline.adapters.llm.headless import ask_settings

            return llm_ask.ask_again(
                last.request,
                providers,
                settings=ask_settings(settings, self.keys.lookup),
                hooks=hooks,
            )

        self._run(f"Asking {providers[0].name} again", last.workspace, asking, providers)
        return True

    def can_revise(self, proposal: Proposal) -> bool:
        return proposal.id in self.asked

    def revise(self, proposal: Proposal, reason: str) -> bool:
        """Send the reviewer's reason back; the answer is linked to `proposal`."""
        asked_for = self.asked.get(proposal.id)
        providers = self._providers()
        if asked_for is None or providers is None or self.running:
            return False
        controller = self._controller
        workspace = asked_for.workspace
        paths = [c.path for c in proposal.changes if c.status is not FileStatus.ADDED]

        async def asking(hooks: AskHooks) -> AskResult:
            from vetline.adapters.llm import ask as llm_ask
            from vetline.adapters.llm.headless import ask_settings, read_workspace_files

            files: list[FileText] | None
            try:  # the files as they are now (a hunk may have been written since)
                files = await controller.gateway.serial(read_workspace_files, workspace, paths)
            except VetlineError:
                files = None  # gone or unreadable: the proposal's own bases
            return await llm_ask.revise(
                proposal,
                reason,
                providers,
                level=asked_for.request.level,
                files=files,
                settings=ask_settings(controller.settings, self.keys.lookup),
                hooks=hooks,
                workspace=workspace,
            )

        what = f"Asking {providers[0].name} to revise “{escape_hidden(proposal.title)}”"
        self._run(what, workspace, asking, providers)
        return True

    def warm_up(self) -> None:
        """Start importing the LLM machinery, so the first request does not wait for it."""
        if not self._llm_loaded:
            self._controller.start(self._load_llm())

    def give_key(self, key: str, *, store: bool) -> bool:
        """The key asked for by `key_needed`: kept in memory (saved too if `store`), then
        the request that waited for it is sent. False if no request waits for a key."""
        held, needed = self._held, self._needed
        if held is None or needed is None or self.running or not key.strip():
            return False
        self._held = self._needed = None

        async def keeping() -> None:
            said = await self._controller.gateway.serial(self._keep, needed, key, store)
            self.key_kept.emit(said)

        self._run(held.what, held.workspace, held.asking, held.providers, keeping)
        return True

    def drop_key_request(self) -> None:
        """The reviewer closed the key prompt: the held request is not sent."""
        self._held = self._needed = None

    def cancel(self) -> None:
        """Stop at once: the stream, a rate-limit countdown, or reading the files."""
        if self._cancel is not None:
            self._cancel.set()
        if self._task is not None:
            self._task.cancel()

    # --- running ----------------------------------------------------------------------------

    async def _load_llm(self) -> None:
        """Import it on the I/O lane: the GUI thread keeps painting meanwhile."""
        if not self._llm_loaded:
            await self._controller.gateway.serial(load_llm)
            self._llm_loaded = True

    def _keep(self, needed: KeyNeeded, key: str, store: bool) -> str:
        return self.keys.remember(needed.provider, key, store=store, storage=needed.storage)

    def _run(
        self,
        what: str,
        workspace: Path,
        asking: Asking,
        providers: tuple[ProviderConfig, ...],
        first: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._held = self._needed = None
        self._cancel = threading.Event()
        held = _Held(what, workspace, asking, providers)
        task = asyncio.ensure_future(self._guarded(held, self._cancel, first))
        task.add_done_callback(self._finished)
        self._task = task
        self.running_changed.emit(True)
        self.started.emit(what)

    async def _guarded(
        self,
        held: _Held,
        cancel: threading.Event,
        first: Callable[[], Awaitable[None]] | None,
    ) -> None:
        workspace = held.workspace
        try:
            await self._load_llm()
            if first is not None:
                await first()
            # The keyring may be slow to answer (D-Bus): asked on the I/O lane.
            missing = await self._controller.gateway.serial(self.keys.missing, held.providers)
            if missing:
                provider, found = missing[0]
                self._held = held
                self._needed = KeyNeeded(
                    provider, why_missing(provider, found), storage_for(provider, found)
                )
                self.key_needed.emit(self._needed)
                return
            from vetline.adapters.llm import ask as llm_ask

            hooks = llm_ask.AskHooks(
                on_progress=self.progress.emit, on_rate_limit_wait=self.waiting.emit, cancel=cancel
            )
            result = await held.asking(hooks)
        except AskCancelledError:
            self.cancelled.emit()
        except VetlineError as error:  # LlmError and unreadable files; no key is in them
            self._fail(str(error))
        except Exception as error:  # noqa: BLE001 - a bug must reach the banner, not the loop
            self._fail(f"Something went wrong while asking: {error}")
        else:
            self._deliver(result, workspace)

    def _finished(self, task: asyncio.Future[None]) -> None:
        """Also runs for a task cancelled before it started, which no `finally` would see."""
        if task.cancelled():
            self.cancelled.emit()
        self._task = None
        self._cancel = None
        self.running_changed.emit(False)

    def _deliver(self, result: AskResult, workspace: Path) -> None:
        self.last_request = AskedFor(result.request, workspace)
        for warning in result.warnings:
            self._controller.note.emit(warning)
        proposal = result.proposal
        if proposal is not None:
            self.asked[proposal.id] = AskedFor(result.request, workspace)
            self._controller.asked_levels[proposal.id] = result.request.level
            self._controller.when_free(lambda: self._queue(proposal, workspace))
        self.answered.emit(result)

    def _queue(self, proposal: Proposal, workspace: Path) -> None:
        controller = self._controller
        controller.open_proposals([proposal], workspace)
        first = next(iter(controller.queue_index.items_of_proposal(proposal)), None)
        if first is not None:
            controller.show_item(first)  # the answer is what the reviewer waits to see

    def _fail(self, message: str) -> None:
        self._controller.problem.emit(message)
        self.failed.emit(message)

    def _providers(self) -> tuple[ProviderConfig, ...] | None:
        """The configured providers, or None having said what is wrong."""
        if self._controller.repository is not None:
            self._fail(
                "Ask writes through a workspace folder, and this window reviews a repository's "
                "own changes. Ask in a window opened with --workspace DIR, or with vetline ask."
            )
            return None
        settings_file = self._settings_file or settings_path()
        try:
            providers = providers_from_settings(self._controller.settings.providers)
        except VetlineError as error:
            self._fail(f"The model servers in {settings_file} cannot be used: {error}")
            return None
        if not providers:
            self._fail(
                f"No model server is configured. Add a [[providers]] table (name, base_url, "
                f"model) to {settings_file}; {_example_file()} has one for OpenAI, OpenRouter, "
                "Ollama, LM Studio, llama.cpp and vLLM."
            )
            return None
        return providers


def _example_file() -> str:
    try:
        return str(resources_dir() / "providers.example.toml")
    except VetlineError:
        return "resources/providers.example.toml"


def _files_words(paths: Sequence[str]) -> str:
    if len(paths) == 1:
        return paths[0]
    return f"{len(paths)} files"

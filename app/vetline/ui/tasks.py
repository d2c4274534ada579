"""The one gateway for work off the GUI thread: newest request wins, writes go one at a time.

Two lanes, both awaited from the asyncio loop qasync runs on Qt's event loop:

* `latest(slot, job, ...)` runs a pure job (parse a big input, diff two texts) in
  a worker PROCESS. A thread would not do: a pure-Python diff holds the GIL and
  pushes key latency past 60 ms. The pool is started lazily (spawning costs a
  fraction of a second, which small inputs should not pay) with one worker. A
  newer request for the same slot supersedes an older one: the older caller gets
  `Superseded` instead of a result that no longer matches the screen. The worker
  runs at a lower CPU priority than the window (WORKER_NICENESS), so on a busy
  machine key presses get the CPU first. Jobs take names (a source spec, file
  paths) and read their inputs in the worker, so no megabytes are pickled by a
  thread of the window's process. (Results are unpickled
  by the pool's own thread, which hands the GIL over every millisecond (ui.latency):
  unpickling them in slices on the GUI thread instead was slower side by side.)
* `cancellable(slot, job, ...)` runs one long job (parsing a big source) in a process
  of its own, which `cancel(slot)` stops at once: the reviewer need not wait for a
  500 MB diff to be parsed to change their mind.
* `serial(job, ...)` runs workspace and log I/O in ONE background thread, in the
  order asked, so two writes never interleave and the window never freezes on
  a slow disk. I/O releases the GIL, so a thread is enough here.

This module imports no Qt: the worker process imports it to find its jobs, and
should not pay for loading Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from vetline.core.hunks import hunks_from_texts
from vetline.core.model import Hunk, Proposal
from vetline.core.text import decode

if TYPE_CHECKING:  # multiprocessing loads with the worker, on the first big job
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")

# Inputs above this size are parsed in the worker process (about 2,000 lines of diff);
# smaller ones are parsed inline, where they cost less than starting the worker.
INLINE_LIMIT_BYTES = 128 * 1024
# How much lower than the window's a worker process's CPU priority is (as `nice -n`).
WORKER_NICENESS = 10


class Superseded(Exception):  # noqa: N818 - reads as "this request was superseded"
    """A newer request for the same slot came in; this result would be stale."""


class JobFailed(Exception):  # noqa: N818 - names what happened, like Superseded
    """A job in the worker process failed; carries its message (tracebacks stay there)."""


class Cancelled(Exception):  # noqa: N818 - names what happened, like Superseded
    """The reviewer stopped a cancellable job; there is no result."""


class BackgroundWork:
    """The gateway; one per window. `shutdown()` waits for writes in flight."""

    def __init__(self, *, inline_limit_bytes: int = INLINE_LIMIT_BYTES) -> None:
        self.inline_limit_bytes = inline_limit_bytes
        self._process_pool: ProcessPoolExecutor | None = None
        self._io_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vetline-io")
        self._generations: dict[str, int] = {}
        self._pending: dict[str, Future[Any]] = {}
        self._own_processes: dict[str, ProcessPoolExecutor] = {}  # slot -> its process
        self._cancelled: set[str] = set()
        self.cancellable_runs = 0  # how many cancellable jobs were started (tests read it)
        self._spare: ProcessPoolExecutor | None = None  # started ahead for the next one
        self._closed = False

    async def latest(self, slot: str, job: Callable[..., T], *args: Any) -> T:
        """Run `job(*args)` in the worker process; raise Superseded if a newer one started."""
        generation = self._generations.get(slot, 0) + 1
        self._generations[slot] = generation
        older = self._pending.pop(slot, None)
        if older is not None:
            older.cancel()  # only succeeds while it waits for the worker: no wasted work
        future = self._submit(self._worker_pool(), _guarded, job, *args)
        self._pending[slot] = future
        try:
            result = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            if self._generations.get(slot) != generation:
                raise Superseded(slot) from None
            raise  # our caller was cancelled, not superseded
        finally:
            if self._pending.get(slot) is future:
                del self._pending[slot]
        if self._generations.get(slot) != generation:
            raise Superseded(slot)
        failure, value = result
        if failure is not None:
            raise JobFailed(failure)
        return cast(T, value)

    def start_loader(self) -> None:
        """Start the process the next cancellable job (a big source to parse) will run in,
        now: it starts and loads its modules while the window builds itself."""
        if self._spare is None and not self._closed:
            self._spare = _one_process()
            self._submit(self._spare, _guarded, _ready)

    async def cancellable(self, slot: str, job: Callable[..., T], *args: Any) -> T:
        """Run `job(*args)` in a process of its own; raise Cancelled if `cancel(slot)`
        stopped it first."""
        pool, self._spare = self._spare or _one_process(), None
        self.cancellable_runs += 1
        self._own_processes[slot] = pool
        self._cancelled.discard(slot)
        try:
            future = self._submit(pool, _guarded, job, *args)
            try:
                failure, value = await asyncio.wrap_future(future)
            except (_broken_pool(), asyncio.CancelledError):
                if slot in self._cancelled:
                    raise Cancelled(slot) from None
                raise
        finally:
            if self._own_processes.get(slot) is pool:
                del self._own_processes[slot]
            pool.shutdown(wait=False, cancel_futures=True)
        if slot in self._cancelled:
            raise Cancelled(slot)
        if failure is not None:
            raise JobFailed(failure)
        return cast(T, value)

    async def once(self, job: Callable[..., T], *args: Any) -> T:
        """Run `job(*args)` in the worker process; never superseded, every caller is answered."""
        failure, value = await self._run(self._worker_pool(), _guarded, job, *args)
        if failure is not None:
            raise JobFailed(failure)
        return cast(T, value)

    def cancel(self, slot: str) -> bool:
        """Stop the cancellable job in `slot` (its process ends now); False if none runs."""
        pool = self._own_processes.pop(slot, None)
        if pool is None:
            return False
        self._cancelled.add(slot)
        _end_processes(pool)
        return True

    @property
    def cancellable_slots(self) -> tuple[str, ...]:
        """The slots whose cancellable jobs are running."""
        return tuple(self._own_processes)

    @property
    def worker_started(self) -> bool:
        """True once the worker process pool exists (it starts on the first big job)."""
        return self._process_pool is not None

    async def serial(self, job: Callable[..., T], *args: Any) -> T:
        """Run `job(*args)` in the I/O thread, after every job asked for before it."""
        return await self._run(self._io_thread, job, *args)

    def shutdown(self) -> None:
        """Finish the writes in flight, then stop both lanes (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for slot in list(self._own_processes):
            self.cancel(slot)
        if self._spare is not None:
            self._spare.shutdown(wait=True, cancel_futures=True)
        self._io_thread.shutdown(wait=True)
        if self._process_pool is not None:
            self._process_pool.shutdown(wait=True, cancel_futures=True)

    async def _run(self, executor: Executor, job: Callable[..., T], *args: Any) -> T:
        return await asyncio.wrap_future(self._submit(executor, job, *args))

    def _submit(self, executor: Executor, job: Callable[..., T], *args: Any) -> Future[T]:
        if self._closed:
            raise RuntimeError("the background work gateway is shut down")
        return executor.submit(job, *args)

    def _worker_pool(self) -> ProcessPoolExecutor:
        if self._process_pool is None:
            self._process_pool = _one_process(_background_worker_started)
        return self._process_pool


def _one_process(initializer: Callable[[], None] | None = None) -> ProcessPoolExecutor:
    """A pool of one process, which ends with the window's (and first runs `initializer`)."""
    import multiprocessing  # loaded with the first process, not at start-up
    from concurrent.futures import ProcessPoolExecutor

    # "spawn": a fork of a process running Qt threads can deadlock in the child.
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=context,
        initializer=_end_with_parent if initializer is None else initializer,
    )


def _background_worker_started() -> None:
    """In the worker that runs background jobs (`latest`, `once`): give way to the window.
    A source being loaded is what the reviewer waits for: its process keeps full priority."""
    _give_way_to_the_window()
    _end_with_parent()


def _give_way_to_the_window() -> None:
    """Lower this process's CPU priority by WORKER_NICENESS.

    On a busy two-core machine a 100k-line diff in the worker competes with the window's
    key presses for the CPU; at a lower priority the scheduler serves the window first,
    while an otherwise idle core still runs the worker at full speed. (Windows has no
    `os.nice`: there the worker keeps the window's priority.)
    """
    nice = getattr(os, "nice", None)
    if nice is not None:
        with contextlib.suppress(OSError):
            nice(WORKER_NICENESS)


def _end_with_parent() -> None:
    """In a worker: end this process when the window's process ends, however it ends.

    A pool's worker waits for jobs forever, so a window that was killed (or crashed)
    would leave it running, holding memory and the terminal's pipes. The parent's
    sentinel becomes readable when the parent is gone.
    """
    import multiprocessing
    import threading

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(0)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def _broken_pool() -> type[Exception]:
    from concurrent.futures.process import BrokenProcessPool

    return BrokenProcessPool


def _end_processes(pool: ProcessPoolExecutor) -> None:
    """End a pool's processes now, mid-job (Python 3.14 has a method for it)."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        process.terminate()


def _guarded(job: Callable[..., T], *args: Any) -> tuple[str | None, T | None]:
    """Run in the worker: an exception comes back as its message.

    Some exceptions cannot be pickled back (a custom __init__ with two arguments),
    and the reviewer needs the message, not the worker's traceback.
    """
    try:
        return None, job(*args)
    except Exception as error:  # noqa: BLE001 - every failure must come back as words
        return str(error) or type(error).__name__, None


# --- jobs the worker process runs (module-level, so they pickle by name) -------------


def _ready() -> None:
    """Nothing: unpickling it has the worker import this module, ready for the real job."""


@dataclass(frozen=True)
class LoadedSource:
    """What parsing a source gave: its proposals, or a refusal of them (read, but refused
    for a path no file should have) with the proposals, so the log can record it."""

    proposals: list[Proposal] = field(default_factory=list)
    refusal: str = ""


def load_source_job(spec: str, workspace: str | None, max_bytes: int) -> LoadedSource:
    """Parse one source spec into proposals (their hunks are computed here, off the GUI);
    a source over `max_bytes` is refused unread."""
    from vetline.adapters.inputs import UnsafeSourceError, load_source

    root = Path(workspace) if workspace else None
    try:
        proposals = load_source(spec, root, max_bytes=max_bytes)
    except UnsafeSourceError as error:
        return LoadedSource(error.proposals, str(error))
    for proposal in proposals:
        for hunk in proposal.hunks:
            hunk.sha256  # noqa: B018 - hashed here, it travels with the hunk: not in the window
    return LoadedSource(proposals)


def diff_texts_job(path: str, base: str, new: str, context: int) -> tuple[Hunk, ...]:
    """Hunks between two versions of a file, as a re-diff on demand computes them."""
    return hunks_from_texts(path, base, new, context)


def diff_files_job(path: str, base_file: str, new_file: str, context: int) -> tuple[Hunk, ...]:
    """Hunks between two files on disk, read here in the worker: only their names cross
    from the window's process, never megabytes of text to pickle there."""
    base, _ = decode(Path(base_file).read_bytes())
    new, _ = decode(Path(new_file).read_bytes())
    return hunks_from_texts(path, base, new, context)


def is_big_input(spec: str, limit_bytes: int) -> bool:
    """True when parsing `spec` inline would keep the GUI thread busy too long."""
    if spec == "-":
        return False  # stdin belongs to this process; the worker cannot read it
    path = Path(spec)
    try:
        if path.is_dir():
            return False  # a repository: its git tree must live where its verdicts are made
        return path.stat().st_size > limit_bytes
    except OSError:
        return False  # let the parser say what is wrong with it, inline

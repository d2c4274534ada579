"""`vetline --self-test`: the installed app reviews its demo offscreen and checks the result.

It opens the main window on the demo queue in a temporary data folder, accepts the first
hunk and rejects the second through the window's own actions (the path a key press
takes), then checks the decision log (rows, hash chain), the demo workspace on disk, the
bundled resources and the worker process that big inputs are parsed in. Each step prints
one line; the first failure ends the run with exit code 1 and names what failed. This is
what CI runs against a built package.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TextIO

from PySide6.QtCore import SignalInstance

from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog
from vetline.adapters.demo import demo_workspace
from vetline.adapters.paths import CONFIG_DIR_ENV, DATA_DIR_ENV, resources_dir
from vetline.core.hunks import apply_hunks
from vetline.core.session import ReviewItem
from vetline.core.settings import default_settings
from vetline.ui.app import app_icon, build_window, named_application, open_start_queue
from vetline.ui.event_loop import window_loop
from vetline.ui.main_window import MainWindow
from vetline.ui.start_probe import FirstHunkPaint
from vetline.ui.tasks import BackgroundWork, JobFailed, diff_texts_job

EXIT_PASSED = 0
EXIT_FAILED = 1
# A hang guard, not a budget: each step normally takes milliseconds.
HANG_GUARD_S = 60.0
RESOURCE_FILES = (
    "schema/proposal-v1.json",
    "providers.example.toml",
    "icons/vetline.svg",
    "demo/workspace",
    "demo/proposals",
)


class SelfTestError(Exception):
    """A check did not hold; the message says which and why."""


def run_self_test(out: TextIO = sys.stdout) -> int:
    """Run every check in a fresh temporary data folder; 0 when all pass, 1 otherwise."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="vetline-self-test-") as folder:
        # The reviewer's own settings and data are neither read nor touched.
        os.environ[DATA_DIR_ENV] = str(Path(folder) / "data")
        os.environ[CONFIG_DIR_ENV] = str(Path(folder) / "config")
        app = named_application()
        app.setQuitOnLastWindowClosed(False)  # the checks end the run, not the window
        loop = window_loop(app)
        asyncio.set_event_loop(loop)
        checks = _Checks(Path(folder) / "data", out)
        try:
            with loop:
                exit_code: int = loop.run_until_complete(checks.run())
                return exit_code
        finally:
            asyncio.set_event_loop(None)


class _Checks:
    def __init__(self, data: Path, out: TextIO) -> None:
        self.data = data
        self.out = out
        self.window: MainWindow | None = None

    async def run(self) -> int:
        from vetline import __version__

        self._say(f"vetline {__version__} self-test (data folder {self.data})")
        self.data.mkdir(parents=True)
        gateway = BackgroundWork()
        log = DecisionLog(self.data / LOG_FILE_NAME)
        try:
            await self._all_steps(log, gateway)
        except SelfTestError as failure:
            self._say(f"FAIL {failure}")
            return EXIT_FAILED
        except Exception as error:  # noqa: BLE001 - a broken install must still say what broke
            self._say(f"FAIL unexpected {type(error).__name__}: {error}")
            return EXIT_FAILED
        finally:
            await self._close_window()
            gateway.shutdown()
            log.close()
        self._say("self-test passed")
        return EXIT_PASSED

    async def _all_steps(self, log: DecisionLog, gateway: BackgroundWork) -> None:
        window = self.window = build_window(log, default_settings(), gateway=gateway)
        painted = FirstHunkPaint(window)
        window.resize(1200, 760)
        window.show()
        open_start_queue(
            window.controller, sources=[], workspace=None, demo=True, data_folder=self.data
        )
        if not window.controller.session.items:
            said = window.banner.message() or "no message"
            raise SelfTestError(f"the demo queue is empty ({said})")
        await _until(painted.done, "the demo's first hunk is painted in the window")
        await _until(lambda: not window.controller.has_pending_work(), "the demo queue settles")
        self._passed(f"window shows the demo queue: {self._queue_summary()}, {painted.timing()}")
        self._check_resources()

        first, second = self._first_two_hunks()
        await self._trigger(window, "review.accept_hunk")
        await self._trigger(window, "review.reject_hunk")
        self._passed("accepted hunk 1 and rejected hunk 2 through the window's actions")
        self._check_log(log.path, first, second)
        self._check_workspace(first, second)
        await self._check_worker(gateway)

    def _queue_summary(self) -> str:
        assert self.window is not None
        session = self.window.controller.session
        return f"{len(session.proposals)} proposals, {len(session.items)} hunks"

    def _check_resources(self) -> None:
        folder = resources_dir()
        missing = [name for name in RESOURCE_FILES if not (folder / name).exists()]
        if missing:
            raise SelfTestError(f"resources missing from {folder}: {', '.join(missing)}")
        icon = app_icon()
        if icon.isNull() or icon.pixmap(64, 64).isNull():
            raise SelfTestError("the app icon does not load (is Qt's SVG plugin there?)")
        self._passed(f"resources and icon found in {folder}")
        self._check_libraries()

    def _check_libraries(self) -> None:
        """The libraries that read data files of their own, or load on first use, work here
        (a frozen app may leave their files out)."""
        from vetline.core.hidden_text import HiddenKind, find_hidden
        from vetline.core.xdiff import compiled_line_edits

        found = find_hidden("if user == '\u0430dmin':")
        if [finding.kind for finding in found] != [HiddenKind.LOOKALIKE]:
            raise SelfTestError("look-alike letters are not found (Unicode's confusables data)")
        if not compiled_line_edits("a\nb\n", "a\nc\n"):  # None: libgit2 did not load
            raise SelfTestError("the line diff (libgit2 through pygit2) does not load")
        self._passed("confusables data and libgit2's line diff work")
        self._check_images()

    def _check_images(self) -> None:
        """Each image format decodes and its changed pixels are found (Pillow's codecs and
        numpy's libraries are binaries a frozen app may leave out or damage)."""
        import io

        from PIL import Image

        from vetline.adapters.images.analysis import image_diff
        from vetline.adapters.images.decode import FORMATS

        def encoded(image: Image.Image, fmt: str) -> bytes:
            out = io.BytesIO()
            image.save(out, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
            return out.getvalue()

        before = Image.new("RGB", (32, 24), (200, 30, 30))
        after = before.copy()
        after.paste((20, 20, 220), (4, 4, 12, 10))
        for fmt in FORMATS:
            diff = image_diff(f"check.{fmt.lower()}", encoded(before, fmt), encoded(after, fmt))
            if diff.problem or not diff.regions:
                raise SelfTestError(f"a {fmt} change is not seen: {diff.problem or 'no region'}")
        self._passed(f"images: {', '.join(FORMATS)} decode and their changes are found")

    def _first_two_hunks(self) -> tuple[ReviewItem, ReviewItem]:
        assert self.window is not None
        items = self.window.controller.session.items
        if self.window.controller.current is not items[0]:
            raise SelfTestError("the window does not start on the queue's first hunk")
        first, second = items[0], items[1]
        if first.change is not second.change or len(first.change.hunks) != 2:
            raise SelfTestError("the demo's first proposal no longer has two hunks in one file")
        return first, second

    async def _trigger(self, window: MainWindow, command_id: str) -> None:
        finished = _Signalled(window.controller.command_finished)
        window.command_actions[command_id].trigger()
        await finished.wait(f"{command_id} finishes")

    def _check_log(self, path: Path, first: ReviewItem, second: ReviewItem) -> None:
        with DecisionLog(path) as reader:  # as another reader sees it
            rows = [(row["hunk_id"], row["verdict"]) for row in reader.rows()]
            verified = reader.verify()
        expected = [(first.hunk.id, "accepted"), (second.hunk.id, "rejected")]
        if rows != expected:
            raise SelfTestError(f"the decision log holds {rows}, expected {expected}")
        if not verified.ok:
            raise SelfTestError(f"the decision log does not verify: {verified.problem}")
        self._passed(f"decision log: 2 rows, hash chain verified ({path})")

    def _check_workspace(self, first: ReviewItem, second: ReviewItem) -> None:
        change = first.change
        base = change.base_text
        if base is None:
            raise SelfTestError(f"the demo's {change.path} carries no base text")
        written_path = demo_workspace(self.data) / change.path
        try:
            written = written_path.read_text(encoding="utf-8")
        except OSError as error:
            raise SelfTestError(f"cannot read {written_path}: {error}") from error
        expected = apply_hunks(base, [first.hunk])
        if written != expected:
            which = "is unchanged" if written == base else "differs from the accepted hunk alone"
            raise SelfTestError(f"the demo workspace's {change.path} {which}")
        if expected in (base, apply_hunks(base, [first.hunk, second.hunk])):
            raise SelfTestError("the demo's two hunks cannot be told apart on disk")
        self._passed(f"demo workspace: {change.path} holds the accepted hunk only")

    async def _check_worker(self, gateway: BackgroundWork) -> None:
        """Big inputs are parsed in a spawned worker process: a frozen app must start one."""
        job = gateway.latest("self-test", diff_texts_job, "worker.txt", "one\n", "two\n", 3)
        try:
            hunks = await asyncio.wait_for(job, HANG_GUARD_S)
        except (TimeoutError, JobFailed, OSError, BrokenProcessPool) as error:
            raise SelfTestError(f"the worker process did not answer: {error!r}") from error
        if len(hunks) != 1 or (hunks[0].added, hunks[0].removed) != (1, 1):
            raise SelfTestError(f"the worker process diffed wrongly: {hunks}")
        self._passed("worker process started and computed a diff")

    async def _close_window(self) -> None:
        window = self.window
        if window is None or not window.isVisible():
            return
        window.command_actions["app.quit"].trigger()
        try:
            await _until(lambda: not window.isVisible(), "the window closes")
        except SelfTestError as failure:
            self._say(f"FAIL {failure}")

    def _passed(self, what: str) -> None:
        self._say(f"ok   {what}")

    def _say(self, line: str) -> None:
        print(line, file=self.out, flush=True)


class _Signalled:
    """Connected before the action that emits: a signal can arrive before anyone awaits."""

    def __init__(self, signal: SignalInstance) -> None:
        self._signal = signal
        self._fired = asyncio.Event()
        signal.connect(self._fire)

    def _fire(self, *_arguments: object) -> None:
        self._fired.set()

    async def wait(self, what: str) -> None:
        try:
            await asyncio.wait_for(self._fired.wait(), HANG_GUARD_S)
        except TimeoutError as error:
            raise SelfTestError(f"{what}: nothing within {HANG_GUARD_S:.0f} s") from error
        finally:
            self._signal.disconnect(self._fire)


async def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + HANG_GUARD_S
    while not condition():
        if time.monotonic() > deadline:
            raise SelfTestError(f"{what}: not within {HANG_GUARD_S:.0f} s")
        await asyncio.sleep(0.01)

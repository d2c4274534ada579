"""The window's entry point: one QApplication, one qasync loop, the queue to open at start.

`vetline` alone reopens the last session's sources (remembered in the data folder's
last-session.json), `vetline review SOURCE…` opens the given sources (a repository
folder is watched for edits), `vetline review --watch DIR` follows an inbox folder,
and `vetline demo` the bundled demo queue; with nothing to open, the window explains
how to add proposals.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from vetline.adapters.config import load_settings, settings_path
from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog, DecisionLogDamagedError
from vetline.adapters.files.atomic import write_atomically
from vetline.adapters.llm.redact import install_redaction
from vetline.adapters.paths import data_dir as default_data_dir
from vetline.adapters.paths import resources_dir
from vetline.core.errors import VetlineError
from vetline.core.leash import Level
from vetline.core.model import Proposal
from vetline.core.settings import Settings, default_settings
from vetline.ui.controller import ReviewController
from vetline.ui.event_loop import window_loop
from vetline.ui.main_window import MainWindow
from vetline.ui.start_probe import START_PROBE_ENV, probe_start
from vetline.ui.tasks import BackgroundWork, is_big_input
from vetline.ui.watchers import follow_inbox

if TYPE_CHECKING:
    from vetline.ui.agent_server import AgentServer
    from vetline.ui.single_instance import InstanceServer

LAST_SESSION_FILE = "last-session.json"
APP_ICON = "icons/vetline.svg"  # in the resources
# What the first paint does not need starts after it; at the latest this long after the
# start, should the window never be painted (not exposed on any screen).
AFTER_START_LATEST_MS = 3000
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LastSession:
    """What `vetline` with no argument reopens."""

    sources: tuple[str, ...] = ()
    workspace: Path | None = None
    demo: bool = False
    watch: Path | None = None  # the inbox folder followed
    level: int | None = None  # the autonomy level last chosen on the slider


def read_last_session(folder: Path) -> LastSession | None:
    """The remembered session, or None when there is none (or it cannot be read)."""
    path = folder / LAST_SESSION_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        sources = tuple(str(spec) for spec in document.get("sources", []))
        workspace = document.get("workspace")
        watch = document.get("watch")
        level = document.get("level")
        return LastSession(
            sources=sources,
            workspace=Path(workspace) if isinstance(workspace, str) else None,
            demo=bool(document.get("demo", False)),
            watch=Path(watch) if isinstance(watch, str) else None,
            level=level if isinstance(level, int) and level in set(map(int, Level)) else None,
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, AttributeError, TypeError) as error:
        _log.warning("ignoring %s: %s", path, error)
        return None


def write_last_session(folder: Path, session: LastSession) -> None:
    """Remember the queue's sources for next time (durably, and never a half-written file)."""
    document = {
        "sources": [spec for spec in session.sources if spec != "-"],  # stdin is gone by then
        "workspace": str(session.workspace) if session.workspace else None,
        "demo": session.demo,
        "watch": str(session.watch) if session.watch else None,
        "level": session.level,
    }
    path = folder / LAST_SESSION_FILE
    try:
        # Fsynced before the rename (and the folder after it): a crash or power cut
        # leaves the old file or the new one, never an empty one.
        write_atomically(path, json.dumps(document, indent=2).encode("utf-8"))
    except OSError as error:
        _log.warning("cannot remember the session in %s: %s", path, error)


def open_start_queue(
    controller: ReviewController,
    *,
    sources: Sequence[str],
    workspace: Path | None,
    demo: bool,
    data_folder: Path,
    watch: Path | None = None,
) -> None:
    """Queue the demo, the given sources (and inbox), or the last session's, in that order."""
    if not demo and not sources and watch is None:
        remembered = read_last_session(data_folder)
        if remembered is None:
            return  # the empty state says how to add proposals
        demo, sources, workspace = remembered.demo, remembered.sources, remembered.workspace
        watch = remembered.watch
    if demo:
        from vetline.adapters.demo import prepare_demo

        try:
            demo_workspace, proposals = prepare_demo(data_folder)
        except VetlineError as error:
            controller.problem.emit(f"The demo could not be opened: {error}")
            return
        controller.open_proposals(proposals, demo_workspace, demo=True)
        return
    root = workspace or Path.cwd()
    if watch is not None:
        follow_inbox(controller, watch.absolute(), root)
    if sources:
        absolute = [spec if spec == "-" else str(Path(spec).absolute()) for spec in sources]
        controller.load_sources(absolute, root)


def remember_sessions(controller: ReviewController, data_folder: Path) -> None:
    """Each time the queue's sources change, write them down for the next start."""

    def remember() -> None:
        workspace = controller.workspace  # None for the demo's and a repository's own
        inbox = controller.reviewer.inbox
        write_last_session(
            data_folder,
            LastSession(
                sources=tuple(controller.sources),
                workspace=None if controller.demo or workspace is None else workspace.root,
                demo=controller.demo,
                watch=inbox.folder if inbox is not None else None,
                level=int(controller.session.level),
            ),
        )

    controller.sources_opened.connect(remember)
    controller.level_changed.connect(remember)


def run_gui(
    *,
    sources: list[str],
    workspace: Path | None,
    demo: bool,
    data_dir: Path | None,
    config: Path | None,
    level: int | None,
    watch: Path | None = None,
    comparison: Proposal | None = None,
) -> int:
    """Open the review window and run until it closes; returns the exit code.

    A `comparison` (`vetline OLD NEW`) is the window's only proposal: nothing is
    written, the last session is left as it was, and no agents are served.
    """
    app = named_application()
    problems: list[str] = []
    try:
        settings = load_settings(config)
    except VetlineError as error:
        problems.append(f"Settings not used (defaults instead): {error}")
        settings = default_settings()
    try:
        folder = default_data_dir(data_dir)
        if comparison is None and watch is None and _handed_over(folder, sources, workspace):
            return 0
        log = DecisionLog(folder / LOG_FILE_NAME)
    except DecisionLogDamagedError as damaged:
        restored = _offer_restore(folder / LOG_FILE_NAME, damaged)
        if isinstance(restored, int):
            return restored
        log, said = restored
        problems.append(f"Decision log: {said}")
    except VetlineError as error:
        return _refuse_to_start(f"Vetline cannot start: {error}", error.exit_code)
    problems += [f"Decision log: {warning}" for warning in log.warnings]

    install_redaction()  # no logging handlers of our own are added: keys never reach a log
    loop = window_loop(app)
    asyncio.set_event_loop(loop)
    gateway = BackgroundWork()
    if any(is_big_input(spec, gateway.inline_limit_bytes) for spec in sources):
        gateway.start_loader()  # one will parse them: let it start while the window is built
    if level is None:  # the slider's last position, unless --level says otherwise
        remembered = read_last_session(folder)
        level = remembered.level if remembered is not None else None
    controller = ReviewController(log, settings, gateway, level=level)
    window = MainWindow(controller, settings, settings_file=settings_path(config))
    if comparison is None:
        remember_sessions(controller, folder)
    for problem in problems:
        window.banner.show_problem(problem)
    sys.excepthook = _report_in(window)
    if probe_report := os.environ.get(START_PROBE_ENV):  # tools/bench_package.py
        probe_start(window, probe_report)
    window.show()
    agents: list[AgentServer] = []  # MCP: agents' proposals join this queue
    second_starts: list[InstanceServer] = []  # `vetline review X` from another process
    if comparison is not None:
        controller.open_proposals([comparison], None)
    else:
        controller.hidden_scans.hold()  # the worker process is not on the first paint's path
        open_start_queue(
            controller,
            sources=sources,
            workspace=workspace,
            demo=demo,
            data_folder=folder,
            watch=watch,
        )

        def after_paint() -> None:
            controller.hidden_scans.release()
            # Listening loads QtNetwork and first asks whether another window answers
            # on this data folder: neither is for the first paint. A second start in
            # the meantime finds no one and opens a window of its own.
            from vetline.ui.single_instance import serve_second_starts

            second_starts.append(serve_second_starts(controller, window, folder))
            controller.call_when_idle(
                lambda: controller.start(_after_start(app, controller, folder, agents))
            )

        after_first_paint(window, after_paint)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    try:
        with loop:
            loop.run_until_complete(closed.wait())
    finally:
        for listener in second_starts:
            listener.close()
        for server in agents:
            server.stop_now()
        gateway.shutdown()
        log.close()
    return 0


async def _after_start(
    app: QApplication, controller: ReviewController, data_folder: Path, started: list[AgentServer]
) -> None:
    """Once the start queue is on screen: what its first paint did not need."""
    from vetline import __version__  # read from the installed metadata: ~20 ms of imports

    app.setApplicationVersion(__version__)
    await _serve_agents(controller, data_folder, started)


def _handed_over(folder: Path, sources: Sequence[str], workspace: Path | None) -> bool:
    """True when a window already running on `folder` took the sources (it says so)."""
    if not sources:  # nothing to hand over (the demo, the last session): no socket to load
        return False
    from vetline.ui.single_instance import can_hand_over, hand_over

    if not can_hand_over(sources) or not hand_over(folder, sources, workspace):
        return False
    print(  # noqa: T201 - the terminal hears where its sources went
        f"vetline: {len(sources)} source(s) handed to the Vetline window already open on {folder}"
    )
    return True


async def _serve_agents(
    controller: ReviewController, data_folder: Path, started: list[AgentServer]
) -> None:
    """Listen for agents over MCP once the start queue is on screen (the SDK itself loads
    when the first agent connects: see ui.agent_server)."""
    from vetline.ui.agent_server import serve_agents

    server = serve_agents(controller, data_folder)
    if server is not None:
        started.append(server)


class _FirstPaint(QObject):
    """Calls back once, when a paint of `window` (or any widget in it) has finished."""

    def __init__(self, window: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._callback: Callable[[], None] | None = callback
        app = QApplication.instance()
        assert app is not None
        self._app = app
        app.installEventFilter(self)
        QTimer.singleShot(AFTER_START_LATEST_MS, self, self._call)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.window() is self._window
        ):
            QTimer.singleShot(0, self, self._call)  # after this paint pass, not inside it
        return False

    def _call(self) -> None:
        callback, self._callback = self._callback, None
        if callback is not None:
            self._app.removeEventFilter(self)
            callback()


def after_first_paint(window: QWidget, callback: Callable[[], None]) -> None:
    """Run `callback` once `window` has first been painted, so that what it starts (the
    MCP listener, reading the installed version) never delays that paint."""
    _FirstPaint(window, callback)


def named_application() -> QApplication:
    """The one QApplication, named and iconed for the desktop.

    The desktop file name matches the installed vetline.desktop, so docks and task bars
    group the window under Vetline's entry and icon.
    """
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Vetline")
    app.setApplicationDisplayName("Vetline")
    # The version is set once the first paint is done (see _after_start).
    app.setDesktopFileName("vetline")
    app.setWindowIcon(app_icon())
    return app


def app_icon() -> QIcon:
    """Vetline's icon from its resources; an empty icon when they are missing (said elsewhere)."""
    try:
        return QIcon(str(resources_dir() / APP_ICON))
    except VetlineError:
        return QIcon()


def build_window(
    log: DecisionLog,
    settings: Settings | None = None,
    *,
    gateway: BackgroundWork | None = None,
    level: int | None = None,
) -> MainWindow:
    """A window over `log` without running a loop (for tests and embedding)."""
    chosen = settings or default_settings()
    controller = ReviewController(log, chosen, gateway or BackgroundWork(), level=level)
    return MainWindow(controller, chosen)


def _report_in(window: MainWindow) -> Callable[..., None]:
    """A bug in a Qt slot goes to the log and the banner: never a traceback on screen."""

    def report(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        _log.error("unexpected error", exc_info=(kind, error, trace))
        window.banner.show_problem(f"Something went wrong: {error or kind.__name__}")

    return report


def _offer_restore(path: Path, damaged: DecisionLogDamagedError) -> tuple[DecisionLog, str] | int:
    """A damaged log stops the start; where a good copy is kept, the reviewer may put it
    back here (the damaged files are set aside, never deleted) and go on. Returns the
    log opened again and what the restore did, or the exit code."""
    from vetline.adapters.log.restore import restorable_copy, restore_log

    message = f"Vetline cannot start: {damaged}"
    copy = restorable_copy(path)
    if copy is None:
        return _refuse_to_start(message, damaged.exit_code)
    box = _start_refused(
        message,
        f"The decision log {path} is damaged: {'; '.join(damaged.problems)}. Nothing more "
        f"can be recorded in it.\n\nRestore puts back the newest good copy, "
        f"{copy.describe()}; the damaged log is kept beside it, renamed, for whoever wants "
        "to look at it. (On the command line: vetline log restore.)",
        "Vetline: the decision log is damaged",
    )
    box.setObjectName("damagedLog")
    restore = box.addButton("Restore the good copy", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(box.addButton("Quit", QMessageBox.ButtonRole.RejectRole))
    box.exec()  # no asyncio loop runs yet, so a nested event loop is harmless here
    if box.clickedButton() is not restore:
        return damaged.exit_code
    try:
        said = restore_log(path)
        log = DecisionLog(path)
    except VetlineError as error:
        return _refuse_to_start(f"The decision log could not be restored: {error}", 1)
    print(f"vetline: {said}", file=sys.stderr)  # noqa: T201
    return log, said


def _refuse_to_start(message: str, exit_code: int) -> int:
    box = _start_refused(message, message, "Vetline")
    box.exec()  # no asyncio loop runs yet, so a nested event loop is harmless here
    return exit_code


def _start_refused(message: str, text: str, title: str) -> QMessageBox:
    """The box that says why the window does not start (`text`, in plain text); the
    terminal hears `message` too. The caller adds buttons, if any, and opens it."""
    print(f"vetline: {message}", file=sys.stderr)  # noqa: T201 - the terminal hears it too
    box = QMessageBox(QMessageBox.Icon.Critical, title, "")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    return box

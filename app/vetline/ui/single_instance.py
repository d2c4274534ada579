"""One window per data folder: a second `vetline review X` hands X to the running window.

The running window listens on a local socket (a Unix socket, a named pipe on Windows)
named after the user and the data folder, so two reviewers, or two data folders, never
meet. A second start connects, sends its sources as one JSON line and waits for "ok";
the window queues them as if opened there and comes to the front. When nothing answers
(no window, or a socket left by a window that died) the second start opens its own
window and takes the name over.

A repository folder and standard input are never handed over: a repository is
reviewed in a window of its own, and stdin belongs to the process that was given it.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

from vetline.ui.controller import ReviewController

_log = logging.getLogger(__name__)

ANSWER = b"ok\n"
# A hand-over is a few paths: anything longer is not one of ours.
MAX_MESSAGE_BYTES = 1 << 20
# How long a second start waits for a running window to answer before opening its own:
# a hang guard for a window that is frozen, not a budget.
ANSWER_WAIT_MS = 10_000


def server_name(data_folder: Path) -> str:
    """The socket's name: the same for one user and one data folder, short enough for
    a Unix socket path."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    key = f"{user}\0{data_folder.resolve()}".encode("utf-8", "surrogateescape")
    return f"vetline-{hashlib.sha256(key).hexdigest()[:24]}"


def can_hand_over(sources: Sequence[str]) -> bool:
    """Whether these sources may join another window's queue (see the module's docstring)."""
    return bool(sources) and all(spec != "-" and not Path(spec).is_dir() for spec in sources)


def hand_over(data_folder: Path, sources: Sequence[str], workspace: Path | None) -> bool:
    """Give the sources to the window running on `data_folder`; False when none answers."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(data_folder))
    if not socket.waitForConnected(ANSWER_WAIT_MS):
        return False
    message = {
        "sources": [str(Path(spec).absolute()) for spec in sources],
        "workspace": str(workspace.absolute()) if workspace is not None else None,
    }
    socket.write(json.dumps(message).encode("utf-8", "surrogateescape") + b"\n")
    socket.flush()
    answer = b""
    while not answer.endswith(b"\n") and socket.waitForReadyRead(ANSWER_WAIT_MS):
        answer += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return answer == ANSWER


def _answers(name: str) -> bool:
    """Whether a window is listening on `name` now."""
    probe = QLocalSocket()
    probe.connectToServer(name)
    connected = probe.waitForConnected(ANSWER_WAIT_MS)
    probe.abort()
    return connected


def serve_second_starts(
    controller: ReviewController, window: QWidget, data_folder: Path
) -> InstanceServer:
    """Listen for second starts on this data folder (see InstanceServer)."""
    server = InstanceServer(controller, window, data_folder)
    server.listen()
    return server


class InstanceServer(QObject):
    """The running window's end: queues what a second start hands over, then raises it."""

    def __init__(self, controller: ReviewController, window: QWidget, data_folder: Path) -> None:
        super().__init__(window)
        self._controller = controller
        self._window = window
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self.name = server_name(data_folder)

    def listen(self) -> bool:
        """Take the name; a socket left by a window that is gone is removed first.

        A window that still answers keeps the name (this one was opened beside it, by
        `vetline demo` say): second starts go on reaching the first.
        """
        if _answers(self.name):  # asked first: Qt's listen takes a Unix socket's name over
            return False
        QLocalServer.removeServer(self.name)  # nothing answered, so any socket is stale
        if self._server.listen(self.name):
            return True
        _log.warning("a second start cannot reach this window: %s", self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            buffer = bytearray()
            socket.readyRead.connect(lambda s=socket, b=buffer: self._read(s, b))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket, buffer: bytearray) -> None:
        buffer += bytes(socket.readAll().data())
        if len(buffer) > MAX_MESSAGE_BYTES:
            socket.abort()
            return
        if b"\n" not in buffer:
            return
        try:
            message = json.loads(bytes(buffer).split(b"\n", 1)[0])
            sources = [str(spec) for spec in message["sources"]]
            workspace = message.get("workspace")
            if workspace is not None and not isinstance(workspace, str):
                raise TypeError("the workspace is not a path")
        except (ValueError, TypeError, KeyError) as error:
            _log.warning("ignoring a hand-over that is not one: %s", error)
            socket.abort()
            return
        if not can_hand_over(sources):
            socket.abort()
            return
        self._controller.load_sources(sources, Path(workspace) if workspace else None)
        socket.write(ANSWER)
        socket.flush()
        self._bring_to_front()

    def _bring_to_front(self) -> None:
        window = self._window
        if window.isMinimized():
            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.show()
        window.raise_()
        window.activateWindow()

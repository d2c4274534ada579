"""Telling the reviewer when another program opens the decision log this window has open.

The log's in-use folder gets a file from each program that opens the log
(adapters/log/presence.py): a file system watcher on it says when one arrives, and the
window is told once per new opener, as the opener itself is told of the window.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.log.inspect import shared_notice
from vetline.ui.watchers import DebouncedWatcher

SHARING_DELAY_MS = 100


class LogSharingNotice(QObject):
    """Says, through `tell`, each program that opens `log` after this one did."""

    def __init__(
        self, log: DecisionLog, tell: Callable[[str], None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._log = log
        self._tell = tell
        self._known = set(log.others_open())  # told at start, with the log's warnings
        self._watcher = DebouncedWatcher(SHARING_DELAY_MS, self)
        self._watcher.changed.connect(self._look)
        self._watcher.watch((), [str(log.in_use_folder)])

    def stop(self) -> None:
        self._watcher.stop()

    def _look(self) -> None:
        now = set(self._log.others_open())
        for who in sorted(now - self._known):
            self._tell(f"Decision log: {shared_notice(who)}")
        self._known = now

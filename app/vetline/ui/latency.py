"""Short pauses for the GUI thread: the collector skips settled objects and collects young
ones in big batches; the GIL moves on often.

All three are process-wide and set by the window, whose key presses have 16 ms
from arrival to paint even while a 100k-line file is open and a diff runs.

* Garbage collection. A full cyclic collection walks every object the collector
  tracks; with a 100k-line proposal open it took up to 60 ms, and full collections
  are set off by allocation bursts such as unpickling a background job's thousands of
  hunks, so they landed on key presses. What is alive once a load has settled (the
  queue's proposals, hunks and rows, the widgets, the modules) lives as long as the
  session, so scanning it again and again finds nothing. `gc.freeze()` moves it to a
  permanent generation that collections skip: a collection then costs what was made
  since, whatever the size of the queue. Raising the thresholds instead would make
  full collections rarer but no shorter. Frozen objects are still freed by reference
  counting when dropped (the queue's values are acyclic frozen dataclasses); only
  cyclic garbage among them waits for `release()`, which the window calls on closing.
* Young collections. By default one runs every 700 net new container objects, and
  every tenth of every tenth is a full one. A background result (a 100k-line diff's
  hunks, unpickled by the worker pool's thread in this process) makes thousands and
  then frees them: about ten collections and now and then a full one per result, all
  holding the GIL, set off by objects that are about to go anyway. With the first
  threshold at YOUNG_OBJECTS such a result sets off none (measured: 100 results, 1,022
  collections with 7 full ones before, one after), and what a key press makes is far
  below it; a collection, when it comes, scans at most that many young objects.
* The GIL. A thread that wants the GIL waits up to the switch interval (5 ms by
  default) for the thread holding it, and a key press in the window takes it back
  several times. The other threads of this process only move data (the worker pool's
  threads pickling inputs and unpickling results, the I/O lane), so 1 ms slices cost
  them little and keep the GUI thread's waits within a frame.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, QTimer

GIL_SWITCH_INTERVAL_S = 0.001
YOUNG_OBJECTS = 25_000  # about twice what a 100k-line diff with 10 % changed unpickles


def prefer_the_gui_thread() -> None:
    """Hand the GIL over every millisecond, and collect young objects in big batches
    (see the module's docstring)."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    _, middle, old = gc.get_threshold()
    gc.set_threshold(max(YOUNG_OBJECTS, gc.get_threshold()[0]), middle, old)


class SettledObjects(QObject):
    """Freezes the collector's tracked objects on the next turn of the event loop."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Zero delay: the load is in the session by then, and a key pressed right after
        # it must not meet a full collection of it.
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(gc.freeze)

    def freeze_soon(self) -> None:
        self._timer.start()

    def release(self) -> None:
        """Let collections see every object again (the window is closing)."""
        self._timer.stop()
        gc.unfreeze()

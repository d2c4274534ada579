"""The window's asyncio loop (qasync's, on Qt's), with asyncio's async generator hooks.

asyncio's own loops install two hooks while they run: each async generator is noted
when first iterated, and one dropped unfinished is closed as a task on the loop. qasync's
loop on Unix installs neither, so a generator dropped half-way — the HTTP client's
stream, when a model's answer is cancelled mid-stream — was closed by the garbage
collector outside any task, where its clean-up fails ("Exception ignored in …") and its
connection is not released. With the hooks it is closed on the loop, as asyncio would.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import qasync
from PySide6.QtWidgets import QApplication


def window_loop(app: QApplication, *, already_running: bool = False) -> qasync.QEventLoop:
    """qasync's loop on `app`, with asyncio's async generator hooks installed."""
    loop = qasync.QEventLoop(app, already_running=already_running)
    adopt_async_generators(loop)
    return loop


def adopt_async_generators(loop: object) -> Callable[[], None]:
    """Install `loop`'s async generator hooks (asyncio's BaseEventLoop has them, qasync's
    loop inherits them without installing them); returns what puts the previous ones back."""
    previous = sys.get_asyncgen_hooks()
    first_iteration = getattr(loop, "_asyncgen_firstiter_hook", None)
    finalizer = getattr(loop, "_asyncgen_finalizer_hook", None)
    if first_iteration is not None and finalizer is not None:
        sys.set_asyncgen_hooks(firstiter=first_iteration, finalizer=finalizer)
    return lambda: sys.set_asyncgen_hooks(*previous)

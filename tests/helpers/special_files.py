"""FIFOs and sockets for tests of code that must never read them.

A read of a FIFO waits for a writer. So that a regression fails its test instead of
stopping the suite, a FIFO made here is released if it is still in use after the tests' hang guard:
its writing end is opened and closed, and the waiting read ends with no bytes.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from helpers import HANG_GUARD_S

SPECIAL_KINDS = ("fifo", "socket")


@contextlib.contextmanager
def special_file(path: Path, kind: str) -> Iterator[Path]:
    """A FIFO or a Unix socket at `path` (its folder must exist) for the `with` block;
    removed afterwards."""
    if kind == "socket":
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(str(path))
        try:
            yield path
        finally:
            listener.close()
            path.unlink()
        return
    os.mkfifo(path)
    finished = threading.Event()

    def release() -> None:
        if not finished.wait(HANG_GUARD_S):
            with contextlib.suppress(OSError):  # nobody is reading: nothing to release
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))

    releaser = threading.Thread(target=release, daemon=True)
    releaser.start()
    try:
        yield path
    finally:
        finished.set()
        releaser.join()
        path.unlink()

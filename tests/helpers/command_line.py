"""`vetline` run as a real process, with its data folder where the test says."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers import HANG_GUARD_S


def vetline(
    *args: str, data_dir: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VETLINE_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "vetline", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=HANG_GUARD_S,
    )


def wait_for_file(
    path: Path, process: subprocess.Popen[Any], guard_s: float = HANG_GUARD_S
) -> None:
    """Wait until another process makes `path`; fail at once if it ends first, saying
    what it printed on stderr when that was piped (the guard fails a hang)."""
    deadline = time.monotonic() + guard_s
    while not path.exists():
        if process.poll() is not None:
            said = process.communicate()[1] if process.stderr is not None else ""
            said = said.decode(errors="replace") if isinstance(said, bytes) else said
            raise AssertionError(
                f"the other process ended early ({process.returncode}) {said[-2000:]}"
            )
        assert time.monotonic() < deadline, f"{path.name} never came"
        time.sleep(0.01)


def wait_until(condition: Callable[[], object], what: str) -> None:
    """Poll another process's effects until `condition` holds (the hang guard fails it)."""
    deadline = time.monotonic() + HANG_GUARD_S
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)

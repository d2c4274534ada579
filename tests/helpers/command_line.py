"""`vetline` run as a real process, with its data folder where the test says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


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
        timeout=120,
    )

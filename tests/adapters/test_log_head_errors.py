"""An I/O error while a new log's head file is made: a clear error, nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from helpers.logkit import vetline
from vetline.adapters.decision_log import LOG_FILE_NAME

# `vetline log export` with every open of a head file (or its temp file) failing with EIO.
HEAD_FAILS = textwrap.dedent(
    """
    import errno, os, sys
    real_open = os.open

    def failing_open(path, *args, **kwargs):
        if ".head" in os.fspath(path):
            raise OSError(errno.EIO, "Input/output error", os.fspath(path))
        return real_open(path, *args, **kwargs)

    os.open = failing_open
    from vetline.cli import main
    sys.exit(main(["log", "export"]))
    """
)


def test_eio_on_a_new_logs_head_file_is_a_clear_error_and_leaves_no_log(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-c", HEAD_FAILS],
        capture_output=True,
        text=True,
        env={**os.environ, "VETLINE_DATA_DIR": str(data)},
        check=False,
        timeout=120,
    )

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("vetline: cannot start a new decision log")
    assert "head file" in result.stderr and "Input/output error" in result.stderr
    assert not (data / LOG_FILE_NAME).exists()
    assert sorted(path.name for path in data.iterdir() if not path.is_dir()) == []
    verified = vetline("log", "verify", data_dir=data)
    assert verified.returncode == 0
    assert verified.stdout.startswith("no log yet")
    # Once the disk is well again, the log starts as any new log does.
    assert vetline("log", "export", data_dir=data).returncode == 0
    assert vetline("log", "verify", data_dir=data).stdout == "intact: 0 decisions\n"

"""`vetline --self-test` passes on a sound install and names what failed on a broken one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import HANG_GUARD_S

pytestmark = pytest.mark.gui


def self_test(tmp_path: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VETLINE_")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"), **extra_env)
    return subprocess.run(
        [sys.executable, "-m", "vetline", "--self-test"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        check=False,
    )


def test_the_self_test_reviews_the_demo_and_passes(tmp_path: Path) -> None:
    done = self_test(tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "self-test passed"
    assert any("accepted hunk 1 and rejected hunk 2" in line for line in lines)
    assert any(line.startswith("ok   decision log: 2 rows") for line in lines)
    assert "Traceback" not in done.stderr
    # Its temporary data folder is gone, and the reviewer's profile was never made.
    data = Path(lines[0].split("data folder ")[1].rstrip(")"))
    assert not data.parent.exists()
    assert not (tmp_path / "home").exists()


def test_missing_resources_fail_the_self_test_and_say_so(tmp_path: Path) -> None:
    empty = tmp_path / "resources"
    empty.mkdir()

    done = self_test(tmp_path, VETLINE_RESOURCES_DIR=str(empty))

    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL the demo queue is empty (The demo could not be opened" in done.stdout
    assert "self-test passed" not in done.stdout

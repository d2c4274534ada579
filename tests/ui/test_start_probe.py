"""VETLINE_START_PROBE: a real `vetline demo` process notes its first hunk painted and quits."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from helpers.command_line import vetline
from vetline.ui.start_probe import START_PROBE_ENV

pytestmark = pytest.mark.gui


def test_the_start_probe_writes_the_first_paint_time_and_quits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "start.json"
    monkeypatch.setenv(START_PROBE_ENV, str(report))
    spawned = time.time()

    # Without the probe the window would stay open until the helper's hang guard.
    done = vetline("demo", data_dir=tmp_path / "data")

    ended = time.time()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    figures = json.loads(report.read_text(encoding="utf-8"))
    assert set(figures) == {"painted_at", "after_start_ms", "cpu_ms"}
    assert spawned < figures["painted_at"] < ended
    # /proc's start time counts in clock ticks: allow one tick before the spawn.
    assert 0 < figures["after_start_ms"] <= (ended - spawned) * 1000 + 10
    assert figures["cpu_ms"] > 0
    # The demo opened as usual, on the data folder it was given.
    assert (tmp_path / "data").is_dir()

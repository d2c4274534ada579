"""tools/bench_package.py: it drops files from the page cache for real, and times starts.

The end-to-end run times an app folder whose `vetline` starts this venv's Vetline (a
frozen app would need `make package` first, minutes of build): the same probe, the same
eviction, the same report as for the unpacked .deb.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import bench_package  # noqa: E402 - tools/ is not a package

pytestmark = pytest.mark.gui


def test_eviction_drops_a_files_pages_from_the_page_cache(tmp_path: Path) -> None:
    data = tmp_path / "data.bin"
    data.write_bytes(os.urandom(4 * 2**20))
    data.read_bytes()
    assert bench_package.cached_share([data]) == 1.0

    bench_package.evict([data])

    assert bench_package.cached_share([data]) == 0.0


def test_no_package_says_to_build_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(bench_package.BenchError, match=r"no package in .*make package"):
        bench_package.newest_deb(tmp_path)

    (tmp_path / "vetline").mkdir()  # a folder of that name is no executable
    assert bench_package.main(["--app-dir", str(tmp_path)]) == 2
    assert f"no `vetline` executable in {tmp_path}" in capsys.readouterr().err


def test_a_run_times_warm_and_cold_starts_beside_the_bare_window(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    launcher = app / "start-vetline"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m vetline "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    out = tmp_path / "report.json"

    argv = ["--app-dir", str(app), "--executable", launcher.name, "--runs", "1", "--out", str(out)]

    assert bench_package.main(argv) == 0

    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["app_dir"] == str(app)
    for mode in ("warm", "cold"):
        for name in ("app", "bare"):
            assert report[mode][f"{name}_startup_ms"]["median"] > 0
            assert report[mode][f"{name}_cpu_ms"]["median"] > 0
    assert report["cold"]["cached_share_after_eviction"]["app"] == 0.0
    assert report["runs"] == 1

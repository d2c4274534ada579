"""The packaged app's start, warm and cold, beside a bare PySide6 window; prints JSON.

`make bench-package` (after `make package`), or on its own:
    .venv/bin/python tools/bench_package.py [--deb dist/vetline_X_amd64.deb | --app-dir DIR]
        [--executable NAME] [--runs N] [--out FILE]

The .deb is unpacked with `dpkg-deb -x` into a temporary folder (nothing is installed);
`--app-dir` times an already unpacked folder holding the `vetline` executable instead
(another freezer's output, for instance; `--executable` names another executable there).
Each run starts `vetline demo` with VETLINE_START_PROBE (see vetline/ui/start_probe.py)
on a 1920x1080 offscreen screen and its own data folder, and is timed from the spawn to
the end of the first paint of a hunk.
The bare window is tools/bench_gui_launch.py's (a PySide6 label, from this venv's Python,
not frozen), timed to the end of its first paint the same way. Each round starts the app
and the bare window, warm and cold, in turn, from a different one each round, so a load
spike hits all four alike.

* warm: the files were just read by the previous run (one untimed run first).
* cold: before each run the package folder's files (and for the bare window the PySide6
  and shiboken6 folders) are dropped from the page cache with posix_fadvise(DONTNEED),
  which needs no privilege (writing /proc/sys/vm/drop_caches does, and is refused in
  this container). `fincore` then says how much of them is still cached. What stays
  warm: the system libraries the app shares with the desktop (libc, X11, fontconfig...),
  pages another process has mapped, and whatever the virtual machine's host caches
  below this disk. A fresh copy of the folder would not be cold: the copy's pages are
  in the cache as they are written.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_gui import isolated_env, launch_app  # siblings in tools/
from bench_startup import spread

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
RUN_TIMEOUT_S = 120
FROZEN_FOLDER = Path("opt/vetline")  # inside the .deb


class BenchError(Exception):
    """What stops the bench, said in one line."""


def newest_deb(dist: Path) -> Path:
    debs = sorted(dist.glob("vetline_*.deb"), key=lambda path: path.stat().st_mtime)
    if not debs:
        raise BenchError(f"no package in {dist}: run `make package` first")
    return debs[-1]


def unpack(deb: Path, into: Path) -> Path:
    """The .deb's files under `into` (as dpkg-deb -x lays them out); its frozen folder."""
    done = subprocess.run(
        ["dpkg-deb", "-x", str(deb), str(into)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"dpkg-deb could not unpack {deb}: {done.stderr.strip()}")
    return into / FROZEN_FOLDER


def files_under(folders: Iterable[Path]) -> list[Path]:
    return [
        Path(top) / name
        for folder in folders
        for top, _, names in os.walk(folder)
        for name in names
        if not (Path(top) / name).is_symlink()
    ]


def evict(files: list[Path]) -> None:
    """Drop the files' pages from the page cache (clean pages only: sync first)."""
    for path in files:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fdatasync(descriptor)
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(descriptor)


def cached_share(files: list[Path]) -> float | None:
    """The share of the files' bytes in the page cache, as `fincore` reads it (or None)."""
    if shutil.which("fincore") is None:
        return None
    cached = total = 0
    for start in range(0, len(files), 200):
        done = subprocess.run(
            ["fincore", "--bytes", "--noheadings", "--raw", "--output", "RES,SIZE"]
            + [str(path) for path in files[start : start + 200]],
            capture_output=True,
            text=True,
            check=False,
        )
        for line in done.stdout.splitlines():
            resident, size = (int(word) for word in line.split())
            cached += resident
            total += size
    return round(cached / total, 4) if total else None


def start_app(executable: Path, env: dict[str, str], folder: Path) -> dict[str, float]:
    """One `vetline demo` from spawn to its first hunk painted (the start probe's report)."""
    report = folder / "start-probe.json"
    report.unlink(missing_ok=True)
    child_env = {**env, "VETLINE_START_PROBE": str(report)}
    spawned = time.time()
    try:
        done = subprocess.run(
            [str(executable), "demo"],
            env=child_env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"{executable} painted no hunk within {RUN_TIMEOUT_S} s") from error
    if done.returncode != 0 or not report.exists():
        said = " | ".join(done.stderr.strip().splitlines()[-5:])
        raise BenchError(f"{executable} demo ended with {done.returncode}: {said}")
    figures = json.loads(report.read_text(encoding="utf-8"))
    return {
        "startup_ms": round((figures["painted_at"] - spawned) * 1000, 1),
        "cpu_ms": figures["cpu_ms"],
    }


def start_bare(env: dict[str, str]) -> dict[str, float]:
    report = launch_app(env, ["--bare"], 0)
    return {"startup_ms": report["startup_ms"], "cpu_ms": report["first_paint_cpu_ms"]}


def pyside_folders() -> list[Path]:
    import PySide6
    import shiboken6

    return [Path(PySide6.__file__).parent, Path(shiboken6.__file__).parent]


def measure(app_dir: Path, executable_name: str, runs: int, folder: Path) -> dict[str, Any]:
    executable = app_dir / executable_name
    if not (executable.is_file() and os.access(executable, os.X_OK)):
        raise BenchError(f"no `{executable_name}` executable in {app_dir}")
    env = isolated_env(folder)
    env = {key: value for key, value in env.items() if key != "VETLINE_START_PROBE"}
    app_files, bare_files = files_under([app_dir]), files_under(pyside_folders())
    start_app(executable, env, folder)  # warm-up, not counted
    start_bare(env)
    starts = [(name, mode) for mode in ("warm", "cold") for name in ("app", "bare")]
    samples: dict[tuple[str, str], list[dict[str, float]]] = {start: [] for start in starts}
    left_cached: dict[str, list[float]] = {"app": [], "bare": []}
    for number in range(runs):
        # The four starts of a round in turn, from a different one each round. A warm
        # start always follows a start of the same files: the warm-up or an earlier run.
        for name, mode in starts[number % 4 :] + starts[: number % 4]:
            if mode == "cold":
                files = app_files if name == "app" else bare_files
                evict(files)
                share = cached_share(files)
                if share is not None:
                    left_cached[name].append(share)
            run = start_app(executable, env, folder) if name == "app" else start_bare(env)
            samples[name, mode].append(run)
        _log(
            f"round {number + 1}/{runs}: "
            + ", ".join(f"{n} {m} {samples[n, m][-1]['startup_ms']} ms" for n, m in starts)
        )
    result: dict[str, Any] = {
        mode: {
            f"{name}_{figure}": spread([run[figure] for run in samples[name, mode]])
            for name in ("app", "bare")
            for figure in ("startup_ms", "cpu_ms")
        }
        for mode in ("warm", "cold")
    }
    result["cold"]["cached_share_after_eviction"] = {
        name: max(shares) if shares else None for name, shares in left_cached.items()
    }
    return result


def folder_mib(folder: Path) -> float:
    return round(sum(path.stat().st_size for path in files_under([folder])) / 2**20, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--deb", type=Path, help="the .deb to time (default: newest in dist/)")
    which.add_argument("--app-dir", type=Path, help="an unpacked folder holding the app")
    parser.add_argument(
        "--executable", default="vetline", help="the app's executable in it (default vetline)"
    )
    parser.add_argument("--runs", type=int, default=RUNS, help=f"runs each (default {RUNS})")
    parser.add_argument("--out", type=Path, help="also write the JSON to this file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    try:
        with tempfile.TemporaryDirectory(prefix="vetline-bench-package-") as temporary:
            folder = Path(temporary)
            if args.app_dir is not None:
                app_dir, subject = args.app_dir.resolve(), {"app_dir": str(args.app_dir)}
            else:
                deb = args.deb or newest_deb(ROOT / "dist")
                app_dir = unpack(deb, folder / "unpacked")
                subject = {"deb": str(deb), "deb_mb": round(deb.stat().st_size / 1e6, 1)}
            load_before = os.getloadavg()
            figures = measure(app_dir, args.executable, args.runs, folder)
            report = {
                **subject,
                "app_dir_mib": folder_mib(app_dir),
                "runs": args.runs,
                **figures,
                "load_average": {"before": load_before, "after": os.getloadavg()},
                "cpus": os.cpu_count(),
                "platform": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            }
    except BenchError as error:
        print(f"bench_package: {error}", file=sys.stderr)
        return 2
    text = json.dumps(report, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


def _log(message: str) -> None:
    print(f"bench_package: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())

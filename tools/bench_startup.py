"""Start-up benchmarks for tools/bench_gui.py: Vetline beside a bare PySide6 window.

Every figure is a whole process, spawned through tools/bench_gui_launch.py and timed from
the spawn to the end of the first paint (see that file). Each round launches, in turn,
a bare window showing one label, `vetline demo`, and `vetline review REPO` on a
repository whose only change is 1,000 changed lines in a 100k-line file, so a load spike
hits all three alike; the order rotates from round to round. One warm-up round goes
first and is not counted: it writes the bytecode (an installed app has it) and warms
the disk cache for everyone.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

STARTUP_ROUNDS = 9
MANY_RUNS = 5
REPO_LINES = 100_000
REPO_CHANGED_LINES = 1_000
REPO_PATH = "src/generated_table.py"

Launch = Callable[[dict[str, str], list[str], int], dict[str, Any]]


def spread(samples: Sequence[float]) -> dict[str, Any]:
    """Median, fastest and slowest, and every sample in the order taken."""
    return {
        "median": round(statistics.median(samples), 1),
        "min": round(min(samples), 1),
        "max": round(max(samples), 1),
        "samples": [round(sample, 1) for sample in samples],
    }


def write_big_repository(folder: Path) -> Path:
    """A git repository with one committed 100k-line file, then 1,000 lines changed in it."""
    from bench import changed_copy, code_like_text

    rng = random.Random(REPO_LINES)
    base = code_like_text(REPO_LINES, rng)
    repository = folder / "big-repository"
    (repository / REPO_PATH).parent.mkdir(parents=True)
    (repository / REPO_PATH).write_text("".join(base), encoding="utf-8")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repository, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", REPO_PATH)
    git("-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "base")
    new = changed_copy(base, REPO_CHANGED_LINES / REPO_LINES, rng)
    (repository / REPO_PATH).write_text("".join(new), encoding="utf-8")
    return repository


def measure_startup(launch: Launch, env: dict[str, str], folder: Path) -> dict[str, Any]:
    """Rounds of (bare window, demo, 100k-line repository), side by side."""
    repository = write_big_repository(folder)
    runs: dict[str, list[str]] = {
        "bare": ["--bare"],
        "demo": ["--data-dir", str(folder / "startup-data"), "demo"],
        "repo": ["--data-dir", str(folder / "repo-data"), "review", str(repository)],
    }
    reports: dict[str, list[dict[str, Any]]] = {name: [] for name in runs}
    names = list(runs)
    for number in range(STARTUP_ROUNDS + 1):
        order = names[number % len(names) :] + names[: number % len(names)]
        for name in order:
            report = launch(env, runs[name], 1000)
            if number > 0:  # round 0 warms up
                reports[name].append(report)
        if number > 0:
            _log(
                f"startup round {number}: "
                + ", ".join(f"{name} {reports[name][-1]['startup_ms']} ms" for name in names)
            )
    bare, demo, repo = (reports[name] for name in names)
    hunks = {report["hunks"] for report in repo}
    return {
        "bare_ms": spread([run["startup_ms"] for run in bare]),
        "demo_ms": spread([run["startup_ms"] for run in demo]),
        "repo_ms": spread([run["startup_ms"] for run in repo]),
        "demo_minus_bare_ms": spread(
            [d["startup_ms"] - b["startup_ms"] for d, b in zip(demo, bare, strict=True)]
        ),
        "repo_minus_demo_ms": spread(
            [r["startup_ms"] - d["startup_ms"] for r, d in zip(repo, demo, strict=True)]
        ),
        "cpu_ms": {
            name: spread([run["first_paint_cpu_ms"] for run in reports[name]]) for name in names
        },
        "bare_rss_mb": statistics.median(run["rss_mb"] for run in bare),
        "demo_rss_mb": statistics.median(run["rss_mb"] for run in demo),
        "demo_children_rss_mb": statistics.median(run["children_rss_mb"] for run in demo),
        "demo_import_ms": spread([run["import_ms"] for run in demo]),
        "demo_proposals": demo[0]["proposals"],
        "repo_hunks": sorted(hunks),
        "diff_viewport": demo[0]["diff_viewport"],
    }


def measure_many(
    launch: Launch, env: dict[str, str], data_dir: Path, source: Path, workspace: Path
) -> dict[str, Any]:
    """`vetline review` of 1,000 queued proposals, in several fresh processes."""
    argv = ["--data-dir", str(data_dir), "review", str(source), "--workspace", str(workspace)]
    runs = []
    for number in range(MANY_RUNS):
        runs.append(launch(env, argv, 1000))
        _log(f"1,000 proposals run {number + 1}: {runs[-1]['startup_ms']} ms")
    return {
        "startup_ms": spread([run["startup_ms"] for run in runs]),
        "cpu_ms": spread([run["first_paint_cpu_ms"] for run in runs]),
        "rss_mb": spread([run["rss_mb"] for run in runs]),
        "children_rss_mb": spread([run["children_rss_mb"] for run in runs]),
        "total_rss_mb": spread([run["rss_mb"] + run["children_rss_mb"] for run in runs]),
        "proposals": runs[0]["proposals"],
        "hunks": runs[0]["hunks"],
        "input_bytes": source.stat().st_size,
    }


def _log(message: str) -> None:
    print(f"bench_gui: {message}", file=sys.stderr, flush=True)

"""Window benchmarks, each in fresh processes; prints one JSON object (progress on stderr).

Keys (budgets in the design notes; what is printed is what was measured, never clamped):

* `key_to_next_hunk_ms`: {"idle"|"busy": {"median", "p99", "max"}}: a real key event
  (J, or K at the last hunk) delivered through Qt's window-system path, from the moment
  it arrives in the GUI thread's event queue to the end of the diff view's paint that
  shows the next hunk, with a 100k-line proposal (about 5% of lines changed) opened
  the way the app opens a file: `ReviewController.load_sources`. "busy": the same while
  the app's own gateway (`BackgroundWork.latest`) diffs a 100k-line pair in its worker
  process over and over (reading the pair from files itself).
* `key_onto_huge_proposal_ms`: {"median", "max"}: J from a small proposal onto a
  million-line new file queued after it, to the end of the paint that shows it
  (tools/bench_gui_huge.py; K back is in `gui_details.huge`).
* `first_paint_100k_ms`: `start_probe.measure_first_paint` of that file in a fresh process
  (median of several processes).
* `startup_ms`: from spawning `vetline demo` (through tools/bench_gui_launch.py) to
  the end of the first paint of a proposal's hunk; median of the rounds in
  tools/bench_startup.py.
* `bare_window_startup_ms`: the same for a bare PySide6 window showing one label, in
  the same rounds (the end of the label's first paint).
* `repo_100k_open_ms`: the same for `vetline review REPO`, a git repository whose only
  change is 1,000 changed lines in a 100k-line file, to its first hunk painted.
* `rss_idle_mb`: resident memory of the demo's process one second after its first paint.
* `startup_1000_proposals_ms`, `rss_1000_proposals_mb`, `rss_1000_proposals_total_mb`:
  start-up with 1,000 small proposals queued, and the window's memory a second later,
  alone and with its worker processes (medians of several processes).
* `gui_details`: samples, breakdowns and the conditions they were measured under.

A measurement that fails reports {"error": "..."} under its key; the others still run.
Run on its own:  QT_QPA_PLATFORM=offscreen .venv/bin/python tools/bench_gui.py
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pickle
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

TOOLS = Path(__file__).resolve().parent
LAUNCHER = TOOLS / "bench_gui_launch.py"
BIG_LINES = 100_000
BIG_CHANGE_SHARE = 0.05
BIG_PATH = "src/big_module.py"
IDLE_PRESSES = 250
BUSY_PRESSES = 300
GAP_MS = (25.0, 75.0)  # between one paint and the next key: a fast reviewer, or key repeat
FIRST_PAINT_RUNS = 5
QUEUED_PROPOSALS = 1_000
STARTUP_KEYS = ("startup_ms", "bare_window_startup_ms", "repo_100k_open_ms", "rss_idle_mb")
MANY_KEYS = ("startup_1000_proposals_ms", "rss_1000_proposals_mb", "rss_1000_proposals_total_mb")
SCREEN = {"width": 1920, "height": 1080}  # the offscreen screen: a common desktop
STEP_TIMEOUT_S = 180


def log(message: str) -> None:
    print(f"bench_gui: {message}", file=sys.stderr, flush=True)


def summary(samples: Sequence[float]) -> dict[str, float]:
    """Median, 99th percentile (nearest rank) and maximum, in ms to two decimals."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, -(-99 * len(ordered) // 100) - 1))
    return {
        "median": round(statistics.median(ordered), 2),
        "p99": round(ordered[rank], 2),
        "max": round(ordered[-1], 2),
    }


# --- inputs -----------------------------------------------------------------------------


def write_big_proposal(folder: Path) -> tuple[Path, Path]:
    """A proposal JSON changing about 5% of a 100k-line file, and its workspace."""
    from bench import changed_copy, code_like_text

    rng = random.Random(100_000)
    base = code_like_text(BIG_LINES, rng)
    new = changed_copy(base, BIG_CHANGE_SHARE, rng)
    workspace = folder / "big-workspace"
    (workspace / BIG_PATH).parent.mkdir(parents=True, exist_ok=True)
    (workspace / BIG_PATH).write_text("".join(base), encoding="utf-8")
    document = {
        "vetline": 1,
        "proposals": [
            {
                "id": "bench-100k",
                "title": "Rename the computed values across the generated module",
                "rationale": "A 100k-line file with about 5% of its lines changed.",
                "task": "Benchmark: a very large single-file proposal.",
                "agent": {"name": "bench", "model": "none", "provider": "local"},
                "created_at": "2026-11-24T09:00:00+00:00",
                "changes": [{"path": BIG_PATH, "base": "".join(base), "new": "".join(new)}],
            }
        ],
    }
    source = folder / "big-proposal.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    return source, workspace


def write_many_proposals(folder: Path, count: int = QUEUED_PROPOSALS) -> tuple[Path, Path]:
    """`count` small proposals (1-3 hunks in one file each) over a workspace of 36 files.

    Half carry the file's base and new text, half a unified diff of their hunks: the two
    ways the proposal JSON says what changed.
    """
    from bench import code_like_text
    from vetline.core.hunks import hunks_from_texts
    from vetline.core.patch_text import file_patch

    rng = random.Random(1_000)
    workspace = folder / "many-workspace"
    files: list[tuple[str, list[str]]] = []
    for index in range(36):
        path = f"src/pkg_{index % 6}/module_{index}.py"
        lines = code_like_text(rng.randrange(150, 400), rng)
        (workspace / path).parent.mkdir(parents=True, exist_ok=True)
        (workspace / path).write_text("".join(lines), encoding="utf-8")
        files.append((path, lines))
    agents = [
        {"name": "Aider", "model": "claude-sonnet-4", "provider": "Anthropic"},
        {"name": "Codex", "model": "gpt-5-codex", "provider": "OpenAI"},
        {"name": "Cline", "model": "qwen3-coder", "provider": "Ollama"},
    ]
    proposals = []
    for number in range(count):
        path, lines = files[number % len(files)]
        new = list(lines)
        hunk_count = rng.randint(1, 3)
        slot = len(lines) // hunk_count
        for part in range(hunk_count):  # one change per slot, far apart: separate hunks
            position = part * slot + rng.randrange(8, max(9, slot - 8))
            new[position] = f"    fixed_{number}_{part} = compute({rng.randrange(100)})\n"
        base_text, new_text = "".join(lines), "".join(new)
        change: dict[str, str] = {"path": path}
        if number % 2:
            change["diff"] = file_patch(path, hunks_from_texts(path, base_text, new_text))
        else:
            change["base"], change["new"] = base_text, new_text
        proposals.append(
            {
                "id": f"bench-{number:04d}",
                "title": f"Fix the computed value in {Path(path).name} ({number})",
                "rationale": "The value was computed from the wrong input; use the right one.",
                "task": "Benchmark: many small proposals queued at once.",
                "agent": agents[number % len(agents)],
                "created_at": f"2026-11-24T09:{number // 60 % 60:02d}:{number % 60:02d}+00:00",
                "changes": [change],
            }
        )
    source = folder / "many-proposals.json"
    source.write_text(json.dumps({"vetline": 1, "proposals": proposals}), encoding="utf-8")
    return source, workspace


# --- running the measurements in child processes ------------------------------------------


def isolated_env(folder: Path) -> dict[str, str]:
    """Own data and config folders (never the reviewer's), and a 1920x1080 offscreen screen."""
    env = dict(os.environ)
    for name in ("data", "config", "xdg-data", "xdg-config"):
        (folder / "profile" / name).mkdir(parents=True, exist_ok=True)
    env["VETLINE_DATA_DIR"] = str(folder / "profile" / "data")
    env["VETLINE_CONFIG_DIR"] = str(folder / "profile" / "config")
    env["XDG_DATA_HOME"] = str(folder / "profile" / "xdg-data")
    env["XDG_CONFIG_HOME"] = str(folder / "profile" / "xdg-config")
    env.pop("VETLINE_CONFIG", None)
    # An installed app has its bytecode compiled; the first launch writes it here too.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    platform = env.setdefault("QT_QPA_PLATFORM", "offscreen")
    if platform == "offscreen":
        screen = {"name": "bench", "x": 0, "y": 0, "logicalDpi": 96, "dpr": 1, **SCREEN}
        config = folder / "offscreen-screen.json"
        config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
        env["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    return env


def run_child(command: list[str], env: dict[str, str], timeout: float) -> dict[str, Any]:
    """Run a child that prints one JSON object as its last stdout line."""
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"timed out after {timeout:.0f} s: {command[1:]}") from error
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or "").strip().splitlines()[-5:]
        raise RuntimeError(f"exit {done.returncode}: " + " | ".join(tail))
    return dict(json.loads(lines[-1]))


def role_command(role: str, *args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--role", role, *args]


def launch_app(env: dict[str, str], argv: list[str], idle_ms: int) -> dict[str, Any]:
    """Spawn the app through the launcher; it reports its first paint (wall clock) and RSS."""
    child_env = dict(env)
    child_env["VETLINE_BENCH_IDLE_MS"] = str(idle_ms)
    spawned = time.time()
    child_env["VETLINE_BENCH_SPAWN_TIME"] = repr(spawned)
    report = run_child([sys.executable, str(LAUNCHER), *argv], child_env, timeout=120)
    report["startup_ms"] = round((report["first_paint_time"] - spawned) * 1000, 1)
    return report


def measure_keys(folder: Path, env: dict[str, str], source: Path, workspace: Path) -> Any:
    command = role_command("keys", str(source), str(workspace), str(folder))
    return run_child(command, env, timeout=STEP_TIMEOUT_S)


def measure_first_paint(folder: Path, env: dict[str, str], source: Path) -> dict[str, Any]:
    from vetline.adapters.inputs import load_source

    pickled = folder / "big-proposal.pickle"
    pickled.write_bytes(pickle.dumps(load_source(str(source), None)))
    runs = [
        run_child(role_command("first-paint", str(pickled)), env, timeout=60)
        for _ in range(FIRST_PAINT_RUNS)
    ]
    samples = [float(run["ms"]) for run in runs]
    return {
        "median": round(statistics.median(samples), 1),
        "samples": samples,
        "viewport": runs[0]["viewport"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", choices=["keys", "first-paint", "huge"], help=argparse.SUPPRESS)
    parser.add_argument("role_args", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--only", help="comma-separated keys to run (default: all)")
    args = parser.parse_args()
    if args.role == "keys":
        report = role_keys(*(Path(arg) for arg in args.role_args))
        print(json.dumps(report), flush=True)
        return 0
    if args.role == "huge":
        from bench_gui_huge import role_huge

        print(json.dumps(role_huge(*(Path(arg) for arg in args.role_args))), flush=True)
        return 0
    if args.role == "first-paint":
        print(json.dumps(role_first_paint(Path(args.role_args[0]))), flush=True)
        return 0
    wanted = set(args.only.split(",")) if args.only else None
    results: dict[str, Any] = {}
    details: dict[str, Any] = {}
    sys.path.insert(0, str(TOOLS))  # bench.py's text generators
    with tempfile.TemporaryDirectory(prefix="vetline-bench-gui-") as name:
        folder = Path(name)
        env = isolated_env(folder)
        details["qt_platform"] = env["QT_QPA_PLATFORM"].split(":")[0]
        details["cpu_count"] = os.cpu_count()
        big: list[tuple[Path, Path]] = []

        def big_input() -> tuple[Path, Path]:
            if not big:
                big.append(write_big_proposal(folder))
            return big[0]

        def keys() -> None:
            report = measure_keys(folder, env, *big_input())
            results["key_to_next_hunk_ms"] = report.pop("key_to_next_hunk_ms")
            details["keys"] = report

        def first_paint() -> None:
            report = measure_first_paint(folder, env, big_input()[0])
            results["first_paint_100k_ms"] = report["median"]
            details["first_paint_100k"] = {
                "samples_ms": report["samples"],
                "viewport": report["viewport"],
            }

        def startup() -> None:
            from bench_startup import measure_startup

            report = measure_startup(launch_app, env, folder)
            results["startup_ms"] = report["demo_ms"]["median"]
            results["bare_window_startup_ms"] = report["bare_ms"]["median"]
            results["repo_100k_open_ms"] = report["repo_ms"]["median"]
            results["rss_idle_mb"] = report["demo_rss_mb"]
            details["startup"] = report

        def many() -> None:
            from bench_startup import measure_many

            source, workspace = write_many_proposals(folder)
            report = measure_many(launch_app, env, folder / "many-data", source, workspace)
            results["startup_1000_proposals_ms"] = report["startup_ms"]["median"]
            results["rss_1000_proposals_mb"] = report["rss_mb"]["median"]
            results["rss_1000_proposals_total_mb"] = report["total_rss_mb"]["median"]
            details["1000_proposals"] = report

        def huge() -> None:
            from bench_gui_huge import write_huge_queue

            command = role_command("huge", str(write_huge_queue(folder)), str(folder))
            report = run_child(command, env, timeout=STEP_TIMEOUT_S)
            results["key_onto_huge_proposal_ms"] = report["key_onto_huge_proposal_ms"]
            details["huge"] = report["huge_details"]

        steps: list[tuple[tuple[str, ...], Callable[[], None]]] = [
            (("key_to_next_hunk_ms",), keys),
            (("key_onto_huge_proposal_ms",), huge),
            (("first_paint_100k_ms",), first_paint),
            (STARTUP_KEYS, startup),
            (MANY_KEYS, many),
        ]
        for step_keys, step in steps:
            if wanted is not None and not wanted.intersection(step_keys):
                continue
            log(f"{', '.join(step_keys)}…")
            started = time.perf_counter()
            try:
                step()
            except Exception as error:  # noqa: BLE001 - one failed measurement must not hide the rest
                for key in step_keys:
                    results.setdefault(key, {"error": f"{type(error).__name__}: {error}"})
            details.setdefault("seconds", {})[step_keys[0]] = round(
                time.perf_counter() - started, 1
            )
    results["gui_details"] = details
    print(json.dumps(results), flush=True)
    return 0


# --- in the child processes -------------------------------------------------------------


def role_first_paint(pickled: Path) -> dict[str, Any]:
    """One cold first paint of the 100k-line file in a fresh view (this process is fresh)."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from vetline.ui.diff_view import DiffView
    from vetline.ui.start_probe import measure_first_paint

    proposals = pickle.loads(pickled.read_bytes())  # noqa: S301 - our own file, just written
    change = proposals[0].changes[0]
    app = QApplication.instance() or QApplication(sys.argv[:1])
    view = DiffView()
    view.resize(1100, 760)  # about the diff pane of the default window on a 1080p screen
    view.show()
    if not QTest.qWaitForWindowExposed(view, 5000):
        raise RuntimeError("the diff view was never exposed")
    app.processEvents()
    ms = float(measure_first_paint(view, change, change.hunks))
    return {"ms": round(ms, 2), "viewport": [view.viewport().width(), view.viewport().height()]}


def bench_window(log_path: Path) -> tuple[Any, Any, Any, Any]:
    """The app's window as `vetline review` builds it, on a qasync loop: (loop, decision
    log, background-work gateway, window); the caller shuts the gateway and log down."""
    import asyncio

    from PySide6.QtWidgets import QApplication

    from vetline.adapters.config import load_settings
    from vetline.adapters.decision_log import DecisionLog
    from vetline.ui.app import build_window
    from vetline.ui.event_loop import window_loop
    from vetline.ui.tasks import BackgroundWork

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    loop = window_loop(app)
    asyncio.set_event_loop(loop)
    decision_log = DecisionLog(log_path)
    gateway = BackgroundWork()
    return (
        loop,
        decision_log,
        gateway,
        build_window(decision_log, load_settings(None), gateway=gateway),
    )


def role_keys(source: Path, workspace: Path, folder: Path) -> dict[str, Any]:
    """Key latency in the real window (see the module docstring); returns the report."""
    import asyncio
    import gc
    import threading

    from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from vetline.ui import diff_view
    from vetline.ui.tasks import diff_files_job

    loop, decision_log, gateway, window = bench_window(folder / "keys-decisions.sqlite3")
    controller = window.controller
    report: dict[str, Any] = {}

    class Probe:
        """What the paint hook and the key thread share (each field has one writer)."""

        def __init__(self) -> None:
            self.expected = -1  # the cursor the pending key should bring on screen
            self.pending = False
            self.arrival = 0.0  # when the pending key entered the event queue (perf_counter)
            self.sent = 0.0  # when the GUI thread handed it to Qt's window-system path
            self.last_end = 0.0
            self.opened_at = 0.0
            self.first_paint: float | None = None
            self.painted = threading.Event()
            self.samples: list[tuple[float, float, float]] = []  # arrival, sent, painted
            self.off_screen = 0  # measured paints whose hunk was not in the viewport

    probe = Probe()
    original_paint = diff_view.DiffView.paintEvent

    def timed_paint(view: diff_view.DiffView, event: Any) -> None:
        original_paint(view, event)
        end = time.perf_counter()
        if view is not window.diff:
            return
        if probe.first_paint is None and probe.opened_at and len(view.rows()):
            probe.first_paint = end
        # One file in the queue, so the view's hunk index is the session's cursor.
        moved = controller.session.cursor == probe.expected == view.current_hunk()
        if probe.pending and moved:
            hunk, shown = view.rows().hunk_rows(probe.expected), view.visible_rows()
            if not (hunk.start < shown.stop and shown.start < hunk.stop):
                probe.off_screen += 1  # should never happen: the hunk is scrolled into view
            probe.pending = False
            probe.samples.append((probe.arrival, probe.sent, end))
            probe.last_end = end
            probe.painted.set()

    diff_view.DiffView.paintEvent = timed_paint

    key_event = QEvent.Type(QEvent.registerEventType())

    class KeyInjector(QObject):
        """Turns a posted event into a key press on the window, in the GUI thread."""

        def event(self, event: QEvent) -> bool:
            if event.type() != key_event:
                return super().event(event)
            cursor, count = controller.session.cursor, len(controller.session.items)
            step = 1 if cursor + 1 < count else -1
            probe.expected = cursor + step
            probe.pending = True
            probe.sent = time.perf_counter()
            handle = window.windowHandle()
            QTest.keyClick(handle, Qt.Key.Key_J if step > 0 else Qt.Key.Key_K)
            return True

    injector = KeyInjector()
    failures: list[str] = []

    def press_keys(count: int, rng: random.Random) -> None:
        """In a plain thread: each key 'arrives' a human gap after the last hunk was painted.

        The arrival time is fixed before the key is posted, so a GUI thread that is busy
        when the key comes in (or a GIL held by another thread) counts against it.
        """
        probe.last_end = time.perf_counter()
        probe.painted.set()
        for _ in range(count):
            if not probe.painted.wait(timeout=10):
                failures.append("a key press was not painted within 10 s")
                return
            probe.painted.clear()
            arrival = probe.last_end + rng.uniform(*GAP_MS) / 1000
            time.sleep(max(0.0, arrival - time.perf_counter()))
            probe.arrival = arrival
            QCoreApplication.postEvent(injector, QEvent(key_event))
        if not probe.painted.wait(timeout=10):
            failures.append("the last key press was not painted within 10 s")

    gc_pauses: list[tuple[int, float]] = []  # (generation, ms) while keys are pressed
    gc_started = [0.0]

    def time_gc(phase: str, info: dict[str, int]) -> None:
        """Cyclic-GC pauses hold the GIL wherever they run: a diagnostic, not a key."""
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_pauses.append((info["generation"], (time.perf_counter() - gc_started[0]) * 1000))

    async def run_presses(count: int, seed: int) -> list[tuple[float, float, float]]:
        probe.samples = []
        gc_pauses.clear()
        thread = threading.Thread(target=press_keys, args=(count, random.Random(seed)))
        gc.callbacks.append(time_gc)
        try:
            thread.start()
            while thread.is_alive():
                await asyncio.sleep(0.05)
        finally:
            gc.callbacks.remove(time_gc)
        if failures:
            raise RuntimeError(failures[0])
        return list(probe.samples)

    def describe(samples: list[tuple[float, float, float]]) -> dict[str, Any]:
        totals = [(end - arrival) * 1000 for arrival, _sent, end in samples]
        full = [ms for generation, ms in gc_pauses if generation == 2]
        return {
            "presses": len(samples),
            "over_16ms": sum(1 for total in totals if total > 16),
            "queue_wait_ms": summary([(sent - arrival) * 1000 for arrival, sent, _ in samples]),
            "handle_and_paint_ms": summary([(end - sent) * 1000 for _, sent, end in samples]),
            "gc": {
                "collections": len(gc_pauses),
                "full_collections": len(full),
                "longest_ms": round(max((ms for _, ms in gc_pauses), default=0.0), 2),
                "longest_full_ms": round(max(full, default=0.0), 2),
            },
        }

    async def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
        deadline = time.perf_counter() + seconds
        while not condition():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"timed out waiting for {what}")
            await asyncio.sleep(0.02)

    async def measure() -> None:
        window.show()
        window.activateWindow()
        await wait_for(lambda: QApplication.activeWindow() is window, 5, "the window")
        await asyncio.sleep(0.3)
        finished: list[bool] = []
        controller.command_finished.connect(lambda: finished.append(True))
        original_open = controller.open_proposals

        def timed_open(*args: Any, **kwargs: Any) -> None:
            probe.opened_at = time.perf_counter()
            original_open(*args, **kwargs)

        controller.open_proposals = timed_open
        load_started = time.perf_counter()
        controller.load_sources([str(source)], workspace)  # > 128 KB: parsed in the worker
        await wait_for(lambda: bool(finished), 120, "the 100k-line proposal to load")
        await wait_for(lambda: probe.first_paint is not None, 10, "its first paint")
        await wait_for(lambda: not controller.has_pending_work(), 60, "the staleness check")
        assert probe.first_paint is not None
        proposals = controller.session.proposals
        if len(proposals) != 1 or len(proposals[0].changes) != 1:
            raise RuntimeError(f"expected one file; the queue is {controller.session.items[:3]}")
        change = proposals[0].changes[0]
        report["hunks"] = len(change.hunks)
        report["load_to_first_paint_ms"] = round((probe.first_paint - load_started) * 1000, 1)
        report["open_proposals_to_first_paint_ms"] = round(
            (probe.first_paint - probe.opened_at) * 1000, 1
        )
        viewport = window.diff.viewport()
        report["diff_viewport"] = [viewport.width(), viewport.height()]
        report["window"] = [window.width(), window.height()]
        report["parsed_in_own_process"] = gateway.cancellable_runs > 0
        await asyncio.sleep(0.5)

        log(f"idle: {IDLE_PRESSES} presses")
        idle = await run_presses(IDLE_PRESSES, seed=1)
        report["idle"] = describe(idle)

        jobs: list[float] = []

        # The worker reads the pair itself, as the app hands it a source to load: only
        # file names are pickled in this process, never the texts.
        base_file, new_file = folder / "churn-base.txt", folder / "churn-new.txt"
        base_file.write_text(change.base_text or "", encoding="utf-8")
        new_file.write_text(change.new_text or "", encoding="utf-8")

        async def churn() -> None:
            job = (diff_files_job, change.path, str(base_file), str(new_file), 3)
            while True:
                started = time.perf_counter()
                await gateway.latest("bench:diff", *job)
                jobs.append(time.perf_counter() - started)

        churning = asyncio.ensure_future(churn())
        await wait_for(lambda: len(jobs) >= 1, 60, "the first background diff")
        log(f"busy: {BUSY_PRESSES} presses")
        jobs_before = len(jobs)
        busy_started = time.perf_counter()
        busy = await run_presses(BUSY_PRESSES, seed=2)
        report["busy"] = describe(busy)
        busy_seconds = time.perf_counter() - busy_started
        busy_jobs = len(jobs) - jobs_before
        churning.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await churning
        report["key_to_next_hunk_ms"] = {
            "idle": summary([(end - arrival) * 1000 for arrival, _, end in idle]),
            "busy": summary([(end - arrival) * 1000 for arrival, _, end in busy]),
        }
        report["busy"]["background_diffs_finished"] = busy_jobs
        report["busy"]["background_diff_ms"] = summary([job * 1000 for job in jobs])
        report["busy"]["seconds"] = round(busy_seconds, 1)
        report["measured_paints_without_the_hunk_in_view"] = probe.off_screen

    try:
        with loop:
            loop.run_until_complete(measure())
    finally:
        diff_view.DiffView.paintEvent = original_paint
        gateway.shutdown()
        decision_log.close()
    return report


if __name__ == "__main__":
    raise SystemExit(main())

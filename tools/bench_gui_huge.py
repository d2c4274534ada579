"""The `key_onto_huge_proposal_ms` figure for tools/bench_gui.py (run in its own process).

A queue of a small proposal and a million-line new file, loaded as the app loads a big
source (`ReviewController.load_sources`: parsed in the worker process). J steps onto the
huge file and K back, again and again; each press is timed from just before the key
event is sent to the end of the diff view's paint that shows the hunk it moved to.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

HUGE_LINES = 1_000_000
PRESSES = 10  # onto the huge file; as many back


def write_huge_queue(folder: Path) -> Path:
    new_file = "".join(f"value_{n} = compute({n % 977}, 'v{n}')\n" for n in range(HUGE_LINES))
    small = {"path": "notes.txt", "base": "one\ntwo\n", "new": "one\n2\n"}
    document = {
        "vetline": 1,
        "proposals": [
            {"id": "small", "title": "A small fix", "changes": [small]},
            {
                "id": "huge",
                "title": "A generated module of a million lines",
                "changes": [{"path": "src/generated.py", "base": None, "new": new_file}],
            },
        ],
    }
    source = folder / "huge-proposal.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    return source


def role_huge(source: Path, folder: Path) -> dict[str, Any]:
    """Key to paint, onto the million-line file and back; returns the report."""
    import asyncio

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from bench_gui import bench_window
    from vetline.ui import diff_view

    loop, decision_log, gateway, window = bench_window(folder / "huge-decisions.sqlite3")
    controller = window.controller
    painted: list[tuple[str, float]] = []  # (proposal on screen, end of paint)
    original_paint = diff_view.DiffView.paintEvent

    def timed_paint(view: diff_view.DiffView, event: Any) -> None:
        original_paint(view, event)
        current = controller.current
        if view is window.diff and current is not None and len(view.rows()):
            painted.append((current.proposal.id, time.perf_counter()))

    async def press(key: Qt.Key, onto: str) -> float:
        painted.clear()
        started = time.perf_counter()
        QTest.keyClick(window.windowHandle(), key)
        deadline = started + 60
        while not any(proposal == onto for proposal, _ in painted):
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{onto} was not painted within 60 s")
            await asyncio.sleep(0.001)
        end = next(at for proposal, at in painted if proposal == onto)
        return (end - started) * 1000

    async def measure() -> dict[str, Any]:
        window.show()
        window.activateWindow()
        finished: list[bool] = []
        controller.command_finished.connect(lambda: finished.append(True))
        loaded = time.perf_counter()
        controller.load_sources([str(source)], None)
        while not finished:
            await asyncio.sleep(0.02)
        load_seconds = time.perf_counter() - loaded
        while controller.has_pending_work():
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)
        onto, back = [], []
        for _ in range(PRESSES):
            onto.append(await press(Qt.Key.Key_J, "huge"))
            await asyncio.sleep(0.05)
            back.append(await press(Qt.Key.Key_K, "small"))
            await asyncio.sleep(0.05)
        return {
            "key_onto_huge_proposal_ms": {
                "median": round(statistics.median(onto), 2),
                "max": round(max(onto), 2),
            },
            "huge_details": {
                "lines": HUGE_LINES,
                "onto_ms": [round(ms, 2) for ms in onto],
                "back_ms": [round(ms, 2) for ms in back],
                "load_seconds": round(load_seconds, 1),
                "worker_started": gateway.worker_started,
            },
        }

    diff_view.DiffView.paintEvent = timed_paint
    try:
        with loop:
            return loop.run_until_complete(measure())
    finally:
        diff_view.DiffView.paintEvent = original_paint
        gateway.shutdown()
        decision_log.close()

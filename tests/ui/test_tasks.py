"""The background-work gateway: newest request wins, stale results are dropped, writes queue."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
import qasync
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_S
from helpers.review_window import WAIT_MS
from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.paths import resources_dir
from vetline.core.hunks import hunks_from_texts
from vetline.core.settings import default_settings
from vetline.ui.controller import ReviewController
from vetline.ui.tasks import (
    WORKER_NICENESS,
    BackgroundWork,
    JobFailed,
    Superseded,
    diff_files_job,
    diff_texts_job,
    is_big_input,
    load_source_job,
)

BASE = "".join(f"line {number}\n" for number in range(5_000))


def run(qtbot: QtBot, work: Coroutine[Any, Any, Any]) -> Any:
    task = asyncio.ensure_future(work)
    qtbot.waitUntil(task.done, timeout=WAIT_MS * 2)
    return task.result()


@pytest.fixture
def gateway() -> BackgroundWork:
    work = BackgroundWork()
    yield work
    work.shutdown()


def test_a_newer_request_drops_the_older_result(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, gateway: BackgroundWork
) -> None:
    older_text = BASE.replace("line 2500\n", "changed in the middle\n")
    newer_text = BASE.replace("line 10\n", "changed near the top\n")

    async def both() -> list[Any]:
        older = asyncio.ensure_future(
            gateway.latest("diff", diff_texts_job, "a.txt", BASE, older_text, 3)
        )
        await asyncio.sleep(0.05)  # the older one is on its way (or running) in the worker
        newer = asyncio.ensure_future(
            gateway.latest("diff", diff_texts_job, "a.txt", BASE, newer_text, 3)
        )
        return await asyncio.gather(older, newer, return_exceptions=True)

    older, newer = run(qtbot, both())
    assert isinstance(older, Superseded)
    assert [hunk.old_start for hunk in newer] == [8]
    assert gateway.worker_started


def test_a_result_that_finishes_after_a_newer_request_began_is_dropped(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, gateway: BackgroundWork
) -> None:
    run(qtbot, gateway.latest("warm-up", diff_texts_job, "a", "a\n", "b\n", 3))

    async def overtaken() -> tuple[Any, Any]:
        # A job that takes a known while (time.sleep pickles by name, like any job).
        older = asyncio.ensure_future(gateway.latest("diff", time.sleep, 0.6))
        await asyncio.sleep(0.2)  # running now: it cannot be cancelled, only dropped
        newer = asyncio.ensure_future(gateway.latest("diff", diff_texts_job, "a", "a\n", "b\n", 3))
        return tuple(await asyncio.gather(older, newer, return_exceptions=True))

    older, newer = run(qtbot, overtaken())
    assert isinstance(older, Superseded)
    assert len(newer) == 1
    # Other slots are independent: a request there supersedes nothing here.
    other = run(qtbot, gateway.latest("other", diff_texts_job, "b", "a\n", "c\n", 3))
    assert len(other) == 1


def test_a_failing_job_comes_back_as_words(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, gateway: BackgroundWork, tmp_path: Path
) -> None:
    missing = str(tmp_path / "nowhere.diff")
    with pytest.raises(JobFailed, match="no such file"):
        run(qtbot, gateway.latest("load", load_source_job, missing, None, 1 << 20))


def test_serial_jobs_run_one_at_a_time_in_order(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, gateway: BackgroundWork
) -> None:
    running = threading.Semaphore(1)
    order: list[int] = []

    def write(number: int) -> int:
        assert running.acquire(blocking=False), "two writes overlapped"
        try:
            time.sleep(0.01)
            order.append(number)
        finally:
            running.release()
        return number

    async def many() -> list[int]:
        return list(await asyncio.gather(*(gateway.serial(write, n) for n in range(8))))

    assert run(qtbot, many()) == list(range(8))
    assert order == list(range(8))


def test_big_inputs_are_parsed_in_the_worker_process(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    source = resources_dir() / "demo" / "proposals" / "01-pager-fix.json"
    assert is_big_input(str(source), 0) and not is_big_input(str(source), 10**9)
    assert not is_big_input("-", 0)  # stdin belongs to this process
    gateway = BackgroundWork(inline_limit_bytes=0)
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        controller = ReviewController(log, default_settings(), gateway)
        with qtbot.waitSignal(controller.command_finished, timeout=WAIT_MS * 2):
            controller.load_sources([str(source)], tmp_path)
        assert gateway.cancellable_runs == 1  # in a process of its own
        assert [p.id for p in controller.session.proposals] == ["demo-pager-fix"]
        assert len(controller.session.items) == 2
        qtbot.waitUntil(lambda: not controller.has_pending_work(), timeout=WAIT_MS)
    gateway.shutdown()


def test_a_bad_source_reaches_the_banner_not_a_traceback(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, tmp_path: Path, gateway: BackgroundWork
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"vetline": 1, "proposals": [{"title": 3}]}', encoding="utf-8")
    with DecisionLog(tmp_path / "log.sqlite3") as log:
        controller = ReviewController(log, default_settings(), gateway)
        with qtbot.waitSignal(controller.problem, timeout=WAIT_MS) as problem:
            controller.load_sources([str(bad)], tmp_path)
        message = problem.args[0]
        assert message.startswith(f"Could not open {bad}")
        assert "missing required key 'changes'" in message or "title" in message
        assert "Traceback" not in message
        qtbot.waitUntil(lambda: not controller.has_pending_work(), timeout=WAIT_MS)


def test_the_worker_reads_the_files_it_diffs(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, gateway: BackgroundWork, tmp_path: Path
) -> None:
    new = "".join(f"line {n} changed\n" if n % 10 == 0 else f"line {n}\n" for n in range(5_000))
    (tmp_path / "base.txt").write_text(BASE, encoding="utf-8")
    (tmp_path / "new.txt").write_text(new, encoding="utf-8")
    expected = hunks_from_texts("a.txt", BASE, new, 3)
    assert len(expected) == 500
    job = (diff_files_job, "a.txt", str(tmp_path / "base.txt"), str(tmp_path / "new.txt"), 3)
    assert run(qtbot, gateway.latest("diff", *job)) == expected
    missing = (diff_files_job, "a.txt", str(tmp_path / "gone.txt"), str(tmp_path / "new.txt"), 3)
    with pytest.raises(JobFailed, match="gone.txt"):
        run(qtbot, gateway.latest("diff", *missing))


def test_a_loader_started_ahead_parses_the_first_big_source(
    qtbot: QtBot, qt_loop: qasync.QEventLoop
) -> None:
    gateway = BackgroundWork()
    assert not gateway.worker_started  # only a job for it starts the worker
    gateway.start_loader()
    assert not gateway.worker_started  # the loader is a process of its own
    ahead = run(qtbot, gateway.cancellable("first", os.getpid))
    again = run(qtbot, gateway.cancellable("second", os.getpid))
    assert ahead != os.getpid() and again not in (ahead, os.getpid())  # one process each
    gateway.start_loader()  # started and never used: shutting down still ends it
    gateway.shutdown()


ORPHAN_PROBE = """
import asyncio, os, sys
from vetline.ui.tasks import BackgroundWork

gateway = BackgroundWork()
print(asyncio.run(gateway.latest("pid", os.getpid)), flush=True)
os._exit(0)  # as a killed window ends: no shutdown, the worker is not told
"""


def test_a_worker_ends_when_the_window_process_is_gone() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", ORPHAN_PROBE],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        timeout=HANG_GUARD_S,  # a hang guard: a worker left running keeps the pipe open
        check=True,
    )
    worker = int(done.stdout.split()[0])
    assert worker != os.getpid()
    # Its pipe closed as it began to exit; a worker at low priority may still be finishing.
    deadline = time.monotonic() + 60  # a hang guard, not a budget
    while not _ended(worker):
        assert time.monotonic() < deadline, f"worker {worker} still runs"
        time.sleep(0.01)


def _ended(pid: int) -> bool:
    try:
        return "zombie" in Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except FileNotFoundError:
        return True


def test_background_jobs_run_at_a_lower_cpu_priority_than_the_window_and_loads_do_not(
    qtbot: QtBot, qt_loop: qasync.QEventLoop, gateway: BackgroundWork
) -> None:
    window_niceness = os.nice(0)
    worker_niceness = run(qtbot, gateway.once(os.nice, 0))
    assert worker_niceness == min(19, window_niceness + WORKER_NICENESS)
    # A source being loaded is what the reviewer waits for: its process keeps the priority.
    assert run(qtbot, gateway.cancellable("load", os.nice, 0)) == window_niceness
    assert os.nice(0) == window_niceness  # the window's own priority is left alone

"""One window per data folder: two real `vetline review` processes, offscreen."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QDir
from pytestqt.qtbot import QtBot

from helpers.command_line import HANG_GUARD_S, wait_until
from helpers.review_window import new_window
from vetline.adapters.paths import resources_dir
from vetline.ui.app import read_last_session
from vetline.ui.single_instance import InstanceServer, serve_second_starts, server_name

PROPOSALS = resources_dir() / "demo" / "proposals"
FIRST = str(PROPOSALS / "01-pager-fix.json")
SECOND = str(PROPOSALS / "02-study-note.json")
THIRD = str(PROPOSALS / "03-typed-inventory.json")


def environment(data: Path) -> dict[str, str]:
    return {**os.environ, "VETLINE_DATA_DIR": str(data), "QT_QPA_PLATFORM": "offscreen"}


@contextmanager
def window_process(data: Path, source: str, cwd: Path) -> Iterator[subprocess.Popen[str]]:
    """`vetline review SOURCE` running (its window offscreen) until the block ends."""
    with subprocess.Popen(
        [sys.executable, "-m", "vetline", "review", source],
        env=environment(data),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
            process.communicate(timeout=HANG_GUARD_S)


def second_start(data: Path, source: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vetline", "review", source],
        env=environment(data),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        check=False,
    )


def queued(data: Path) -> tuple[str, ...]:
    """The running window's sources, as it remembers them for the next start."""
    session = read_last_session(data)
    return session.sources if session is not None else ()


def socket_file(data: Path) -> Path:
    return Path(QDir.tempPath()) / server_name(data)


def answers(data: Path) -> bool:
    """Whether a window listens on the data folder's socket now (a file left behind by
    a window that died refuses the connection)."""
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(socket_file(data)))
        except OSError:
            return False
    return True


def test_a_second_review_hands_its_source_to_the_running_window(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with window_process(data, FIRST, tmp_path) as first:
        wait_until(lambda: socket_file(data).exists() or first.poll() is not None, "listening")
        assert first.poll() is None, first.communicate()
        wait_until(lambda: queued(data) == (FIRST,), "the first source queued")

        second = second_start(data, SECOND, tmp_path)
        assert second.returncode == 0, second.stderr
        assert "handed to the Vetline window already open" in second.stdout
        wait_until(lambda: queued(data) == (FIRST, SECOND), "the second source joins the queue")
        assert first.poll() is None


def test_a_window_that_is_gone_leaves_no_hold_on_the_next_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with window_process(data, FIRST, tmp_path) as first:
        wait_until(lambda: socket_file(data).exists() or first.poll() is not None, "listening")
        first.kill()  # no clean-up: its socket stays behind
        first.wait()
    assert socket_file(data).exists()
    assert not answers(data)
    with window_process(data, SECOND, tmp_path) as replacement:
        wait_until(
            lambda: queued(data) == (SECOND,) or replacement.poll() is not None,
            "a window of its own",
        )
        # It listens once its first paint is done: a start before then opens its own.
        wait_until(lambda: answers(data) or replacement.poll() is not None, "listening")
        assert replacement.poll() is None, replacement.communicate()
        # It took the name over: the next start hands over to it.
        third = second_start(data, THIRD, tmp_path)
        assert third.returncode == 0, third.stderr
        wait_until(lambda: queued(data) == (SECOND, THIRD), "the third source joins")


def test_other_data_folders_and_repositories_are_not_handed_over(tmp_path: Path) -> None:
    from vetline.ui.single_instance import can_hand_over

    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "x" / ".." / "a")
    assert can_hand_over([FIRST, SECOND])
    assert not can_hand_over([])
    assert not can_hand_over([FIRST, "-"])
    assert not can_hand_over([FIRST, str(tmp_path)])  # a folder: a repository's own window


def test_a_window_opened_beside_a_running_one_leaves_it_the_name(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """`vetline demo` beside a running window: the running one keeps the socket."""
    data = tmp_path / "data"
    first_window, first_log = new_window(tmp_path / "first")
    beside_window, beside_log = new_window(tmp_path / "beside")
    for window in (first_window, beside_window):
        qtbot.addWidget(window)
    try:
        first = serve_second_starts(first_window.controller, first_window, data)
        before = socket_file(data).stat().st_ino
        beside = InstanceServer(beside_window.controller, beside_window, data)
        assert not beside.listen()
        assert socket_file(data).stat().st_ino == before  # not taken over
        first.close()
        assert beside.listen()  # the name is free once the first window is gone
        beside.close()
    finally:
        for window, log in ((first_window, first_log), (beside_window, beside_log)):
            window.controller.gateway.shutdown()
            log.close()

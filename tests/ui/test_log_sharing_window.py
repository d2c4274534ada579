"""A second program opening the window's decision log: the window already open is told."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from helpers.logkit import APP
from helpers.review_window import WAIT_MS, Review

# Opens the log, says so, and holds it open until told to close.
HOLDER = textwrap.dedent(
    """
    import sys
    import time
    from pathlib import Path

    sys.path.insert(0, sys.argv[1])
    from vetline.adapters.decision_log import DecisionLog

    log_path, signals = Path(sys.argv[2]), Path(sys.argv[3])
    with DecisionLog(log_path) as log:
        (signals / "warnings").write_text("\\n".join(log.warnings), encoding="utf-8")
        while not (signals / "close").exists():
            time.sleep(0.01)
    """
)


def test_the_window_is_told_when_another_program_opens_its_log(
    review: Review, tmp_path: Path
) -> None:
    assert "another Vetline" not in review.window.banner.message()
    signals = tmp_path / "signals"
    signals.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(APP), str(review.log.path), str(signals)]
    )
    try:
        review.qtbot.waitUntil(
            lambda: f"pid {child.pid}" in review.window.banner.message(), timeout=WAIT_MS
        )
        message = review.window.banner.message()
        assert "another Vetline has this decision log open" in message
        assert "both record into it safely" in message
        # And the second program was told of the window, as before.
        review.qtbot.waitUntil(lambda: (signals / "warnings").exists(), timeout=WAIT_MS)
        told = (signals / "warnings").read_text(encoding="utf-8")
        assert f"pid {os.getpid()}" in told
    finally:
        (signals / "close").touch()
        child.wait(timeout=60)

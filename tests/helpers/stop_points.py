"""A real Vetline process stopped (killed with SIGKILL) or failed with EIO at its n-th
file-system call or log append: the points, running a script to one, and reading the log
back as the verdicts that stand.

The child stops at its n-th point once `active` is set, says so through a pipe and
waits; the test then kills it with SIGKILL — waiting on the child's word, never on a
clock. Or the n-th call fails with EIO (the log with the error SQLite's "disk I/O
error" gives) and the child goes on as it would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from helpers import HANG_GUARD_S
from vetline.adapters.decision_log import DecisionLog

# The files the writes change: one edited in two places, and one added.
OLD = "".join(f"line {i}\n" for i in range(20))
NEW = OLD.replace("line 3\n", "line three\n").replace("line 15\n", "line fifteen\n")
ADDED = "a new file\n"

# Stops at its n-th point (0: never; it then reports how many points it passed). Points
# are the moments just before each file-system call that changes the disk (through the
# os module) and each append to the decision log, counted once `active` is set: the
# disk just after one call is the disk just before the next.
STOP_POINTS = """
import errno, os, sys
from vetline.adapters.decision_log import DecisionLog, DecisionLogError

report = int(os.environ["VETLINE_TEST_REPORT_FD"])
stop_at = int(os.environ["VETLINE_TEST_STOP_AT"])
failing = os.environ["VETLINE_TEST_MODE"] == "fail"
write, read = os.write, os.read
passed = 0
active = False

def point(name, args=()):
    global passed
    if not active or not name.startswith("before"):
        return
    passed += 1
    if passed != stop_at:
        return
    write(report, f"at {passed} {name}\\n".encode())
    if not failing:
        read(0, 1)  # stdin stays open and silent: wait here for the kill
    elif name.endswith("log append"):  # as append says SQLite's error
        raise DecisionLogError("the decision log failed: disk I/O error")
    else:
        where = str(args[0]) if args and isinstance(args[0], (str, os.PathLike)) else None
        raise OSError(errno.EIO, "Input/output error", where)

def watched(name, function):
    def call(*args, **kwargs):
        point(f"before {name}", args)
        result = function(*args, **kwargs)
        point(f"after {name}")
        return result
    return call

for name in ("open", "fsync", "link", "replace", "rename", "unlink", "rmdir", "mkdir", "chmod"):
    setattr(os, name, watched(name, getattr(os, name)))
DecisionLog.append = watched("log append", DecisionLog.append)

def done(code):
    global active
    active = False
    write(report, f"passed {passed}\\n".encode())
    sys.exit(code)
"""

# Points counted from the start of `vetline apply`'s scripted review (`main` is imported).
FROM_THE_SCRIPTED_REVIEW = """
from vetline.cli import main
from vetline.operations.reviewer import Reviewer

decide_all = Reviewer.decide_all

def deciding(self, *args, **kwargs):
    global active
    active = True
    return decide_all(self, *args, **kwargs)

Reviewer.decide_all = deciding
"""


def run_stopping_at(
    stop_at: int, script: str, args: Sequence[str], data: Path, *, fail: bool = False
) -> str:
    """Run `script` (STOP_POINTS and more) with `args`; kill it with SIGKILL where it
    stops (or, with `fail`, fail the call there and let it go on). Returns its report."""
    read_end, write_end = os.pipe()
    env = {
        **os.environ,
        "VETLINE_DATA_DIR": str(data),
        "VETLINE_TEST_REPORT_FD": str(write_end),
        "VETLINE_TEST_STOP_AT": str(stop_at),
        "VETLINE_TEST_MODE": "fail" if fail else "stop",
    }
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        env=env,
        pass_fds=(write_end,),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as reports:
        said = reports.readline()  # the child stopped at its point, or finished
        if said.startswith("at ") and not fail:
            child.send_signal(signal.SIGKILL)
        reports.read()  # a failed call's child goes on to the end, and says so
    _, errors = child.communicate(timeout=HANG_GUARD_S)
    if fail:
        # An I/O error is reported, never a crash: exit 1 and words, or done anyway.
        assert child.returncode in (0, 1) and "Traceback" not in errors, (said, errors)
    elif said.startswith("at "):
        assert child.returncode == -signal.SIGKILL, said
    else:
        assert child.returncode == 0, (said, errors)
    return said.strip()


def standing_verdicts(data: Path) -> dict[str, list[str]]:
    """Per path, each hunk's verdict as the log has it now (not_applied: pending again)."""
    standing: dict[tuple[str, str], str] = {}
    with DecisionLog(data / "decisions.sqlite3") as log:
        for row in log.rows():
            key = (str(row["path"]), str(row["hunk_id"]))
            standing[key] = "pending" if row["verdict"] == "not_applied" else str(row["verdict"])
    by_path: dict[str, list[str]] = {}
    for (path, _), verdict in sorted(standing.items()):
        by_path.setdefault(path, []).append(verdict)
    return by_path

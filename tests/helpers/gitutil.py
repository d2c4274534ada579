"""A real git repository in a temp folder, for tests that compare with git itself."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from helpers.gitrepo import GIT_ENV, GIT_OPTIONS


def git(cwd: Path, *args: str, input_bytes: bytes | None = None, check: bool = True) -> bytes:
    result = subprocess.run(
        ["git", *GIT_OPTIONS, *args],
        cwd=cwd,
        input=input_bytes,
        capture_output=True,
        env={**os.environ, **GIT_ENV},
        check=False,
    )
    if check and result.returncode not in (0, 1):
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr.decode()}")
    return result.stdout


def diff_no_index(old: Path, new: Path, *extra: str) -> bytes:
    return git(old.parent, "diff", "--no-index", "--no-color", *extra, str(old), str(new))

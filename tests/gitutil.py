"""A real git repository in a temp folder, for tests that compare with git itself."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(cwd: Path, *args: str, input_bytes: bytes | None = None, check: bool = True) -> bytes:
    result = subprocess.run(
        ["git", "-c", "core.autocrlf=false", "-c", "init.defaultBranch=main", *args],
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

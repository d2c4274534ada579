"""The one way Vetline runs git: in one working tree, nothing converted, quoted or globbed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from vetline.core.errors import InputError, VetlineError

# Variables that would point git at another repository than the one we were given.
REPOSITORY_VARIABLES = frozenset(
    {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY"}
)


class GitCommandError(VetlineError):
    """git refused a command (a held index.lock, a full disk); the message is git's."""


class Git:
    """Runs git in one working tree with nothing converted, quoted or globbed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._env = {k: v for k, v in os.environ.items() if k not in REPOSITORY_VARIABLES}
        # Reads must not refresh (and so rewrite) the index behind the reviewer's back.
        self._env["GIT_OPTIONAL_LOCKS"] = "0"

    def run(self, *args: str, stdin: bytes | None = None, user_conversions: bool = False) -> bytes:
        """git's output; `user_conversions` keeps the user's line-ending settings."""
        options = [] if user_conversions else ["-c", "core.autocrlf=false"]
        command = ["git", "--literal-pathspecs", "-c", "core.quotepath=off", *options, *args]
        try:
            result = subprocess.run(
                command, cwd=self.root, input=stdin, capture_output=True, env=self._env, check=False
            )
        except FileNotFoundError as error:
            raise InputError("git is not installed (or not on PATH)") from error
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise GitCommandError(f"git {args[0]} failed in {self.root}: {message}")
        return result.stdout

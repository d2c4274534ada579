"""The one way Vetline runs git: in one working tree, nothing converted, quoted or globbed."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
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

    def run(
        self,
        *args: str,
        stdin: bytes | None = None,
        user_conversions: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> bytes:
        """git's output; `user_conversions` keeps the user's line-ending settings; `env`
        adds variables (such as a scratch object folder) for this command only."""
        options = [] if user_conversions else ["-c", "core.autocrlf=false"]
        command = ["git", "--literal-pathspecs", "-c", "core.quotepath=off", *options, *args]
        try:
            result = subprocess.run(
                command,
                cwd=self.root,
                input=stdin,
                capture_output=True,
                env={**self._env, **env} if env else self._env,
                check=False,
            )
        except FileNotFoundError as error:
            raise InputError("git is not installed (or not on PATH)") from error
        if result.returncode != 0:
            # git's advice spans lines; one line reads as a sentence in a banner or on stderr.
            message = " ".join(result.stderr.decode("utf-8", "replace").split())
            raise GitCommandError(f"git {args[0]} failed in {self.root}: {message}")
        return result.stdout


def read_blobs(
    git: Git, blobs: Iterable[str], env: Mapping[str, str] | None = None
) -> dict[str, bytes]:
    """Blob contents by id, exactly as stored: `cat-file --batch` converts nothing."""
    wanted = sorted(set(blobs))
    if not wanted:
        return {}
    out = git.run(
        "cat-file", "--batch", stdin="".join(f"{blob}\n" for blob in wanted).encode(), env=env
    )
    contents: dict[str, bytes] = {}
    position = 0
    for blob in wanted:
        end = out.index(b"\n", position)
        header = out[position:end].split(b" ")
        if len(header) != 3 or header[1] != b"blob":
            raise GitCommandError(f"git has no blob {blob} ({out[position:end]!r})")
        size = int(header[2])
        contents[blob] = out[end + 1 : end + 1 + size]
        position = end + 1 + size + 1
    return contents

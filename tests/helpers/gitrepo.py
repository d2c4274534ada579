"""Real git repositories in temp folders, git isolated from any config, and hunks as patches."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from vetline.core.model import Change, Hunk
from vetline.core.patch_text import file_patch, hunk_text
from vetline.core.text import encode

# Nothing from the user's or the system's git config may change what git prints.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ann Agent",
    "GIT_AUTHOR_EMAIL": "ann@example.com",
    "GIT_COMMITTER_NAME": "Carl Committer",
    "GIT_COMMITTER_EMAIL": "carl@example.com",
    "GIT_AUTHOR_DATE": "2024-05-06T07:08:09+02:00",
    "GIT_COMMITTER_DATE": "2024-05-06T07:08:09+02:00",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "LC_ALL": "C",
}
GIT_OPTIONS = (
    "-c",
    "core.autocrlf=false",
    "-c",
    "core.quotepath=true",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "init.defaultBranch=main",
)


def run_git(
    cwd: Path, args: Iterable[str], stdin: bytes | None, succeeded: tuple[int, ...] | None
) -> bytes:
    """git's output in `cwd`, isolated from any config; an exit outside `succeeded` fails."""
    arguments = list(args)
    result = subprocess.run(
        ["git", *GIT_OPTIONS, *arguments],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env={**os.environ, **GIT_ENV},
        check=False,
    )
    if succeeded is not None and result.returncode not in succeeded:
        raise AssertionError(f"git {' '.join(arguments)} failed: {result.stderr.decode()}")
    return result.stdout


def git(cwd: Path, *args: str, input_bytes: bytes | None = None, check: bool = True) -> bytes:
    """git in any folder; exit 1 passes too, as `git diff` says "they differ" with it."""
    return run_git(cwd, args, input_bytes, succeeded=(0, 1) if check else None)


def diff_no_index(old: Path, new: Path, *extra: str) -> bytes:
    """`git diff --no-index` of two files: what git itself makes of the change."""
    return git(old.parent, "diff", "--no-index", "--no-color", *extra, str(old), str(new))


class GitRepo:
    """A working tree with helpers to write files, commit, and take diffs of the changes."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def init(cls, root: Path) -> GitRepo:
        root.mkdir(parents=True, exist_ok=True)
        repo = cls(root)
        repo.git("init", "-q")
        return repo

    def git(self, *args: str, stdin: bytes | None = None, check: bool = True) -> bytes:
        return run_git(self.root, args, stdin, succeeded=(0,) if check else None)

    def write(self, path: str, data: bytes | str) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)
        return target

    def read(self, path: str) -> bytes | None:
        target = self.root / path
        return target.read_bytes() if target.is_file() else None

    def remove(self, path: str) -> None:
        (self.root / path).unlink()

    def rename(self, old: str, new: str) -> None:
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        (self.root / old).rename(self.root / new)

    def chmod(self, path: str, mode: int) -> None:
        (self.root / path).chmod(mode)

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").decode().strip()

    def diff(self, *options: str) -> bytes:
        """The working tree's changes against HEAD (new files included), as `git diff` shows."""
        self.git("add", "-A")
        try:
            return self.git("diff", "--cached", "-M", *options)
        finally:
            self.git("reset", "-q")

    def format_patch(self, revisions: str, *options: str) -> bytes:
        return self.git("format-patch", "--stdout", *options, revisions)

    def apply(self, patch: bytes, *options: str) -> None:
        self.git("apply", *options, "-", stdin=patch)

    def copy(self, destination: Path) -> GitRepo:
        shutil.copytree(self.root, destination, symlinks=True)
        return GitRepo(destination)

    def files(self) -> dict[str, bytes]:
        """Every tracked or untracked file outside .git, by relative path."""
        return {
            path.relative_to(self.root).as_posix(): path.read_bytes()
            for path in sorted(self.root.rglob("*"))
            if path.is_file() and ".git" not in path.relative_to(self.root).parts
        }


def render_hunk(hunk: Hunk) -> str:
    """A hunk as patch text: its @@ header and lines, with "\\ No newline" markers."""
    return hunk_text(hunk)


def render_text_patch(change: Change, hunks: Iterable[Hunk]) -> bytes:
    """A git patch of one text file holding only `hunks`, patching the file where it was.

    Renames and mode changes are left out: the hunks apply to the old name in place.
    """
    return encode(
        file_patch(
            change.source_path,
            list(hunks),
            created=change.status == "added",
            deleted=change.status == "deleted",
        )
    )

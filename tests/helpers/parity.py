"""Vetline against `git apply` on the same files: two copies of a tree, one patch, both results.

Git is the reference. A check passes when Vetline wrote exactly what git wrote (bytes,
executable bit, links, folders), or when Vetline refused with a non-zero exit and left
its copy untouched; a Vetline exit 0 with any other tree is a silent difference.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from helpers.gitrepo import GIT_ENV, GIT_OPTIONS
from vetline.cli import main

Tree = dict[str, tuple[object, ...]]


def snapshot(root: Path) -> Tree:
    """Everything under `root` but .git: files with bytes and executable bit, links, folders."""
    tree: Tree = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == ".git" or rel.startswith(".git/"):
            continue
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            tree[rel] = ("link", str(path.readlink()))
        elif stat.S_ISDIR(info.st_mode):
            tree[rel] = ("folder",)
        else:
            tree[rel] = ("file", bool(info.st_mode & 0o100), path.read_bytes())
    return tree


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


# The reference is git as the repository configures it: its own core.autocrlf counts.
_REFERENCE_OPTIONS = tuple(
    option
    for index, option in enumerate(GIT_OPTIONS)
    if "core.autocrlf" not in option
    and not (option == "-c" and "core.autocrlf" in GIT_OPTIONS[index + 1])
)


def run_git(
    root: Path, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", *_REFERENCE_OPTIONS, *args],
        cwd=root,
        input=stdin,
        capture_output=True,
        env={**os.environ, **GIT_ENV},
        check=False,
    )


def run_vetline(*args: str) -> tuple[int, str, str]:
    """`vetline ARGS…` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@dataclass(frozen=True)
class Outcome:
    git_code: int
    git_error: str
    vetline_code: int
    vetline_error: str
    git_tree: Tree
    vetline_tree: Tree
    before: Tree

    @property
    def silent_difference(self) -> bool:
        """Vetline said it was done, but its tree is not git's (an empty folder aside:
        git has no such thing, and leaves one behind only where '---' and '+++' name two
        files without saying 'rename')."""
        return self.vetline_code == 0 and (
            self.git_code != 0 or _files_of(self.git_tree) != _files_of(self.vetline_tree)
        )

    def assert_same_or_refused(self) -> None:
        assert not self.silent_difference, self
        if self.vetline_code != 0:
            assert self.vetline_tree == self.before, "a refusal must leave the files alone"
            assert "Traceback" not in self.vetline_error

    def assert_same(self) -> None:
        assert self.git_code == 0, self.git_error
        assert self.vetline_code == 0, self.vetline_error
        assert self.vetline_tree == self.git_tree

    def assert_refused(self, exit_code: int, words: str) -> None:
        assert self.vetline_code == exit_code, self
        assert words in self.vetline_error, self.vetline_error
        assert self.vetline_tree == self.before


def compare_apply(
    base: Path,
    patch: bytes,
    work: Path,
    *accept: str,
    git_command: tuple[str, ...] = ("apply",),
    git_patch: bytes | None = None,
) -> Outcome:
    """Apply `patch` to copies of `base` with `git apply` (or `git_command`, such as
    ("am",) for a mailbox, in a repository) and `vetline apply --accept all` (or the
    hunks named in `accept`; `git_patch` is then what git applies: the patch holding
    only them)."""
    git_copy, vetline_copy = work / "git", work / "vetline"
    for copy in (git_copy, vetline_copy):
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(base, copy, symlinks=True)
    patch_file = work / "input.patch"
    patch_file.write_bytes(patch)
    git_patch_file = patch_file
    if git_patch is not None:
        git_patch_file = work / "git-input.patch"
        git_patch_file.write_bytes(git_patch)
    if not (git_copy / ".git").exists():
        run_git(git_copy, "init", "-q")
    applied = run_git(git_copy, *git_command, str(git_patch_file))
    before = snapshot(vetline_copy)
    code, _, error = run_vetline(
        "--data-dir",
        str(work / "data"),
        "apply",
        str(patch_file),
        "--workspace",
        str(vetline_copy),
        "--accept",
        ",".join(accept) or "all",
        "--level",
        "4",
    )
    return Outcome(
        applied.returncode,
        applied.stderr.decode(errors="replace"),
        code,
        error,
        snapshot(git_copy),
        snapshot(vetline_copy),
        before,
    )


def _files_of(tree: Tree) -> Tree:
    """The tree without folders that hold nothing."""
    full = {path.rsplit("/", 1)[0] for path in tree if "/" in path}
    return {path: what for path, what in tree.items() if what != ("folder",) or path in full}

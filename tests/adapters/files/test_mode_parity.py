"""Permission bits after a write, against `git apply` on twin copies of the same files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.gitrepo import GIT_ENV
from helpers.parity import compare_apply, run_git, write_tree


def permissions(root: Path) -> dict[str, int]:
    return {
        path.relative_to(root).as_posix(): stat.S_IMODE(path.stat().st_mode)
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def _edit(name: str) -> bytes:
    return (
        f"diff --git a/{name} b/{name}\n--- a/{name}\n+++ b/{name}\n@@ -1 +1 @@\n-a\n+b\n"
    ).encode()


@pytest.mark.parametrize("bits", [0o600, 0o664, 0o700, 0o775, 0o755, 0o444, 0o640])
def test_an_edited_file_gets_the_permissions_git_gives_it(tmp_path: Path, bits: int) -> None:
    write_tree(tmp_path / "base", {"f.txt": b"a\n"})
    (tmp_path / "base" / "f.txt").chmod(bits)

    outcome = compare_apply(tmp_path / "base", _edit("f.txt"), tmp_path)

    outcome.assert_same()
    assert permissions(tmp_path / "vetline") == permissions(tmp_path / "git")


def test_new_files_and_mode_changes_get_the_permissions_git_gives_them(tmp_path: Path) -> None:
    write_tree(tmp_path / "base", {"run.sh": b"a\n", "tool": b"a\n"})
    (tmp_path / "base" / "run.sh").chmod(0o600)
    (tmp_path / "base" / "tool").chmod(0o700)
    patch = (
        b"diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n"
        b"diff --git a/tool b/tool\nold mode 100755\nnew mode 100644\n"
        b"diff --git a/new.sh b/new.sh\nnew file mode 100755\n"
        b"--- /dev/null\n+++ b/new.sh\n@@ -0,0 +1 @@\n+x\n"
        b"--- /dev/null\n+++ plain.txt\n@@ -0,0 +1 @@\n+x\n"
    )

    outcome = compare_apply(tmp_path / "base", patch, tmp_path)

    outcome.assert_same()
    assert permissions(tmp_path / "vetline") == permissions(tmp_path / "git")


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_the_umask_counts_as_it_does_for_git(tmp_path: Path) -> None:
    """Under umask 077 git writes 0600 and 0700; Vetline, run the same way, too."""
    for copy in ("git", "vetline"):
        write_tree(tmp_path / copy, {"f.txt": b"a\n", "x.sh": b"a\n"})
        (tmp_path / copy / "f.txt").chmod(0o644)
        (tmp_path / copy / "x.sh").chmod(0o755)
    patch = tmp_path / "input.patch"
    patch.write_bytes(_edit("f.txt") + _edit("x.sh"))
    env = {**os.environ, **GIT_ENV, "VETLINE_DATA_DIR": str(tmp_path / "data")}
    vetline = [sys.executable, "-m", "vetline", "apply", str(patch)]
    vetline += ["--workspace", str(tmp_path / "vetline"), "--accept", "all", "--level", "4"]

    run_git(tmp_path / "git", "init", "-q")
    git = subprocess.run(
        ["git", "apply", str(patch)], cwd=tmp_path / "git", env=env, umask=0o077, check=False
    )
    ours = subprocess.run(vetline, env=env, umask=0o077, capture_output=True, check=False)

    assert git.returncode == 0
    assert ours.returncode == 0, ours.stderr
    assert permissions(tmp_path / "git") == {"f.txt": 0o600, "x.sh": 0o700}
    assert permissions(tmp_path / "vetline") == permissions(tmp_path / "git")

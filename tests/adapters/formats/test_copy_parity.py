"""git copies (`copy from` / `copy to`), applied by Vetline as `git apply` and `git am` do."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.gitrepo import GitRepo
from helpers.parity import compare_apply, run_vetline
from vetline.adapters.formats.unified import parse_unified
from vetline.core.model import FileStatus, HunkKind

LINES = "".join(f"line {number}\n" for number in range(1, 31))


def _copy_patch(repo: GitRepo, *options: str) -> bytes:
    patch = repo.diff("HEAD", "-C", "-C", "--binary", *options)
    repo.git("reset", "-q", "--hard")
    repo.git("clean", "-q", "-fd")
    return patch


def _repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo.init(tmp_path / "base")
    repo.write("src/original.py", LINES)
    repo.write("other.txt", "unrelated\n")
    repo.commit("base")
    return repo


def test_a_whole_copy_without_hunks(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.write("src/copy.py", LINES)
    repo.git("add", "-A")
    patch = _copy_patch(repo)
    assert b"similarity index 100%\ncopy from src/original.py\ncopy to src/copy.py\n" in patch

    outcome = compare_apply(repo.root, patch, tmp_path / "work")

    outcome.assert_same()
    assert outcome.vetline_tree["src/original.py"] == outcome.before["src/original.py"]


@pytest.mark.parametrize("source_name", ["a/first.py", "z/last.py"])
def test_a_copy_with_hunks_reads_its_source_as_it_was_before_the_patch(
    tmp_path: Path, source_name: str
) -> None:
    """The source changes in the same patch (before or after the copy's section); git
    makes the copy from the source's old content all the same."""
    repo = GitRepo.init(tmp_path / "base")
    repo.write(source_name, LINES)
    repo.commit("base")
    repo.write("m/copy.py", LINES.replace("line 3\n", "line three\n"))
    repo.write(source_name, LINES.replace("line 20\n", "line twenty\n"))
    repo.git("add", "-A")
    patch = _copy_patch(repo)
    assert b"copy to m/copy.py" in patch

    outcome = compare_apply(repo.root, patch, tmp_path / "work")

    outcome.assert_same()
    copied = LINES.replace("line 3\n", "line three\n").encode()
    assert outcome.vetline_tree["m/copy.py"][2] == copied


def test_a_copy_takes_its_mode_change_or_its_sources_mode(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.chmod("src/original.py", 0o755)
    repo.git("add", "-A")
    repo.commit("executable")
    repo.write("tool.py", LINES.replace("line 1\n", "#!/bin/sh\n"))
    repo.chmod("tool.py", 0o644)
    repo.write("same.py", LINES)
    repo.chmod("same.py", 0o755)
    repo.git("add", "-A")
    patch = _copy_patch(repo)
    assert b"old mode 100755\nnew mode 100644\n" in patch

    outcome = compare_apply(repo.root, patch, tmp_path / "work")

    outcome.assert_same()
    assert outcome.vetline_tree["tool.py"][1] is False
    assert outcome.vetline_tree["same.py"][1] is True


def test_a_copy_onto_an_existing_file_is_refused_as_git_refuses_it(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.write("src/copy.py", LINES)
    repo.git("add", "-A")
    patch = _copy_patch(repo)
    repo.write("src/copy.py", "already here\n")
    repo.git("add", "-A")
    repo.commit("in the way")

    outcome = compare_apply(repo.root, patch, tmp_path / "work")

    assert outcome.git_code != 0
    outcome.assert_refused(4, "src/copy.py already exists")


def test_a_series_with_copies_applies_as_git_am_applies_it(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    base = repo.git("rev-parse", "HEAD").decode().strip()
    repo.write("src/copy.py", LINES.replace("line 9\n", "line nine\n"))
    repo.git("add", "-A")
    repo.commit("copy it")
    repo.write("src/original.py", LINES.replace("line 1\n", "line one\n"))
    repo.write("third.py", LINES.replace("line 1\n", "line one\n").replace("line 30\n", "end\n"))
    repo.git("add", "-A")
    repo.commit("edit the original, and copy the edited one")
    series = repo.format_patch(f"{base}..HEAD", "-C", "-C")
    assert series.count(b"copy from src/original.py") == 2
    repo.git("reset", "-q", "--hard", base)

    outcome = compare_apply(repo.root, series, tmp_path / "work", git_command=("am", "-q"))

    outcome.assert_same()


def test_a_copy_is_one_item_and_its_hunks_need_it(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.write("src/copy.py", LINES.replace("line 3\n", "line three\n"))
    repo.git("add", "-A")
    patch = _copy_patch(repo)
    (change,) = parse_unified(patch, "copy.patch")[0].changes
    assert change.status is FileStatus.COPIED
    assert (change.old_path, change.path) == ("src/original.py", "src/copy.py")
    copy_item, hunk = change.hunks
    assert (copy_item.kind, hunk.kind) == (HunkKind.COPY, HunkKind.TEXT)
    (tmp_path / "copy.patch").write_bytes(patch)

    code, _, error = run_vetline(
        "--data-dir", str(tmp_path / "data"), "apply", str(tmp_path / "copy.patch"),
        "--workspace", str(repo.root), "--accept", hunk.id, "--level", "4",
    )  # fmt: skip

    assert code == 2
    assert "src/copy.py: its changes are to a copy of src/original.py" in error
    assert not (repo.root / "src" / "copy.py").exists()


def test_copy_from_alone_is_a_copy_as_git_reads_it(tmp_path: Path) -> None:
    """git takes 'copy from' without 'copy to' as a copy (the new name from '+++'): the
    source stays."""
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "x").write_bytes(b"a\nb\nc\n")
    patch = (
        b"diff --git a/x b/f.txt\ncopy from x\n--- a/x\n+++ b/f.txt\n"
        b"@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
    )

    outcome = compare_apply(tmp_path / "base", patch, tmp_path / "work")

    outcome.assert_same()
    assert "x" in outcome.vetline_tree


def test_a_copy_with_binary_changes_is_refused(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "base")
    repo.write("blob.bin", bytes(range(256)) * 8)
    repo.commit("base")
    repo.write("copy.bin", bytes(range(256)) * 7 + bytes(range(255, -1, -1)))
    repo.git("add", "-A")
    patch = _copy_patch(repo)
    assert b"copy from blob.bin" in patch

    outcome = compare_apply(repo.root, patch, tmp_path / "work")

    outcome.assert_refused(2, "copy.bin: a copy with binary changes is not supported")


@pytest.mark.parametrize(
    "header",
    [
        b"copy from x\nrename from x\nrename to y\n",
        b"rename from x\ncopy to y\n",
        b"new file mode 100644\ncopy from x\ncopy to y\n",
        b"deleted file mode 100644\nrename from x\n",
    ],
    ids=["copy-and-rename", "rename-to-a-copy", "new-copy", "deleted-rename"],
)
def test_a_header_of_two_kinds_is_refused_as_git_refuses_it(tmp_path: Path, header: bytes) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "x").write_bytes(b"a\n")

    outcome = compare_apply(tmp_path / "base", b"diff --git a/x b/y\n" + header, tmp_path / "work")

    assert "inconsistent header lines" in outcome.git_error
    outcome.assert_refused(2, "inconsistent header lines")

"""Paths are resolved by a walk from the workspace's descriptor, exactly as resolve() would."""

from __future__ import annotations

import contextlib
import sys
from itertools import accumulate
from pathlib import Path

import pytest

from vetline.adapters.files.safety import PathRules, resolved_below
from vetline.adapters.files.workspace import FileWrite, Workspace

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="links and modes are POSIX")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A workspace reached through a link of its own, with links inside it and out."""
    real = tmp_path / "real"
    (real / "a" / "b").mkdir(parents=True)
    (real / "a" / "file.txt").write_text("x\n", encoding="utf-8")
    (tmp_path / "outside").mkdir()
    if sys.platform != "win32":
        (real / "a" / "in").symlink_to("b")
        (real / "a" / "out").symlink_to(tmp_path / "outside")
        (real / "a" / "loop").symlink_to("loop")
        (real / "a" / "dangling").symlink_to("nowhere/at/all")
        (tmp_path / "via").symlink_to(real)
        return tmp_path / "via"
    return real


RELS = [
    "a",
    "a/b",
    "a/b/new/deeper/name.txt",
    "a/file.txt",
    "a/file.txt/under/a/file",
    "missing/x/y",
    "a/in/c.txt",
    "a/out/escape.txt",
    "a/dangling/x",
    "a/in",
]


@posix_only
@pytest.mark.parametrize("rel", RELS)
def test_the_walk_resolves_as_resolve_does(root: Path, rel: str) -> None:
    names = rel.split("/")
    assert resolved_below(root, names, root.resolve()) == root.joinpath(*names).resolve()


@posix_only
def test_links_are_still_refused_and_followed_inside(root: Path) -> None:
    rules = PathRules(root, ())
    assert rules.refusal("a/b/new/file.txt") is None
    assert rules.refusal("a/in/c.txt") is None  # a link to a folder inside leads inside
    out = rules.refusal("a/out/escape.txt")
    assert out is not None and "leads outside the workspace" in out
    loop = rules.refusal("a/loop/x")
    assert loop is not None and "cannot be" in loop


def test_a_file_two_thousand_folders_deep_is_written_and_checked(tmp_path: Path) -> None:
    names = ["d"] * 2_000
    rel = "/".join(names) + "/leaf.txt"
    try:
        Workspace(tmp_path).write([FileWrite(rel, b"leaf\n", None, None)])
        assert Workspace(tmp_path).read_bytes(rel) == b"leaf\n"
    finally:
        # Bottom-up by hand: shutil.rmtree (and so pytest's clean-up) recurses per level.
        folders = list(accumulate(names, lambda folder, name: folder / name, initial=tmp_path))
        (folders[-1] / "leaf.txt").unlink(missing_ok=True)
        for folder in reversed(folders[1:]):
            with contextlib.suppress(FileNotFoundError):
                folder.rmdir()

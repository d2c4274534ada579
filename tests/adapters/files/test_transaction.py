"""A write of several files that a crash stops half-way is finished on the next run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import HANG_GUARD_S
from helpers.three_files import NEW, OLD, three_file_workspace
from vetline.adapters.files.workspace import FileWrite, Workspace
from vetline.core.model import sha256_hex

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the crash is simulated with POSIX exit")


# Runs a real three-file write in a child process that dies (os._exit, no clean-up)
# just before the rename of the `crash_at`-th file into place.
CRASHING_WRITER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from vetline.adapters.files.workspace import FileWrite, Workspace
    from vetline.core.model import sha256_hex

    root, journals, crash_at = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    renames = 0
    original_replace = Path.replace

    def replace(self, target):
        global renames
        if self.parent == root and ".vetline-tmp-" in self.name:
            renames += 1
            if renames == crash_at:
                os._exit(9)
        return original_replace(self, target)

    Path.replace = replace
    plan = [
        FileWrite(name, f"new {name}\\n".encode(), 0o644, sha256_hex(f"old {name}\\n".encode()))
        for name in ("a.txt", "b.txt", "c.txt")
    ]
    Workspace(root, journal_dir=journals).write(plan)
    """
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return three_file_workspace(tmp_path)


@pytest.fixture
def journals(tmp_path: Path) -> Path:
    return tmp_path / "data" / "write-journals"


def crash_writing(root: Path, journals: Path, crash_at: int) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CRASHING_WRITER, str(root), str(journals), str(crash_at)],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 9, result.stderr.decode()


def contents(root: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(root.iterdir())}


def test_a_crash_between_renames_is_finished_on_the_next_open(root: Path, journals: Path) -> None:
    crash_writing(root, journals, crash_at=2)
    half = contents(root)
    assert half["a.txt"] == NEW["a.txt"]
    assert half["b.txt"] == OLD["b.txt"]
    assert any(".vetline-" in name for name in half)  # the temp files and backups
    assert len(list(journals.iterdir())) == 1

    notes = Workspace(root, journal_dir=journals).finish_interrupted_writes()

    assert notes == ["finished a write a crash had interrupted: b.txt, c.txt"]
    assert contents(root) == NEW
    assert list(journals.iterdir()) == []
    assert Workspace(root, journal_dir=journals).finish_interrupted_writes() == []


def test_a_file_changed_after_the_crash_is_left_as_it_is(root: Path, journals: Path) -> None:
    crash_writing(root, journals, crash_at=2)
    (root / "c.txt").write_bytes(b"the reviewer's own edit\n")

    notes = Workspace(root, journal_dir=journals).finish_interrupted_writes()

    assert notes == [
        "finished a write a crash had interrupted: b.txt",
        "c.txt changed after the interrupted write began; left as it is",
    ]
    assert contents(root) == {**NEW, "c.txt": b"the reviewer's own edit\n"}


def test_a_crash_before_any_rename_finishes_every_file(root: Path, journals: Path) -> None:
    crash_writing(root, journals, crash_at=1)
    assert contents(root) != NEW and (root / "a.txt").read_bytes() == OLD["a.txt"]

    Workspace(root, journal_dir=journals).finish_interrupted_writes()

    assert contents(root) == NEW


def test_a_finished_write_leaves_no_journal_single_file_or_several(
    root: Path, journals: Path
) -> None:
    workspace = Workspace(root, journal_dir=journals)
    workspace.write([FileWrite("a.txt", NEW["a.txt"], 0o644, sha256_hex(OLD["a.txt"]))])
    assert list(journals.iterdir()) == []  # journalled while it ran, gone once done
    workspace.write(
        [FileWrite(name, NEW[name], 0o644, sha256_hex(OLD[name])) for name in ("b.txt", "c.txt")]
    )
    assert list(journals.iterdir()) == []
    assert contents(root) == NEW


def test_a_crash_in_a_single_file_write_is_finished_and_leaves_no_temp_file(
    root: Path, journals: Path
) -> None:
    single = CRASHING_WRITER.replace(
        'for name in ("a.txt", "b.txt", "c.txt")', 'for name in ("a.txt",)'
    )
    done = subprocess.run(
        [sys.executable, "-c", single, str(root), str(journals), "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=HANG_GUARD_S,
    )
    assert done.returncode == 9, done.stderr
    assert [path.name for path in root.iterdir() if ".vetline-tmp-" in path.name]
    notes = Workspace(root, journal_dir=journals).finish_interrupted_writes()
    assert notes == ["finished a write a crash had interrupted: a.txt"]
    assert (root / "a.txt").read_bytes() == NEW["a.txt"]
    assert not [path.name for path in root.iterdir() if ".vetline-" in path.name]


def journal(journals: Path, root: Path, **step: str | None) -> None:
    journals.mkdir(parents=True, exist_ok=True)
    entry = {"temp": None, "backup": None, "old_sha256": None, "new_sha256": None, **step}
    document = {"format": 1, "root": str(root), "steps": [entry]}
    (journals / "write-0000.json").write_text(json.dumps(document))


def test_a_journal_never_leads_outside_the_workspace_or_uses_an_unrecorded_temp(
    root: Path, journals: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep\n")
    (root / ".outside.txt.vetline-tmp-1").write_bytes(b"owned\n")
    journal(
        journals,
        root,
        path="../outside.txt",
        temp=".outside.txt.vetline-tmp-1",
        old_sha256=sha256_hex(b"keep\n"),
        new_sha256=sha256_hex(b"owned\n"),
    )
    notes = Workspace(root, journal_dir=journals).finish_interrupted_writes()
    assert len(notes) == 1 and "../outside.txt" in notes[0] and "refusing" in notes[0]
    assert outside.read_bytes() == b"keep\n"
    (root / ".outside.txt.vetline-tmp-1").unlink()

    # A temp whose bytes are not the ones the journal recorded is not put in place.
    (root / ".a.txt.vetline-tmp-2").write_bytes(b"swapped content\n")
    journal(
        journals,
        root,
        path="a.txt",
        temp=".a.txt.vetline-tmp-2",
        old_sha256=sha256_hex(OLD["a.txt"]),
        new_sha256=sha256_hex(NEW["a.txt"]),
    )
    notes = Workspace(root, journal_dir=journals).finish_interrupted_writes()
    assert notes == ["a.txt could not be finished (its new content is damaged); unchanged"]
    assert contents(root) == OLD


def test_another_workspaces_journal_waits_for_that_workspace(
    root: Path, journals: Path, tmp_path: Path
) -> None:
    journal(journals, tmp_path / "elsewhere", path="a.txt", old_sha256=sha256_hex(OLD["a.txt"]))
    assert Workspace(root, journal_dir=journals).finish_interrupted_writes() == []
    assert len(list(journals.iterdir())) == 1
    assert contents(root) == OLD


def test_vetline_apply_finishes_it_first_and_says_so(
    root: Path, journals: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from vetline.cli import main

    crash_writing(root, journals, crash_at=3)
    patch = tmp_path / "next.patch"
    patch.write_text(
        "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-new a.txt\n+newer a.txt\n", encoding="utf-8"
    )
    data = journals.parent
    argv = ["--data-dir", str(data), "apply", str(patch), "--workspace", str(root)]
    code = main([*argv, "--accept", "all"])
    assert code == 0, capsys.readouterr().err
    assert "finished a write a crash had interrupted: c.txt" in capsys.readouterr().err
    assert contents(root) == {**NEW, "a.txt": b"newer a.txt\n"}

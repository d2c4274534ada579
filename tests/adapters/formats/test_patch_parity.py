"""Patches git applies, applied by Vetline: the same files or a refusal that says why."""

from __future__ import annotations

import base64
import quopri
import subprocess
from pathlib import Path

import pytest

from helpers.gitrepo import GitRepo
from helpers.parity import compare_apply, write_tree


def gnu_diff(old: Path, new: Path, cwd: Path, *options: str) -> bytes:
    """What `diff -ruN` prints for two trees (exit 1 means "they differ")."""
    result = subprocess.run(
        ["diff", "-ruN", *options, old.name, new.name],
        cwd=cwd,
        capture_output=True,
        check=False,
        env={"LC_ALL": "C", "TZ": "UTC"},
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


# ---- things git creates that are not regular files ------------------------------------------


def test_a_new_symbolic_link_is_refused_not_written_as_a_file(tmp_path: Path) -> None:
    write_tree(tmp_path / "base", {"a.txt": b"hi\n"})
    patch = (
        b"diff --git a/link b/link\nnew file mode 120000\nindex 0000000..2e65efe\n"
        b"--- /dev/null\n+++ b/link\n@@ -0,0 +1 @@\n+a.txt\n\\ No newline at end of file\n"
    )
    outcome = compare_apply(tmp_path / "base", patch, tmp_path)
    assert outcome.git_tree["link"] == ("link", "a.txt")  # git makes a link
    outcome.assert_refused(2, "link is a symbolic link (mode 120000)")


def test_a_new_submodule_is_refused_not_written_as_a_file(tmp_path: Path) -> None:
    write_tree(tmp_path / "base", {"a.txt": b"hi\n"})
    patch = (
        b"diff --git a/sub b/sub\nnew file mode 160000\nindex 0000000..1234567\n"
        b"--- /dev/null\n+++ b/sub\n@@ -0,0 +1 @@\n"
        b"+Subproject commit 1234567890123456789012345678901234567890\n"
    )
    outcome = compare_apply(tmp_path / "base", patch, tmp_path)
    assert outcome.git_tree["sub"] == ("folder",)
    outcome.assert_refused(2, "sub is a submodule (mode 160000)")


# ---- modes ----------------------------------------------------------------------------------


def test_a_mode_change_on_a_binary_file_is_kept(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "base")
    repo.write("tool.bin", bytes(range(256)) * 4)
    repo.commit("base")
    repo.write("tool.bin", bytes(range(255, -1, -1)) * 4)
    repo.chmod("tool.bin", 0o755)
    patch = repo.diff("--binary")
    assert b"new mode 100755" in patch
    repo.git("checkout", "-q", "--", ".")
    repo.chmod("tool.bin", 0o644)

    outcome = compare_apply(repo.root, patch, tmp_path)

    outcome.assert_same()
    assert outcome.vetline_tree["tool.bin"][1] is True  # executable


def test_mode_bits_beyond_executable_are_not_taken_verbatim(tmp_path: Path) -> None:
    write_tree(tmp_path / "base", {})
    patch = (
        b"diff --git a/x.sh b/x.sh\nnew file mode 100777\n"
        b"--- /dev/null\n+++ b/x.sh\n@@ -0,0 +1 @@\n+echo\n"
    )

    outcome = compare_apply(tmp_path / "base", patch, tmp_path)

    outcome.assert_same()
    assert (tmp_path / "vetline" / "x.sh").stat().st_mode & 0o777 == 0o755


# ---- traditional (GNU diff) headers ------------------------------------------------------------


def test_gnu_diff_creations_deletions_and_edits_apply_as_git_applies_them(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "old",
        {"keep.txt": b"one\ntwo\n", "gone.txt": b"bye\n", "sub/edit.py": b"a = 1\nb = 2\n"},
    )
    write_tree(
        tmp_path / "new",
        {"keep.txt": b"one\ntwo\n", "born.txt": b"hello\n", "sub/edit.py": b"a = 1\nb = 3\n"},
    )
    patch = gnu_diff(tmp_path / "old", tmp_path / "new", tmp_path)
    assert b"1970-01-01" in patch  # the creation and the deletion are dated at the epoch

    outcome = compare_apply(tmp_path / "old", patch, tmp_path / "work")

    outcome.assert_same()
    assert "gone.txt" not in outcome.vetline_tree
    assert outcome.vetline_tree["born.txt"] == ("file", False, b"hello\n")


@pytest.mark.parametrize(
    ("minus", "plus"),
    [
        ("--- old/foo.txt\t2024-01-01 10:00:00.000000000 +0000", "+++ new/foo.txt\t2024-01-01"),
        ("--- a/foo.txt  2024-01-01 10:00:00.000 +0000", "+++ b/foo.txt  2024-01-01 10:00:01"),
        ("--- foo.txt\t2024-01-01 10:00:00", "+++ foo.txt\t2024-01-01 10:00:01"),
        ("--- x/foo.txt.orig", "+++ y/foo.txt"),
        ("--- foo.txt", "+++ foo.txt.new"),
    ],
    ids=["other-prefixes", "spaces-before-timestamp", "no-folder", "orig-suffix", "new-suffix"],
)
def test_traditional_names_are_read_as_git_reads_them(
    tmp_path: Path, minus: str, plus: str
) -> None:
    write_tree(tmp_path / "base", {"foo.txt": b"one\n"})
    patch = f"{minus}\n{plus}\n@@ -1 +1 @@\n-one\n+two\n".encode()

    outcome = compare_apply(tmp_path / "base", patch, tmp_path)

    outcome.assert_same()
    assert outcome.vetline_tree["foo.txt"] == ("file", False, b"two\n")


def test_a_deletion_that_leaves_lines_behind_is_refused(tmp_path: Path) -> None:
    write_tree(tmp_path / "base", {"foo.txt": b"one\ntwo\n"})
    patch = (
        b"--- a/foo.txt\t2024-01-01 10:00:00.000000000 +0000\n"
        b"+++ b/foo.txt\t1970-01-01 00:00:00.000000000 +0000\n@@ -1 +0,0 @@\n-one\n"
    )
    outcome = compare_apply(tmp_path / "base", patch, tmp_path)
    assert outcome.git_code != 0  # "patch does not apply"
    outcome.assert_refused(4, "does not match the file")


def test_git_diffs_with_other_prefixes_strip_one_component(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "base")
    repo.write("src/app.py", "x = 1\n")
    repo.commit("base")
    repo.write("src/app.py", "x = 2\n")
    patch = repo.diff("--src-prefix=old/", "--dst-prefix=new/")
    repo.git("checkout", "-q", "--", ".")

    compare_apply(repo.root, patch, tmp_path).assert_same()


def test_a_header_cut_after_old_mode_is_refused_like_git(tmp_path: Path) -> None:
    write_tree(tmp_path / "base", {"x": b"one\n"})
    outcome = compare_apply(tmp_path / "base", b"diff --git a/x b/x\nold mode 100644\n", tmp_path)
    assert outcome.git_code != 0
    outcome.assert_refused(2, "truncated patch")


# ---- mailboxes ------------------------------------------------------------------------------


def test_a_mail_with_no_headers_keeps_its_first_file(tmp_path: Path) -> None:
    write_tree(tmp_path / "base", {"a.txt": b"one\n", "b.txt": b"two\n"})
    diff = (
        b"diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+ONE\n"
        b"diff --git a/b.txt b/b.txt\n--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-two\n+TWO\n"
    )
    mail = b"From 0123456789012345678901234567890123456789 Mon Sep 17 00:00:00 2001\n" + diff

    outcome = compare_apply(tmp_path / "base", mail, tmp_path)

    outcome.assert_same()
    assert outcome.vetline_tree["a.txt"] == ("file", False, b"ONE\n")


def test_a_series_that_edits_one_file_twice_applies_as_git_am_applies_it(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "base")
    lines = [f"line {number}\n" for number in range(20)]
    repo.write("notes.txt", "".join(lines))
    base = repo.commit("base")
    lines[3] = "line three\n"
    repo.write("notes.txt", "".join(lines))
    repo.commit("first edit")
    lines[4:6] = ["line four and five\n"]
    repo.write("notes.txt", "".join(lines))
    repo.commit("second edit, same file")
    repo.rename("notes.txt", "docs/notes.txt")
    repo.commit("then it moves")
    lines[0] = "line zero\n"
    repo.write("docs/notes.txt", "".join(lines))
    repo.commit("and changes once more")
    series = repo.format_patch(f"{base}..HEAD")
    repo.git("reset", "-q", "--hard", base)

    outcome = compare_apply(repo.root, series, tmp_path / "work", git_command=("am", "-q"))

    outcome.assert_same()
    assert outcome.vetline_tree["docs/notes.txt"][2] == "".join(lines).encode()


# ---- where hunks go, and what git calls a broken patch ---------------------------------------

# Ten lines of "a"/"b" pairs, then "line 10" to "line 29": line N is at index N-1.
REPEATED = b"a\nb\n" * 5 + b"".join(b"line %d\n" % number for number in range(10, 30))


@pytest.mark.parametrize(
    ("patch", "git_applies"),
    [
        # -U0: no context after the change, so git wants it at the end of the file.
        (b"--- a/f.txt\n+++ b/f.txt\n@@ -13 +13 @@\n-line 12\n+LINE 12\n", False),
        (b"--- a/f.txt\n+++ b/f.txt\n@@ -30 +30 @@\n-line 29\n+LINE 29\n", True),
        # A header whose old and new starts disagree: git starts looking at the new one.
        (b"--- a/f.txt\n+++ b/f.txt\n@@ -5,2 +1,2 @@\n-a\n+A\n b\n", True),
        (b"--- a/f.txt\n+++ b/f.txt\n@@ -1,2 +16,2 @@\n-a\n+A\n b\n", True),
        # A truncated "\ No newline" marker is not one.
        (b"--- a/f.txt\n+++ b/f.txt\n@@ -29,2 +29,2 @@\n-line 28\n+LINE 28\n line 29\n\\", True),
        # A patch cut in the middle of its last line.
        (b"--- a/f.txt\n+++ b/f.txt\n@@ -29,2 +29,2 @@\n-line 28\n+LINE 28\n line 29", False),
        # "new mode" alone: git takes the old mode from the disk.
        (
            b"diff --git a/f.txt b/f.txt\nnew mode 100755\n--- a/f.txt\n+++ b/f.txt\n"
            b"@@ -30 +30 @@\n-line 29\n+LINE 29\n",
            True,
        ),
        # /dev/null without "new file mode", and a '+++' name the header contradicts.
        (b"diff --git a/g.txt b/g.txt\n--- /dev/null\n+++ b/g.txt\n@@ -0,0 +1 @@\n+x\n", False),
        (
            b"diff --git a/g.txt b/g.txt\nnew file mode 100644\n--- /dev/null\n+++ b/h.txt\n"
            b"@@ -0,0 +1 @@\n+x\n",
            False,
        ),
    ],
    ids=[
        "U0-middle",
        "U0-end",
        "header-starts-disagree",
        "start-of-file",
        "cut-marker",
        "cut-line",
        "new-mode-alone",
        "dev-null-alone",
        "inconsistent-name",
    ],
)
def test_hunks_go_where_git_puts_them_or_are_refused(
    tmp_path: Path, patch: bytes, git_applies: bool
) -> None:
    write_tree(tmp_path / "base", {"f.txt": REPEATED})

    outcome = compare_apply(tmp_path / "base", patch, tmp_path)

    assert (outcome.git_code == 0) == git_applies, outcome.git_error
    if git_applies:
        outcome.assert_same()
        if b"-5,2 +1,2" in patch:  # several places fit: git's start wins, not the old line
            assert outcome.vetline_tree["f.txt"][2].startswith(b"A\nb\na\nb\na\n")
    else:
        assert outcome.vetline_code in (2, 4), outcome
        outcome.assert_same_or_refused()


@pytest.mark.parametrize("transfer", ["base64", "quoted-printable"])
def test_an_encoded_mail_body_is_read_as_git_am_reads_it(tmp_path: Path, transfer: str) -> None:
    repo = GitRepo.init(tmp_path / "base")
    repo.write("caf\u00e9.txt", "line = 1\n" + "x" * 90 + " \t\n")
    base = repo.commit("base")
    repo.write("caf\u00e9.txt", "line = 2 \u2014 caf\u00e9\n" + "x" * 90 + " \t\n")
    repo.commit("an edit with long and trailing-space lines")
    mail = repo.format_patch(f"{base}..HEAD")
    head, _, body = mail.partition(b"\n\n")
    head = b"\n".join(
        line for line in head.split(b"\n") if not line.startswith(b"Content-Transfer-Encoding")
    )
    encoded = base64.encodebytes(body) if transfer == "base64" else quopri.encodestring(body)
    assert encoded != body
    mail = head + f"\nContent-Transfer-Encoding: {transfer}\n\n".encode() + encoded
    repo.git("reset", "-q", "--hard", base)

    outcome = compare_apply(repo.root, mail, tmp_path / "work", git_command=("am", "-q"))

    outcome.assert_same()
    assert "\u2014".encode() in outcome.vetline_tree["caf\u00e9.txt"][2]

"""Unified diffs and format-patch mailboxes from a real git repository, read back exactly."""

from __future__ import annotations

import contextlib
import random
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.gitrepo import GitRepo, render_hunk, render_text_patch
from vetline.adapters.formats.unified import parse_file_diffs, parse_unified
from vetline.core.errors import InputError
from vetline.core.hunks import apply_hunks, hunks_from_texts
from vetline.core.model import Change, FileStatus, HunkKind
from vetline.core.text import decode, encode

LONG = "".join(f"line {n}\n" for n in range(1, 41))


def _edit_lines(text: str, edits: dict[int, str]) -> str:
    lines = text.splitlines(keepends=True)
    for number, replacement in edits.items():
        lines[number - 1] = replacement
    return "".join(lines)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    """A committed tree and a working tree that changes it in every way a patch can."""
    repo = GitRepo.init(tmp_path_factory.mktemp("unified") / "repo")
    repo.write("modified.txt", LONG)
    repo.write("deleted.txt", "gone\nsoon\n")
    repo.write("old name.txt", "stays the same\n" * 5)
    repo.write("moved before.txt", LONG)
    repo.write("exec.sh", "#!/bin/sh\necho hi\n")
    repo.write("tool.sh", "#!/bin/sh\necho old\n")
    repo.write("crlf.txt", "one\r\ntwo\r\nthree\r\n")
    repo.write("noeol.txt", "first\nlast without newline")
    repo.write("bom.txt", "\ufeffhello\nworld\n")
    repo.write("latin1.txt", b"caf\xe9\nna\xefve\n")
    repo.write("sp\u00e9cial name.txt", "x\n")
    repo.write("image.bin", bytes(range(256)) * 8)
    repo.commit("base")

    repo.write("modified.txt", _edit_lines(LONG, {3: "LINE 3\n", 20: "LINE 20\n", 38: "x\ny\n"}))
    repo.write("added.txt", "brand\nnew\n")
    repo.remove("deleted.txt")
    repo.rename("old name.txt", "new name.txt")
    repo.rename("moved before.txt", "dir/moved after.txt")
    repo.write("dir/moved after.txt", _edit_lines(LONG, {10: "changed ten\n"}))
    repo.chmod("exec.sh", 0o755)
    repo.chmod("tool.sh", 0o755)
    repo.write("tool.sh", "#!/bin/sh\necho new\n")
    repo.write("crlf.txt", "one\r\nTWO\r\nthree\r\n")
    repo.write("noeol.txt", "first\nlast changed, still no newline")
    repo.write("bom.txt", "\ufeffhello\nthere\n")
    repo.write("latin1.txt", b"caf\xe9\nna\xefve!\n")
    repo.write("sp\u00e9cial name.txt", "y\n")
    repo.write("created-empty.txt", "")
    repo.write("image.bin", bytes(range(256)) * 7 + b"changed")
    return repo


@pytest.fixture(scope="module")
def changes(repo: GitRepo) -> dict[str, Change]:
    (proposal,) = parse_unified(repo.diff("--binary"), "work.patch")
    return {change.path: change for change in proposal.changes}


def _old_bytes(repo: GitRepo, change: Change) -> bytes:
    if change.status is FileStatus.ADDED:
        return b""
    return repo.git("show", f"HEAD:{change.source_path}")


def _new_bytes(repo: GitRepo, change: Change) -> bytes:
    return repo.read(change.path) or b""


def test_every_kind_of_change_gets_its_status_and_hunk_kinds(changes: dict[str, Change]) -> None:
    summary = {
        path: (change.status.value, [hunk.kind.value for hunk in change.hunks])
        for path, change in changes.items()
    }
    assert summary == {
        "modified.txt": ("modified", ["text", "text", "text"]),
        "added.txt": ("added", ["text"]),
        "deleted.txt": ("deleted", ["text"]),
        "new name.txt": ("renamed", ["rename"]),
        "dir/moved after.txt": ("renamed", ["rename", "text"]),
        "exec.sh": ("modified", ["mode"]),
        "tool.sh": ("modified", ["mode", "text"]),
        "crlf.txt": ("modified", ["text"]),
        "noeol.txt": ("modified", ["text"]),
        "bom.txt": ("modified", ["text"]),
        "latin1.txt": ("modified", ["text"]),
        "sp\u00e9cial name.txt": ("modified", ["text"]),
        "created-empty.txt": ("added", ["create-empty"]),
        "image.bin": ("binary", ["binary"]),
    }


def test_headers_fill_in_names_modes_and_blob_ids(
    changes: dict[str, Change], repo: GitRepo
) -> None:
    assert changes["new name.txt"].old_path == "old name.txt"
    assert changes["dir/moved after.txt"].old_path == "moved before.txt"
    assert changes["modified.txt"].old_path is None
    assert (changes["exec.sh"].old_mode, changes["exec.sh"].new_mode) == ("100644", "100755")
    assert changes["added.txt"].new_mode == "100644"
    assert changes["deleted.txt"].new_mode is None
    blob = repo.git("rev-parse", "HEAD:modified.txt").decode().strip()
    base_blob = changes["modified.txt"].base_blob_sha1
    assert base_blob is not None
    assert blob.startswith(base_blob)
    assert len(base_blob) >= 7
    assert changes["added.txt"].base_blob_sha1 is None  # git's zeros mean "no file"


def test_hunks_keep_the_patch_header_numbers_and_sections(changes: dict[str, Change]) -> None:
    hunks = changes["modified.txt"].hunks
    assert [(h.old_start, h.old_lines, h.new_start, h.new_lines) for h in hunks] == [
        (1, 6, 1, 6),
        (17, 7, 17, 7),
        (35, 6, 35, 7),
    ]
    assert hunks[1].section == "line 16"
    assert all(hunk.path == "modified.txt" for hunk in hunks)


def test_line_endings_are_kept_byte_for_byte(changes: dict[str, Change]) -> None:
    assert changes["crlf.txt"].hunks[0].texts == ("one\r\n", "two\r\n", "TWO\r\n", "three\r\n")
    assert changes["noeol.txt"].hunks[0].texts == (
        "first\n",
        "last without newline",
        "last changed, still no newline",
    )
    assert changes["latin1.txt"].hunks[0].texts[0] == "caf\udce9\n"
    assert changes["bom.txt"].hunks[0].texts[0] == "\ufeffhello\n"


def test_all_hunks_give_the_new_bytes_and_none_the_old(
    changes: dict[str, Change], repo: GitRepo
) -> None:
    for change in changes.values():
        if change.is_binary:
            continue
        old_text, encoding = decode(_old_bytes(repo, change))
        assert encode(apply_hunks(old_text, change.hunks), encoding) == _new_bytes(repo, change)
        assert encode(apply_hunks(old_text, []), encoding) == _old_bytes(repo, change)


def test_random_hunk_subsets_give_what_git_apply_gives(
    changes: dict[str, Change], repo: GitRepo, tmp_path: Path
) -> None:
    base = repo.copy(tmp_path / "base")
    base.git("reset", "-q", "--hard")
    base.git("clean", "-fdq")
    chooser = random.Random(7)
    tried = 0
    for change in changes.values():
        text_hunks = [hunk for hunk in change.hunks if hunk.kind is HunkKind.TEXT]
        if change.status is not FileStatus.MODIFIED and change.status is not FileStatus.RENAMED:
            continue
        for _ in range(4):
            subset = [hunk for hunk in text_hunks if chooser.random() < 0.5]
            if not subset:
                continue
            old_text, encoding = decode(_old_bytes(repo, change))
            ours = encode(apply_hunks(old_text, subset), encoding)
            base.apply(render_text_patch(change, subset))
            assert base.read(change.source_path) == ours, (change.path, subset)
            base.git("checkout", "-q", "--", change.source_path)
            tried += 1
    assert tried >= 5


def test_empty_files_created_and_deleted_are_one_item_each(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "repo")
    repo.write("going.txt", "")
    repo.commit("base")
    repo.remove("going.txt")
    repo.write("coming.txt", "")
    (proposal,) = parse_unified(repo.diff("--no-renames"), "empty.patch")
    assert [(c.path, c.status, [h.kind for h in c.hunks]) for c in proposal.changes] == [
        ("coming.txt", FileStatus.ADDED, [HunkKind.CREATE_EMPTY]),
        ("going.txt", FileStatus.DELETED, [HunkKind.DELETE_EMPTY]),
    ]
    (renamed,) = parse_unified(repo.diff(), "renamed.patch")[0].changes
    assert (renamed.old_path, renamed.path, renamed.status) == (
        "going.txt",
        "coming.txt",
        FileStatus.RENAMED,
    )


def test_a_git_diff_without_binary_data_marks_the_sides_unknown(repo: GitRepo) -> None:
    (proposal,) = parse_unified(repo.diff(), "work.patch")
    image = next(change for change in proposal.changes if change.path == "image.bin")
    assert image.status is FileStatus.BINARY
    assert image.binary_old is not None
    assert image.binary_old.data is None
    assert image.binary_new is not None
    assert image.binary_new.data is None
    assert [hunk.kind for hunk in image.hunks] == [HunkKind.BINARY]
    assert image.hunks[0].texts == ()


def test_format_patch_gives_a_proposal_per_commit(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "repo")
    repo.write("a.txt", "one\n")
    repo.commit("base")
    repo.write("a.txt", "two\n")
    repo.commit("Fix the thing\n\nBecause the thing was broken.\nSecond line.")
    repo.write("b.txt", "new\n")
    repo.commit("Add b: na\u00efve \u00fcber")
    mbox = repo.format_patch("HEAD~2")

    first, second = parse_unified(mbox, "series.mbox")
    assert first.title == "Fix the thing"
    assert first.rationale == "Because the thing was broken.\nSecond line."
    assert first.agent.name == "Ann Agent"
    assert first.created_at == "2024-05-06T05:08:09+00:00"
    assert [change.path for change in first.changes] == ["a.txt"]
    assert second.title == "Add b: na\u00efve \u00fcber"
    assert [change.status for change in second.changes] == [FileStatus.ADDED]
    assert first.id != second.id
    assert [p.id for p in parse_unified(mbox, "again.mbox")] == [first.id, second.id]


def test_a_plain_diff_is_one_proposal_named_after_its_file(changes: dict[str, Change]) -> None:
    patch = b"Why: typo.\n--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-teh\n+the\n"
    (proposal,) = parse_unified(patch, "some/dir/fix-typo.patch")
    assert proposal.title == "fix-typo.patch"
    assert proposal.rationale == "Why: typo."
    assert len(proposal.id) == 12
    assert parse_unified(patch, "<stdin>")[0].title == "Patch"
    assert parse_unified(patch, "<stdin>")[0].id == proposal.id


def test_a_utf16_patch_from_powershell_is_read() -> None:
    patch = "--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-a\n+\u00e9\n"
    (proposal,) = parse_unified(patch.encode("utf-16"), "win.patch")
    assert proposal.changes[0].hunks[0].texts == ("a\n", "\u00e9\n")


def test_quoted_names_are_unescaped() -> None:
    patch = (
        b'diff --git "a/sp\\303\\251cial\\tname" "b/sp\\303\\251cial\\tname"\n'
        b"index 1234567..89abcde 100644\n"
        b'--- "a/sp\\303\\251cial\\tname"\n'
        b'+++ "b/sp\\303\\251cial\\tname"\n'
        b"@@ -1 +1 @@\n-a\n+b\n"
    )
    (proposal,) = parse_unified(patch, "q.patch")
    assert proposal.changes[0].path == "sp\u00e9cial\tname"


# ---- properties ----------------------------------------------------------------------------

_line = st.text(alphabet="ab \u00e9", max_size=4)
_ending = st.sampled_from(["\n", "\r\n"])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.tuples(_line, _ending), max_size=12))
    text = "".join(body + ending for body, ending in lines)
    if text and draw(st.booleans()):
        text = text[: -len(lines[-1][1])]  # no newline at the end
    return text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(old=_texts(), new=_texts())
def test_git_no_index_diffs_apply_to_the_new_text(tmp_path: Path, old: str, new: str) -> None:
    (tmp_path / "old").write_bytes(encode(old))
    (tmp_path / "new").write_bytes(encode(new))
    result = subprocess.run(
        ["git", "-c", "core.autocrlf=false", "diff", "--no-index", "--", "old", "new"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    if old == new:
        assert result.stdout == b""
        return
    (change,) = parse_file_diffs(result.stdout.decode("utf-8", "surrogateescape"), "no-index")
    assert apply_hunks(old, change.hunks) == new


@settings(max_examples=300, deadline=None)
@given(old=_texts(), new=_texts())
def test_our_hunks_rendered_as_a_patch_read_back_the_same(old: str, new: str) -> None:
    hunks = hunks_from_texts("f.txt", old, new)
    if not hunks:
        return
    patch = "--- a/f.txt\n+++ b/f.txt\n" + "".join(render_hunk(hunk) for hunk in hunks)
    (change,) = parse_file_diffs(patch, "rendered")
    assert change.hunks == hunks
    assert apply_hunks(old, change.hunks) == new


# ---- bad input -------------------------------------------------------------------------------

GOOD = (
    "diff --git a/f.txt b/f.txt\n"
    "index 1111111..2222222 100644\n"
    "--- a/f.txt\n"
    "+++ b/f.txt\n"
    "@@ -1,3 +1,3 @@ section\n"
    " a\n"
    "-b\n"
    "+B\n"
    " c\n"
)


def _error(patch: str | bytes, name: str = "fix.patch") -> str:
    data = patch.encode() if isinstance(patch, str) else patch
    with pytest.raises(InputError) as caught:
        parse_unified(data, name)
    return str(caught.value)


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (
            GOOD.replace("-1,3 +1,3", "-1,4 +1,3"),
            "fix.patch line 5: hunk says 4 old lines but has 3",
        ),
        (
            GOOD.replace("-1,3 +1,3", "-1,3 +1,4"),
            "fix.patch line 5: hunk says 4 new lines but has 3",
        ),
        (GOOD.replace("-1,3 +1,3", "-1,2 +1,3"), "hunk says 2 old lines but line 9 is one more"),
        (GOOD.replace("-1,3 +1,3", "-1,3 +1,2"), "hunk says 2 new lines but line 9 is one more"),
        (GOOD.replace("@@ -1,3 +1,3 @@", "@@ -1,x +1,3 @@"), "line 5: malformed hunk header"),
        (GOOD.replace("@@ -1,3 +1,3 @@", "@@ -1,3 @@"), "line 5: malformed hunk header"),
        (GOOD + " d\n", "fix.patch line 5: hunk says 3 old and 3 new lines, but line 10 continues"),
        (GOOD[: GOOD.index(" c\n")], "hunk says 3 old lines but has 2; the patch is truncated"),
        (GOOD[: GOOD.index("+++")], "the patch ends after a '---' line"),
        (GOOD[: GOOD.index("@@")], "line 4: no hunks after the '+++' line"),
        (GOOD[: GOOD.index("---")], "line 1: no changes for f.txt: truncated patch?"),
        ("diff --git a/f.txt b/f.txt\n", "line 1: no changes for f.txt"),
        (GOOD.replace(" a\n", " a\0\n"), "fix.patch line 6: NUL byte"),
        ("Hello, this is just prose.\n", "fix.patch: no changes found"),
        ("", "fix.patch: no changes found"),
        ("@@ -1 +1 @@\n-a\n+b\n", "line 1: hunk header before any '---'/'+++' file header"),
        (GOOD.replace("diff --git", "diff --cc"), "combined (merge) diffs are not supported"),
        (
            GOOD.replace("index 1111111..2222222 100644", "copy from x"),
            "'f.txt' is not 'x', named above",
        ),
        (GOOD.replace("index 1111111..2222222 100644", "index zz"), "line 2: malformed index"),
        (GOOD.replace("index 1111111..2222222 100644", "new mode 12"), "malformed file mode"),
        (GOOD + GOOD, "line 10: f.txt is changed twice (also at line 1)"),
        (GOOD.replace("-b\n", "\\ No newline at end of file\n-b\n"), "line 8: line after a"),
        (GOOD.replace(" c\n", "\\ No newline at end of file\n c\n"), "after a '\\ No newline"),
        (
            GOOD.replace("--- a/f.txt", '--- "a/f\\q.txt"'),
            "line 3: bad escape in quoted file name",
        ),
        (
            GOOD + GOOD.replace("f.txt", "g.txt").replace("-1,3 +1,3", "-0,0 +1,3")[:-20],
            "line 14: hunk says",
        ),
        (
            "--- /dev/null\n+++ b/n.txt\n@@ -1,1 +1,1 @@\n-a\n+b\n",
            "line 3: a new file's hunk must start '@@ -0,0'",
        ),
        (
            "--- a/f\n+++ b/f\n@@ -5 +5 @@\n-a\n+b\n@@ -1 +1 @@\n-c\n+d\n",
            "line 6: hunk overlaps or comes before the previous hunk",
        ),
        (
            "diff --git a/b.bin b/b.bin\nindex 1..2 100644\nGIT binary patch\nliteral 5\nzzzzz\n\n",
            "line 5: binary payload line has 4 characters",
        ),
        (
            "diff --git a/b.bin b/b.bin\nindex 1..2 100644\nGIT binary patch\nliteral 9\n"
            "HcmV?d00001\n\n",
            "line 4: binary payload inflates to 0 bytes, not 9",
        ),
        (
            "diff --git a/b.bin b/b.bin\nindex 1..2 100644\nGIT binary patch\nnonsense 9\n",
            "line 4: expected 'literal N' or 'delta N'",
        ),
        ("Binary files a/x and b/x differ\n", "binary file without a git header"),
    ],
)
def test_bad_patches_are_refused_with_a_message_naming_the_line(patch: str, message: str) -> None:
    assert message in _error(patch)


def test_a_new_file_that_lost_its_hunks_is_called_truncated() -> None:
    patch = "diff --git a/n b/n\nnew file mode 100644\nindex 0000000..1234567\n"
    assert "line 1: n is not empty but has no hunks" in _error(patch)
    empty = "diff --git a/n b/n\nnew file mode 100644\nindex 0000000..e69de29\n"
    (proposal,) = parse_unified(empty.encode(), "ok.patch")
    assert proposal.changes[0].hunks[0].kind is HunkKind.CREATE_EMPTY


def test_every_truncation_of_a_real_patch_parses_or_is_refused(repo: GitRepo) -> None:
    lines = repo.diff("--binary").splitlines(keepends=True)
    for cut in range(len(lines)):
        try:
            parse_unified(b"".join(lines[:cut]), "cut.patch")
        except InputError as error:
            assert str(error).startswith("cut.patch")


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_mangled_patches_never_raise_anything_but_input_error(data: st.DataObject) -> None:
    lines = (GOOD + GOOD.replace("f.txt", "g.txt")).splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        lines[index] = data.draw(
            st.sampled_from(["", "\n", "@@ -1 +1 @@\n", "+x\n", "-y\n", "\\ No newline\n", "--- a"])
        )
    with contextlib.suppress(InputError):
        parse_unified("".join(lines).encode(), "m.patch")


def test_a_10_megabyte_line_neither_crashes_nor_hangs() -> None:
    huge = "x" * 10_000_000
    assert _error(huge + "\n") == "fix.patch: no changes found"
    patch = f"--- a/f\n+++ b/f\n@@ -1 +1 @@\n-{huge}\n+y\n"
    (proposal,) = parse_unified(patch.encode(), "big.patch")
    assert len(proposal.changes[0].hunks[0].texts[0]) == 10_000_001
    assert "malformed hunk header" in _error(f"--- a/f\n+++ b/f\n@@ {huge}\n")


def test_a_mail_with_no_patch_after_its_headers_is_no_change() -> None:
    mail = "From 0123456789012345678901234567890123456789 Mon Sep 17 00:00:00 2001\nSubject: x\n"
    with pytest.raises(InputError, match="no changes found"):
        parse_unified(mail.encode(), "empty.mbox")

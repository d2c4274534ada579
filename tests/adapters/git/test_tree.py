"""An agent's uncommitted edits in a real git repository: accept stages, reject restores."""

from __future__ import annotations

import itertools
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.gitrepo import GIT_ENV, GitRepo
from helpers.parity import run_git
from helpers.special_files import SPECIAL_KINDS, special_file
from vetline.adapters.git.scan import MAX_FILE_BYTES
from vetline.adapters.git.state import path_states
from vetline.adapters.git.tree import GitTree, load_worktree
from vetline.core.errors import InputError, StaleBaseError
from vetline.core.hunks import split_hunk
from vetline.core.model import Change, FileStatus, HunkKind
from vetline.core.session import ReviewItem, ReviewSession

STORY = "".join(f"line {n}\n" for n in range(1, 31)).encode()
CRLF = b"alpha\r\nbeta\r\ngamma\r\n"
NO_FINAL_NEWLINE = b"first\nmiddle\nlast"
IMAGE = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
SCRIPT = b"#!/bin/sh\necho hello\n"
MOVABLE = b"".join(f"paragraph {n}\n".encode() for n in range(1, 11))


@pytest.fixture(autouse=True)
def quiet_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """The adapter runs git as the user would; here no user or system config may leak in."""
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)


class Project(GitRepo):
    """A repository that counts the commits the test itself makes."""

    commits_made = 0

    def commit(self, message: str = "change") -> str:
        self.commits_made += 1
        return super().commit(message)

    def commit_count(self) -> int:
        return int(self.git("rev-list", "--count", "--all"))


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Project]:
    """A committed tree; on teardown, checks that Vetline never committed anything."""
    repo = Project(tmp_path / "project")
    repo.root.mkdir()
    repo.git("init", "-q")
    repo.write("story.txt", STORY)
    repo.write("crlf.txt", CRLF)
    repo.write("tail.txt", NO_FINAL_NEWLINE)
    repo.write("gone.txt", b"to be deleted\n")
    repo.write("moved_from.txt", MOVABLE)
    repo.write("image.bin", IMAGE)
    repo.write("run.sh", SCRIPT)
    repo.commit("base")
    yield repo
    assert repo.commit_count() == repo.commits_made, "something was committed"


def staged(repo: GitRepo, path: str) -> bytes | None:
    """The index's bytes for `path`, exactly as stored (None: not in the index)."""
    if not repo.git("ls-files", "--", path):
        return None
    return repo.git("cat-file", "blob", f":{path}")


def staged_mode(repo: GitRepo, path: str) -> str:
    return repo.git("ls-files", "-s", "--", path).decode().split(" ")[0]


def load(repo: GitRepo) -> GitTree:
    return load_worktree(repo.root)


def change_at(tree: GitTree, path: str) -> Change:
    (proposal,) = tree.proposals
    return next(change for change in proposal.changes if change.path == path)


def replace_line(data: bytes, old: str, new: str) -> bytes:
    assert old.encode() in data
    return data.replace(old.encode(), new.encode(), 1)


def hunk_headers(diff: bytes) -> list[str]:
    return [line for line in diff.decode().splitlines() if line.startswith("@@")]


# ---- text hunks ---------------------------------------------------------------------


def test_accept_one_of_three_hunks_stages_exactly_it_and_reject_restores_exactly_another(
    repo: Project,
) -> None:
    edited = STORY
    for number in (2, 15, 28):
        edited = replace_line(edited, f"line {number}\n", f"LINE {number}!\n")
    repo.write("story.txt", edited)
    tree = load(repo)
    change = change_at(tree, "story.txt")
    first, second, _third = change.hunks
    assert change.status is FileStatus.MODIFIED
    assert change.base_text == STORY.decode()

    tree.sync(change, accepted={first.id}, rejected={second.id}, edited={})

    assert staged(repo, "story.txt") == replace_line(STORY, "line 2\n", "LINE 2!\n")
    expected_tree = replace_line(
        replace_line(STORY, "line 2\n", "LINE 2!\n"), "line 28\n", "LINE 28!\n"
    )
    assert repo.read("story.txt") == expected_tree
    cached = repo.git("diff", "--cached")
    assert hunk_headers(cached) == ["@@ -1,5 +1,5 @@"]
    assert b"-line 2\n+LINE 2!\n" in cached
    unstaged = repo.git("diff", "--", "story.txt")
    assert [header.split(" @@")[0] for header in hunk_headers(unstaged)] == ["@@ -25,6 +25,6"]
    assert b"-line 28\n+LINE 28!\n" in unstaged
    assert b"15" not in unstaged + cached


def test_undoing_verdicts_puts_index_and_work_tree_back(repo: Project) -> None:
    edited = replace_line(replace_line(STORY, "line 2\n", "two\n"), "line 20\n", "twenty\n")
    repo.write("story.txt", edited)
    tree = load(repo)
    change = change_at(tree, "story.txt")
    first, second = change.hunks
    tree.sync(change, {first.id}, {second.id}, {})

    tree.sync(change, set(), set(), {})

    assert staged(repo, "story.txt") == STORY
    assert repo.read("story.txt") == edited


def test_an_edited_hunk_goes_into_both_index_and_work_tree(repo: Project) -> None:
    repo.write("story.txt", replace_line(STORY, "line 5\n", "line five\n"))
    tree = load(repo)
    change = change_at(tree, "story.txt")
    (hunk,) = change.hunks
    new_side = hunk.new_text.replace("line five\n", "line 5 (reviewed)\n")

    tree.sync(change, set(), set(), {hunk.id: new_side})

    expected = replace_line(STORY, "line 5\n", "line 5 (reviewed)\n")
    assert staged(repo, "story.txt") == expected
    assert repo.read("story.txt") == expected


def test_pieces_of_a_split_hunk_are_staged_and_restored_one_by_one(repo: Project) -> None:
    repo.write(
        "story.txt", replace_line(replace_line(STORY, "line 5\n", "five\n"), "line 9\n", "nine\n")
    )
    tree = load(repo)
    change = change_at(tree, "story.txt")
    (hunk,) = change.hunks
    upper, lower = split_hunk(hunk)

    tree.sync(change, {upper.id}, {lower.id}, {})

    only_upper = replace_line(STORY, "line 5\n", "five\n")
    assert staged(repo, "story.txt") == only_upper
    assert repo.read("story.txt") == only_upper


def test_crlf_and_missing_final_newline_round_trip_byte_for_byte(repo: Project) -> None:
    new_crlf = b"alpha\r\nBETA\r\ngamma\r\n"
    new_tail = b"first\nMIDDLE\nlast"
    repo.write("crlf.txt", new_crlf)
    repo.write("tail.txt", new_tail)
    tree = load(repo)
    crlf, tail = change_at(tree, "crlf.txt"), change_at(tree, "tail.txt")

    tree.sync(crlf, {hunk.id for hunk in crlf.hunks}, set(), {})
    tree.sync(tail, set(), {hunk.id for hunk in tail.hunks}, {})

    assert staged(repo, "crlf.txt") == new_crlf
    assert repo.read("crlf.txt") == new_crlf
    assert staged(repo, "tail.txt") == NO_FINAL_NEWLINE
    assert repo.read("tail.txt") == NO_FINAL_NEWLINE
    assert repo.git("diff") == b""

    # Changing only the last line of a file without a final newline, both ways.
    repo.write("tail.txt", b"first\nmiddle\nLAST")
    tail = change_at(load(repo), "tail.txt")
    load(repo).sync(tail, {tail.hunks[0].id}, set(), {})
    assert staged(repo, "tail.txt") == b"first\nmiddle\nLAST"


# ---- whole files --------------------------------------------------------------------


def test_new_untracked_file_is_staged_on_accept_and_removed_on_reject(repo: Project) -> None:
    repo.write("notes/new.md", b"# New\n\nwritten by the agent\n")
    repo.write("ignored.log", b"noise\n")
    repo.write(".gitignore", b"*.log\n")
    tree = load(repo)
    change = change_at(tree, "notes/new.md")
    assert change.status is FileStatus.ADDED
    assert {c.path for c in tree.proposals[0].changes} == {".gitignore", "notes/new.md"}
    ids = {hunk.id for hunk in change.hunks}

    tree.sync(change, ids, set(), {})
    assert staged(repo, "notes/new.md") == b"# New\n\nwritten by the agent\n"
    assert repo.read("notes/new.md") == b"# New\n\nwritten by the agent\n"

    tree.sync(change, set(), ids, {})
    assert staged(repo, "notes/new.md") is None
    assert not (repo.root / "notes").exists()

    tree.sync(change, set(), set(), {})  # undo: back as the agent left it, untracked
    assert repo.read("notes/new.md") == b"# New\n\nwritten by the agent\n"
    assert staged(repo, "notes/new.md") is None


def test_new_empty_file_is_one_create_item(repo: Project) -> None:
    repo.write("empty.txt", b"")
    tree = load(repo)
    change = change_at(tree, "empty.txt")
    assert [hunk.kind for hunk in change.hunks] == [HunkKind.CREATE_EMPTY]

    tree.sync(change, {change.hunks[0].id}, set(), {})

    assert staged(repo, "empty.txt") == b""


def test_deleted_file_is_unstaged_on_accept_and_restored_on_reject(repo: Project) -> None:
    repo.remove("gone.txt")
    tree = load(repo)
    change = change_at(tree, "gone.txt")
    assert change.status is FileStatus.DELETED
    ids = {hunk.id for hunk in change.hunks}

    tree.sync(change, ids, set(), {})
    assert staged(repo, "gone.txt") is None
    assert repo.read("gone.txt") is None

    tree.sync(change, set(), ids, {})
    assert staged(repo, "gone.txt") == b"to be deleted\n"
    assert repo.read("gone.txt") == b"to be deleted\n"
    assert repo.git("status", "--porcelain") == b""


def test_renamed_file_moves_in_the_index_on_accept_and_back_on_disk_on_reject(
    repo: Project,
) -> None:
    repo.rename("moved_from.txt", "docs/moved_to.txt")
    tree = load(repo)
    change = change_at(tree, "docs/moved_to.txt")
    assert (change.status, change.old_path) == (FileStatus.RENAMED, "moved_from.txt")
    (rename,) = change.hunks
    assert rename.kind is HunkKind.RENAME

    tree.sync(change, {rename.id}, set(), {})
    assert staged(repo, "docs/moved_to.txt") == MOVABLE
    assert staged(repo, "moved_from.txt") is None
    assert b"rename from moved_from.txt" in repo.git("diff", "--cached", "-M")
    assert repo.git("diff") == b""

    tree.sync(change, set(), {rename.id}, {})
    assert repo.read("moved_from.txt") == MOVABLE
    assert not (repo.root / "docs").exists()
    assert staged(repo, "moved_from.txt") == MOVABLE
    assert repo.git("status", "--porcelain") == b""


def test_renamed_and_edited_file_pairs_by_similarity(repo: Project) -> None:
    repo.rename("moved_from.txt", "moved_to.txt")
    edited = replace_line(MOVABLE, "paragraph 5\n", "paragraph five\n")
    repo.write("moved_to.txt", edited)
    tree = load(repo)
    change = change_at(tree, "moved_to.txt")
    assert change.old_path == "moved_from.txt"
    rename, text = change.hunks
    assert (rename.kind, text.kind) == (HunkKind.RENAME, HunkKind.TEXT)

    tree.sync(change, {rename.id}, {text.id}, {})

    assert staged(repo, "moved_to.txt") == MOVABLE
    assert staged(repo, "moved_from.txt") is None
    assert repo.read("moved_to.txt") == MOVABLE
    assert repo.read("moved_from.txt") is None


def test_binary_file_is_one_whole_file_item(repo: Project) -> None:
    new_image = IMAGE[:-10] + b"\xff" * 10
    repo.write("image.bin", new_image)
    tree = load(repo)
    change = change_at(tree, "image.bin")
    assert change.status is FileStatus.BINARY
    (hunk,) = change.hunks
    assert hunk.kind is HunkKind.BINARY
    assert ReviewItem(tree.proposals[0], change, hunk).acceptable

    tree.sync(change, {hunk.id}, set(), {})
    assert staged(repo, "image.bin") == new_image
    assert repo.read("image.bin") == new_image

    tree.sync(change, set(), {hunk.id}, {})
    assert staged(repo, "image.bin") == IMAGE
    assert repo.read("image.bin") == IMAGE


def test_mode_change_is_staged_on_accept_and_reverted_on_reject(repo: Project) -> None:
    repo.chmod("run.sh", 0o755)
    tree = load(repo)
    change = change_at(tree, "run.sh")
    (mode,) = change.hunks
    assert mode.kind is HunkKind.MODE
    assert (change.old_mode, change.new_mode) == ("100644", "100755")

    tree.sync(change, {mode.id}, set(), {})
    assert staged_mode(repo, "run.sh") == "100755"
    assert (repo.root / "run.sh").stat().st_mode & stat.S_IXUSR

    tree.sync(change, set(), {mode.id}, {})
    assert staged_mode(repo, "run.sh") == "100644"
    assert not (repo.root / "run.sh").stat().st_mode & stat.S_IXUSR
    assert repo.read("run.sh") == SCRIPT


def test_submodule_is_listed_but_never_entered_or_changed(tmp_path: Path, repo: Project) -> None:
    library = GitRepo.init(tmp_path / "library")
    library.write("lib.txt", "v1\n")
    library.commit("v1")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", str(library.root), "lib")
    repo.commit("add the submodule")
    checkout = GitRepo(repo.root / "lib")
    pinned = repo.git("rev-parse", "HEAD:lib").decode().strip()
    checkout.write("lib.txt", "v2\n")
    moved_to = checkout.commit("v2")
    index_before = repo.git("ls-files", "-s")

    tree = load(repo)
    change = change_at(tree, "lib")
    (hunk,) = change.hunks
    assert (change.status, hunk.kind, hunk.old_lines) == (FileStatus.MODIFIED, HunkKind.BINARY, 0)
    assert change.base_text == f"Subproject commit {pinned}\n"
    assert change.new_text == f"Subproject commit {moved_to}\n"
    assert not ReviewItem(tree.proposals[0], change, hunk).acceptable

    tree.sync(change, set(), {hunk.id}, {})
    tree.sync(change, {hunk.id}, set(), {})

    assert repo.git("ls-files", "-s") == index_before
    assert checkout.git("rev-parse", "HEAD").decode().strip() == moved_to


# ---- refusals and staleness -----------------------------------------------------------


def test_a_repository_in_the_middle_of_a_merge_is_refused(repo: Project) -> None:
    repo.git("checkout", "-q", "-b", "other")
    repo.write("story.txt", replace_line(STORY, "line 3\n", "theirs\n"))
    repo.commit("theirs")
    repo.git("checkout", "-q", "main")
    repo.write("story.txt", replace_line(STORY, "line 3\n", "ours\n"))
    repo.commit("ours")
    repo.git("merge", "other", check=False)

    with pytest.raises(InputError, match="in the middle of a merge; finish or abort it first"):
        load(repo)


def test_a_folder_that_is_not_a_repository_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(InputError, match="is not a git working tree"):
        load_worktree(plain)
    with pytest.raises(InputError, match="no such folder"):
        load_worktree(tmp_path / "missing")


def test_a_file_changed_after_loading_is_stale_and_nothing_is_written(repo: Project) -> None:
    repo.write("story.txt", replace_line(STORY, "line 2\n", "agent\n"))
    tree = load(repo)
    change = change_at(tree, "story.txt")
    late_edit = replace_line(replace_line(STORY, "line 2\n", "agent\n"), "line 9\n", "late\n")
    repo.write("story.txt", late_edit)

    with pytest.raises(StaleBaseError, match="story.txt changed on disk since it was shown"):
        tree.sync(change, set(), {change.hunks[0].id}, {})

    assert repo.read("story.txt") == late_edit
    assert staged(repo, "story.txt") == STORY
    (fresh,) = tree.reload_change("story.txt")
    assert fresh.new_text == late_edit.decode()
    with pytest.raises(StaleBaseError, match="re-read since this change was shown"):
        tree.sync(change, set(), set(), {})
    tree.sync(fresh, {hunk.id for hunk in fresh.hunks}, set(), {})
    assert staged(repo, "story.txt") == late_edit


def test_staging_elsewhere_after_loading_is_stale_too(repo: Project) -> None:
    repo.write("story.txt", replace_line(STORY, "line 2\n", "agent\n"))
    tree = load(repo)
    change = change_at(tree, "story.txt")
    repo.git("add", "story.txt")

    with pytest.raises(StaleBaseError, match="changed in the git index"):
        tree.sync(change, {change.hunks[0].id}, set(), {})
    assert tree.reload_change("story.txt") == ()


# ---- the proposal ---------------------------------------------------------------------


def test_one_proposal_with_a_deterministic_id(repo: Project) -> None:
    repo.write("story.txt", replace_line(STORY, "line 2\n", "agent\n"))
    repo.write("crlf.txt", CRLF)  # rewritten with the same bytes: not a change

    first, second = load(repo), load(repo)
    (proposal,) = first.proposals
    assert proposal.title == "Uncommitted changes in project"
    assert [change.path for change in proposal.changes] == ["story.txt"]
    assert proposal.id == second.proposals[0].id
    repo.write("tail.txt", b"changed")
    assert load(repo).proposals[0].id != proposal.id


def test_a_clean_tree_has_no_proposal(repo: Project) -> None:
    repo.write("story.txt", STORY)
    assert load(repo).proposals == []


def test_a_review_session_drives_the_tree_through_sync_items(repo: Project) -> None:
    repo.write(
        "story.txt", replace_line(replace_line(STORY, "line 2\n", "a\n"), "line 20\n", "b\n")
    )
    tree = load(repo)
    log = itertools.count(1)
    session = ReviewSession(tree.proposals, record=lambda _: next(log), clock=lambda: 0.0)
    change = change_at(tree, "story.txt")

    session.accept_current()
    tree.sync_items(change, session.items_of(tree.proposals[0], change))
    session.reject_current("not this one")
    tree.sync_items(change, session.items_of(tree.proposals[0], change))

    assert staged(repo, "story.txt") == replace_line(STORY, "line 2\n", "a\n")
    assert repo.read("story.txt") == replace_line(STORY, "line 2\n", "a\n")


def test_a_symbolic_link_is_listed_but_never_written(repo: Project) -> None:
    (repo.root / "shortcut").symlink_to("story.txt")
    tree = load(repo)
    change = change_at(tree, "shortcut")
    (hunk,) = change.hunks
    assert (change.status, change.new_text, change.new_mode) == (
        FileStatus.ADDED,
        "story.txt",
        "120000",
    )
    assert not ReviewItem(tree.proposals[0], change, hunk).acceptable

    tree.sync(change, set(), {hunk.id}, {})

    assert (repo.root / "shortcut").is_symlink()
    assert staged(repo, "shortcut") is None


def test_names_with_spaces_and_non_ascii_letters_round_trip(repo: Project) -> None:
    repo.write("notes dir/über café.txt", "alt\n")
    repo.commit("a name git would quote")
    repo.write("notes dir/über café.txt", "neu\n")
    tree = load(repo)
    change = change_at(tree, "notes dir/über café.txt")

    tree.sync(change, {change.hunks[0].id}, set(), {})

    assert staged(repo, "notes dir/über café.txt") == b"neu\n"


def test_intent_to_add_files_are_new_files(repo: Project) -> None:
    repo.write("planned.txt", "planned\n")
    repo.git("add", "--intent-to-add", "planned.txt")
    tree = load(repo)
    change = change_at(tree, "planned.txt")
    assert change.status is FileStatus.ADDED

    tree.sync(change, {change.hunks[0].id}, set(), {})

    assert staged(repo, "planned.txt") == b"planned\n"


def test_a_repository_without_commits_lists_every_file_as_new(tmp_path: Path) -> None:
    fresh = GitRepo.init(tmp_path / "fresh")
    fresh.write("first.txt", "hello\n")
    tree = load_worktree(fresh.root)
    change = change_at(tree, "first.txt")
    assert "not born yet" in tree.proposals[0].rationale

    tree.sync(change, {change.hunks[0].id}, set(), {})

    assert staged(fresh, "first.txt") == b"hello\n"
    assert fresh.git("rev-list", "--all") == b""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("kind", SPECIAL_KINDS)
def test_a_fifo_or_socket_where_a_file_is_tracked_is_refused_unread(
    repo: Project, kind: str
) -> None:
    repo.remove("gone.txt")
    with special_file(repo.root / "gone.txt", kind):
        with pytest.raises(InputError, match=r"'gone\.txt': .* it is a (FIFO|socket)"):
            load_worktree(repo.root)
        # git stops there too.
        assert b"unsupported file type" in run_git(repo.root, "diff").stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("kind", SPECIAL_KINDS)
def test_an_untracked_fifo_or_socket_is_left_out_as_git_leaves_it_out(
    repo: Project, kind: str
) -> None:
    repo.write("story.txt", STORY.replace(b"line 3\n", b"line three\n"))
    with special_file(repo.root / "pipe", kind):
        tree = load_worktree(repo.root)
        states = path_states(repo.root, ["pipe", "story.txt"])

    assert [change.path for change in tree.changes] == ["story.txt"]
    assert states["pipe"].disk == ("a FIFO (named pipe)" if kind == "fifo" else "a socket")
    assert states["story.txt"].disk is not None
    assert states["story.txt"].disk.startswith("file ")


def test_a_work_tree_file_too_big_to_review_is_refused_unread(repo: Project) -> None:
    with (repo.root / "dump.bin").open("wb") as dump:
        dump.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk space taken

    with pytest.raises(InputError, match=r"'dump\.bin': 256 MB in the work tree, more than"):
        load_worktree(repo.root)


def test_an_index_file_too_big_to_review_is_refused_unread(repo: Project) -> None:
    with (repo.root / "dump.bin").open("wb") as dump:
        dump.truncate(MAX_FILE_BYTES + 1)
    repo.git("add", "dump.bin")
    repo.remove("dump.bin")  # deleted: its only bytes are the index's

    with pytest.raises(InputError, match=r"'dump\.bin': 256 MB in the index, more than"):
        load_worktree(repo.root)

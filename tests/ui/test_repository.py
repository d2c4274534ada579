"""A real git repository in the window: keys stage and restore, edits on disk re-read."""

from __future__ import annotations

from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from helpers import HANG_GUARD_MS
from helpers.gitrepo import GIT_ENV, GitRepo
from helpers.review_window import (
    WAIT_MS,
    Review,
    open_repository,
)

CTRL = Qt.KeyboardModifier.ControlModifier
OLD = b"".join(b"line %d\n" % n for n in range(1, 41))
NEW = OLD.replace(b"line 3\n", b"line three\n").replace(b"line 30\n", b"line thirty\n")
STAGED_FIRST = OLD.replace(b"line 3\n", b"line three\n")  # base + the first hunk only
IMAGE_OLD = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
IMAGE_NEW = b"\x89PNG\r\n\x1a\n" + bytes(reversed(range(256)))
REFRESH_MS = HANG_GUARD_MS  # the watcher's speed is benched


@pytest.fixture(autouse=True)
def quiet_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Vetline runs git as the user would; no user or system config may leak in here."""
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """An agent's edits: a text file with two hunks, a binary, a new file, a nested repo."""
    repo = GitRepo.init(tmp_path / "project")
    repo.write("numbers.txt", OLD)
    repo.write("image.bin", IMAGE_OLD)
    repo.commit("base")
    repo.write("numbers.txt", NEW)
    repo.write("image.bin", IMAGE_NEW)
    repo.write("notes/new.md", "# Notes\n\nWritten by the agent.\n")
    nested = GitRepo.init(repo.root / "vendor" / "lib")
    nested.write("lib.py", "x = 1\n")
    nested.commit("nested")
    return repo


@pytest.fixture
def review(qtbot: QtBot, tmp_path: Path, repo: GitRepo, qt_loop: qasync.QEventLoop) -> Review:
    yield from open_repository(qtbot, tmp_path, repo.root)


def go_to_file(review: Review, path: str) -> None:
    items = review.controller.session.items
    target = next(i for i, item in enumerate(items) if item.change.path == path)
    review.go_to(items[target].proposal.id, target + 1)


def hunks_of(review: Review, path: str) -> list[str]:
    return [
        item.state.value for item in review.controller.session.items if item.change.path == path
    ]


def test_keys_stage_and_restore_hunks_byte_for_byte(review: Review, repo: GitRepo) -> None:
    names = [name for name, _ in review.window.queue.state_words()]
    assert "image.bin" in names and "notes/new.md" in names and "vendor/lib" in names
    assert "binary · whole file" in names
    go_to_file(review, "numbers.txt")
    review.shot("21-git-repo")

    review.press_and_wait(Qt.Key.Key_Y, CTRL)
    assert repo.git("show", ":numbers.txt") == STAGED_FIRST  # staged at once
    assert repo.read("numbers.txt") == NEW  # the work tree keeps it

    review.press_and_wait(Qt.Key.Key_N, CTRL)
    assert repo.read("numbers.txt") == STAGED_FIRST  # the second hunk restored
    assert repo.git("show", ":numbers.txt") == STAGED_FIRST

    # Our own writes set the watcher off; they must not re-read what was just decided.
    follower = review.window.repository_follower
    review.qtbot.waitUntil(lambda: not follower.watcher.pending, timeout=WAIT_MS)
    review.settle()
    assert hunks_of(review, "numbers.txt") == ["accepted", "rejected"]
    assert [row["verdict"] for row in review.rows()] == ["accepted", "rejected"]
    assert repo.git("log", "--oneline").count(b"\n") == 1  # nothing committed


def test_a_binary_file_is_accepted_whole(review: Review, repo: GitRepo) -> None:
    go_to_file(review, "image.bin")
    notes = review.window.details.notes.body.text()
    assert "Binary file: accepted or rejected as a whole." in notes
    review.press_and_wait(Qt.Key.Key_Y, CTRL)
    assert repo.git("show", ":image.bin") == IMAGE_NEW
    assert repo.read("image.bin") == IMAGE_NEW


def test_a_nested_repository_is_listed_not_entered(review: Review, repo: GitRepo) -> None:
    go_to_file(review, "vendor/lib")
    assert "Listed only" in review.window.details.notes.body.text()
    review.shot("21-git-nested-repository")
    review.press_and_wait(Qt.Key.Key_Y, CTRL)
    assert "cannot be accepted" in review.window.banner.message()
    assert repo.git("ls-files", "--stage", "vendor") == b""  # never added to the index


def test_an_edit_on_disk_refreshes_the_queue_and_keeps_other_verdicts(
    review: Review, repo: GitRepo
) -> None:
    go_to_file(review, "image.bin")
    review.press_and_wait(Qt.Key.Key_Y, CTRL)  # a verdict elsewhere, which must survive
    go_to_file(review, "numbers.txt")

    repo.write("numbers.txt", NEW.replace(b"line 20\n", b"line twenty\n"))
    # The queue is rebuilt first and the banner said after: wait for both, not for one.
    review.qtbot.waitUntil(
        lambda: (
            len(hunks_of(review, "numbers.txt")) == 3
            and "numbers.txt changed on disk" in review.window.banner.message()
        ),
        timeout=REFRESH_MS,
    )

    assert hunks_of(review, "image.bin") == ["accepted"]
    current = review.controller.current
    assert current is not None and current.change.path == "numbers.txt"  # shown again
    assert "numbers.txt changed on disk" in review.window.banner.message()
    names = [name for name, _ in review.window.queue.state_words()]
    assert names.count("numbers.txt") == 1


def test_a_new_file_on_disk_joins_the_queue(review: Review, repo: GitRepo) -> None:
    repo.write("notes/later.md", "Added while Vetline watched.\n")
    review.qtbot.waitUntil(
        lambda: "notes/later.md" in [name for name, _ in review.window.queue.state_words()],
        timeout=REFRESH_MS,
    )
    assert hunks_of(review, "notes/later.md") == ["pending"]


def test_accepting_a_hunk_changed_on_disk_is_refused_and_reshown(
    review: Review, repo: GitRepo
) -> None:
    go_to_file(review, "numbers.txt")
    edited = NEW.replace(b"line thirty\n", b"line 30\n")  # the agent took one back
    repo.write("numbers.txt", edited)
    review.press_and_wait(Qt.Key.Key_Y, CTRL)  # before the watcher has had its look

    message = review.window.banner.message()
    assert "numbers.txt changed on disk since it was shown" in message
    assert message.startswith("Not decided: ")
    assert repo.git("show", ":numbers.txt") == OLD  # nothing staged
    assert repo.read("numbers.txt") == edited  # nothing restored
    assert review.rows() == []  # not even logged
    current = review.controller.current
    assert current is not None and current.change.new_text == edited.decode()
    assert len(hunks_of(review, "numbers.txt")) == 1  # the re-read file: one hunk now


def test_a_repository_in_the_middle_of_a_merge_is_refused(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    repo = GitRepo.init(tmp_path / "merging")
    repo.write("a.txt", "base\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "other")
    repo.write("a.txt", "theirs\n")
    repo.commit("theirs")
    repo.git("checkout", "-q", "main")
    repo.write("a.txt", "ours\n")
    repo.commit("ours")
    repo.git("merge", "other", check=False)  # a conflict: MERGE_HEAD stays
    for review in open_repository(qtbot, tmp_path, repo.root, refused=True):
        message = review.window.banner.message()
        assert "in the middle of a merge; finish or abort it first" in message
        assert review.window.pages.currentWidget() is review.window.empty_state


def test_a_file_the_agent_takes_back_leaves_the_queue(review: Review, repo: GitRepo) -> None:
    (repo.root / "notes" / "new.md").unlink()
    review.qtbot.waitUntil(
        lambda: "notes/new.md" not in [name for name, _ in review.window.queue.state_words()],
        timeout=REFRESH_MS,
    )
    proposal = review.controller.session.proposals[0]
    assert "notes/new.md" not in [change.path for change in proposal.changes]


def test_a_clean_repository_fills_the_queue_as_the_agent_edits(
    qtbot: QtBot, tmp_path: Path, qt_loop: qasync.QEventLoop
) -> None:
    repo = GitRepo.init(tmp_path / "clean")
    repo.write("numbers.txt", OLD)
    repo.commit("base")
    for review in open_repository(qtbot, tmp_path, repo.root):
        assert review.window.pages.currentWidget() is review.window.empty_state
        assert "Watching the repository" in review.window.empty_state.watching.text()
        review.shot("21-git-repo-watching")
        repo.write("numbers.txt", NEW)
        review.qtbot.waitUntil(
            lambda r=review: len(hunks_of(r, "numbers.txt")) == 2, timeout=REFRESH_MS
        )
        review.qtbot.waitUntil(
            lambda r=review: r.window.pages.currentIndex() == 1, timeout=HANG_GUARD_MS
        )
        review.press_and_wait(Qt.Key.Key_Y, CTRL)
        assert repo.git("show", ":numbers.txt") == STAGED_FIRST


def test_asking_a_model_in_a_repository_window_says_where_to_ask(review: Review) -> None:
    review.press(Qt.Key.Key_L, CTRL)
    panel = review.window.ask_panel
    review.qtbot.keyClicks(panel.instruction, "Tidy up")
    review.qtbot.keyClick(panel.instruction, Qt.Key.Key_Return, CTRL)
    assert "this window reviews a repository's own changes" in review.window.banner.message()
    assert not review.window.asker.running


def test_a_question_about_a_hunk_re_read_meanwhile_closes_and_decides_nothing(
    review: Review, repo: GitRepo
) -> None:
    go_to_file(review, "numbers.txt")
    review.press(Qt.Key.Key_N, CTRL | Qt.KeyboardModifier.ShiftModifier)
    panel = review.window.prompts.reason_panel
    review.qtbot.waitUntil(panel.isVisible, timeout=HANG_GUARD_MS)
    review.qtbot.keyClick(panel.presets, Qt.Key.Key_Down)  # an answer half given
    repo.write("numbers.txt", NEW.replace(b"line 20\n", b"line twenty\n"))
    review.qtbot.waitUntil(lambda: len(hunks_of(review, "numbers.txt")) == 3, timeout=REFRESH_MS)
    # It asked about a hunk now gone.
    review.qtbot.waitUntil(lambda: not panel.isVisible(), timeout=HANG_GUARD_MS)
    note = review.window.statusBar().currentMessage()
    assert note == "numbers.txt changed while you were answering: nothing decided"
    assert "numbers.txt changed on disk" in review.window.banner.message()
    review.qtbot.keyClick(panel.presets, Qt.Key.Key_Return)  # a late Enter decides nothing
    review.settle()
    assert review.rows() == []
    assert repo.read("numbers.txt") == NEW.replace(b"line 20\n", b"line twenty\n")


def test_an_edit_of_a_hunk_re_read_meanwhile_closes_and_decides_nothing(
    review: Review, repo: GitRepo
) -> None:
    go_to_file(review, "numbers.txt")
    review.press(Qt.Key.Key_E)
    panel = review.window.prompts.edit_panel
    review.qtbot.waitUntil(panel.isVisible, timeout=HANG_GUARD_MS)
    review.qtbot.keyClick(panel.editor, Qt.Key.Key_End)
    review.type_text(panel.editor, "?")
    repo.write("numbers.txt", NEW.replace(b"line 20\n", b"line twenty\n"))
    review.qtbot.waitUntil(lambda: len(hunks_of(review, "numbers.txt")) == 3, timeout=REFRESH_MS)
    review.qtbot.waitUntil(lambda: not panel.isVisible(), timeout=HANG_GUARD_MS)
    note = review.window.statusBar().currentMessage()
    assert note == "numbers.txt changed while you were answering: nothing decided"
    review.qtbot.keyClick(panel.editor, Qt.Key.Key_Return, CTRL)  # a late Ctrl+Enter: nothing
    review.settle()
    assert review.rows() == []
    assert repo.read("numbers.txt") == NEW.replace(b"line 20\n", b"line twenty\n")
    go_to_file(review, "numbers.txt")  # the same hunk, re-read: what was typed is still there
    review.press(Qt.Key.Key_E)
    assert "line three?" in panel.editor.toPlainText().splitlines()


def test_an_undo_git_cannot_carry_out_leaves_the_verdict_standing_on_screen(
    review: Review, repo: GitRepo
) -> None:
    go_to_file(review, "numbers.txt")
    review.press_and_wait(Qt.Key.Key_Y, CTRL)
    assert repo.git("show", ":numbers.txt") == STAGED_FIRST
    lock = repo.root / ".git" / "index.lock"
    lock.write_bytes(b"")  # another git command holds the index

    review.press_and_wait(Qt.Key.Key_Z, CTRL)
    banner = review.window.banner
    review.qtbot.waitUntil(banner.isVisible, timeout=HANG_GUARD_MS)
    review.shot("25-git-undo-not-carried-out")
    message = banner.message()
    assert message.startswith("Not undone: the repository could not be written: git ")
    assert "index.lock': File exists. Another git process" in message  # git's words, one line
    assert message.endswith("remove the file manually to continue; the verdict still stands")
    assert repo.git("show", ":numbers.txt") == STAGED_FIRST
    assert [row["verdict"] for row in review.rows()] == ["accepted", "undone", "accepted"]
    assert hunks_of(review, "numbers.txt") == ["accepted", "pending"]

    lock.unlink()  # the other command is done: the same undo now goes through
    review.press_and_wait(Qt.Key.Key_Z, CTRL)
    assert repo.git("show", ":numbers.txt") == OLD
    assert [row["verdict"] for row in review.rows()] == [
        "accepted",
        "undone",
        "accepted",
        "undone",
    ]
    assert hunks_of(review, "numbers.txt") == ["pending", "pending"]

"""SEARCH/REPLACE blocks in Aider, Cline and Roo dress, applied to real files in a folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vetline.adapters.formats.search_replace import parse_search_replace
from vetline.adapters.inputs import workspace_reader
from vetline.core.errors import InputError
from vetline.core.hunks import apply_hunks
from vetline.core.model import Change, FileStatus, HunkKind
from vetline.core.text import encode

APP = "".join(f"line {n}\n" for n in range(1, 21))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP)
    return tmp_path


def _parse(text: str, workspace: Path, name: str = "edits.md") -> list[Change]:
    (proposal,) = parse_search_replace(text, name, workspace_reader(workspace))
    return list(proposal.changes)


def _error(text: str, workspace: Path) -> str:
    with pytest.raises(InputError) as caught:
        parse_search_replace(text, "edits.md", workspace_reader(workspace))
    return str(caught.value)


def _check_consistent(change: Change) -> None:
    assert change.base_text is not None
    assert change.new_text is not None
    assert apply_hunks(change.base_text, change.hunks) == change.new_text


def test_aider_blocks_with_a_file_name_and_fences(workspace: Path) -> None:
    text = (
        "Here is the change.\n\n"
        "src/app.py\n"
        "```python\n"
        "<<<<<<< SEARCH\n"
        "line 2\n"
        "=======\n"
        "line two\n"
        ">>>>>>> REPLACE\n"
        "```\n\n"
        "```python\n"
        "<<<<<<< SEARCH\n"
        "line 19\n"
        "line 20\n"
        "=======\n"
        "line nineteen\n"
        ">>>>>>> REPLACE\n"
        "```\n"
    )
    (change,) = _parse(text, workspace)
    assert change.path == "src/app.py"
    assert change.status is FileStatus.MODIFIED
    assert change.new_text == APP.replace("line 2\n", "line two\n").replace(
        "line 19\nline 20\n", "line nineteen\n"
    )
    assert len(change.hunks) == 2
    assert change.base_sha256 == hashlib.sha256(APP.encode()).hexdigest()
    _check_consistent(change)


def test_cline_blocks_name_their_file_in_a_path_tag(workspace: Path) -> None:
    text = (
        "<replace_in_file>\n<path>src/app.py</path>\n<diff>\n"
        "------- SEARCH\nline 5\n=======\nline five\n+++++++ REPLACE\n"
        "</diff>\n</replace_in_file>\n"
    )
    (change,) = _parse(text, workspace)
    assert change.new_text == APP.replace("line 5\n", "line five\n")


def test_roo_start_line_picks_between_equal_texts(workspace: Path) -> None:
    (workspace / "dup.txt").write_text("x\nsame\ny\nsame\nz\n")
    text = (
        "<apply_diff>\n<path>dup.txt</path>\n<diff>\n"
        "<<<<<<< SEARCH\n:start_line:4\n-------\nsame\n=======\nfourth\n>>>>>>> REPLACE\n"
        "</diff>\n</apply_diff>\n"
    )
    (change,) = _parse(text, workspace)
    assert change.new_text == "x\nsame\ny\nfourth\nz\n"
    _check_consistent(change)


def test_roo_start_line_follows_lines_added_above(workspace: Path) -> None:
    (workspace / "dup.txt").write_text("a\nsame\nb\nsame\n")
    text = (
        "<path>dup.txt</path>\n"
        "<<<<<<< SEARCH\n:start_line:1\n-------\na\n=======\na\nnew\n>>>>>>> REPLACE\n"
        "<<<<<<< SEARCH\n:start_line:4\n-------\nsame\n=======\nlast\n>>>>>>> REPLACE\n"
    )
    (change,) = _parse(text, workspace)
    assert change.new_text == "a\nnew\nsame\nb\nlast\n"


def test_an_empty_search_creates_a_missing_file(workspace: Path) -> None:
    text = "docs/new.md\n<<<<<<< SEARCH\n=======\n# Title\n>>>>>>> REPLACE\n"
    (change,) = _parse(text, workspace)
    assert (change.path, change.status, change.base_text) == ("docs/new.md", FileStatus.ADDED, "")
    assert change.new_text == "# Title\n"
    assert change.base_sha256 is None
    _check_consistent(change)
    empty = "empty.txt\n<<<<<<< SEARCH\n=======\n>>>>>>> REPLACE\n"
    (created,) = _parse(empty, workspace)
    assert [hunk.kind for hunk in created.hunks] == [HunkKind.CREATE_EMPTY]


def test_crlf_files_match_lf_blocks_and_stay_crlf(workspace: Path) -> None:
    (workspace / "win.txt").write_bytes(b"one\r\ntwo\r\nthree\r\n")
    (change,) = _parse("win.txt\n<<<<<<< SEARCH\ntwo\n=======\n2\n>>>>>>> REPLACE\n", workspace)
    assert change.new_text == "one\r\n2\r\nthree\r\n"
    _check_consistent(change)


def test_a_missing_final_newline_stays_missing(workspace: Path) -> None:
    (workspace / "noeol.txt").write_bytes(b"first\nlast")
    (change,) = _parse(
        "noeol.txt\n<<<<<<< SEARCH\nlast\n=======\nLAST\n>>>>>>> REPLACE\n", workspace
    )
    assert change.new_text == "first\nLAST"
    _check_consistent(change)


def test_bom_and_latin1_bytes_survive(workspace: Path) -> None:
    (workspace / "bom.txt").write_bytes(b"\xef\xbb\xbfhello\nworld\n")
    (workspace / "latin.txt").write_bytes(b"caf\xe9\nend\n")
    text = (
        "bom.txt\n<<<<<<< SEARCH\nhello\n=======\nhi\n>>>>>>> REPLACE\n"
        "latin.txt\n<<<<<<< SEARCH\nend\n=======\nfin\n>>>>>>> REPLACE\n"
    )
    bom, latin = _parse(text, workspace)
    assert bom.new_text is not None
    assert encode(bom.new_text, bom.encoding) == b"\xef\xbb\xbfhi\nworld\n"
    assert latin.new_text is not None
    assert encode(latin.new_text, latin.encoding) == b"caf\xe9\nfin\n"


def test_utf16_files_keep_their_encoding(workspace: Path) -> None:
    (workspace / "wide.txt").write_bytes("\ufeffalpha\nbeta\n".encode("utf-16-le"))
    (change,) = _parse(
        "wide.txt\n<<<<<<< SEARCH\nbeta\n=======\ngamma\n>>>>>>> REPLACE\n", workspace
    )
    assert change.encoding == "utf-16-le"
    assert change.new_text is not None
    assert encode(change.new_text, change.encoding) == "\ufeffalpha\ngamma\n".encode("utf-16-le")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "src/app.py\n<<<<<<< SEARCH\nnot there\n=======\nx\n>>>>>>> REPLACE\n",
            "edits.md line 2: block 1 (src/app.py): the SEARCH text is not in the file",
        ),
        (
            "src/app.py\n<<<<<<< SEARCH\nline 1\n=======\nx\n>>>>>>> REPLACE\n"
            "src/app.py\n<<<<<<< SEARCH\nline 1\n=======\ny\n>>>>>>> REPLACE\n",
            "line 8: block 2 (src/app.py): the SEARCH text is not in the file",
        ),
        (
            "dup.txt\n<<<<<<< SEARCH\nsame\n=======\nx\n>>>>>>> REPLACE\n",
            "block 1 (dup.txt): the SEARCH text is in the file 2 times (lines 1, 3)",
        ),
        (
            "missing.txt\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n",
            "block 1 (missing.txt): the file does not exist",
        ),
        (
            "src/app.py\n<<<<<<< SEARCH\n=======\nnew\n>>>>>>> REPLACE\n",
            "block 1 (src/app.py): SEARCH is empty but the file is not",
        ),
        ("src/app.py\n<<<<<<< SEARCH\nline 1\n", "block 1 (src/app.py): the text ends before its"),
        (
            "src/app.py\n<<<<<<< SEARCH\nline 1\n=======\nx\n",
            "the text ends before its REPLACE marker",
        ),
        (
            "src/app.py\n<<<<<<< SEARCH\nline 1\n<<<<<<< SEARCH\n",
            "a new SEARCH starts at line 4",
        ),
        ("<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n", "line 1: block 1 names no file"),
        (
            "Change it like this:\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n",
            "block 1 names no file",
        ),
        ("just prose\n", "edits.md: no SEARCH/REPLACE blocks found"),
        (
            "src/app.py\n<<<<<<< SEARCH\nline 1\n=======\nline 1\n>>>>>>> REPLACE\n",
            "no changes found",
        ),
        (
            "blob.bin\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n",
            "blob.bin is a binary file",
        ),
        (
            "../outside.txt\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n",
            "refusing to read '../outside.txt'",
        ),
    ],
)
def test_bad_blocks_are_refused_by_number_and_file(
    workspace: Path, text: str, message: str
) -> None:
    (workspace / "dup.txt").write_text("same\nx\nsame\n")
    (workspace / "blob.bin").write_bytes(b"a\0b")
    assert message in _error(text, workspace)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    count=st.integers(1, 30),
    data=st.data(),
    replacement=st.lists(st.sampled_from(["new\n", "other\r\n", "\n"]), max_size=4),
)
def test_a_unique_search_is_replaced_exactly(
    tmp_path: Path, count: int, data: st.DataObject, replacement: list[str]
) -> None:
    lines = [f"unique {n}\n" for n in range(count)]
    start = data.draw(st.integers(0, count - 1))
    end = data.draw(st.integers(start + 1, count))
    (tmp_path / "f.txt").write_text("".join(lines), newline="")
    block = "".join(["f.txt\n<<<<<<< SEARCH\n", *lines[start:end], "=======\n"])
    block += "".join([*replacement, ">>>>>>> REPLACE\n"])
    expected = "".join([*lines[:start], *replacement, *lines[end:]])
    try:
        (proposal,) = parse_search_replace(block, "p.md", workspace_reader(tmp_path))
    except InputError as error:
        assert expected == "".join(lines)
        assert "no changes found" in str(error)
        return
    (change,) = proposal.changes
    assert change.new_text == expected
    _check_consistent(change)


def test_more_blocks_than_a_big_file_can_take_in_reasonable_time_are_refused(
    workspace: Path,
) -> None:
    """Each block is looked for in the whole file, so the work grows as blocks × lines
    (100,000 blocks on a million lines: days). Past 20 million comparisons (here 30
    million) the source is refused, saying why."""
    (workspace / "big.txt").write_text("".join(f"l{n}\n" for n in range(10_000)))
    blocks = "".join(
        f"big.txt\n<<<<<<< SEARCH\nl{n}\n=======\nL{n}\n>>>>>>> REPLACE\n" for n in range(3_000)
    )

    message = _error(blocks, workspace)

    assert "3,000 edits of big.txt, a file of 10,000 lines" in message
    assert "split them into smaller proposals" in message

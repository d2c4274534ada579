"""The headless command line contract: check, apply and log, run as a real process."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from helpers import HANG_GUARD_S
from helpers.command_line import vetline
from helpers.gitrepo import git

REPO_ROOT = Path(__file__).resolve().parents[1]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".git" not in path.parts
    }


PY_OLD = "".join(f"def f{i}():\n    return {i}\n\n" for i in range(30))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A committed tree, then an agent-style change of several kinds left in the work tree."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "app.py").write_text(PY_OLD, encoding="utf-8")
    (root / "notes.md").write_bytes(b"# Notes\r\n\r\nE = mc^3\r\n")
    (root / "old_name.txt").write_text("keep me\n", encoding="utf-8")
    (root / "gone.txt").write_text("bye\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    new_py = PY_OLD.replace("return 2\n", "return 2 + 2\n").replace("return 25\n", "return -25\n")
    (root / "app.py").write_text(new_py, encoding="utf-8")
    (root / "notes.md").write_bytes(b"# Notes\r\n\r\nE = mc^2\r\n")
    git(root, "mv", "old_name.txt", "new_name.txt")
    git(root, "rm", "-q", "gone.txt")
    (root / "added.txt").write_text("fresh\nfile\n", encoding="utf-8")
    git(root, "add", "-A")
    return root


@pytest.fixture
def patch(repo: Path, tmp_path: Path) -> Path:
    """The change as a patch, with the work tree reset to the base (the workspace)."""
    path = tmp_path / "change.patch"
    path.write_bytes(git(repo, "diff", "--cached", "-M"))
    git(repo, "commit", "-qm", "new")
    git(repo, "checkout", "-q", "HEAD~1")
    return path


def new_tree(repo: Path) -> dict[str, bytes]:
    git(repo, "checkout", "-q", "main")
    tree = snapshot(repo)
    git(repo, "checkout", "-q", "HEAD~1")
    return tree


def check_json(patch: Path, repo: Path, data_dir: Path, *extra: str) -> dict[str, object]:
    result = vetline(
        "check", str(patch), "--workspace", str(repo), "--json", *extra, data_dir=data_dir
    )
    assert result.returncode in (0, 3), result.stderr
    return dict(json.loads(result.stdout))


def test_check_json_lists_files_in_order_with_statuses(
    patch: Path, repo: Path, tmp_path: Path
) -> None:
    report = check_json(patch, repo, tmp_path / "data", "--level", "4")
    (proposal,) = report["proposals"]  # type: ignore[misc]
    files = {f["path"]: f for f in proposal["files"]}
    assert files["app.py"]["status"] == "modified"
    assert len(files["app.py"]["hunks"]) == 2
    assert files["added.txt"]["status"] == "added"
    assert files["gone.txt"]["status"] == "deleted"
    assert files["new_name.txt"]["status"] == "renamed"
    (rename_item,) = files["new_name.txt"]["hunks"]
    assert rename_item["added"] == rename_item["removed"] == 0
    hunk = files["app.py"]["hunks"][0]
    assert set(hunk) == {
        "id",
        "old_start",
        "old_lines",
        "new_start",
        "new_lines",
        "added",
        "removed",
        "hidden",
    }
    assert hunk["hidden"] == ""  # what its added lines and its file's name hide
    assert proposal["leash"] == {"level": 4, "ok": True, "violations": []}


def test_check_exits_3_over_the_leash_and_says_why(patch: Path, repo: Path, tmp_path: Path) -> None:
    result = vetline(
        "check", str(patch), "--workspace", str(repo), "--level", "1", data_dir=tmp_path / "data"
    )
    assert result.returncode == 3
    assert "changed lines > 5 allowed at level 1 (Suggest)" in result.stdout


def test_accept_all_gives_the_new_tree_and_none_the_old(
    patch: Path, repo: Path, tmp_path: Path
) -> None:
    expected_new = new_tree(repo)
    old = snapshot(repo)
    none = vetline(
        "apply",
        str(patch),
        "--workspace",
        str(repo),
        "--accept",
        "none",
        "--reason",
        "not now",
        data_dir=tmp_path / "data",
    )
    assert none.returncode == 0, none.stderr
    assert snapshot(repo) == old
    result = vetline(
        "apply",
        str(patch),
        "--workspace",
        str(repo),
        "--accept",
        "all",
        "--level",
        "4",
        data_dir=tmp_path / "data",
    )
    assert result.returncode == 0, result.stderr
    assert snapshot(repo) == expected_new


def test_a_subset_equals_git_apply_of_the_same_hunks(
    patch: Path, repo: Path, tmp_path: Path
) -> None:
    report = check_json(patch, repo, tmp_path / "data", "--level", "4")
    files = {f["path"]: f for f in report["proposals"][0]["files"]}  # type: ignore[index]
    second_py_hunk = files["app.py"]["hunks"][1]["id"]
    rename = files["new_name.txt"]["hunks"][0]["id"]
    result = vetline(
        "apply",
        str(patch),
        "--workspace",
        str(repo),
        "--accept",
        f"{second_py_hunk},{rename}",
        data_dir=tmp_path / "data",
    )
    assert result.returncode == 0, result.stderr
    ours = snapshot(repo)

    # git apply of the same two pieces: the second app.py hunk, and the rename.
    git(repo, "checkout", "-q", "-f", "HEAD")
    git(repo, "clean", "-qfd")
    app_patch = git(repo, "diff", "HEAD", "main", "--", "app.py").decode()
    header, *hunks = app_patch.split("\n@@")
    sub_patch = header + "\n@@" + hunks[1]
    subprocess.run(["git", "apply", "-"], cwd=repo, input=sub_patch.encode(), check=True)
    (repo / "old_name.txt").rename(repo / "new_name.txt")
    assert ours == snapshot(repo)


def test_every_verdict_is_logged_and_exported(patch: Path, repo: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    vetline(
        "apply",
        str(patch),
        "--workspace",
        str(repo),
        "--accept",
        "none",
        "--reason",
        "too risky",
        "--reviewer",
        "ana",
        data_dir=data,
    )
    exported = vetline("log", "export", "--format", "jsonl", data_dir=data)
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(rows) == 6  # two app.py hunks, notes, rename, delete, add
    assert {row["verdict"] for row in rows} == {"rejected"}
    assert {row["reason"] for row in rows} == {"too risky"}
    assert {row["reviewer"] for row in rows} == {"ana"}
    # A scripted review showed nothing on screen, and the log says it was decided in bulk.
    assert {(row["ms_on_screen"], row["bulk"]) for row in rows} == {(0, True)}
    for field in (
        "decided_at",
        "proposal_id",
        "hunk_id",
        "hunk_sha256",
        "path",
        "ms_on_screen",
        "level",
        "agent",
        "model",
        "added",
        "removed",
        "prev_hash",
        "hash",
    ):
        assert field in rows[0]
    as_csv = vetline("log", "export", "--format", "csv", data_dir=data)
    assert len(list(csv.DictReader(io.StringIO(as_csv.stdout)))) == 6
    assert vetline("log", "verify", data_dir=data).returncode == 0


def test_log_verify_names_the_first_altered_row(patch: Path, repo: Path, tmp_path: Path) -> None:
    import sqlite3

    data = tmp_path / "data"
    vetline("apply", str(patch), "--workspace", str(repo), "--accept", "none", data_dir=data)
    path = vetline("log", "path", data_dir=data).stdout.strip()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE decisions SET reason = 'forged' WHERE seq = 3")
    connection.close()
    result = vetline("log", "verify", data_dir=data)
    assert result.returncode == 5
    assert "row 3" in result.stderr


def test_accept_all_over_the_leash_is_refused_and_nothing_happens(
    patch: Path, repo: Path, tmp_path: Path
) -> None:
    before = snapshot(repo)
    result = vetline(
        "apply",
        str(patch),
        "--workspace",
        str(repo),
        "--accept",
        "all",
        "--level",
        "1",
        data_dir=tmp_path / "data",
    )
    assert result.returncode == 3
    assert "over the leash" in result.stderr
    assert snapshot(repo) == before
    exported = vetline("log", "export", data_dir=tmp_path / "data").stdout
    rows = [json.loads(line) for line in exported.splitlines()]
    assert rows  # each hunk's refusal is in the log, with the reason
    assert {row["verdict"] for row in rows} == {"refused"}
    assert all("over the leash" in row["reason"] for row in rows)


def test_a_stale_base_exits_4_and_writes_nothing(patch: Path, repo: Path, tmp_path: Path) -> None:
    (repo / "app.py").write_text(PY_OLD.replace("return 2\n", "return 3\n"), encoding="utf-8")
    before = snapshot(repo)
    result = vetline(
        "apply",
        str(patch),
        "--workspace",
        str(repo),
        "--accept",
        "all",
        "--level",
        "4",
        data_dir=tmp_path / "data",
    )
    assert result.returncode == 4, result.stderr
    assert "app.py" in result.stderr
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n", "line"),
        (b"just some words\n", "not a"),
        (
            b"diff --git a/../../etc/passwd b/../../etc/passwd\n--- a/../../etc/passwd\n"
            b"+++ b/../../etc/passwd\n@@ -1 +1 @@\n-a\n+b\n",
            "..",
        ),
        # Found by fuzzing: each once ended in a traceback.
        (b"--- a/x\n+++ b/x\n@@ -" + b"1" * 5000 + b" +1 @@\n-a\n+b\n", "malformed hunk header"),
        (b'{"title": "t", "changes": [], "n": ' + b"1" * 5000 + b"}", "too many digits"),
        (b'{"title": "t\\ud800", "changes": []}', "$.title: not valid Unicode"),
        (
            b'{"title": "t", "changes": [{"path": "x", "new": "b\\n", "encoding": "undefined"}]}',
            "unknown encoding 'undefined'",
        ),
        (
            b"diff --git a/bin b/bin\nnew file mode 100644\nindex 0000000..e69de29\n"
            b"GIT binary patch\nliteral 99999999999999999999999\nHcmV?d00001\n\n",
            "expected 'literal N'",
        ),
        (
            ("--- /dev/null\n+++ b/" + "\u00fc" * 200 + "\n@@ -0,0 +1 @@\n+one\n").encode(),
            "too long for this file system",
        ),
        (b"--- /dev/null\n+++ b/app.py/inside\n@@ -0,0 +1 @@\n+x\n", "a file stands where"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(
    tmp_path: Path, repo: Path, content: bytes, message: str
) -> None:
    source = tmp_path / "bad.patch"
    source.write_bytes(content)
    before = snapshot(repo)
    result = vetline(
        "apply",
        str(source),
        "--workspace",
        str(repo),
        "--accept",
        "all",
        "--level",
        "4",
        data_dir=tmp_path / "data",
    )
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(repo) == before


def test_unknown_hunk_id_is_bad_input(patch: Path, repo: Path, tmp_path: Path) -> None:
    result = vetline(
        "apply",
        str(patch),
        "--workspace",
        str(repo),
        "--accept",
        "deadbeef0000",
        data_dir=tmp_path / "data",
    )
    assert result.returncode == 2
    assert "deadbeef0000" in result.stderr


def test_stdin_is_a_source(patch: Path, repo: Path, tmp_path: Path) -> None:
    result = vetline(
        "check",
        "-",
        "--workspace",
        str(repo),
        "--level",
        "4",
        stdin=patch.read_bytes(),
        data_dir=tmp_path / "data",
    )
    assert result.returncode == 0, result.stderr
    assert "app.py" in result.stdout


def test_data_dir_option_beats_the_environment(patch: Path, repo: Path, tmp_path: Path) -> None:
    chosen = tmp_path / "chosen"
    result = vetline("--data-dir", str(chosen), "log", "path", data_dir=tmp_path / "env")
    assert Path(result.stdout.strip()).parent == chosen.resolve()


def test_apply_on_a_repository_stages_accepted_and_restores_rejected(
    repo: Path, tmp_path: Path
) -> None:
    git(repo, "commit", "-qm", "agent work is committed here only to build the fixture")
    git(repo, "reset", "-q", "HEAD~1")  # leave the agent's edits uncommitted again
    report = vetline("check", str(repo), "--json", "--level", "4", data_dir=tmp_path / "data")
    assert report.returncode == 0, report.stderr
    files = {f["path"]: f for f in json.loads(report.stdout)["proposals"][0]["files"]}
    first, second = (hunk["id"] for hunk in files["app.py"]["hunks"])
    head_before = git(repo, "rev-parse", "HEAD")
    result = vetline(
        "apply", str(repo), "--accept", first, "--reason", "no", data_dir=tmp_path / "data"
    )
    assert result.returncode == 0, result.stderr
    staged = git(repo, "diff", "--cached", "--", "app.py").decode()
    assert "+    return 2 + 2" in staged
    assert "-25" not in staged
    on_disk = (repo / "app.py").read_text(encoding="utf-8")
    assert "return 2 + 2" in on_disk
    assert "return -25" not in on_disk  # rejected: restored in the work tree
    assert (repo / "notes.md").read_bytes() == b"# Notes\r\n\r\nE = mc^3\r\n"
    assert git(repo, "rev-parse", "HEAD") == head_before  # nothing committed
    assert second not in staged


def test_ask_writes_a_proposal_from_a_local_model_server(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    from helpers.llm_server import reply_json, route, streamed

    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "app.py").write_text(PY_OLD, encoding="utf-8")
    new = PY_OLD.replace("return 7\n", "return 7.0\n")
    httpserver.expect_request(route(httpserver, "local")).respond_with_handler(
        streamed(reply_json("Float seven", {"app.py": new}))
    )
    config = tmp_path / "settings.toml"
    base_url = httpserver.url_for(route(httpserver, "local")).removesuffix("/chat/completions")
    config.write_text(
        f'[[providers]]\nname = "local"\nbase_url = "{base_url}"\nmodel = "m"\ntimeout_s = 5\n',
        encoding="utf-8",
    )
    out = tmp_path / "asked.json"
    result = vetline(
        "--config",
        str(config),
        "ask",
        "--file",
        "app.py",
        "--instruction",
        "make seven a float",
        "--workspace",
        str(workspace),
        "--out",
        str(out),
        data_dir=tmp_path / "data",
    )
    assert result.returncode == 0, result.stderr
    check = vetline(
        "check", str(out), "--workspace", str(workspace), "--json", data_dir=tmp_path / "data"
    )
    (proposal,) = json.loads(check.stdout)["proposals"]
    assert proposal["title"] == "Float seven"
    assert proposal["files"][0]["hunks"][0]["added"] == 1


def test_readme_lists_every_exported_field() -> None:
    from vetline.adapters.decision_log import EXPORT_FIELDS

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    listed = readme.split("Export records have the fields `", 1)[1].split("`", 1)[0]
    assert [name.strip() for name in listed.split(",")] == list(EXPORT_FIELDS)


def test_an_export_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog
    from vetline.core.model import Decision, Verdict

    data = tmp_path / "data"
    with DecisionLog(data / LOG_FILE_NAME) as log:
        for number in range(400):  # far more than a pipe holds
            log.append(
                Decision(
                    f"p{number}",
                    f"h{number}",
                    "0" * 64,
                    "a.txt",
                    Verdict.ACCEPTED,
                    "2026-01-01T00:00:00.000+00:00",
                    10,
                    reason="x" * 500,
                )
            )
    env = {**os.environ, "VETLINE_DATA_DIR": str(data)}
    process = subprocess.Popen(
        [sys.executable, "-m", "vetline", "log", "export"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # as `head -1` does once it has its line
    errors = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=HANG_GUARD_S) == 0, errors
    assert json.loads(first)["proposal_id"] == "p0"
    assert errors == ""


@pytest.mark.skipif(os.name == "nt", reason="RLIMIT_FSIZE is POSIX")
def test_a_write_the_file_system_refuses_names_the_file_and_changes_nothing(
    tmp_path: Path,
) -> None:
    """A file size limit fails the temp file's write as a full disk does: with an error
    that names no file. The message names the one being written."""
    import resource
    import signal

    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "small.txt").write_text("small\n", encoding="utf-8")
    big = "".join(f"line {n:03d} " + "x" * 2000 + "\n" for n in range(150))  # within the leash
    patch = tmp_path / "big.patch"
    patch.write_text(
        "--- a/small.txt\n+++ b/small.txt\n@@ -1 +1,150 @@\n-small\n"
        + "".join(f"+{line}\n" for line in big.splitlines()),
        encoding="utf-8",
    )
    limit = len(big) // 2  # the log and journal are far smaller; the new file is not

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vetline",
            "apply",
            str(patch),
            "--workspace",
            str(workspace),
            "--accept",
            "all",
            "--level",
            "4",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "VETLINE_DATA_DIR": str(tmp_path / "data")},
        preexec_fn=limited,
        timeout=HANG_GUARD_S,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert f"cannot write {workspace / 'small.txt'}: File too large; nothing was changed" in (
        result.stderr
    )
    assert sorted(path.name for path in workspace.iterdir()) == ["small.txt"]
    assert (workspace / "small.txt").read_text(encoding="utf-8") == "small\n"

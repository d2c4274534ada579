"""A file git calls binary (a NUL byte in its first 8,000 bytes) is one binary item here too."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.gitrepo import GitRepo
from helpers.parity import run_vetline


def test_a_utf16_file_is_binary_as_git_sees_it_and_is_staged_whole(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "repo")
    text = "".join(f"line {number}\n" for number in range(20))
    repo.write("wide.txt", text.encode("utf-16"))
    repo.commit("base")
    changed = text.replace("line 3\n", "line three\n").replace("line 17\n", "seventeen\n")
    repo.write("wide.txt", changed.encode("utf-16"))
    assert repo.git("diff", "--numstat").startswith(b"-\t-\t")  # git: binary

    code, out, _ = run_vetline(
        "--data-dir", str(tmp_path / "data"), "check", str(repo.root), "--json"
    )
    assert code == 0
    (file,) = json.loads(out)["proposals"][0]["files"]
    assert file["status"] == "binary"
    assert len(file["hunks"]) == 1

    code, _, error = run_vetline(
        "--data-dir", str(tmp_path / "data"), "apply", str(repo.root), "--accept", "all"
    )
    assert code == 0, error
    assert repo.git("show", ":wide.txt") == changed.encode("utf-16")  # what git add stages

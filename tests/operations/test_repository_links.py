"""What a repository only lists (links, submodules) is never reported as staged."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.gitrepo import GitRepo
from helpers.parity import run_vetline


def test_accepting_an_untracked_link_is_refused_not_reported_as_staged(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "repo")
    repo.write("a.txt", "one\n")
    repo.commit("base")
    repo.write("a.txt", "two\n")
    (repo.root / "link").symlink_to("a.txt")
    status_before = repo.git("status", "--porcelain")

    code, _, error = run_vetline(
        "--data-dir",
        str(tmp_path / "data"),
        "apply",
        str(repo.root),
        "--accept",
        "all",
        "--level",
        "4",
    )

    assert code == 2
    assert "cannot accept link" in error
    assert "never written" in error
    assert repo.git("status", "--porcelain") == status_before  # nothing staged
    assert b"?? link" in status_before
    _, out, _ = run_vetline("--data-dir", str(tmp_path / "data"), "log", "export")
    rows = [json.loads(line) for line in out.splitlines()]
    assert {row["verdict"] for row in rows} == {"refused"}
    assert {row["path"] for row in rows} == {"a.txt", "link"}

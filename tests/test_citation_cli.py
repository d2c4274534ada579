"""`vetline check` reports each citation's status, run as a real process."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from helpers.command_line import vetline
from helpers.gitrepo import git

SOURCE_TEXT = "Report\n\nThe committee found that 42 of the 50 wells were not safe to drink.\n"


def _citations(url: str) -> list[dict[str, str]]:
    return [
        {"id": "1", "locator": "notes/wells.txt", "quote": "42 of the 50 wells were not safe"},
        {"id": "2", "locator": "notes/wells.txt", "quote": "24 of the 50 wells were safe"},
        {"id": "3", "locator": url, "quote": "rent rose 4.5% in 2023"},
        {"id": "4", "locator": "notes/wells.txt", "quote": "A factory upstream poisoned them"},
        {"id": "5", "locator": "../secret.txt", "quote": "anything"},
    ]


@pytest.fixture
def cited(tmp_path: Path, httpserver: HTTPServer) -> Path:
    """A workspace with a note, and a file with a cited answer and a cited change."""
    (tmp_path / "ws" / "notes").mkdir(parents=True)
    (tmp_path / "ws" / "notes" / "wells.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    httpserver.expect_request("/rent").respond_with_data(
        "<html><body><p>Median rent rose 4.5% in 2023.</p></body></html>",
        content_type="text/html",
    )
    url = httpserver.url_for("/rent")
    document = {
        "vetline": 1,
        "proposals": [
            {
                "id": "answer",
                "title": "Is the water safe?",
                "answer": "Mostly not [1]; rents rose too [3].",
                "citations": _citations(url),
            },
            {
                "id": "edit",
                "title": "Note the finding",
                "changes": [{"path": "notes/summary.md", "new": "42 of 50 wells failed.\n"}],
                "citations": [_citations(url)[0]],
            },
        ],
    }
    path = tmp_path / "cited.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    value: dict[str, Any] = json.loads(result.stdout)
    return value


def test_check_json_gives_every_citation_its_status(cited: Path, tmp_path: Path) -> None:
    result = vetline(
        "check", str(cited), "--workspace", str(tmp_path / "ws"), "--json", data_dir=tmp_path
    )
    answer, edit = _json(result)["proposals"]
    assert answer["files"] == []
    by_id = {citation["id"]: citation for citation in answer["citations"]}
    assert by_id["1"] == {
        "id": "1",
        "status": "verified",
        "score": 1.0,
        "source_offset": len("report the committee found that "),
        "critical": False,
        "differences": [],
        "reason": "",
        "hidden": "",  # what its title, quote and claim hide: nothing
    }
    assert by_id["2"]["status"] == "approximate"
    assert by_id["2"]["critical"] is True
    assert by_id["2"]["differences"] == [
        {"quote": "24", "source": "42"},
        {"quote": "", "source": "not"},
    ]
    assert 0 < by_id["2"]["score"] < 1
    assert (by_id["3"]["status"], by_id["3"]["reason"]) == ("unavailable", "not fetched")
    assert by_id["4"]["status"] == "not_found"
    assert (by_id["5"]["status"], by_id["5"]["source_offset"]) == ("unavailable", None)
    assert "leaves the workspace" in by_id["5"]["reason"]
    assert [citation["status"] for citation in edit["citations"]] == ["verified"]


def test_check_fetches_cited_urls_only_with_fetch(
    cited: Path, tmp_path: Path, httpserver: HTTPServer
) -> None:
    args = ("check", str(cited), "--workspace", str(tmp_path / "ws"), "--json")
    vetline(*args, data_dir=tmp_path)
    assert httpserver.log == []
    answer, _ = _json(vetline(*args, "--fetch", data_dir=tmp_path))["proposals"]
    assert answer["citations"][2]["status"] == "verified"
    assert len(httpserver.log) == 1


def test_the_text_report_shows_the_same(cited: Path, tmp_path: Path) -> None:
    result = vetline("check", str(cited), "--workspace", str(tmp_path / "ws"), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  answer  Mostly not [1]; rents rose too [3]." in lines
    assert "  citation 1  verified  score 1.00  at 32  notes/wells.txt" in lines
    second = lines.index(next(line for line in lines if line.startswith("  citation 2")))
    assert lines[second].startswith("  citation 2  approximate, CRITICAL  score 0.")
    assert lines[second + 1 : second + 3] == [
        '    quote "24" / source "42"  [number]',
        '    quote "" / source "not"  [negation]',
    ]
    assert any(line.endswith("(not fetched)") for line in lines)
    assert any(line.startswith("  citation 4  not found  score 0.00") for line in lines)


def test_citation_statuses_never_change_the_exit_code(tmp_path: Path) -> None:
    """Over the leash is still 3 and within it 0, whatever the citations say."""
    source = tmp_path / "p.json"
    citation = {"id": "1", "locator": "missing.txt", "quote": "nothing"}
    lines = "".join(f"line {n}\n" for n in range(60))
    source.write_text(
        json.dumps(
            {"title": "Big", "changes": [{"path": "a.txt", "new": lines}], "citations": [citation]}
        )
    )
    result = vetline("check", str(source), "--level", "1", data_dir=tmp_path)
    assert result.returncode == 3
    assert "citation 1  unavailable" in result.stdout
    result = vetline("check", str(source), "--level", "4", data_dir=tmp_path)
    assert result.returncode == 0


def test_a_proposal_without_citations_lists_none(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "notes.txt").write_text(SOURCE_TEXT)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    (root / "notes.txt").write_text(SOURCE_TEXT + "More.\n")
    result = vetline("check", str(root), "--json", data_dir=tmp_path)
    (proposal,) = _json(result)["proposals"]
    assert proposal["citations"] == []


def test_apply_leaves_citations_to_the_window_and_the_leash_can_refuse_it(
    cited: Path, tmp_path: Path
) -> None:
    config = tmp_path / "settings.toml"
    config.write_text("[leash]\ncitations_first = true\n", encoding="utf-8")
    workspace = str(tmp_path / "ws")
    refused = vetline(
        "--config", str(config), "apply", str(cited), "--workspace", workspace,
        "--level", "4", "--accept", "all", data_dir=tmp_path / "one",
    )  # fmt: skip
    assert refused.returncode == 3, refused.stderr
    assert "every citation to be decided first" in refused.stderr
    assert not (tmp_path / "ws" / "notes" / "summary.md").exists()

    applied = vetline(
        "apply", str(cited), "--workspace", workspace, "--level", "4", "--accept", "all",
        data_dir=tmp_path / "two",
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    assert "1 hunks decided: 1 accepted" in applied.stdout
    assert (tmp_path / "ws" / "notes" / "summary.md").read_text() == "42 of 50 wells failed.\n"

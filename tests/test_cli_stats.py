"""`vetline log stats`: its counts agree with `vetline log export` on a real reviewer's log."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from helpers.command_line import vetline
from helpers.review_history import build_history
from vetline.adapters.decision_log import LOG_FILE_NAME, DecisionLog
from vetline.cli import main

VERDICTS = ("accepted", "rejected", "edited")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    with DecisionLog(folder / LOG_FILE_NAME) as log:
        build_history(log, 120)
    return folder


def run(data: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["--data-dir", str(data), "log", *args]) == 0
    return capsys.readouterr().out


def test_the_counts_agree_with_the_export(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stats = json.loads(run(data, capsys, "stats", "--json"))
    records = [json.loads(line) for line in run(data, capsys, "export").splitlines()]
    verdicts = [record for record in records if record["verdict"] in VERDICTS]
    counted = Counter(record["verdict"] for record in records)
    assert {"not_applied", "undone"} <= set(counted)  # the history has every kind of row
    assert stats["decisions"] == len(verdicts)
    assert [stats[verdict] for verdict in VERDICTS] == [counted[v] for v in VERDICTS]
    assert stats["undone"] == counted["undone"]
    assert stats["rubber_stamps"] == sum(1 for record in records if record["rubber_stamp"])
    assert stats["rubber_stamps"] > 0

    def per(field: str) -> dict[str, int]:
        return dict(Counter(str(record[field]) for record in verdicts))

    def decisions_in(groups: dict[str, Any]) -> dict[str, int]:
        return {name: group["decisions"] for name, group in groups.items()}

    assert decisions_in(stats["by_agent"]) == per("agent")
    assert decisions_in(stats["by_level"]) == per("level")
    assert decisions_in(stats["by_model"]) == per("model")  # no fallback served another here
    for name, group in stats["by_agent"].items():
        mine = [record for record in verdicts if record["agent"] == name]
        accepted = sum(1 for record in mine if record["verdict"] == "accepted")
        assert group["accept_rate"] == round(accepted / len(mine), 4)
    by_hand = [record for record in verdicts if not record["bulk"]]
    assert sum(bucket["n"] for bucket in stats["time_by_size"]) == len(by_hand)


def test_the_exact_keys_and_a_suggestion_with_its_reason(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stats = json.loads(run(data, capsys, "stats", "--json"))
    assert list(stats) == [
        "decisions",
        "accepted",
        "rejected",
        "edited",
        "undone",
        "by_agent",
        "by_model",
        "by_level",
        "by_extension",
        "time_by_size",
        "rubber_stamps",
        "suggested_level",
    ]
    assert set(stats["time_by_size"][0]) == {"lines", "n", "median_ms"}
    assert stats["suggested_level"]["level"] in (1, 2, 3, 4)
    assert "you accepted" in stats["suggested_level"]["reason"]
    text = run(data, capsys, "stats")
    assert f"{stats['decisions']} decisions: {stats['accepted']} accepted" in text
    assert "Suggested level:" in text
    assert "By file type" in text


def test_an_empty_log_says_so(tmp_path: Path) -> None:
    done = vetline("log", "stats", data_dir=tmp_path)  # a real process
    assert done.returncode == 0
    assert "No decisions in the log yet" in done.stdout
    as_json = json.loads(vetline("log", "stats", "--json", data_dir=tmp_path).stdout)
    assert as_json["decisions"] == 0
    assert as_json["suggested_level"]["level"] is None

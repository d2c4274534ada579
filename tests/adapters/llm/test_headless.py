"""`vetline ask` without a window: workspace files in, proposal JSON out that loads back."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from helpers.llm_server import provider_at, reply_json, request_bodies, route, streamed
from vetline.adapters.inputs import load_source
from vetline.adapters.llm.ask import AskStatus
from vetline.adapters.llm.errors import IncompleteAnswerError
from vetline.adapters.llm.headless import ask_settings, ask_to_file, read_workspace_files
from vetline.adapters.llm.prompt import FileText
from vetline.adapters.llm.providers import ProviderConfigError
from vetline.core.errors import InputError, UnsafePathError
from vetline.core.leash import Level
from vetline.core.settings import Settings, settings_from_document

BASE = "".join(f"line {n}\n" for n in range(1, 31))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(BASE, encoding="utf-8")
    return root


def _settings(server: HTTPServer, level: int = 2) -> Settings:
    provider = provider_at(server, "local")
    return settings_from_document(
        {
            "review": {"level": level},
            "providers": [
                {"name": "local", "base_url": provider.base_url, "model": "m", "timeout_s": 3}
            ],
        }
    )


def test_the_written_proposal_loads_back_for_review(
    httpserver: HTTPServer, workspace: Path, tmp_path: Path
) -> None:
    new = BASE.replace("line 5\n", "line five\n")
    httpserver.expect_request(route(httpserver, "local")).respond_with_handler(
        streamed(reply_json("Five", {"src/app.py": new}))
    )
    out = tmp_path / "out.json"

    result = ask_to_file(
        instruction="Spell out five",
        file_paths=["src/app.py"],
        settings=_settings(httpserver),
        out=out,
        workspace=workspace,
    )

    assert result.status is AskStatus.READY
    assert result.proposal is not None
    assert result.proposal.agent.served_model == "test-model"  # the stream's `model`
    (loaded,) = load_source(str(out), workspace)
    assert loaded == result.proposal  # the served model too (agent.served_model)
    assert loaded.task == "Spell out five"
    assert not list(tmp_path.glob("*.part"))


def test_an_over_leash_proposal_is_written_and_reported(
    httpserver: HTTPServer, workspace: Path, tmp_path: Path
) -> None:
    large = "".join(f"LINE {n}\n" for n in range(1, 31))
    httpserver.expect_request(route(httpserver, "local")).respond_with_handler(
        streamed(reply_json("All", {"src/app.py": large}))
    )
    settings = settings_from_document(
        {
            "leash": {"level1": {"max_changed_lines": 5}},
            "providers": list(_settings(httpserver).providers),
        }
    )

    result = ask_to_file(
        instruction="Shout",
        file_paths=[str(workspace / "src" / "app.py")],  # absolute inside the workspace is fine
        settings=settings,
        out=tmp_path / "out.json",
        workspace=workspace,
        provider_name="local",
        level=1,
    )

    assert result.status is AskStatus.OVER_LEASH
    assert result.sent_back == 2  # the default number of send-backs
    assert len(request_bodies(httpserver, route(httpserver, "local"))) == 3
    assert (
        "at most 5 changed lines"
        in request_bodies(httpserver, route(httpserver, "local"))[0]["messages"][1]["content"]
    )
    assert (tmp_path / "out.json").exists()


def test_an_incomplete_answer_writes_nothing(
    httpserver: HTTPServer, workspace: Path, tmp_path: Path
) -> None:
    httpserver.expect_request(route(httpserver, "local")).respond_with_handler(
        streamed("{not json", finish_reason="stop")
    )
    out = tmp_path / "out.json"

    with pytest.raises(IncompleteAnswerError, match="no proposal written: not valid JSON"):
        ask_to_file(
            instruction="x",
            file_paths=["src/app.py"],
            settings=_settings(httpserver),
            out=out,
            workspace=workspace,
        )
    assert not out.exists()


def test_settings_choose_the_level_and_the_send_backs(httpserver: HTTPServer) -> None:
    settings = _settings(httpserver, level=3)
    assert settings["review.level"] == Level.FILE
    assert ask_settings(settings).send_backs == 2
    custom = Settings(values={**settings.values, "llm.send_backs": 0}, keys=settings.keys)
    assert ask_settings(custom).send_backs == 0


def test_an_unknown_provider_name_is_refused_before_asking(
    httpserver: HTTPServer, workspace: Path, tmp_path: Path
) -> None:
    with pytest.raises(ProviderConfigError, match="no provider named 'cloud'"):
        ask_to_file(
            instruction="x",
            file_paths=["src/app.py"],
            settings=_settings(httpserver),
            out=tmp_path / "out.json",
            workspace=workspace,
            provider_name="cloud",
        )
    assert httpserver.log == []


def test_files_are_read_by_workspace_relative_path(workspace: Path, tmp_path: Path) -> None:
    (workspace / "blob.bin").write_bytes(b"\0\1\2")
    (tmp_path / "outside.txt").write_text("x")
    assert read_workspace_files(workspace, ["./src/app.py"]) == [FileText("src/app.py", BASE)]
    with pytest.raises(InputError, match="no such file in the workspace"):
        read_workspace_files(workspace, ["src/missing.py"])
    with pytest.raises(InputError, match="a binary file cannot be sent"):
        read_workspace_files(workspace, ["blob.bin"])
    with pytest.raises(InputError, match="not inside the workspace"):
        read_workspace_files(workspace, [str(tmp_path / "outside.txt")])
    with pytest.raises(UnsafePathError):
        read_workspace_files(workspace, ["../outside.txt"])

"""Platform folders: the override, then the environment, then the platform default."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from helpers import REPO_ROOT
from vetline.adapters.paths import AppFolderError, config_dir, data_dir, resources_dir


def test_override_wins_over_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VETLINE_DATA_DIR", str(tmp_path / "from-env"))

    folder = data_dir(tmp_path / "from-flag")

    assert folder == tmp_path / "from-flag"
    assert folder.is_dir()
    assert not (tmp_path / "from-env").exists()


def test_override_may_be_a_string(tmp_path: Path) -> None:
    assert data_dir(str(tmp_path / "flag")) == tmp_path / "flag"


def test_environment_wins_over_platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VETLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VETLINE_CONFIG_DIR", str(tmp_path / "config"))

    assert data_dir() == tmp_path / "data"
    assert config_dir() == tmp_path / "config"
    assert (tmp_path / "data").is_dir()
    assert (tmp_path / "config").is_dir()


def test_platform_folder_when_nothing_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VETLINE_DATA_DIR", raising=False)
    monkeypatch.delenv("VETLINE_CONFIG_DIR", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *_a, **_k: str(tmp_path / "d"))
    monkeypatch.setattr(platformdirs, "user_config_dir", lambda *_a, **_k: str(tmp_path / "c"))

    assert data_dir() == tmp_path / "d"
    assert config_dir() == tmp_path / "c"


def test_platform_folder_is_named_for_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[object, ...]] = []

    def fake(*args: object, **kwargs: object) -> str:
        asked.append((*args, kwargs.get("appauthor")))
        raise RuntimeError("stop before creating anything")

    monkeypatch.setattr(platformdirs, "user_data_dir", fake)
    monkeypatch.delenv("VETLINE_DATA_DIR", raising=False)

    with pytest.raises(RuntimeError):
        data_dir()
    assert asked == [("Vetline", False)]


def test_empty_environment_variable_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VETLINE_DATA_DIR", "")
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *_a, **_k: str(tmp_path / "d"))

    assert data_dir() == tmp_path / "d"


def test_a_file_in_the_way_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder", encoding="utf-8")

    with pytest.raises(AppFolderError, match="not a folder"):
        data_dir(blocker)


def test_resources_dir_is_the_repository_folder() -> None:
    folder = resources_dir()

    assert folder == REPO_ROOT / "resources"
    assert (folder / "schema").is_dir()


def test_resources_dir_prefers_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VETLINE_RESOURCES_DIR", str(tmp_path))

    assert resources_dir() == tmp_path


def test_missing_resources_name_where_they_were_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VETLINE_RESOURCES_DIR", str(tmp_path / "nowhere"))

    with pytest.raises(AppFolderError, match="nowhere"):
        resources_dir()

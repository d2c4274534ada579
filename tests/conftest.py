"""Shared fixtures: every test runs with its own data and config folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_profile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the data and config folders at a temp dir: tests never touch a real profile."""
    home = tmp_path_factory.mktemp("profile")
    saved = {key: os.environ.get(key) for key in _PROFILE_VARIABLES}
    os.environ["VETLINE_DATA_DIR"] = str(home / "data")
    os.environ["VETLINE_CONFIG_DIR"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "xdg-data")
    os.environ["XDG_CONFIG_HOME"] = str(home / "xdg-config")
    os.environ.pop("VETLINE_CONFIG", None)
    yield home
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


_PROFILE_VARIABLES = (
    "VETLINE_DATA_DIR",
    "VETLINE_CONFIG_DIR",
    "VETLINE_CONFIG",
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
)

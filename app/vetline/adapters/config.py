"""Reads the user's TOML settings file (keys, leash limits, providers) into core Settings."""

from __future__ import annotations

import os
from pathlib import Path

from vetline.core.errors import InputError
from vetline.core.settings import Settings, SettingsError, default_settings, settings_from_document

SETTINGS_FILE_NAME = "settings.toml"


def settings_path(explicit: str | Path | None = None) -> Path:
    """`--config FILE`, else VETLINE_CONFIG, else settings.toml in the config folder."""
    if explicit:
        return Path(explicit)
    if os.environ.get("VETLINE_CONFIG"):
        return Path(os.environ["VETLINE_CONFIG"])
    from vetline.adapters.paths import config_dir

    return config_dir(create=False) / SETTINGS_FILE_NAME  # reading settings creates nothing


def load_settings(explicit: str | Path | None = None) -> Settings:
    """The settings in force; a missing default file means the defaults.

    A file named explicitly must exist. Errors name the file and the key.
    """
    path = settings_path(explicit)
    if not path.exists():
        if explicit or os.environ.get("VETLINE_CONFIG"):
            raise InputError(f"settings file not found: {path}")
        return default_settings()
    import tomllib  # only where a settings file exists (a first start has none)

    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read settings file {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: not valid TOML: {error}") from error
    try:
        return settings_from_document(document, source=str(path))
    except SettingsError as error:
        raise InputError(str(error)) from error

"""Reads the user's TOML settings file (keys, leash limits, providers) into core Settings."""

from __future__ import annotations

import os
from pathlib import Path

from vetline.adapters.files.safety import device_kind
from vetline.core.errors import InputError
from vetline.core.settings import Settings, SettingsError, default_settings, settings_from_document

SETTINGS_FILE_NAME = "settings.toml"
# A settings file holds a few KB; anything near this is no settings file.
MAX_SETTINGS_BYTES = 1 << 20


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
        document = tomllib.loads(_read_settings_file(path).decode("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read settings file {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: not valid TOML: {error}") from error
    try:
        return settings_from_document(document, source=str(path))
    except SettingsError as error:
        raise InputError(str(error)) from error


def _read_settings_file(path: Path) -> bytes:
    """The file's bytes: a device (/dev/zero never ends) or one over MAX_SETTINGS_BYTES is
    refused, never read whole."""
    kind = device_kind(path)
    if kind is not None:
        raise InputError(f"settings file {path}: it is {kind}, not a file")
    with path.open("rb") as file:
        data = file.read(MAX_SETTINGS_BYTES + 1)
    if len(data) > MAX_SETTINGS_BYTES:
        raise InputError(
            f"settings file {path}: larger than {MAX_SETTINGS_BYTES >> 20} MB; not read"
        )
    return data

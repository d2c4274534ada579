"""Where Vetline keeps its data, its settings and its bundled resources on this platform."""

from __future__ import annotations

import importlib.resources
import os
from collections.abc import Callable
from pathlib import Path

import platformdirs

from vetline.core.errors import VetlineError

APP_NAME = "Vetline"
DATA_DIR_ENV = "VETLINE_DATA_DIR"
CONFIG_DIR_ENV = "VETLINE_CONFIG_DIR"
RESOURCES_DIR_ENV = "VETLINE_RESOURCES_DIR"
RESOURCES_PACKAGE = "vetline.resources"


class AppFolderError(VetlineError):
    """A folder Vetline needs cannot be found or created."""


def data_dir(override: str | Path | None = None) -> Path:
    """The folder for the decision log and other data, created if missing.

    `override` (from --data-dir) wins over $VETLINE_DATA_DIR, which wins over the
    platform's user data folder.
    """
    return _chosen_folder(override, DATA_DIR_ENV, _platform_data_dir)


def config_dir(override: str | Path | None = None, *, create: bool = True) -> Path:
    """The folder for settings, created if missing (unless `create` is False: a command
    that only reads settings leaves no trace); chosen like `data_dir`."""
    return _chosen_folder(override, CONFIG_DIR_ENV, _platform_config_dir, create=create)


def resources_dir() -> Path:
    """The read-only data files (demo, schema, example providers, icons) shipped with Vetline.

    They are the package `vetline.resources`: inside a wheel or a frozen app they lie
    next to the code, and an editable install maps the package to the repository's
    resources/ folder. $VETLINE_RESOURCES_DIR points elsewhere on purpose.
    """
    explicit = os.environ.get(RESOURCES_DIR_ENV)
    if explicit:
        return _existing_resources(Path(explicit).expanduser())
    try:
        packaged = importlib.resources.files(RESOURCES_PACKAGE)
    except ModuleNotFoundError as error:
        raise AppFolderError(
            f"Vetline's resources are missing: the package {RESOURCES_PACKAGE} is not installed"
        ) from error
    if not isinstance(packaged, Path):
        # A zip import would need each file extracted; Vetline is never installed that way.
        raise AppFolderError(f"Vetline's resources are not in a folder ({packaged})")
    return _existing_resources(packaged)


def _existing_resources(folder: Path) -> Path:
    if not folder.is_dir():
        raise AppFolderError(f"Vetline's resources folder is missing (looked in: {folder})")
    return folder


def _platform_data_dir() -> Path:
    # appauthor=False: on Windows the default would nest the folder as Vetline\Vetline.
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def _platform_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def _chosen_folder(
    override: str | Path | None,
    env_name: str,
    platform_default: Callable[[], Path],
    *,
    create: bool = True,
) -> Path:
    if override is not None and str(override):
        folder = Path(override).expanduser()
    elif os.environ.get(env_name):
        folder = Path(os.environ[env_name]).expanduser()
    else:
        folder = platform_default()
    return _ensure_folder(folder) if create else folder.absolute()


def _ensure_folder(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as error:
        raise AppFolderError(f"{folder} exists but is not a folder") from error
    except OSError as error:
        raise AppFolderError(f"cannot create the folder {folder}: {error.strerror}") from error
    return folder.absolute()

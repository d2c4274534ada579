"""Vetline: verify what AI agents propose, one hunk at a time."""

from __future__ import annotations

import functools


def __getattr__(name: str) -> str:
    """`__version__`, read from the installed metadata when first asked for.

    importlib.metadata costs ~20 ms to import, which the window's first paint does not need.
    """
    if name == "__version__":
        return _installed_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        # pyproject.toml is the one place the version is written; installs carry it.
        return version("vetline")
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return "0+unknown"

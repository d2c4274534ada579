"""Vetline: verify what AI agents propose, one hunk at a time."""

from importlib.metadata import PackageNotFoundError, version

try:
    # pyproject.toml is the one place the version is written; installs carry it.
    __version__ = version("vetline")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

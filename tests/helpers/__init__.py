"""Builders shared by the tests: git repositories, proposals, review windows, a model server."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

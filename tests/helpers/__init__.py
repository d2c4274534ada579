"""Builders shared by the tests: git repositories, proposals, review windows, a model server."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# How long a test waits for something before calling it a hang. Never a budget: a test waits on
# the condition or signal and goes on the moment it holds, so this only bounds a failure, and it
# is generous because a shared 2-core machine can be slow by whole minutes (speed is benched).
HANG_GUARD_S = 300
HANG_GUARD_MS = HANG_GUARD_S * 1000

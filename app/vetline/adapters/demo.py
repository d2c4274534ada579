"""The bundled demo: a fresh copy of the demo workspace and the proposals made against it.

The demo never touches the reviewer's own files: its workspace is rebuilt under the
data folder from `resources/demo/workspace/` on every start, and its proposals are
read from `resources/demo/proposals/` through the same parser as any other source.
Its decisions go to the decision log like any others.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from vetline.adapters.inputs import load_source
from vetline.adapters.paths import resources_dir
from vetline.core.errors import VetlineError
from vetline.core.model import Proposal

DEMO_FOLDER = "demo"
WORKSPACE_FOLDER = "workspace"
PROPOSALS_FOLDER = "proposals"


class DemoError(VetlineError):
    """The demo's resources are missing or its workspace cannot be made."""


def demo_workspace(data_dir: Path) -> Path:
    """Where the demo's workspace lives: always inside Vetline's own data folder."""
    return data_dir / DEMO_FOLDER / WORKSPACE_FOLDER


def prepare_demo(data_dir: Path) -> tuple[Path, list[Proposal]]:
    """(Re)create the demo workspace under `data_dir` and load the demo proposals."""
    bundled = resources_dir() / DEMO_FOLDER
    source = bundled / WORKSPACE_FOLDER
    proposal_files = sorted((bundled / PROPOSALS_FOLDER).glob("*.json"))
    if not source.is_dir() or not proposal_files:
        raise DemoError(f"the demo files are missing from {bundled}")
    workspace = demo_workspace(data_dir)
    try:
        _remove(workspace)
        workspace.parent.mkdir(parents=True, exist_ok=True)
        # An installer may have byte-compiled the demo's Python files next to them.
        shutil.copytree(source, workspace, ignore=shutil.ignore_patterns("__pycache__"))
    except OSError as error:
        raise DemoError(f"cannot make the demo workspace {workspace}: {error}") from error
    proposals: list[Proposal] = []
    for proposal_file in proposal_files:
        proposals.extend(load_source(str(proposal_file), workspace))
    return workspace, proposals


def _remove(workspace: Path) -> None:
    """Remove an earlier demo workspace (a link is unlinked, never followed)."""
    if workspace.is_symlink() or workspace.is_file():
        workspace.unlink()
    elif workspace.exists():
        shutil.rmtree(workspace)

"""A workspace of three small files, and what a write of all three puts there."""

from __future__ import annotations

from pathlib import Path

OLD = {name: f"old {name}\n".encode() for name in ("a.txt", "b.txt", "c.txt")}
NEW = {name: f"new {name}\n".encode() for name in OLD}


def three_file_workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "workspace"
    folder.mkdir()
    for name, data in OLD.items():
        (folder / name).write_bytes(data)
    return folder

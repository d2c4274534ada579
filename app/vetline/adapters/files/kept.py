"""The agent's version of a file, kept before a reject takes it out of a repository.

A reject in a repository restores the index's version in the work tree, and for a new
file the agent made, removes it. So before such a reject is logged, the file as the
agent left it is copied to Vetline's data folder — plainly, byte for byte, readable
with any tool — under a kept id the log row names. `restore` puts it back.

    <data>/kept/<id>/<path>      the agent's bytes (absent when the agent deleted it)
    <data>/kept/<id>.json        {"repository", "path", "existed", "sha256", "kept_at"}
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vetline.adapters.files.atomic import write_atomically
from vetline.core.errors import InputError, VetlineError
from vetline.core.model import sha256_hex

KEPT_FOLDER = "kept"
_ID = re.compile(r"^\d{8}T\d{6}-[0-9a-f]{8}$")


class KeptFileError(VetlineError):
    """A kept file cannot be found, read or written; the message says which."""


@dataclass(frozen=True, slots=True)
class KeptFile:
    """One file as the agent left it, kept before a reject changed it."""

    id: str
    repository: Path
    path: str  # relative to the repository, '/'-separated
    existed: bool  # False: the agent had deleted the file
    sha256: str | None
    kept_at: str


class KeptFiles:
    """The kept files in one data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / KEPT_FOLDER

    def keep(self, repository: Path, path: str, data: bytes | None) -> KeptFile:
        """Copy the agent's bytes (None: it had deleted the file) and return the record."""
        now = datetime.now(UTC)
        kept = KeptFile(
            id=f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}",
            repository=repository,
            path=path,
            existed=data is not None,
            sha256=None if data is None else sha256_hex(data),
            kept_at=now.isoformat(timespec="seconds"),
        )
        try:
            if data is not None:
                target = self._data_path(kept)
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomically(target, data, 0o600)
            manifest = {
                "repository": str(repository),
                "path": path,
                "existed": kept.existed,
                "sha256": kept.sha256,
                "kept_at": kept.kept_at,
            }
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(
                self.folder / f"{kept.id}.json",
                json.dumps(manifest, indent=1).encode("utf-8"),
                0o600,
            )
        except OSError as error:
            raise KeptFileError(
                f"cannot keep the agent's version of {path} in {self.folder}: {error.strerror}"
            ) from error
        return kept

    def find(self, kept_id: str) -> KeptFile:
        """The kept file with this id, or KeptFileError naming it."""
        if not _ID.match(kept_id):
            raise InputError(f"not a kept file id: {kept_id!r} (see `vetline kept`)")
        manifest = self.folder / f"{kept_id}.json"
        try:
            document = json.loads(manifest.read_bytes())
        except FileNotFoundError as error:
            raise KeptFileError(f"no kept file {kept_id} in {self.folder}") from error
        except (OSError, ValueError) as error:
            raise KeptFileError(
                f"the kept file record {manifest} is unreadable: {error}"
            ) from error
        sha256 = document.get("sha256") if isinstance(document, dict) else None
        try:
            return KeptFile(
                id=kept_id,
                repository=Path(str(document["repository"])),
                path=str(document["path"]),
                existed=bool(document["existed"]),
                sha256=None if sha256 is None else str(sha256),
                kept_at=str(document["kept_at"]),
            )
        except (KeyError, TypeError) as error:
            raise KeptFileError(f"the kept file record {manifest} is malformed") from error

    def all(self) -> list[KeptFile]:
        """Every kept file, oldest first."""
        if not self.folder.is_dir():
            return []
        ids = sorted(entry.stem for entry in self.folder.glob("*.json") if _ID.match(entry.stem))
        return [self.find(kept_id) for kept_id in ids]

    def data(self, kept: KeptFile) -> bytes | None:
        """The agent's bytes, checked against the hash recorded when they were kept."""
        if not kept.existed:
            return None
        try:
            data = self._data_path(kept).read_bytes()
        except OSError as error:
            raise KeptFileError(
                f"the kept copy of {kept.path} ({kept.id}) cannot be read: {error.strerror}"
            ) from error
        if sha256_hex(data) != kept.sha256:
            raise KeptFileError(f"the kept copy of {kept.path} ({kept.id}) was altered")
        return data

    def _data_path(self, kept: KeptFile) -> Path:
        # The path came from a repository scan; keep it inside the kept folder regardless.
        target = self.folder / kept.id / kept.path
        if os.path.normpath(target) != str(target) or ".." in Path(kept.path).parts:
            raise KeptFileError(f"refusing to keep a file at {kept.path!r}")
        return target

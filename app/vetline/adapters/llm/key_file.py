"""A provider's key saved in a plain file, only when the reviewer chose it (no OS keyring here).

On a system without a usable OS keyring (headless Linux, a minimal desktop) the window
offers, as a box left unticked until the reviewer ticks it, to save a typed key for
next time. It goes to `<config folder>/keys/<provider>.key`: plain text, not
encrypted, the file readable and writable by its owner only (0600) in a folder only
the owner may enter (0700) — as `gh` does without a keyring. The key is found there
after the keyring and the environment variable, so either of those still wins.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from vetline.adapters.files.atomic import write_atomically
from vetline.adapters.paths import config_dir

KEYS_FOLDER = "keys"
KEY_FILE_MODE = 0o600
KEYS_FOLDER_MODE = 0o700
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def key_file_path(provider_name: str, folder: Path | None = None) -> Path:
    """Where `provider_name`'s key is saved; each name has its own file, whatever it holds."""
    folder = folder if folder is not None else config_dir(create=False) / KEYS_FOLDER
    if _PLAIN_NAME.fullmatch(provider_name):
        return folder / f"{provider_name}.key"
    # Names with other characters keep a readable stem and a hash that tells them apart.
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", provider_name).strip("_")[:40] or "provider"
    digest = hashlib.sha256(provider_name.encode("utf-8")).hexdigest()[:12]
    return folder / f"{stem}-{digest}.key"


def describe_key_file(path: Path) -> str:
    """Where and how a saved key is kept, in words for the person deciding to save it."""
    return f"{path}, in plain text (not encrypted), readable only by your user account"


def read_key_file(path: Path) -> str | None:
    """The saved key, or None when there is none (or it cannot be read)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    key = text.strip()
    return key or None


def write_key_file(path: Path, key: str) -> None:
    """Save `key` whole or not at all, owner-only; raises OSError when it cannot be written."""
    folder = path.parent
    folder.mkdir(mode=KEYS_FOLDER_MODE, parents=True, exist_ok=True)
    if os.name != "nt":
        folder.chmod(KEYS_FOLDER_MODE)
    # The temp file is created 0600 and renamed into place: never readable by others.
    write_atomically(path, f"{key}\n".encode(), KEY_FILE_MODE)

"""Is the data folder on a network file system? SQLite's write-ahead log needs one host.

Linux reads the mount table, macOS and the BSDs ask `mount`, Windows asks for the
drive type. A folder whose file system cannot be told is taken as local: this check
only adds a warning, it never refuses.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

NETWORK_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "afpfs",
        "webdav",
        "davfs",
        "ncpfs",
        "afs",
        "9p",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "ocfs2",
        "gfs2",
    }
)
# FUSE file systems that reach over the network (`fuse.sshfs` in the mount table).
NETWORK_FUSE = frozenset({"sshfs", "rclone", "s3fs", "gcsfuse", "davfs2", "glusterfs", "smbnetfs"})
_MAC_MOUNT = re.compile(r"^.+? on (?P<point>.+) \((?P<type>[^,)]+)(?P<options>[^)]*)\)$")


def network_filesystem(folder: Path) -> str | None:
    """The network file system type `folder` is on ("nfs4", "cifs"…), None when local."""
    platform = sys.platform  # a plain value: each branch is checked on every platform
    try:
        if platform == "win32":
            return _windows_network_drive(folder)
        if platform.startswith("linux"):
            table = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
            return network_type(linux_mount_type(folder.resolve(), table))
        listing = subprocess.run(
            ["mount"], capture_output=True, text=True, timeout=5, check=True
        ).stdout
        return network_type(bsd_mount_type(folder.resolve(), listing))
    except (OSError, subprocess.SubprocessError):
        return None


def network_type(fs_type: str | None) -> str | None:
    """`fs_type` when it names a network file system, else None."""
    if fs_type is None:
        return None
    kind = fs_type.lower()
    if kind in NETWORK_TYPES:
        return fs_type
    if kind.startswith("fuse.") and kind.removeprefix("fuse.") in NETWORK_FUSE:
        return fs_type
    return None


def linux_mount_type(folder: Path, mounts: str) -> str | None:
    """The type of the longest mount point holding `folder`, from /proc/self/mounts text."""
    points: dict[str, str] = {}
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            points[_unescape(fields[1])] = fields[2]
    return _deepest(folder, points)


def bsd_mount_type(folder: Path, listing: str) -> str | None:
    """The type of the longest mount point holding `folder`, from `mount`'s output."""
    points: dict[str, str] = {}
    for line in listing.splitlines():
        found = _MAC_MOUNT.match(line.strip())
        if found:
            points[found["point"]] = found["type"].strip()
    return _deepest(folder, points)


def _deepest(folder: Path, points: dict[str, str]) -> str | None:
    for candidate in (folder, *folder.parents):
        if str(candidate) in points:
            return points[str(candidate)]
    return None


def _unescape(field: str) -> str:
    """/proc/self/mounts writes space, tab, newline and backslash as octal escapes."""
    return re.sub(r"\\([0-7]{3})", lambda match: chr(int(match[1], 8)), field)


def _windows_network_drive(folder: Path) -> str | None:
    import ctypes

    resolved = str(folder.resolve())
    if resolved.startswith("\\\\") and not resolved.startswith("\\\\?\\"):
        return "smb"  # a UNC path: \\server\share
    drive_remote = 4
    root = os.path.splitdrive(resolved)[0] + "\\"
    kind = ctypes.windll.kernel32.GetDriveTypeW(root)  # type: ignore[attr-defined]
    return "smb" if kind == drive_remote else None

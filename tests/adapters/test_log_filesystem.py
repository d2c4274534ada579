"""A data folder on a network file system is recognised, and the reviewer is told."""

from __future__ import annotations

from pathlib import Path

import pytest

from vetline.adapters.decision_log import DecisionLog
from vetline.adapters.log.filesystem import (
    bsd_mount_type,
    linux_mount_type,
    network_filesystem,
    network_type,
)

# A real /proc/self/mounts, with the kinds of mount a data folder can end up on.
LINUX_MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
tmpfs /tmp tmpfs rw,nosuid,nodev 0 0
fileserver:/export/home /home nfs4 rw,relatime,vers=4.2,rsize=1048576 0 0
//nas/share /mnt/nas cifs rw,relatime,vers=3.1.1,cache=strict 0 0
ana@box:/srv /home/ana/remote fuse.sshfs rw,nosuid,nodev,user_id=1000 0 0
/dev/sdb1 /home/ana/local\\040disk ext4 rw,relatime 0 0
"""

MAC_MOUNTS = """\
/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse, protect)
//ana@nas._smb._tcp.local/share on /Volumes/share (smbfs, nodev, nosuid, mounted by ana)
fileserver:/export on /Volumes/export (nfs, nodev, nosuid, mounted by ana)
"""


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("/home/ana/.local/share/Vetline", "nfs4"),
        ("/mnt/nas/vetline", "cifs"),
        ("/home/ana/remote/data", "fuse.sshfs"),
        ("/home/ana/local disk/data", None),  # an escaped space in the mount point
        ("/tmp/vetline", None),
        ("/var/lib/vetline", None),
    ],
)
def test_linux_mount_table(folder: str, expected: str | None) -> None:
    assert network_type(linux_mount_type(Path(folder), LINUX_MOUNTS)) == expected


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("/Volumes/share/Vetline", "smbfs"),
        ("/Volumes/export/a", "nfs"),
        ("/Users/ana/Library/Application Support/Vetline", None),
    ],
)
def test_macos_mount_listing(folder: str, expected: str | None) -> None:
    assert network_type(bsd_mount_type(Path(folder), MAC_MOUNTS)) == expected


def test_a_local_folder_is_local_and_no_warning_is_given(tmp_path: Path) -> None:
    assert network_filesystem(tmp_path) is None
    with DecisionLog(tmp_path / "decisions.sqlite3") as log:
        assert log.warnings == []


@pytest.mark.parametrize("kind", ["nfs", "NFS4", "smb3", "fuse.rclone", "9p"])
def test_network_kinds(kind: str) -> None:
    assert network_type(kind) == kind


@pytest.mark.parametrize("kind", ["ext4", "apfs", "ntfs", "tmpfs", "fuse.portal", "overlay"])
def test_local_kinds(kind: str) -> None:
    assert network_type(kind) is None

#!/usr/bin/env bash
# `make tarball`: the frozen app of the last `make package` (build/package/frozen) as
# dist/vetline-<version>-linux-<arch>.tar.xz, for distributions without dpkg: unpack it
# anywhere and run vetline-<version>/vetline. It needs the same system libraries as the
# .deb. A separate step because it xz-compresses the whole ~225 MiB folder again, which
# takes as long as the .deb itself; `make package` alone compresses it once.
set -euo pipefail
cd "$(dirname "$0")/../.."

work=$PWD/build/package
frozen=$work/frozen/vetline
if [ ! -x "$frozen/vetline" ] || [ ! -f "$work/version" ]; then
    echo "no frozen app in $frozen: run \`make package\` first" >&2
    exit 1
fi
version=$(cat "$work/version")
tarball=$PWD/dist/vetline-${version}-linux-$(uname -m).tar.xz
tar_work=$work/tar
tar_root=$tar_work/vetline-$version
rm -rf "$tar_work"
mkdir -p "$tar_root/share/applications" "$tar_root/share/icons/hicolor/scalable/apps" dist
cp -a "$frozen/." "$tar_root/"
cp packaging/linux/vetline.desktop "$tar_root/share/applications/"
cp resources/icons/vetline.svg "$tar_root/share/icons/hicolor/scalable/apps/"
tar -C "$tar_work" --owner=0 --group=0 -I "xz -T0" -cf "$tarball" "vetline-$version"
rm -rf "$tar_work"
echo "built $tarball: $(du -h "$tarball" | cut -f1)"

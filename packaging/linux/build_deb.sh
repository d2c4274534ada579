#!/usr/bin/env bash
# Package the frozen app (packaging/build_frozen.sh) as dist/vetline_<version>_amd64.deb.
# The ~225 MiB folder is xz-compressed once, here; the tarball for other distributions is
# a second compression of it, made only when asked for (packaging/linux/build_tarball.sh).
#
# The .deb installs to /opt/vetline with /usr/bin/vetline, a desktop entry for diff and
# patch files, and the icon under /usr/share/icons/hicolor. It depends on the Debian
# packages of the system libraries the frozen app loads (X11/xcb, fontconfig, GL...),
# as dpkg-shlibdeps reads them from the binaries. No maintainer scripts: the icon cache
# and desktop database are refreshed by their packages' dpkg triggers, and removal
# leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/../.."

work=$PWD/build/package
frozen=$work/frozen/vetline
version=$(cat "$work/version")
arch=$(dpkg --print-architecture)
stage=$work/deb/root
rm -rf "$work/deb"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" dist \
    "$stage/usr/share/applications" "$stage/usr/share/icons/hicolor/scalable/apps" \
    "$stage/usr/share/doc/vetline"

cp -a "$frozen" "$stage/opt/vetline"
ln -s /opt/vetline/vetline "$stage/usr/bin/vetline"
install -m 644 packaging/linux/vetline.desktop "$stage/usr/share/applications/vetline.desktop"
install -m 644 resources/icons/vetline.svg "$stage/usr/share/icons/hicolor/scalable/apps/vetline.svg"
install -m 644 packaging/linux/copyright "$stage/usr/share/doc/vetline/copyright"
chmod -R u=rwX,go=rX "$stage"
chmod 755 "$stage/opt/vetline/vetline"

# Depends: which Debian packages hold the libraries the binaries are linked against.
# Libraries inside the bundle (-l) are private; dpkg-shlibdeps wants a debian/control.
elf_files=()
while IFS= read -r -d '' file; do
    if [ "$(head -c 4 "$file" | od -An -c | tr -d ' ')" = "177ELF" ]; then
        elf_files+=("$file")
    fi
done < <(find "$stage/opt/vetline" -type f -print0)
mkdir -p "$work/deb/shlibs/debian"
printf 'Source: vetline\n\nPackage: vetline\nArchitecture: any\n' >"$work/deb/shlibs/debian/control"
private_dirs=()
while IFS= read -r folder; do private_dirs+=("-l$folder"); done < <(
    find "$stage/opt/vetline" -name '*.so*' -printf '%h\n' | sort -u)
# A library missing on this machine would be missing from Depends too: refuse to guess.
private_path=$(printf '%s:' "${private_dirs[@]#-l}")
missing=$(for file in "${elf_files[@]}"; do
    LD_LIBRARY_PATH=$private_path ldd "$file" 2>/dev/null | grep 'not found' || true
done | sort -u)
if [ -n "$missing" ]; then
    echo "libraries the app loads are not installed here (packaging/linux/package.sh" \
        "installs them):" >&2
    echo "$missing" >&2
    exit 1
fi
depends=$(cd "$work/deb/shlibs" && dpkg-shlibdeps -O --warnings=0 --ignore-missing-info \
    "${private_dirs[@]}" "${elf_files[@]}" | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "dpkg-shlibdeps found no dependencies" >&2; exit 1; }

installed_kb=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<CONTROL
Package: vetline
Version: $version
Architecture: $arch
Maintainer: ${DEB_MAINTAINER:-Vetline maintainers <vetline@invalid>}
Installed-Size: $installed_kb
Depends: $depends
Recommends: git
Section: devel
Priority: optional
Description: verify what AI agents propose, one hunk at a time
 Vetline shows each proposal of an AI agent (code edits, document edits,
 patches) as a visual diff held to small chunks by an autonomy level, and
 records every accept or reject in a tamper-evident decision log.
CONTROL

deb=$PWD/dist/vetline_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --threads-max="$(nproc)" --build "$stage" "$deb" >/dev/null
echo "built $deb: $(du -h "$deb" | cut -f1), installed size $((installed_kb / 1024)) MiB"

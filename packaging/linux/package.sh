#!/usr/bin/env bash
# `make package`: the frozen app, then dist/vetline_<version>_<arch>.deb (`make tarball`
# packs the same frozen app as a tarball afterwards).
# On a fresh Debian or Ubuntu machine it first installs what the build needs (as root).
set -euo pipefail
cd "$(dirname "$0")/../.."

# dpkg-dev reads the Debian dependencies off the binaries; binutils lets PyInstaller
# inspect and strip them; the libraries are those the Qt xcb plugin and Qt itself load,
# which must be present for their Debian packages to be named in Depends.
build_packages="dpkg-dev binutils xz-utils libegl1 libgl1 libfontconfig1
    libfreetype6 libdbus-1-3 libglib2.0-0 libx11-6 libx11-xcb1 libxkbcommon0
    libxkbcommon-x11-0 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
    libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
    libxcb-util1 libxcb-xfixes0 libxcb-xkb1"
missing=""
for package in $build_packages; do
    dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
        echo "make package needs these Debian packages:$missing" >&2
        exit 1
    fi
fi

started=$SECONDS
packaging/build_frozen.sh
packaging/linux/build_deb.sh
echo "packaged in $((SECONDS - started)) s"

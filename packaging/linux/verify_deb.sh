#!/usr/bin/env bash
# Install the built .deb on this machine, run its self-test (offscreen, and on a real X
# server when Xvfb is there), then purge it and check that it left nothing behind.
# Needs root. Usage: packaging/linux/verify_deb.sh [dist/vetline_<version>_<arch>.deb]
set -euo pipefail
cd "$(dirname "$0")/../.."

deb=${1:-$(ls -t dist/vetline_*.deb | head -1)}
deb=$(realpath "$deb")
watched=(/opt /usr/bin /usr/share/applications /usr/share/icons/hicolor /usr/share/doc)
snapshot() {
    find "${watched[@]}" -xdev -printf '%p %y %s\n' 2>/dev/null | sort
    md5sum /usr/share/icons/hicolor/icon-theme.cache 2>/dev/null || true
    grep -s vetline /usr/share/applications/mimeinfo.cache || true
}
if dpkg -s vetline >/dev/null 2>&1; then
    echo "vetline is installed already; remove it first" >&2
    exit 1
fi
before=$(mktemp)
after=$(mktemp)
trap 'rm -f "$before" "$after"' EXIT
snapshot >"$before"

export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "$deb" >/dev/null  # apt, not dpkg -i: it installs the Depends too
echo "installed $(dpkg-query -W -f '${Package} ${Version}, ${Installed-Size} KiB' vetline)"
[ "$(readlink -f /usr/bin/vetline)" = /opt/vetline/vetline ]
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate /usr/share/applications/vetline.desktop
    echo "desktop entry valid"
fi
cd /tmp  # far from the source tree
vetline --version
QT_QPA_PLATFORM=offscreen vetline --self-test
if command -v xvfb-run >/dev/null; then
    echo "on an X server (Xvfb, the xcb platform and the system's xcb libraries):"
    xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb vetline --self-test
fi
cd - >/dev/null

apt-get purge -y -qq vetline >/dev/null
snapshot >"$after"
if ! diff -u "$before" "$after"; then
    echo "removing vetline left the changes above" >&2
    exit 1
fi
echo "purged: nothing left behind"

#!/usr/bin/env bash
# macOS: freeze Vetline into Vetline.app (PyInstaller, from its wheel) and put it in
# dist/vetline-<version>-macos-<arch>.dmg. Unsigned: signing and notarising need the
# publisher's Apple certificate. Not run on the Linux machines this project is
# developed on: see packaging/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

work=build/package
# The icon is rendered before the freeze, which wipes build/package: keep it aside.
icon_dir=$(mktemp -d)
python3 -m venv "$icon_dir/venv"
"$icon_dir/venv/bin/python" -m pip install --quiet "PySide6-Essentials>=6.8"
"$icon_dir/venv/bin/python" packaging/make_icon.py "$icon_dir/vetline.icns"
PRE_FREEZE_ICON="$icon_dir/vetline.icns" packaging/build_frozen.sh

version=$(cat "$work/version")
mkdir -p dist "$work/dmg"
cp -R "$work/frozen/Vetline.app" "$work/dmg/"
ln -s /Applications "$work/dmg/Applications"
dmg=dist/vetline-$version-macos-$(uname -m).dmg
rm -f "$dmg"
hdiutil create -volname "Vetline $version" -srcfolder "$work/dmg" -format UDZO "$dmg"
echo "built $dmg"

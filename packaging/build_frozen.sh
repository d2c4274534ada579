#!/usr/bin/env bash
# Freeze Vetline with PyInstaller from its own wheel, in a build venv of its own:
# build/package/frozen/vetline/ holds the `vetline` executable and everything it loads.
# Used on Linux and macOS (Windows: packaging/windows/build.ps1 does the same steps).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
work=build/package
rm -rf "$work"
mkdir -p "$work"
# macOS and Windows builds render the app icon first (packaging/make_icon.py).
if [ -n "${PRE_FREEZE_ICON:-}" ]; then cp "$PRE_FREEZE_ICON" "$work/"; fi

"$PYTHON" -m venv "$work/venv"
venv_python="$work/venv/bin/python"
"$venv_python" -m pip install --quiet --upgrade pip
"$venv_python" -m pip install --quiet "build>=1.2" "setuptools>=77"
# The sdist first, then the wheel from the sdist: what a release publishes is what is frozen.
"$venv_python" -m build --no-isolation --outdir "$work/dist" . >"$work/build.log"
"$venv_python" -m pip install --quiet "$work"/dist/vetline-*.whl "pyinstaller>=6.10,<7"
# Python modules stored, not zlib-compressed, in the executable: the package's xz then
# compresses them all together, which makes a smaller .deb than zlib module by module.
PYINSTALLER_ZLIB_COMPRESSION_LEVEL=0 \
    "$work/venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$work/frozen" --workpath "$work/work" packaging/pyinstaller/vetline.spec
"$venv_python" -c 'import importlib.metadata as m; print(m.version("vetline"))' >"$work/version"
echo "frozen: $work/frozen/vetline (vetline $(cat "$work/version"))"

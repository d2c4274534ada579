"""Render resources/icons/vetline.svg to the icon a platform's installer wants.

Usage: python packaging/make_icon.py OUT.ico|OUT.icns|OUT.png — Windows takes an .ico,
macOS an .icns; Qt's image plugins (shipped with PySide6) write both.
"""

import sys
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QIcon

SVG = Path(__file__).resolve().parents[1] / "resources" / "icons" / "vetline.svg"


def main(out: str) -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - rendering needs the application
    image = QIcon(str(SVG)).pixmap(QSize(256, 256)).toImage()
    if image.isNull() or not image.save(out):
        print(f"cannot render {SVG} to {out}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

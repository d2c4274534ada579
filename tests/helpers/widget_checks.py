"""Checks over every widget under a root: untrusted text stays plain, controls are named."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtGui import Qt  # QtGui's Qt has mightBeRichText
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QComboBox,
    QLabel,
    QLineEdit,
    QSlider,
    QWidget,
)


def widgets_of(root: QWidget) -> Iterator[QWidget]:
    yield root
    yield from root.findChildren(QWidget)


def assert_plain(root: QWidget) -> None:
    for widget in widgets_of(root):
        if isinstance(widget, QLabel) and widget.text():
            assert widget.textFormat() == Qt.TextFormat.PlainText, widget.objectName()
        assert not Qt.mightBeRichText(widget.toolTip()), widget.toolTip()


def assert_named(root: QWidget) -> None:
    controls = (QAbstractButton, QSlider, QAbstractItemView, QLineEdit, QComboBox)
    unnamed = [
        f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.parent()).__name__}"
        for widget in widgets_of(root)
        if isinstance(widget, controls)
        or (isinstance(widget, QAbstractScrollArea) and widget.focusPolicy() != Qt.NoFocus)
        if not widget.accessibleName()
    ]
    assert unnamed == []

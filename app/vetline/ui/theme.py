"""Diff colours derived from the widget's palette, so the view follows the system theme.

Added and removed tints are blended into the palette's own base colour rather than
fixed, which keeps them readable on any light or dark theme. Colour is never the only
signal: the view also draws + and − signs in the gutter.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

from vetline.ui.syntax import DARK_COLOURS, LIGHT_COLOURS, SyntaxRole

# The pure hues the tints are mixed from (GitHub's Primer greens and reds read well
# for most colour-vision types when paired with the +/− signs).
_GREEN_LIGHT, _RED_LIGHT = QColor("#1a7f37"), QColor("#cf222e")
_GREEN_DARK, _RED_DARK = QColor("#2ea043"), QColor("#f85149")
_AMBER = QColor("#d29922")
# Verdict hues: the queue's state colours (ui.status), lighter where the theme is dark.
_VERDICTS_LIGHT = (QColor("#2e7d32"), QColor("#c62828"), QColor("#1565c0"), QColor("#b26a00"))
_VERDICTS_DARK = (QColor("#3fb950"), QColor("#f85149"), QColor("#58a6ff"), QColor("#d29922"))
DIM_OPACITY = 0.45  # of the base colour over a decided hunk: faded, still readable


@dataclass(frozen=True, slots=True)
class DiffTheme:
    """Every colour the diff view paints with, made once per palette change."""

    dark: bool
    base: QColor
    text: QColor
    muted_text: QColor  # line numbers, separators
    gutter: QColor
    added_line: QColor
    removed_line: QColor
    added_gutter: QColor
    removed_gutter: QColor
    added_word: QColor  # the changed words inside an added line
    removed_word: QColor
    added_sign: QColor
    removed_sign: QColor
    filler: QColor  # the blank side of an unpaired row, side by side
    separator: QColor
    divider: QColor  # between the two panes and around the gutter
    current_bar: QColor
    current_frame: QColor
    badge: QColor  # "whitespace only" and the background of invisible-character markers
    badge_text: QColor
    header: QColor  # the row above each hunk
    separator_hover: QColor  # a fold under the pointer, which opens on click
    dim: QColor  # laid over a decided hunk's lines (translucent), so pending ones stand out
    accepted: QColor  # verdict badges and the margin of decided hunks
    rejected: QColor
    edited: QColor
    warning: QColor  # "deletes the file"
    notice: QColor  # "new file", "whitespace only"
    on_strong: QColor  # text on a verdict badge or a button
    syntax: tuple[QColor, ...]  # indexed by SyntaxRole

    def line_colours(self, kind: str) -> tuple[QColor | None, QColor, QColor]:
        """For a line kind (" ", "-", "+"): background (None: plain), gutter, sign colour."""
        if kind == "+":
            return self.added_line, self.added_gutter, self.added_sign
        if kind == "-":
            return self.removed_line, self.removed_gutter, self.removed_sign
        return None, self.gutter, self.muted_text


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def blend(under: QColor, over: QColor, amount: float) -> QColor:
    """`over` laid on `under` with opacity `amount` (0..1), as an opaque colour."""
    keep = 1.0 - amount
    return QColor(
        round(under.red() * keep + over.red() * amount),
        round(under.green() * keep + over.green() * amount),
        round(under.blue() * keep + over.blue() * amount),
    )


def diff_theme(palette: QPalette) -> DiffTheme:
    dark = is_dark(palette)
    base = QColor(palette.color(QPalette.ColorRole.Base))
    text = QColor(palette.color(QPalette.ColorRole.Text))
    accent = QColor(palette.color(QPalette.ColorRole.Highlight))
    green, red = (_GREEN_DARK, _RED_DARK) if dark else (_GREEN_LIGHT, _RED_LIGHT)
    # Dark themes need stronger tints to show at all; light ones wash out text if too strong.
    line, gutter, word = (0.16, 0.26, 0.50) if dark else (0.10, 0.18, 0.36)
    syntax_hex = DARK_COLOURS if dark else LIGHT_COLOURS
    accepted, rejected, edited, warning = _VERDICTS_DARK if dark else _VERDICTS_LIGHT
    dim = QColor(base)
    dim.setAlphaF(DIM_OPACITY)
    return DiffTheme(
        dark=dark,
        base=base,
        text=text,
        muted_text=blend(base, text, 0.55),
        gutter=blend(base, text, 0.04),
        added_line=blend(base, green, line),
        removed_line=blend(base, red, line),
        added_gutter=blend(base, green, gutter),
        removed_gutter=blend(base, red, gutter),
        added_word=blend(base, green, word),
        removed_word=blend(base, red, word),
        added_sign=blend(base, green, 0.9),
        removed_sign=blend(base, red, 0.9),
        filler=blend(base, text, 0.06),
        separator=blend(base, accent, 0.10),
        divider=blend(base, text, 0.18),
        current_bar=accent,
        current_frame=blend(base, accent, 0.55),
        badge=blend(base, _AMBER, 0.35),
        badge_text=text,
        header=blend(base, text, 0.07),
        separator_hover=blend(base, accent, 0.22),
        dim=dim,
        accepted=accepted,
        rejected=rejected,
        edited=edited,
        warning=warning,
        notice=blend(base, text, 0.45),
        on_strong=QColor("#ffffff") if not dark else QColor("#0d1117"),
        syntax=tuple(QColor(syntax_hex[role]) for role in SyntaxRole),
    )

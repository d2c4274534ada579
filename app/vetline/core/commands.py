"""Every user action as one named command, and the default keys for them (keys are data)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vetline.core.errors import VetlineError

# A command's context says where its keys work. Keys of the "app" context work
# everywhere, so they may not repeat in any other context.
APP = "app"
REVIEW = "review"
IMAGE = "image"


@dataclass(frozen=True, slots=True)
class Command:
    id: str
    title: str
    context: str = REVIEW
    description: str = ""


COMMANDS: tuple[Command, ...] = (
    Command("review.accept_hunk", "Accept hunk", description="Accept and go to the next hunk"),
    Command("review.reject_hunk", "Reject hunk", description="Reject and go to the next hunk"),
    Command("review.reject_with_reason", "Reject with reason…", description="Say why, then reject"),
    Command("review.next_hunk", "Next hunk"),
    Command("review.previous_hunk", "Previous hunk"),
    Command("review.undo", "Undo last decision", description="Restores a written file too"),
    Command("review.edit_hunk", "Edit hunk…", description="Change the new side, then accept"),
    Command("review.split_hunk", "Split hunk", description="Break at unchanged lines"),
    Command(
        "review.accept_rest",
        "Accept rest of proposal…",
        description="Only within the leash; asks first",
    ),
    Command(
        "sources.open_source",
        "Open the cited source…",
        description="A workspace file in its viewer; a URL after showing its full address",
    ),
    Command(
        "sources.fetch_urls",
        "Fetch cited URLs…",
        description="Shows the hosts and asks, then fetches and checks the quotes again",
    ),
    Command("view.toggle_layout", "Unified / side by side"),
    Command(
        "view.expand_context",
        "Show / hide unchanged lines",
        description="Opens the folded lines above and below the hunk (folds them again)",
    ),
    Command("leash.level_up", "More autonomy (next level)"),
    Command("leash.level_down", "Less autonomy (previous level)"),
    Command("image.side_by_side", "Image: side by side", context=IMAGE),
    Command("image.swipe", "Image: swipe", context=IMAGE),
    Command("image.onion_skin", "Image: onion skin", context=IMAGE),
    Command("image.difference", "Image: difference", context=IMAGE),
    Command("image.zoom_to_fit", "Image: zoom to fit", context=IMAGE),
    Command(
        "image.zoom_actual",
        "Image: actual pixels (1:1)",
        context=IMAGE,
        description="One image pixel per screen pixel",
    ),
    Command("image.zoom_in", "Image: zoom in", context=IMAGE),
    Command("image.zoom_out", "Image: zoom out", context=IMAGE),
    Command("image.pan_left", "Image: pan left", context=IMAGE),
    Command("image.pan_right", "Image: pan right", context=IMAGE),
    Command("image.pan_up", "Image: pan up", context=IMAGE),
    Command("image.pan_down", "Image: pan down", context=IMAGE),
    Command("image.swipe_left", "Image: swipe divider left", context=IMAGE),
    Command("image.swipe_right", "Image: swipe divider right", context=IMAGE),
    Command(
        "image.opacity_up",
        "Image: more of the after-image",
        context=IMAGE,
        description="Onion skin: raise the after-image's opacity",
    ),
    Command(
        "image.opacity_down",
        "Image: less of the after-image",
        context=IMAGE,
        description="Onion skin: lower the after-image's opacity",
    ),
    Command(
        "image.next_region",
        "Image: next region",
        context=IMAGE,
        description="Outline the next region of changed pixels and bring it into view",
    ),
    Command("image.previous_region", "Image: previous region", context=IMAGE),
    Command(
        "ask.selection",
        "Ask about this hunk…",
        context=APP,
        description="A model edits the hunk on screen (level 1)",
    ),
    Command(
        "ask.file",
        "Ask about this file…",
        context=APP,
        description="A model edits this file (level 2)",
    ),
    Command(
        "ask.files",
        "Ask about several files…",
        context=APP,
        description="A model edits the files you pick (level 3)",
    ),
    Command("app.open", "Open proposals…", context=APP),
    Command("app.command_palette", "Command palette…", context=APP),
    Command("app.shortcuts", "Keyboard shortcuts", context=APP),
    Command(
        "app.stats",
        "Your numbers…",
        context=APP,
        description="Where your review time goes, from the decision log; a suggested level",
    ),
    Command("app.quit", "Quit", context=APP),
)

COMMANDS_BY_ID: Mapping[str, Command] = {command.id: command for command in COMMANDS}

# Which contexts' keys can fire together. The image commands are live while an image
# is on screen, and the review commands always are, so those two may not share a key.
_CLASHING: Mapping[str, frozenset[str]] = {
    APP: frozenset({APP, REVIEW, IMAGE}),
    REVIEW: frozenset({REVIEW, IMAGE, APP}),
    IMAGE: frozenset({IMAGE, REVIEW, APP}),
}

# Qt's portable key names: "Ctrl" is Cmd on macOS (Qt maps it).
DEFAULT_KEYMAP: Mapping[str, tuple[str, ...]] = {
    "review.accept_hunk": ("Ctrl+Y",),
    "review.reject_hunk": ("Ctrl+N",),
    "review.reject_with_reason": ("Ctrl+Shift+N",),
    "review.next_hunk": ("J", "Down"),
    "review.previous_hunk": ("K", "Up"),
    "review.undo": ("Ctrl+Z",),
    "review.edit_hunk": ("E",),
    "review.split_hunk": ("S",),
    "review.accept_rest": ("Ctrl+Return", "Ctrl+Enter"),
    "sources.open_source": ("G",),
    "sources.fetch_urls": ("Ctrl+Shift+U",),
    "view.toggle_layout": ("V",),
    "view.expand_context": ("C",),
    "leash.level_up": ("]",),
    "leash.level_down": ("[",),
    "image.side_by_side": ("1",),
    "image.swipe": ("2",),
    "image.onion_skin": ("3",),
    "image.difference": ("4",),
    "image.zoom_to_fit": ("F",),
    "image.zoom_actual": ("Z",),
    "image.zoom_in": ("+", "="),
    "image.zoom_out": ("-",),
    # Up and Down move between hunks, so the picture pans up and down with Shift.
    "image.pan_left": ("Left",),
    "image.pan_right": ("Right",),
    "image.pan_up": ("Shift+Up",),
    "image.pan_down": ("Shift+Down",),
    "image.swipe_left": (",",),
    "image.swipe_right": (".",),
    "image.opacity_up": ("O",),
    "image.opacity_down": ("Shift+O",),
    # J / K move between items, and so between the regions that are items; these walk
    # the regions drawn on any image, also one reviewed whole.
    "image.next_region": ("Shift+J",),
    "image.previous_region": ("Shift+K",),
    # The Ask panel's scopes are the autonomy levels 1-3: a selection, a file, several files.
    "ask.selection": ("Ctrl+K",),
    "ask.file": ("Ctrl+L",),
    "ask.files": ("Ctrl+I",),
    "app.open": ("Ctrl+O",),
    "app.command_palette": ("Ctrl+Shift+P",),
    "app.shortcuts": ("F1", "?"),
    "app.stats": ("Ctrl+Shift+S",),
    "app.quit": ("Ctrl+Q",),
}

_MODIFIERS = ("Ctrl", "Shift", "Alt", "Meta")
_NAMED_KEYS = {
    "Up", "Down", "Left", "Right", "Return", "Enter", "Escape", "Esc", "Tab", "Backtab",
    "Backspace", "Delete", "Insert", "Home", "End", "PgUp", "PgDown", "Space",
}  # fmt: skip
_FUNCTION_KEY = re.compile(r"F([1-9]|1[0-9]|2[0-4])")


class KeymapError(VetlineError, ValueError):
    """A user key override names an unknown command or a key that cannot be parsed."""

    exit_code = 2


def is_valid_key(key: str) -> bool:
    """A single key combination in Qt's portable text form, e.g. "Ctrl+Shift+N"."""
    if not key or key != key.strip():
        return False
    # "+" alone, or after a "+" ("Ctrl++"), is the plus key itself.
    if key == "+" or key.endswith("++"):
        *modifiers, base = [*key[:-1].split("+")[:-1], "+"]
    else:
        *modifiers, base = key.split("+")
    if len(set(modifiers)) != len(modifiers) or any(m not in _MODIFIERS for m in modifiers):
        return False
    if base in _NAMED_KEYS or _FUNCTION_KEY.fullmatch(base):
        return True
    return len(base) == 1 and base.isprintable() and not base.isspace()


def build_keymap(
    overrides: Mapping[str, Sequence[str] | str] | None = None,
) -> dict[str, tuple[str, ...]]:
    """The default keymap with the user's overrides; an empty list unbinds a command."""
    keymap = dict(DEFAULT_KEYMAP)
    for command_id, keys in (overrides or {}).items():
        if command_id not in COMMANDS_BY_ID:
            raise KeymapError(f"keys.{command_id}: no such command")
        bound = (keys,) if isinstance(keys, str) else tuple(keys)
        for key in bound:
            if not isinstance(key, str) or not is_valid_key(key):
                raise KeymapError(f"keys.{command_id}: {key!r} is not a key (try 'Ctrl+Y')")
        keymap[command_id] = bound
    return keymap


def conflicts(keymap: Mapping[str, Sequence[str]]) -> list[str]:
    """Each key bound twice where both bindings can fire, said in words."""
    found: list[str] = []
    seen: dict[tuple[str, str], str] = {}
    for command_id, keys in keymap.items():
        context = COMMANDS_BY_ID[command_id].context
        for key in keys:
            normal = key.lower()
            clash_contexts = _CLASHING[context]
            for other_context in clash_contexts:
                other = seen.get((other_context, normal))
                if other and other != command_id:
                    found.append(f"{key} is bound to both {other} and {command_id}")
            seen[(context, normal)] = command_id
    return found

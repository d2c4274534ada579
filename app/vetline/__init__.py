"""Vetline: verify what AI agents propose, one hunk at a time."""

__version__ = "0.1.0"

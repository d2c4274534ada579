"""Vetline's data files, installed as the package `vetline.resources` (see setup.py)."""

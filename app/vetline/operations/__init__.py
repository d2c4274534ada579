"""Orchestration: a review session driven against the log and a write target, for all callers."""

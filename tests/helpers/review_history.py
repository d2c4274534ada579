"""A reviewer's history in a real decision log, made by real decisions in a ReviewSession.

Proposals from several agents and models, on several file types, at every level; the
reviewer accepts, rejects, edits, undoes, accepts the rest, and has a write refused.
Time on screen grows with the hunk's size (with some quick accepts among them), and the
decisions spread over days and hours. Seeded: the same history every run.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from helpers.proposals import text_change
from vetline.adapters.decision_log import DecisionLog
from vetline.core.model import Agent, Proposal
from vetline.core.reading_time import ReadingTime
from vetline.core.session import ReviewSession

AGENTS = (
    Agent("claude-code", "claude-sonnet"),
    Agent("codex", "gpt-5-codex"),
    Agent("aider", "deepseek-coder"),
)
PATHS = ("src/app.py", "src/view.ts", "docs/guide.md", "config/ci.yml", "Makefile")
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


# Per level: (most hunks, most lines changed in a hunk, share rejected or edited).
SIZES = {1: (1, 2, 0.08), 2: (3, 8, 0.12), 3: (4, 16, 0.3), 4: (4, 30, 0.45)}


def proposal(rng: random.Random, number: int, level: int) -> Proposal:
    """One file with hunks sized for `level`, far enough apart to stay apart."""
    most_hunks, most_lines, _ = SIZES[level]
    old_lines = [f"line {n}\n" for n in range(400)]
    new_lines = list(old_lines)
    for hunk in range(rng.randint(1, most_hunks)):
        start = hunk * 90 + rng.randint(0, 20)
        for offset in range(rng.randint(1, most_lines)):
            new_lines[start + offset] = f"changed {number}.{hunk}.{offset}\n"
    path = rng.choice(PATHS)
    change = text_change(path, "".join(old_lines), "".join(new_lines))
    agent = rng.choice(AGENTS)
    return Proposal(f"p{number}", f"change {number}", (change,), agent=agent)


def build_history(log: DecisionLog, proposals: int, *, seed: int = 7) -> None:
    """Review `proposals` proposals into `log` (about two hunks each)."""
    rng = random.Random(seed)
    clock = [0.0]
    moment = [START]
    for number in range(proposals):
        if number % 25 == 0:  # a new working day, now and then
            moment[0] = START + timedelta(days=number // 25, hours=rng.randint(0, 9))
        level = rng.choice((1, 2, 2, 3, 3, 4))
        session = ReviewSession(
            [proposal(rng, number, level)],
            record=log.append,
            clock=lambda: clock[0],
            now=lambda: moment[0],
            reviewer="ana",
            level=level,
            reading=ReadingTime(),
        )
        _review(session, rng, clock, moment)


def _review(
    session: ReviewSession, rng: random.Random, clock: list[float], moment: list[datetime]
) -> None:
    while session.current is not None and not session.finished:
        item = session.current
        lines = item.hunk.added + item.hunk.removed
        quick = rng.random() < 0.1
        seconds = rng.uniform(0.2, 0.9) if quick else 1.0 + lines * rng.uniform(0.3, 1.5)
        clock[0] += seconds
        moment[0] += timedelta(seconds=seconds + rng.uniform(5, 600))
        choice = rng.random()
        agent = item.proposal.agent.name
        several = len(list(session.items_of(item.proposal))) > 1
        if choice < 0.05 and several and not session.over_leash(item.proposal):
            session.accept_rest_of_proposal()
            continue
        refused = SIZES[int(session.level)][2] + (0.15 if agent == "aider" else 0.0)
        if choice < refused * 0.7:
            session.reject_current("not like this")
        elif choice < refused:
            session.edit_current("edited\n")
        else:
            session.accept_current()
        if rng.random() < 0.04:
            session.undo_last()
        elif rng.random() < 0.02:
            decided = [other for other in session.items if other.state.decided]
            session.record_not_applied(decided[-1:], "the file changed meanwhile")

"""Understanding the goal: compile it into a plan of intents, ground the current intent on the page, verify
each effect, and refuse a write the goal does not call for. Plain Python, no I/O, no Temporal.

- ``browserflow.plan.compiler.compile_goal``: goal text + task data -> ``GoalPlan``
- ``browserflow.plan.ground.ground``: the current intent + a page snapshot -> a ``Decision`` whose actions
  carry provenance and an expected effect
- ``browserflow.plan.verify.advance`` / ``plan_met``: the effects seen on the page after acting -> intents done
- ``browserflow.plan.gate.write_gate``: before an irreversible action, does the intent call for it and does
  every changed field trace to the goal or the data?

This package's ``__init__`` exports only the models (``browserflow.contracts`` imports them); the functions
live in their modules, which import the contracts.
"""

from __future__ import annotations

from browserflow.plan.model import (
    WRITE_VERBS,
    Constraint,
    Expectation,
    GoalPlan,
    Intent,
    IntentState,
    PlanProgress,
    Target,
    ValueSpec,
)

__all__ = [
    "WRITE_VERBS",
    "Constraint",
    "Expectation",
    "GoalPlan",
    "Intent",
    "IntentState",
    "PlanProgress",
    "Target",
    "ValueSpec",
]

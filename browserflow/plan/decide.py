"""The rules tier with a plan: ground the current intent, else the page-plan rules, then the write gate."""

from __future__ import annotations

from browserflow.contracts import DecideInput, Decision
from browserflow.plan.gate import write_gate
from browserflow.plan.ground import ground
from browserflow.rules import decide_rules

__all__ = ["UNSURE_WRITE", "decide_plan", "gate_decision"]

UNSURE_WRITE = "unsure_write"


def gate_decision(inp: DecideInput, decision: Decision) -> Decision:
    """``decision``, or the same held back for a person (``review_reason='unsure_write'``) when it would make
    a write the goal does not call for."""
    why = write_gate(inp, decision)
    if why is None:
        return decision
    return decision.model_copy(
        update={
            "review_reason": UNSURE_WRITE,
            "confidence": min(decision.confidence, 0.3),
            "reason": f"{decision.reason}; held back: {why}",
        }
    )


def _for_intent(inp: DecideInput) -> DecideInput:
    """What the page-plan rules may use when the plan has a readable current intent: only the task data that
    intent asks for (the rest of the data is not typed anywhere)."""
    plan = inp.plan
    cur = plan.current if plan is not None else None
    if plan is None or cur is None:
        return inp
    intent = plan.plan.intents[cur]
    if intent.verb == "free":
        return inp
    keys = {v.key for v in intent.fields.values() if v.source == "data" and v.key}
    if intent.value is not None and intent.value.source == "data" and intent.value.key:
        keys.add(intent.value.key)
    return inp.model_copy(update={"data": {k: v for k, v in inp.data.items() if k in keys}})


def decide_plan(inp: DecideInput) -> Decision:
    """The rules tier's answer for ``inp``: the grounded current intent when the plan can say, else the
    page-plan rules (with only the data the current intent asks for); either way held to the write gate."""
    decision = ground(inp)
    if decision is None:
        decision = decide_rules(_for_intent(inp))
    return gate_decision(inp, decision)

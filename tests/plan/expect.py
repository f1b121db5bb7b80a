"""Table helpers for the goal compiler tests: expected parts of a plan, and phrasing variants of a goal."""

from __future__ import annotations

from typing import Any

from browserflow.plan.model import GoalPlan, Intent

__all__ = ["check_intent", "check_plan", "variants"]

_TARGET = {"words", "role", "ordinal", "container", "entity", "items", "exact"}


def check_intent(intent: Intent, want: dict[str, Any], where: str) -> None:
    for key, expected in want.items():
        if key in _TARGET:
            got: Any = getattr(intent.target, key)
        elif key.startswith("value."):
            assert intent.value is not None, f"{where}: no value, wanted {key}={expected!r}"
            got = getattr(intent.value, key.split(".", 1)[1])
        elif key == "value":
            got = intent.value
        elif key == "fields":
            got = {k: (v.source, v.literal if v.source != "data" else v.key) for k, v in intent.fields.items()}
        elif key == "field_names":
            got = sorted(intent.fields)
        elif key == "constraints":
            got = [c.kind for c in intent.constraints]
        elif key == "constraint_text":
            got = [c.text for c in intent.constraints]
        else:
            got = getattr(intent, key)
        assert got == expected, f"{where}: {key} is {got!r}, wanted {expected!r}\n{intent.model_dump_json(indent=1)}"


def check_plan(plan: GoalPlan, verbs: list[str], want: dict[Any, Any]) -> None:
    """The intents the goal says (an implied submit after them is checked by its own table:
    ``test_implied.py``)."""
    got = [i.verb for i in plan.intents if not i.implied]
    assert got == verbs, f"{plan.goal!r}: verbs {got}, wanted {verbs}\n{plan.describe()}"
    for key, expected in want.items():
        if isinstance(key, int):
            check_intent(plan.intents[key], expected, f"{plan.goal!r} intent {key}")
        elif key == "complete":
            assert plan.complete == expected, f"{plan.goal!r}: complete {plan.complete}"
        else:
            assert getattr(plan, key) == expected, f"{plan.goal!r}: {key} is {getattr(plan, key)!r}, wanted {expected!r}"


def _lower_first(goal: str) -> str:
    return goal[:1].lower() + goal[1:]


def variants(goal: str) -> list[str]:
    """The goal as written, plus phrasings that must compile the same: politeness, trailing period or not,
    curly and single quotes."""
    out = [goal]
    bare = goal.rstrip(".")
    out.append(bare if bare != goal else goal + ".")
    out.append("Please " + _lower_first(goal))
    out.append(_lower_first(bare) + ", please.")
    if '"' in goal and goal.count('"') % 2 == 0:
        curly = goal
        while '"' in curly:
            curly = curly.replace('"', "\u201c", 1).replace('"', "\u201d", 1)
        out.append(curly)
        if "'" not in goal:
            out.append(goal.replace('"', "'"))
    return out

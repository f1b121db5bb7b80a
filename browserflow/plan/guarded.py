"""Grounding an intent that waits on, or repeats until, a condition on a number the page shows.

``when`` ('buy ABC stock when the price is below $60.50'): the click its handler found is guarded — a ``wait``
paired with it makes the browser watch the number and click in the same moment it satisfies the condition
(``browserflow/browser/actor.py``: ``click_when``), or not at all; a condition no element of the page shows is
never taken as met. ``until`` ('click Roll until the number is odd'): the click is a step on the way; the
intent is done only when the page shows the condition holding (``verify.advance``)."""

from __future__ import annotations

from browserflow.contracts import Action, PageSnapshot
from browserflow.plan.act import Grounded, Step
from browserflow.plan.conditions import holds, page_number, reading
from browserflow.plan.model import Condition, Expectation, Guard, Intent
from browserflow.plan.widgets import instructions

__all__ = ["GUARD_WAIT_SECONDS", "guard", "until_met"]

GUARD_WAIT_SECONDS = 4.0
"""How long one step watches the page for a ``when`` condition before the workflow looks again."""


SHOW_WAIT_SECONDS = 1.0
"""How long to wait, once, for the page to show the number a condition reads."""


def _looked(step: Step) -> bool:
    """Did an earlier step already wait for this intent's number to appear?"""
    return any(
        a.kind == "wait" and a.guard is None and a.intent == step.index for rec in step.inp.history for a in rec.actions
    )


def _shown(snap: PageSnapshot, cond: Condition, skip: set[str]) -> tuple[str, str] | None:
    """(selector, text) of the element showing the condition's number, or None."""
    e = reading(snap, cond, skip)
    return None if e is None else (e.selector, e.name or e.value)


def guard(step: Step, got: Grounded | None) -> Grounded | None:
    """The handler's answer for an intent with a condition: guarded (``when``) or marked as a step on the way
    (``until``). Anything but a single click is not acted on under a condition."""
    it = step.intent
    cond = it.when or it.until
    if cond is None or got is None or not got.actions:
        return got
    if len(got.actions) != 1 or got.actions[0].kind != "click":
        return Grounded([], 0.0, f"'{it.text}': only one click is made under a condition, not {len(got.actions)}")
    click = got.actions[0]
    shown = _shown(step.snap, cond, step.skip)
    if it.until is not None:
        now = f"{cond.subject} shows {shown[1]!r}" if shown else f"no {cond.subject} shown yet"
        again = click.model_copy(
            update={"expect": Expectation(kind="none", selector=click.selector, intent=step.index)}
        )
        return Grounded([again], got.confidence, f"{now}, not {cond.describe()}: {got.note}; look again")
    if shown is None and not _looked(step):  # the page may not have drawn it yet: one short look again
        pause = Action(
            kind="wait",
            value=f"{SHOW_WAIT_SECONDS:g}",
            label="pause",
            intent=step.index,
            expect=Expectation(kind="none", intent=step.index),
        )
        return Grounded([pause], 0.5, f"the {cond.subject} is not shown yet: wait {SHOW_WAIT_SECONDS:g} s, look again")
    if shown is None:
        return Grounded(
            [],
            0.0,
            f"cannot find the {cond.subject} on this page: never '{click.label}' on a condition that cannot be read",
        )
    selector, text = shown
    g = Guard(condition=cond, selector=selector)
    state = "holds" if holds(cond, page_number(text)) else "not yet"
    wait = Action(
        kind="wait",
        value=f"{GUARD_WAIT_SECONDS:g}",
        label=cond.subject,
        guard=g,
        intent=step.index,
        expect=Expectation(kind="none", intent=step.index),
    )
    note = (
        f"{cond.subject} shows {text!r} ({state} {cond.describe()}): watch it up to {GUARD_WAIT_SECONDS:g} s "
        f"and '{click.label}' the moment it holds"
    )
    return Grounded([wait, click.model_copy(update={"guard": g})], got.confidence, note)


def until_met(intent: Intent, snap: PageSnapshot, goal: str) -> str | None:
    """Evidence that an ``until`` intent's condition holds on ``snap``, else None."""
    cond = intent.until
    if cond is None:
        return None
    shown = _shown(snap, cond, instructions(snap, goal))
    if shown is None or not holds(cond, page_number(shown[1])):
        return None
    return f"the {cond.subject} shows {shown[1]!r} ({cond.describe()})"

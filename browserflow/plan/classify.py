"""Marking each listed number by a class the rules can compute: 'Mark the numbers below as odd or even'.

The goal names two classes of one predicate the rules know (parity: odd / even; sign: positive / negative);
each number the page lists gets the click on the control of its own row (the nearest one by the page's
structure) that names its class. A number with no such control of its own, or a control shared by two
numbers, is no guess: the intent cannot be grounded."""

from __future__ import annotations

import re
from decimal import Decimal

from browserflow.contracts import Element
from browserflow.plan.act import Grounded, Step, click_action
from browserflow.plan.conditions import page_number
from browserflow.plan.lexdraft import Draft
from browserflow.plan.match import clickables, element_text
from browserflow.plan.model import Constraint
from browserflow.plan.phrases import TargetParts
from browserflow.rules.text import norm

__all__ = ["CLASSES", "classify_each", "read_classify"]

CLASSES: dict[frozenset[str], str] = {frozenset({"odd", "even"}): "parity",
                                      frozenset({"positive", "negative"}): "sign"}

_MARK = re.compile(
    r"^(?:mark|label|classify|tag|flag|identify)\s+(?:each\s+of\s+|all\s+(?:of\s+)?|every\s+)?(?:the\s+)?"
    r"(?P<noun>numbers?|values?|integers?|digits?)(?:\s+(?:below|above|shown|listed|on\s+the\s+page))?\s+as\s+"
    r"(?:either\s+)?(?:an?\s+)?(?P<a>\w+)\s+or\s+(?:an?\s+)?(?P<b>\w+)\s*[.!]?\s*$",
    re.I,
)


def read_classify(clause: str) -> list[Draft] | None:
    """'Mark the numbers below as odd or even' -> one click per number (the class's control in its row)."""
    m = _MARK.match(clause.strip())
    if m is None:
        return None
    pair = frozenset({m.group("a").lower(), m.group("b").lower()})
    kind = CLASSES.get(pair)
    if kind is None:
        return None
    return [Draft("click", target=TargetParts(words=m.group("noun")), items=[m.group("a"), m.group("b")],
                  constraints=[Constraint(kind="classify", text=kind)], text=clause.strip())]


def _class_of(kind: str, n: Decimal) -> str | None:
    if kind == "parity":
        return None if n != n.to_integral_value() else ("odd" if int(n) % 2 else "even")
    if kind == "sign":
        return None if n == 0 else ("positive" if n > 0 else "negative")
    return None


def _shared(a: Element, b: Element) -> int:
    """How many leading steps of their selectors two elements share (their nearest common ancestor's depth)."""
    n = 0
    for x, y in zip(a.selector.split(" > "), b.selector.split(" > "), strict=False):
        if x != y:
            break
        n += 1
    return n


def classify_each(step: Step) -> Grounded | None:
    """The clicks that mark each number the page lists with its class."""
    it, snap = step.intent, step.snap
    kind = next((c.text for c in it.constraints if c.kind == "classify"), "")
    names = {norm(i) for i in it.target.items}
    numbers = [(e, page_number(e.name)) for e in snap.elements
               if e.static and e.ref not in step.skip and page_number(e.name) is not None]
    controls = [e for e in clickables(snap) if norm(element_text(e)) in names]
    if not numbers or not controls or not kind:
        return None
    owner: dict[str, list[Element]] = {}
    for c in controls:  # each control belongs to the number nearest to it in the page's structure
        depth = [(_shared(c, e), e.ref) for e, _ in numbers]
        best = max(d for d, _ in depth)
        mine = [ref for d, ref in depth if d == best]
        if len(mine) != 1:
            return Grounded([], 0.0, f"'{element_text(c)}' is as near to two numbers: which one it marks is unclear")
        owner.setdefault(mine[0], []).append(c)
    # numbers that own no control and stand further from every control than the listed ones do are not in the
    # list (a counter elsewhere on the page); a listed number without its control is no guess
    rows = min(max(_shared(c, e) for c in owner[e.ref]) for e, _ in numbers if e.ref in owner) if owner else 0
    numbers = [(e, n) for e, n in numbers if e.ref in owner or max(_shared(c, e) for c in controls) >= rows]
    acts = []
    for e, n in numbers:
        cls = _class_of(kind, n) if n is not None else None
        pick = [c for c in owner.get(e.ref, []) if norm(element_text(c)) == cls]
        if cls is None or len(pick) != 1:
            return Grounded([], 0.0, f"no single '{cls}' control next to {e.name!r}")
        acts.append(click_action(pick[0], step.index, False))
    return Grounded(acts, 0.85, f"mark {len(acts)} numbers by {kind}: "
                                + ", ".join(f"{e.name} {element_text(a_el)}" for (e, _), a_el in
                                            zip(numbers, [next(c for c in controls if c.ref == a.ref) for a in acts],
                                                strict=True)))

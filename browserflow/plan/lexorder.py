"""Ordering from a menu of items: "Order one of each item: Garlic bread, Spaghetti and Meatballs" and
"Order 3 items that are vegan" -> the add control of each item named (or of as many items whose block shows
the word), then the order button.

The add control is the item's own ("+", "Add", "Add to order": ``ground.ADD_WORDS``), found in the item's
block; the order is placed only after every item was added, by the page's button for ordering (the goal's
verb), an irreversible click the goal calls for. A list the reader cannot split cleanly is not read.
"""

from __future__ import annotations

import re

from browserflow.plan.lexdraft import Ctx, Draft
from browserflow.plan.model import Constraint
from browserflow.plan.phrases import TargetParts

__all__ = ["read_order"]

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10}
_EACH = re.compile(r"^(?:one|1)\s+(?:of\s+)?each(?:\s+(?:item|dish|thing|product)s?)?\s*(?:of\s+these\s*)?:?\s*(.+)$",
                   re.I)
_KIND = re.compile(rf"^(\d{{1,2}}|{'|'.join(_NUMBERS)})\s+(?:items?|dishes|things|products)\s+(?:that|which)\s+"
                   r"(?:are|is)\s+([\w-]+(?:\s+[\w-]+)?)\s*$", re.I)


def _add(container: str, constraints: list[Constraint] | None = None) -> Draft:
    return Draft("click", target=TargetParts(words="add", container=container), constraints=constraints or [])


def read_order(rest: str, ctx: Ctx) -> list[Draft] | None:
    """The drafts of an order from a menu, or None when ``rest`` is not one."""
    verb = ctx.phrase.strip().lower()
    text = ctx.quotes.unmask(rest.strip().rstrip("."))
    m = _EACH.match(text)
    if m:
        items = [p.strip() for p in re.split(r"\s*[,;]\s*", m.group(1)) if p.strip()]
        if len(items) < 2 and " and " in m.group(1):
            items = [p.strip() for p in re.split(r"\s+and\s+", m.group(1)) if p.strip()]
        if not items:
            return None
        adds = [_add(item) for item in items]
    else:
        m = _KIND.match(text)
        if m is None:
            return None
        n = int(m.group(1)) if m.group(1).isdigit() else _NUMBERS[m.group(1).lower()]
        adds = [_add(m.group(2), [Constraint(kind="count", text=str(n))])]
    place = Draft("click", target=TargetParts(words=verb, role="button"), commit=True)
    return [*adds, place]

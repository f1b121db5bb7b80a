"""'The cheapest ticket', 'the flight with the shortest duration': one of several listed items, chosen by a
number each item shows.

``read_best`` takes the superlative out of a clause as a ``best`` constraint (``"min price"``, ``"max
duration"``); ``choose_best`` picks, among the page's repeated controls (the "Book for $…" of each result),
the one whose item shows the smallest or largest such number. All or nothing: every candidate must show
exactly one value of that kind and the best must be alone, else there is no choice (the engine stops rather
than buy a ticket it is not sure of).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from browserflow.contracts import Element

__all__ = ["choose_best", "read_best"]

# superlative -> (direction, the quantity it is about when the goal names none)
_WORDS: dict[str, tuple[str, str]] = {
    "cheapest": ("min", "price"), "least expensive": ("min", "price"), "most expensive": ("max", "price"),
    "priciest": ("max", "price"), "longest": ("max", "duration"), "shortest": ("min", "duration"),
    "fastest": ("min", "duration"), "slowest": ("max", "duration"), "quickest": ("min", "duration"),
    "lowest": ("min", ""), "highest": ("max", ""), "smallest": ("min", ""), "largest": ("max", ""),
    "biggest": ("max", ""),
}
_QUANTITY = {"price": "price", "cost": "price", "fare": "price", "prices": "price", "duration": "duration",
             "time": "duration", "travel time": "duration", "length": "duration", "flight time": "duration"}
_SUPER = "|".join(sorted((re.escape(w) for w in _WORDS), key=len, reverse=True))
_QTY = "|".join(sorted((re.escape(w) for w in _QUANTITY), key=len, reverse=True))
# 'with the longest duration', 'that has the lowest price' (after the noun) ...
_AFTER = re.compile(rf"\s+(?:with|having|that\s+has|which\s+has|of)\s+the\s+({_SUPER})(?:\s+({_QTY}))?\b", re.I)
# ... or 'the cheapest one-way flight' (before it)
_BEFORE = re.compile(rf"\b(?:the\s+)({_SUPER})\s+", re.I)

_MONEY = re.compile(r"[$\u20ac\u00a3]\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?(?:USD|EUR|GBP|dollars?)\b", re.I)
_DURATION = re.compile(r"\b(?:(\d+)\s*h(?:ours?|rs?)?\s*(?:(\d+)\s*m(?:in(?:utes?)?)?)?|(\d+)\s*m(?:in(?:utes?)?)?)\b",
                       re.I)


def read_best(clause: str) -> tuple[str, str | None]:
    """(the clause without its superlative, ``"min price"`` / ``"max duration"`` or None when it has none)."""
    for pattern in (_AFTER, _BEFORE):
        m = pattern.search(clause)
        if m is None:
            continue
        direction, quantity = _WORDS[m.group(1).lower()]
        named = m.group(2) if pattern is _AFTER else None
        quantity = _QUANTITY.get((named or "").lower(), quantity)
        rest = (clause[: m.start()] + (" the " if pattern is _BEFORE else "") + clause[m.end():]).strip()
        return re.sub(r"\s{2,}", " ", rest), f"{direction} {quantity or 'number'}"
    return clause, None


def _values(text: str, quantity: str) -> list[float]:
    if quantity == "price":
        return [float((a or b).replace(",", "")) for a, b in _MONEY.findall(text)]
    if quantity == "duration":
        out = []
        for h, m, only_m in _DURATION.findall(text):
            if h:
                out.append(int(h) * 60 + int(m or 0))
            elif only_m:
                out.append(int(only_m))
        return [float(v) for v in out]
    return [float(n) for n in re.findall(r"\b\d+(?:\.\d+)?\b", text)]


def choose_best(best: str, candidates: Sequence[Element]) -> tuple[Element | None, str]:
    """The candidate that (by its own name, else its item's text) shows the best value; None and why not."""
    direction, _, quantity = best.partition(" ")
    if len(candidates) < 2:
        return None, "fewer than two items to compare"
    scored: list[tuple[float, Element]] = []
    for e in candidates:
        # a price or a duration the control itself shows first ("Book flight for $209"), else its item's
        found = set(_values(e.name, quantity)) if quantity in ("price", "duration") else set()
        if len(found) != 1:
            found = set(_values(e.context or e.name, quantity))
        if len(found) != 1:
            return None, f"'{(e.context or e.name)[:60]}' does not show one {quantity}"
        scored.append((found.pop(), e))
    scored.sort(key=lambda s: s[0], reverse=direction == "max")
    if scored[0][0] == scored[1][0]:
        return None, f"two items share the {direction} {quantity}"
    return scored[0][1], f"the {'lowest' if direction == 'min' else 'highest'} {quantity} ({scored[0][0]:g})"

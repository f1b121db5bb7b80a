"""One item of several: the control in each of n (or all) of an author's items, and the one listed item
chosen by the number it shows ("the cheapest ticket"). Split from ``ground.py``; handlers take a ``Step``."""

from __future__ import annotations

import re

from browserflow.contracts import Element
from browserflow.plan.act import Grounded, Step, click_action, irreversible_words
from browserflow.plan.match import clickables, element_text, find, is_button
from browserflow.plan.model import Constraint
from browserflow.plan.records import submitted_before
from browserflow.plan.superlative import choose_best
from browserflow.rules.text import norm

__all__ = ["ADD_WORDS", "add_words", "best_item", "click_each"]

ADD_WORDS = ("add", "+", "\uff0b", "add to order", "add to cart")
"""What an item's own add control is named: 'add' in a goal is any of them."""


def add_words(words: str) -> tuple[str, ...]:
    """The names to look for a control by: for 'add', every name of an add control; else the words."""
    return ADD_WORDS if norm(words) == "add" else (words,)

_CHOOSING = frozenset({"book", "buy", "select", "choose", "reserve", "order", "purchase", "add", "get", "pick"})


def best_item(step: Step) -> Grounded | None:
    """'the cheapest ticket': among the page's repeated controls (one per listed item, each in its own item),
    the one whose item shows the best value (``superlative.choose_best``); not sure, no click."""
    best = step.intent.best
    if best is None:
        return None
    if submitted_before(step):
        return Grounded([], 0.0, f"'{step.intent.describe()}' was already chosen once and its effect is not seen: "
                        "not choosing again")
    pool = [e for e in clickables(step.snap) if e.context and (is_button(e) or e.role == "link" or e.pointer)]
    groups: dict[str, list[Element]] = {}
    for e in pool:
        words = norm(element_text(e)).split()
        if words:
            groups.setdefault(words[0], []).append(e)
    repeated = {w: g for w, g in groups.items() if len(g) >= 2 and len({e.context for e in g}) == len(g)}
    if len(repeated) > 1:
        repeated = {w: g for w, g in repeated.items() if w in _CHOOSING}
    if len(repeated) != 1:
        return None
    (items,) = repeated.values()
    chosen, why = choose_best(best, items)
    if chosen is None:
        return Grounded([], 0.0, f"cannot tell which item has the {best}: {why}")
    e = chosen
    irreversible = step.intent.irreversible or irreversible_words(element_text(e))
    return Grounded([click_action(e, step.index, irreversible)], 0.85, f"click '{element_text(e)}': {why}",
                    chain=False)


def click_each(step: Step, many: Constraint) -> Grounded | None:
    """'the Reply button on 2 posts by @dis': the control in each of the first n items (or all) whose block
    names the author as a whole word, in page order; fewer such items than asked: no guess."""
    it, snap = step.intent, step.snap
    who = re.compile(rf"(?<![\w@]){re.escape(it.target.container.lower())}(?![\w])")
    # the item's block names it, or shows it as a text of its own ("vegan" under a dish's name)
    shown = {e.context for e in snap.elements if e.static and e.context and who.search(e.name.lower())}
    cands: list = []
    for words in add_words(it.target.words):
        cands = [c for c in find(it.target.model_copy(update={"container": "", "words": words}), clickables(snap),
                                 snap)
                 if c.score >= 0.6 and (who.search(c.element.context.lower()) or c.element.context in shown)]
        if cands:
            break
    cands.sort(key=lambda c: c.index)
    want = len(cands) if many.kind == "all" else int(many.text or "0")
    if not cands or want < 1 or len(cands) < want:
        return None
    acts = [click_action(c.element, step.index, False) for c in cands[:want]]
    note = f"click '{element_text(cands[0].element)}' on {want} item(s) of {it.target.container}"
    return Grounded(acts, 0.8, note, chain=False)

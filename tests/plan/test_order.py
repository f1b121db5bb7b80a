"""Ordering from a menu: each named item's add control, or as many items of a kind, then the order button."""

from __future__ import annotations

import pytest

from browserflow.plan.compiler import compile_goal
from tests.plan.test_ground import button, decide, el, page


@pytest.mark.parametrize(("goal", "containers", "count"), [
    ("Order one of each item: Garlic bread, Spaghetti and Meatballs", ["Garlic bread", "Spaghetti and Meatballs"], None),
    ("Order one of each item: Cheese wheel, Ice cream sundae.", ["Cheese wheel", "Ice cream sundae"], None),
    ("Order one of each: Tofu and Caesar Salad", ["Tofu", "Caesar Salad"], None),
    ("Order 3 items that are vegan", ["vegan"], "3"),
    ("Order two items that are gluten-free", ["gluten-free"], "2"),
])
def test_an_order_adds_each_item_then_places_the_order(goal: str, containers: list[str], count: str | None) -> None:
    plan = compile_goal(goal, {})
    *adds, place = plan.intents
    assert [(i.verb, i.target.words, i.target.container) for i in adds] == [("click", "add", c) for c in containers]
    assert [c.text for c in adds[0].constraints if c.kind == "count"] == ([count] if count else [])
    assert not any(i.irreversible for i in adds)
    assert (place.verb, place.target.words, place.irreversible, place.implied) == ("click", "order", True, False)


def _item(n: int, name: str, kind: str) -> list:
    ctx = f"{name} - +"
    return [el(f"n{n}", "div", static=True, name=name, context=ctx), el(f"k{n}", "div", static=True, name=kind, context=ctx),
            el(f"m{n}", "span", static=True, name="-", context=ctx), el(f"p{n}", "span", static=True, name="+", context=ctx)]


MENU = page(*_item(1, "Caesar Salad", "vegan"), *_item(2, "Chicken wings", "meat"), *_item(3, "Garlic bread", "vegan"),
            *_item(4, "Cheese wheel", "dairy"), button("o", "Order!"))


def test_the_named_items_plus_is_clicked() -> None:
    d, _ = decide("Order one of each item: Garlic bread, Cheese wheel", MENU)
    assert [(a.ref, a.irreversible) for a in d.actions] == [("p3", False)]


def test_items_of_a_kind_are_the_ones_whose_block_shows_it() -> None:
    d, _ = decide("Order 2 items that are vegan", MENU)
    assert [a.ref for a in d.actions] == ["p1", "p3"]


def test_more_items_of_a_kind_than_the_menu_has_is_no_guess() -> None:
    d, _ = decide("Order 3 items that are vegan", MENU)
    assert not any((a.ref or "").startswith("p") for a in d.actions)

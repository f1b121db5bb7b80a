"""Menus: a path 'A > B > C' points at each entry on the way and clicks the last; a hidden item is looked for
by pointing at the closed entries (never by clicking them: a click would choose the entry)."""

from __future__ import annotations

import pytest

from browserflow.contracts import Element
from browserflow.plan.compiler import compile_goal
from tests.plan.test_ground import after, decide, el, page


@pytest.mark.parametrize("goal", ["Select Alvera>Terza>Ludovika", "Select Alvera > Terza > Ludovika.",
                                  "Click File \u203a Export \u203a PDF", "choose Alvera \u2192 Terza \u2192 Ludovika"])
def test_a_menu_path_points_then_clicks(goal: str) -> None:
    plan = compile_goal(goal, {})
    assert [i.verb for i in plan.intents] == ["hover", "hover", "click"]
    assert all(i.target.exact for i in plan.intents)
    assert not plan.writes


@pytest.mark.parametrize("goal", ["Select 3 > 2", "Select the option a > b in the list with many words in it"])
def test_not_every_greater_than_is_a_path(goal: str) -> None:
    verbs = [i.verb for i in compile_goal(goal, {}).intents]
    assert "hover" not in verbs or verbs == ["hover", "click"]


@pytest.mark.parametrize("goal", ["Hover over the Products menu and click Laptops",
                                  "Mouse over Products, then click Laptops", "Point at Products and click Laptops"])
def test_hover_phrasings(goal: str) -> None:
    plan = compile_goal(goal, {})
    assert [(i.verb, i.target.words) for i in plan.intents] == [("hover", "Products"), ("click", "Laptops")]


def item(ref: str, name: str, **kw: object) -> Element:
    return el(ref, "div", role="menuitem", name=name, **kw)


def test_each_entry_on_the_path_is_pointed_at_then_the_leaf_clicked() -> None:
    goal = "Select Evy>Tammara"
    top = page(item("a", "Willa"), item("b", "Evy", expanded=False))
    d, progress = decide(goal, top)
    assert [(a.kind, a.ref) for a in d.actions] == [("hover", "b")]
    opened = page(item("a", "Willa"), item("b", "Evy", expanded=True), item("c", "Tammara"))
    progress = after(progress, d.actions, top, opened)
    d, _ = decide(goal, opened, plan=progress)
    assert [(a.kind, a.ref) for a in d.actions] == [("click", "c")]


def test_a_hover_that_changes_nothing_is_not_done() -> None:
    goal = "Select Evy>Tammara"
    top = page(item("b", "Evy", expanded=False))
    d, progress = decide(goal, top)
    same = progress
    progress = after(same, d.actions, top, top)
    assert progress.current == 0


def test_a_hidden_item_is_looked_for_by_pointing_at_closed_entries() -> None:
    goal = 'Click on the item labeled "Prev".'
    snap = page(item("s", "Save"), item("p", "Playback", expanded=False), item("z", "Zoom In"))
    d, _ = decide(goal, snap)
    assert [(a.kind, a.ref) for a in d.actions] == [("hover", "p")]


@pytest.mark.parametrize(("goal", "where", "role", "words"), [
    ("Scroll to the bottom of the textarea", "bottom", "textarea", ""),
    ("Scroll down", "bottom", "", ""),
    ("scroll up to the top of the page", "top", "", ""),
    ("Scroll through the terms of service", "bottom", "", "terms of service"),
    ("Scroll to the end of the agreement", "bottom", "", "agreement"),
])
def test_scroll_phrasings(goal: str, where: str, role: str, words: str) -> None:
    (it,) = compile_goal(goal, {}).intents
    assert (it.verb, it.value.literal if it.value else None, it.target.role, it.target.words) == (
        "scroll", where, role, words)


def test_scrolling_the_agreement_comes_before_the_fill_it_unlocks() -> None:
    goal = 'Scroll to the bottom of the textarea, enter the name "Olin" then press "Agree"'
    snap = page(el("t", "textarea", role="textbox", type="textarea", disabled=True),
                el("n", "input", role="textbox", type="text", placeholder="Name", disabled=True),
                el("a", "button", role="button", name="Agree", disabled=True))
    d, _ = decide(goal, snap)
    assert [(a.kind, a.ref, a.value) for a in d.actions] == [("scroll", "t", "bottom")]


def test_a_press_run_on_after_a_scroll_is_its_own_clause() -> None:
    plan = compile_goal("Scroll the textarea to the bottom of the text hit submit.", {})
    assert [(i.verb, i.target.role or i.target.words) for i in plan.intents] == [("scroll", "textarea"),
                                                                                ("click", "submit")]
    assert plan.intents[0].value is not None and plan.intents[0].value.literal == "bottom"

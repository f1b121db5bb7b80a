"""The verbs that press or open one thing: focus, close / confirm / submit, expand, search, navigate."""

from __future__ import annotations

from browserflow.contracts import Action, Element
from browserflow.plan.act import Grounded, Step, click_action, explore, field_action, irreversible_words
from browserflow.plan.facets import split_query
from browserflow.plan.match import clickables, element_text, find, is_text_field
from browserflow.plan.model import Expectation, Target, ValueSpec
from browserflow.plan.values import resolve_value
from browserflow.rules.text import norm

__all__ = ["expand", "focus", "hover", "lone_opener", "navigate", "press", "scroll", "search"]


def focus(step: Step) -> Grounded | None:
    it, snap = step.intent, step.snap
    pool = [e for e in snap.elements if is_text_field(e)]
    cands = find(it.target, pool, snap, role="textbox")
    if not cands:
        cands = find(it.target.model_copy(update={"words": ""}), pool, snap, role="textbox")
    if not cands:
        return None
    e = cands[0].element
    act = click_action(e, step.index, False, effect="focused")
    return Grounded([act], 0.85, f"focus '{element_text(e)}'", chain=False)


def press(step: Step, words: tuple[str, ...], what: str) -> Grounded | None:
    """Click the element the intent names, else one whose name is one of ``words`` (close, confirm, submit)."""
    it, snap = step.intent, step.snap
    pool = [e for e in clickables(snap) if e.ref not in step.skip]
    cands = find(it.target, pool, snap) if it.target.words else []
    if not cands:
        for w in words:
            cands = [c for c in find(Target(words=w, role=it.target.role or "button", container=it.target.container),
                                     pool, snap) if c.score >= 0.6]
            if cands:
                break
    if not cands and step.last_form is not None and what == "submit":
        cands = [c for c in find(Target(role="button"), pool, snap) if c.element.form == step.last_form]
    if not cands:
        return None
    e = cands[0].element
    irreversible = it.irreversible or irreversible_words(element_text(e))
    return Grounded([click_action(e, step.index, irreversible)], 0.8, f"{what} with '{element_text(e)}'", chain=False)


def expand(step: Step) -> Grounded | None:
    it, snap = step.intent, step.snap
    pool = [e for e in clickables(snap) if e.ref not in step.skip]
    if it.target.words and not set(it.target.words.lower().split()) <= {"section", "sections", "menu", "below"}:
        cands = find(it.target, pool, snap)
        if cands:
            e = cands[0].element
            return Grounded([click_action(e, step.index, False)], 0.8, f"expand '{element_text(e)}'", chain=False)
    closed = [e for e in pool if e.expanded is False]
    if closed:
        return Grounded([click_action(closed[0], step.index, False)], 0.8, f"expand '{element_text(closed[0])}'",
                        chain=False)
    opener = lone_opener(pool)
    if opener is not None:  # "expand the pie menu": its one opener says only '+' or '☰'
        return Grounded([click_action(opener, step.index, False)], 0.7, f"expand with '{element_text(opener)}', "
                        "the page's one menu opener", chain=False)
    return explore(step, "no collapsed section on this page")


#: what a control that opens a menu or a section shows when it says no word: a plus, a hamburger, a kebab, dots
_OPENER_GLYPHS = frozenset({"+", "\u2630", "\u2261", "\u22ee", "\u22ef", "\u2026", "...", "\u25be", "\u25bc"})


def lone_opener(pool: list[Element]) -> Element | None:
    """The page's only control that shows nothing but an opener glyph; None when there is none or several."""
    # not in a form: a '+' there steps a quantity up, it opens nothing
    found = [e for e in pool if element_text(e).strip() in _OPENER_GLYPHS and not e.dialog and e.form is None]
    return found[0] if len(found) == 1 else None


def hover(step: Step) -> Grounded | None:
    """Point at the item the intent names (a menu entry whose submenu opens under the pointer): nothing is
    clicked, so a parent entry is never chosen by mistake."""
    it, snap = step.intent, step.snap
    pool = [e for e in clickables(snap) if e.ref not in step.skip]
    cands = [c for c in find(it.target, pool, snap) if c.score >= 0.6]
    if not cands:
        return None
    e = cands[0].element
    act = Action(kind="hover", ref=e.ref, selector=e.selector, label=element_text(e), intent=step.index,
                 expect=Expectation(kind="clicked", selector=e.selector, intent=step.index))
    return Grounded([act], 0.8, f"point at '{element_text(e)}'", chain=False)


def scroll(step: Step) -> Grounded | None:
    """Scroll the box the intent names (a disabled one too: an agreement that must be read to the end), or
    the page, to its bottom or top. Changes no value."""
    it, snap = step.intent, step.snap
    where = (it.value.literal if it.value is not None else None) or "bottom"
    t = it.target
    if not t.words and not t.role:
        act = Action(kind="scroll", value=where, label="the page", intent=step.index,
                     expect=Expectation(kind="clicked", intent=step.index))
        return Grounded([act], 0.85, f"scroll the page to the {where}", chain=True)
    cands = [c for c in find(t, snap.elements, snap) if c.score >= 0.55]
    if not cands:
        return None
    e = cands[0].element
    act = Action(kind="scroll", ref=e.ref, selector=e.selector, value=where, label=element_text(e) or e.tag,
                 intent=step.index, expect=Expectation(kind="clicked", selector=e.selector, intent=step.index))
    return Grounded([act], 0.85, f"scroll '{element_text(e) or e.tag}' to the {where}", chain=False)


def search(step: Step) -> Grounded | None:
    it, snap = step.intent, step.snap
    if it.value is None:
        return None
    boxes = [e for e in snap.elements if is_text_field(e) and e.type != "password"]
    searchy = [e for e in boxes if e.type == "search" or e.role == "searchbox" or "search" in norm(
        f"{e.name} {e.label} {e.placeholder} {e.html_name} {e.html_id}") or e.html_name in {"q", "query", "s"}]
    pool = searchy or (boxes if len(boxes) == 1 else [])
    if not pool and it.value.source == "literal" and it.value.literal:
        got = _faceted(step, boxes, it.value.literal)
        if got is not None:
            return got
    if not pool:
        nxt = step.inp.plan.plan.intents[step.index + 1] if step.inp.plan and step.index + 1 < len(
            step.inp.plan.plan.intents) else None
        if nxt is not None and nxt.target.words:  # "find the user whose …": the users' section has the search
            from browserflow.plan.records import go_to

            got = go_to(step, nxt.target.words, "the search is in the section")
            if got is not None:
                return got
        return explore(step, "no search box on this page")
    e = pool[0]
    value, key = resolve_value(it.value, step.data, snap, e)
    if value is None:
        return None
    acts = [field_action("fill", e, value, key, it.value, step.index)]
    button = [c for c in find(Target(words="search", role="button"), clickables(snap), snap)
              if c.score >= 0.6 and (e.form is None or c.element.form == e.form)]
    if button:
        acts.append(click_action(button[0].element, step.index, False, effect="navigated"))
    else:
        acts.append(Action(kind="press", ref=e.ref, selector=e.selector, label=element_text(e), value="Enter",
                           intent=step.index))
    return Grounded(acts, 0.8, f"search for {acts[0].provenance}", chain=False)


_SEARCH_BUTTONS = ("search", "submit", "go", "find")


def _faceted(step: Step, boxes: list[Element], query: str) -> Grounded | None:
    """A one-sentence search on a form of several criteria (``facets.split_query``): each field its part of
    the query, then the form's search button. No clean split, no search."""
    snap = step.snap
    forms = {e.form for e in boxes}
    if len(forms) > 1:
        return None
    split = split_query(query, boxes)
    if split is None:
        return None
    acts = [field_action("fill", e, part, None, ValueSpec(source="literal", literal=part), step.index)
            for e, part in split]
    pool = [e for e in clickables(snap) if e.form in forms or e.form is None]
    for words in _SEARCH_BUTTONS:
        cands = [c for c in find(Target(words=words, role="button"), pool, snap) if c.score >= 0.6]
        if cands:
            acts.append(click_action(cands[0].element, step.index, False, effect="navigated"))
            names = ", ".join(f"'{element_text(e)}' <- \"{part}\"" for e, part in split)
            return Grounded(acts, 0.75, f"search by criteria: {names}", chain=False)
    return None


def navigate(step: Step) -> Grounded | None:
    it, snap = step.intent, step.snap
    pool = [e for e in clickables(snap) if e.ref not in step.skip]
    cands = [c for c in find(it.target, pool, snap) if c.score >= 0.55]
    if not cands:
        return explore(step, f"no link to '{it.target.words}' on this page")
    e = cands[0].element
    return Grounded([click_action(e, step.index, False, effect="navigated")], 0.8, f"open '{element_text(e)}'",
                    chain=False)

"""Lists of several choices: the option that stands for a name ('Editors' for 'Editors group'), and the
two-list chooser (select the option in the available list, then the list's own Choose control)."""

from __future__ import annotations

import re

from browserflow.contracts import Action, Element
from browserflow.plan.act import Step, click_action
from browserflow.plan.match import element_text, is_text_field
from browserflow.rules.text import norm, tokens

__all__ = ["chooser", "names_option"]


_KIND_NOUNS = frozenset({"group", "groups", "list", "team", "role", "roles", "category", "tag", "tags", "label",
                         "labels", "keyword", "keywords", "project", "channel", "folder", "members", "issue", "the"})


def names_option(option: str, wanted: str) -> bool:
    """Does an option labelled ``option`` stand for ``wanted`` ('Editors' for 'Editors group')?"""
    o, w = norm(option), norm(wanted)
    if o == w:
        return True
    want = [t for t in tokens(wanted) if t not in _KIND_NOUNS]
    have = list(tokens(option))
    return bool(want) and want == have


def chooser(step: Step, member: str, add: bool) -> list[Action]:
    """A two-list chooser (available / chosen, with Choose / Remove controls) or one multi-select."""
    snap = step.snap
    lists = [e for e in snap.elements if e.tag == "select" and e.type == "select-multiple" and not e.disabled]
    for e in lists:
        opt = next((o for o in e.options if names_option(o.label, member)), None)
        if opt is None:
            continue
        if len(lists) >= 2:  # the option sits in one list; a control moves it to the other
            chosen_side = "chosen" in norm(f"{e.name} {e.label} {e.html_id}") or e.html_id.endswith("_to")
            if chosen_side == add:
                return []  # already where it should be
            control = _mover(step, e, add)
            if control is None:
                continue
            pick = Action(kind="select_add", ref=e.ref, selector=e.selector, label=element_text(e), value=opt.value,
                          intent=step.index, provenance=f'goal literal "{member}"')
            return [pick, click_action(control, step.index, False)]
        if opt.selected == add:
            return []
        kind = "select_add" if add else "select_remove"
        return [Action(kind=kind, ref=e.ref, selector=e.selector, label=element_text(e), value=opt.value,
                       intent=step.index, provenance=f'goal literal "{member}"')]
    return []


_MOVE_ON = ("choose", "add", "select", "\u2192", ">", "move right")


_MOVE_OFF = ("remove", "\u2190", "<", "move left")


def _mover(step: Step, lst: Element, add: bool) -> Element | None:
    """The control of a two-list chooser that moves the selected option of ``lst`` across: named by the
    list's kind ('Choose selected groups') or sharing its id ('id_groups_add'); never the '... all' one."""
    stem = re.sub(r"_(from|to)$", "", lst.html_id)
    kind = [t for t in tokens(f"{lst.label} {lst.html_name}") if t not in {"available", "chosen", "selected"}]
    words = _MOVE_ON if add else _MOVE_OFF
    best: tuple[int, Element] | None = None
    for e in step.snap.elements:  # disabled ones too: selecting the option enables its mover
        if e.static or is_text_field(e) or e.tag == "select":
            continue
        name = norm(element_text(e))
        if "all" in name.split() or not any(name == w or name.startswith(f"{w} ") for w in words):
            continue
        related = (stem and e.html_id.startswith(stem)) or any(t in tokens(name) for t in kind)
        rank = (2 if related else 0) + (1 if name in words else 0)
        if related and (best is None or rank > best[0]):
            best = (rank, e)
    return best[1] if best else None

"""Membership: add X to Y / remove X from Y, on whichever record's page holds the list — a checkbox, a
chooser, a multi-select or a comma-separated list field — then that form's own save."""

from __future__ import annotations

import re

from browserflow.contracts import Action
from browserflow.plan.act import Grounded, Step, click_action, field_action, visited
from browserflow.plan.choosers import chooser, names_option
from browserflow.plan.match import clickables, find, is_text_field
from browserflow.plan.model import Target, ValueSpec
from browserflow.plan.records import entity_on_page, save_button, to_record
from browserflow.rules.text import norm, tokens

__all__ = ["ground_membership"]


def _holder(step: Step) -> str:
    """Which record's page holds the membership: the container when it is shown, else the item."""
    t = step.intent.target
    if t.container and entity_on_page(t.container, step.snap):
        return "container"
    if t.entity and entity_on_page(t.entity, step.snap):
        return "entity"
    return ""


def _list_field(step: Step, member: str, add: bool, holder: str) -> list[Action]:
    """A text field holding a comma-separated list ('Nosy list: alice, bob'): the name added or removed. The
    list is named by the intent's words on the container's page ('the nosy list of the issue'), by the
    container's kind on the item's page ('Editors group' -> a 'groups' field)."""
    t = step.intent.target
    words = t.words if holder == "container" else (tokens(t.container)[-1] if tokens(t.container) else "")
    boxes = [e for e in step.snap.elements if is_text_field(e) and e.type != "password"]
    hit = [c for c in find(Target(words=words), boxes, step.snap) if c.score >= 0.6] if words else []
    if not hit:
        return []
    e = hit[0].element
    names = [n.strip() for n in re.split(r"[,;]", e.value) if n.strip()]
    present = any(norm(n) == norm(member) for n in names)
    if present == add:
        return []
    names = [*names, member] if add else [n for n in names if norm(n) != norm(member)]
    value = ", ".join(names)
    spec = ValueSpec(source="literal", literal=member)
    act = field_action("fill", e, value, None, spec, step.index)
    return [act]


def ground_membership(step: Step, add: bool) -> Grounded | None:
    it, snap = step.intent, step.snap
    holder = _holder(step)
    if not holder:
        t = it.target
        seen = visited(step)
        pool = [e for e in clickables(snap) if e.selector not in seen]
        for name in (t.container, t.entity):  # the record that holds the list, else the item's own page
            exact = [c for c in find(Target(words=name, exact=True), pool, snap) if c.score >= 0.8] if name else []
            if exact:
                e = exact[0].element
                return Grounded([click_action(e, step.index, False, effect="navigated")], 0.75, f"open '{name}'")
        return to_record(step)
    member = it.target.entity if holder == "container" else it.target.container
    actions: list[Action] = []
    boxes = [e for e in snap.elements if e.type == "checkbox" and not e.disabled]
    hit = [c for c in find(Target(words=member), boxes, snap) if names_option(c.element.label or c.element.name, member)]
    if hit:
        e = hit[0].element
        if bool(e.checked) != add:
            actions.append(field_action("check" if add else "uncheck", e, None, None, None, step.index))
    else:
        actions = chooser(step, member, add) or _list_field(step, member, add, holder)
    if not actions:
        return None
    save = save_button(step)
    if save is not None:
        actions.append(click_action(save, step.index, True, effect="message"))
    return Grounded(actions, 0.75, f"{'add' if add else 'remove'} '{member}' {'to' if add else 'from'} the list")

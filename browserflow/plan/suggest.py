"""A value known by how it starts and ends ("an item that starts with "An" and ends with "ca""): type the
start, then pick the suggestion of the field's autocomplete list that fits both ends.

The field holds what fits (``fits``) only once the whole value is in; typing the start alone is not done
unless no end is asked for. A suggestion is any short shown item (an option, a menu entry, a list item, a
plain text, shown after the field) whose text starts with what was typed and ends as asked; if none shows yet, the engine waits a
moment once (a list that opens after a delay), then gives up.
"""

from __future__ import annotations

from browserflow.contracts import Action, Element
from browserflow.plan.act import Grounded, Step, click_action, field_action
from browserflow.plan.match import element_text, is_text_field
from browserflow.plan.model import Expectation, ValueSpec
from browserflow.rules.text import norm

__all__ = ["fits", "suggested"]

_WAIT_SECONDS = "0.6"


def fits(value: str, start: str, end: str | None) -> bool:
    """Does ``value`` start with ``start`` and (when asked) end with ``end``? (case and spaces aside)"""
    v = norm(value)
    return bool(v) and v.startswith(norm(start)) and (not end or v.endswith(norm(end)))


def _expect(field: Element, spec: ValueSpec, index: int) -> Expectation:
    return Expectation(kind="field_value", selector=field.selector, value=spec.literal or "", prefix=True,
                       suffix=spec.suffix or "", intent=index)


def _waited(step: Step) -> bool:
    return any(a.kind == "wait" and a.intent == step.index for rec in step.inp.history[-2:] for a in rec.actions)


def suggested(step: Step, field: Element, value: str) -> Grounded | None:
    """Type ``value`` (the start) into ``field``; once it is typed, pick the suggestion that fits; with none
    shown, wait once for the list, then let a typed start that fits stand (no end asked for)."""
    spec = step.intent.value
    assert spec is not None
    end = spec.suffix
    if not field.value or not norm(field.value).startswith(norm(value)):
        act = field_action("fill", field, value, None, spec, step.index)
        # not done by typing: the next page shows whether a suggestion list opened
        act = act.model_copy(update={"expect": Expectation(kind="none", selector=field.selector, intent=step.index)})
        return Grounded([act], 0.8, f"type the start \"{value}\" into '{element_text(field)}'", chain=False)
    els = step.snap.elements
    after = els[next((i for i, e in enumerate(els) if e.ref == field.ref), 0) + 1 :]
    # a suggestion list opens under the field (or at the end of the page): never the texts before the field
    shown = [e for e in after if e.ref not in step.skip and not e.disabled and not is_text_field(e) and e.tag != "select" and 0 < len(e.name) <= 80
             and norm(e.name) != norm(field.value) and fits(e.name, field.value, end)]
    exact = [e for e in shown if e.name.strip().startswith(value) and (not end or e.name.strip().endswith(end))]
    pick = next(iter(exact or shown), None)
    if pick is not None:
        act = click_action(pick, step.index, False)
        act = act.model_copy(update={"expect": _expect(field, spec, step.index),
                                     "provenance": f"the suggestion that fits {spec.describe()}"})
        return Grounded([act], 0.85, f"pick the suggestion '{element_text(pick)}'", chain=False)
    if not _waited(step):
        wait = Action(kind="wait", value=_WAIT_SECONDS, label="the suggestions", intent=step.index,
                      expect=Expectation(kind="none", intent=step.index))
        return Grounded([wait], 0.7, "wait for the field's suggestions", chain=False)
    if fits(field.value, value, end):  # no list opened: what was typed is the value asked for
        stand = Action(kind="wait", value="0", label=element_text(field), intent=step.index, provenance=spec.describe(),
                       expect=_expect(field, spec, step.index))
        return Grounded([stand], 0.8, f"no suggestions: '{element_text(field)}' holds \"{field.value}\"")
    why = f"no suggestion that starts with \"{value}\"" + (f" and ends with \"{end}\"" if end else "") + " is shown"
    return Grounded([], 0.0, why)

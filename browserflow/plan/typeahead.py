"""Type-ahead fields: a value typed into a field that suggests ("Sitka, AK") is taken by clicking the one
suggestion that shows it ("Sitka, AK (SIT)"), as a person does: many such fields accept only a suggestion.

``suggests`` tells such a field by what the page says of it (a combobox role, or the browser's own
autocomplete turned off, which is what type-ahead widgets do). After a step that ended typing into one (the
field still focused), ``pick_suggestion`` clicks, among the clickable texts laid over the page (a list
positioned over it, as suggestions are: never a text of the page itself), the one that shows the typed value
as whole words; none, or several of them ("Portland" for Portland, ME and Portland, OR), is no pick: the
field keeps what was typed. Several that all give the typed value as their code in brackets ("HIB" in
"Hibbing/Chisholm, MN (HIB)" and "Chisholm/Hibbing, MN (HIB)") name one thing: the first is taken.
"""

from __future__ import annotations

import re

from browserflow.contracts import Action, DecideInput, Element, PageSnapshot
from browserflow.plan.act import click_action
from browserflow.plan.match import clickables, element_text, is_text_field
from browserflow.rules.text import norm

__all__ = ["pick_suggestion", "suggests"]


def suggests(e: Element) -> bool:
    """A text field that offers suggestions as it is typed into."""
    return is_text_field(e) and e.type != "password" and (e.role == "combobox" or e.autocomplete.lower() == "off")


def _typed(inp: DecideInput) -> Action | None:
    """The fill the last step ended with, when its value is a plain one (never a secret)."""
    if not inp.history or not inp.history[-1].ok or not inp.history[-1].actions:
        return None
    last = inp.history[-1].actions[-1]
    if last.kind != "fill" or not last.value or last.value.startswith("env:") or last.data_key:
        return None
    intents = inp.plan.plan.intents if inp.plan is not None else []
    served = intents[last.intent or 0] if (last.intent or 0) < len(intents) else None
    if served is not None and served.value is not None and served.value.prefix:
        return None  # a value known by how it starts and ends picks its own suggestion (suggest.py)
    return last


def pick_suggestion(inp: DecideInput, snap: PageSnapshot, skip: set[str]) -> tuple[Action, str] | None:
    """The click on the one suggestion that shows what the last step typed into a suggesting field."""
    typed = _typed(inp)
    if typed is None or typed.value is None:
        return None
    field = next((e for e in snap.elements if e.selector == typed.selector), None)
    want = norm(typed.value)
    if field is None or not suggests(field) or norm(field.value) != want or not want:
        return None
    if snap.active and snap.active != field.ref:
        return None  # the field was left: its suggestions are gone
    whole = re.compile(rf"(?<![\w]){re.escape(want)}(?![\w])")
    shown = [
        e
        for e in clickables(snap)
        if e.ref not in skip
        and e.ref != field.ref
        and not is_text_field(e)
        and e.floating  # in the list laid over the page, never a text of the page itself
        and whole.search(norm(element_text(e)))
        and len(element_text(e)) <= 80
    ]
    coded = re.compile(rf"\(\s*{re.escape(want)}\s*\)")
    if len(shown) > 1 and all(coded.search(norm(element_text(e))) for e in shown):
        shown = shown[:1]  # "HIB" in "Hibbing/Chisholm, MN (HIB)" and "Chisholm/Hibbing, MN (HIB)": one place
    if len(shown) != 1:
        return None
    e = shown[0]
    intent = typed.intent if typed.intent is not None else 0
    return click_action(e, intent, False), f"take the suggestion '{element_text(e)}' for \"{typed.value}\""

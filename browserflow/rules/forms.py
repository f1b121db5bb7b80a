"""Form filling: plan the fills of a form from the task data (fields and matching: ``rules/fields.py``) and
find its submit button."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from browserflow.contracts import Action, Element
from browserflow.rules.fields import (
    BUTTON_TYPES,
    CONFIRM_WORDS,
    TRUTHY,
    Field,
    assign,
    collect_fields,
    display_label,
    is_secret_ref,
    match_option,
    match_radio,
)
from browserflow.rules.harm import harmful_unasked
from browserflow.rules.text import norm, overlap, tokens

__all__ = [
    "Field",
    "FormPlan",
    "assign",
    "click",
    "collect_fields",
    "display_label",
    "find_submit",
    "is_irreversible",
    "match_option",
    "plan_forms",
    "same_action",
]

_NOT_SUBMIT = re.compile(r"\b(cancel|reset|clear|back|previous|prev|close|delete draft|remove)\b", re.I)
_IRREVERSIBLE = re.compile(
    r"\b(submit|register|registration|pay|payment|buy|book|booking|confirm|delete|send|place\s+(my\s+)?order|"
    r"purchase|checkout|check\s+out|sign\s*up|enrol|enroll|subscribe|unsubscribe|transfer|donate|remove|"
    r"complete\s+(order|purchase|booking|registration))\b",
    re.I,
)


def is_irreversible(*texts: str) -> bool:
    """Does a button's wording suggest an action that must not run twice (submit, pay, delete...)?"""
    return any(_IRREVERSIBLE.search(t) for t in texts if t)


# ---------------------------------------------------------------------------------------------------------
# planning


@dataclass
class FormPlan:
    form: int | None
    actions: list[Action]
    matched: list[str]  # data keys used
    weakest: float  # lowest match score among the used keys
    missing: list[str]  # problems: required fields nothing covers, values with no option
    submit: Element | None
    fields: int  # fields in the form

    @property
    def complete(self) -> bool:
        return not self.missing


def _action(kind: str, e: Element, value: str | None = None, data_key: str | None = None) -> Action:
    return Action(
        kind=kind,
        ref=e.ref,
        selector=e.selector,
        label=display_label(e),
        value=value,
        data_key=data_key,
    )


def _plan_field(f: Field, key: str, value: str, truncated: bool, missing: list[str]) -> Action | None:
    e = f.element
    mentioned = bool(f.error)
    if f.kind == "text":
        if not is_secret_ref(value) and e.type != "password" and e.value == value and not mentioned:
            return None
        return _action("fill", e, value, key)
    if f.kind == "select":
        option = match_option(e.options, value)
        if option is None:
            if truncated:  # the option list was cut: let the browser match value or label
                return _action("select", e, value, key)
            missing.append(f"no option {value!r} in '{f.label}'")
            return None
        if option.selected and e.value == option.value and not mentioned:
            return None
        return _action("select", e, option.value, key)
    if f.kind == "radio":
        radio = match_radio(f.elements, value)
        if radio is None:
            missing.append(f"no choice {value!r} in '{f.label}'")
            return None
        if radio.checked and not mentioned:
            return None
        return _action("check", radio, None, key)
    # checkbox
    want = norm(value) in TRUTHY
    if want and not e.checked:
        return _action("check", e, None, key)
    if not want and e.checked:
        return _action("uncheck", e, None, key)
    return None


def same_action(a: Action, b: Action) -> bool:
    if a.kind != b.kind or a.value != b.value:
        return False
    if a.selector and b.selector:
        return a.selector == b.selector
    return bool(a.ref) and a.ref == b.ref


def plan_form(
    form: int | None,
    fields: Sequence[Field],
    elements: Sequence[Element],
    data: Mapping[str, str],
    goal_tokens: Sequence[str],
    failed: Sequence[Action],
    truncated: bool,
    goal_text: str | None = None,
) -> FormPlan:
    """The actions that fill ``form`` from ``data`` and submit it."""
    assigned = assign(data, fields)
    actions: list[Action] = []
    missing: list[str] = []
    matched: list[str] = []
    password_source: tuple[str, str] | None = None
    for fi, f in enumerate(fields):
        hit = assigned.get(fi)
        e = f.element
        if hit is not None:
            key, _ = hit
            matched.append(key)
            if e.type == "password" and password_source is None:
                password_source = (key, data[key])
            act = _plan_field(f, key, data[key], truncated, missing)
        elif f.kind == "checkbox" and not e.checked and (f.required or f.error):
            act = _action("check", e)  # consent boxes
        elif (
            f.kind == "text"
            and e.type == "password"
            and password_source is not None
            and CONFIRM_WORDS & {t for toks, _ in f.descriptors for t in toks}
        ):
            act = _action("fill", e, password_source[1], password_source[0])
        else:
            if f.required and f.is_empty:
                missing.append(f"no data for required '{f.label}'")
            continue
        if act is None:
            continue
        if any(same_action(act, x) for x in failed):
            missing.append(f"{act.kind} '{act.label}' failed before")
            continue
        actions.append(act)
    submit = find_submit(form, elements, goal_tokens, failed, goal_text)
    weakest = min((s for _, s in assigned.values()), default=0.0)
    return FormPlan(form, actions, matched, weakest, missing, submit, len(fields))


def find_submit(
    form: int | None,
    elements: Sequence[Element],
    goal_tokens: Sequence[str],
    failed: Sequence[Action],
    goal_text: str | None = None,
) -> Element | None:
    """The button that submits ``form``: type=submit first, then the button whose words best fit the goal;
    never a harmful-looking one the goal does not ask for (``browserflow.rules.harm``)."""
    whole_goal = " ".join(goal_tokens) if goal_text is None else goal_text
    best: tuple[float, int, Element] | None = None
    for i, e in enumerate(elements):
        if e.disabled or e.form != form:
            continue
        is_button = e.tag == "button" or (e.tag == "input" and e.type in BUTTON_TYPES) or e.role == "button"
        if not is_button or e.type in {"reset"}:
            continue
        words = f"{e.name} {e.label}"
        if _NOT_SUBMIT.search(words) or harmful_unasked(words, whole_goal):
            continue
        if (
            form is None
            and e.type != "submit"
            and not is_irreversible(words)
            and not overlap(tokens(words), goal_tokens)
        ):
            continue
        if any(same_action(click(e), x) for x in failed):
            continue
        rank = (2.0 if e.type in {"submit", "image"} else 0.0) + overlap(tokens(words), goal_tokens)
        if best is None or rank > best[0]:
            best = (rank, i, e)
    return best[2] if best else None


def click(e: Element) -> Action:
    return Action(
        kind="click",
        ref=e.ref,
        selector=e.selector,
        label=display_label(e),
        irreversible=e.role != "link" and is_irreversible(e.name, e.label),
    )


def plan_forms(
    elements: Sequence[Element],
    data: Mapping[str, str],
    goal_tokens: Sequence[str],
    failed: Sequence[Action],
    truncated: bool,
    goal_text: str | None = None,
) -> FormPlan | None:
    """Plan every form that some data key fits; return the best (most keys matched, then best scores)."""
    fields = collect_fields(elements)
    if not fields or not data:
        return None
    by_form: dict[int | None, list[Field]] = {}
    for f in fields:
        by_form.setdefault(f.form, []).append(f)
    best: tuple[tuple[float, ...], FormPlan] | None = None
    for form, form_fields in by_form.items():
        plan = plan_form(form, form_fields, elements, data, goal_tokens, failed, truncated, goal_text)
        if not plan.matched:
            continue
        rank = (float(len(plan.matched)), plan.weakest, float(not plan.missing), -float(form_fields[0].index))
        if best is None or rank > best[0]:
            best = (rank, plan)
    return best[1] if best else None

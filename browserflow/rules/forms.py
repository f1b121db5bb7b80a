"""Form filling: match task data keys to fields, plan the fills, find the submit button."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from browserflow.contracts import Action, Element, Option
from browserflow.rules.harm import harmful_unasked
from browserflow.rules.text import field_tokens, norm, overlap, similarity, tokens

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

TEXT_TYPES = frozenset(
    {
        "",
        "text",
        "email",
        "tel",
        "url",
        "search",
        "number",
        "password",
        "date",
        "datetime-local",
        "month",
        "week",
        "time",
        "textarea",
    }
)
BUTTON_TYPES = frozenset({"submit", "button", "reset", "image"})
TRUTHY = frozenset({"true", "yes", "y", "1", "on", "checked", "check", "agree", "agreed", "accept", "x"})
FALSY = frozenset({"false", "no", "n", "0", "off", "unchecked", "uncheck", "none", ""})
_CONFIRM_WORDS = frozenset({"confirm", "confirmation", "repeat", "again", "verify", "retype", "re"})
_NOT_SUBMIT = re.compile(r"\b(cancel|reset|clear|back|previous|prev|close|delete draft|remove)\b", re.I)
_IRREVERSIBLE = re.compile(
    r"\b(submit|register|registration|pay|payment|buy|book|booking|confirm|delete|send|place\s+(my\s+)?order|"
    r"purchase|checkout|check\s+out|sign\s*up|enrol|enroll|subscribe|unsubscribe|transfer|donate|remove|"
    r"complete\s+(order|purchase|booking|registration))\b",
    re.I,
)
MATCH_THRESHOLD = 0.5


def is_irreversible(*texts: str) -> bool:
    """Does a button's wording suggest an action that must not run twice (submit, pay, delete...)?"""
    return any(_IRREVERSIBLE.search(t) for t in texts if t)


def is_secret_ref(value: str) -> bool:
    return value.startswith("env:")


def display_label(e: Element) -> str:
    """What a person would call the element."""
    text = e.label or e.name or e.placeholder or e.html_name or e.html_id or e.selector
    if e.type == "radio" or e.role == "radio":
        return f"{e.context}: {text}" if e.context else text
    return text


@dataclass
class Field:
    """One fillable thing: a text box, a select, a checkbox, or a whole radio group."""

    kind: str  # text | select | checkbox | radio
    elements: list[Element]
    form: int | None
    index: int  # position of its first element in the snapshot
    descriptors: list[tuple[tuple[str, ...], float]] = field(default_factory=list)

    @property
    def element(self) -> Element:
        return self.elements[0]

    @property
    def required(self) -> bool:
        return any(e.required for e in self.elements)

    @property
    def error(self) -> str:
        return next((e.error for e in self.elements if e.error), "")

    @property
    def is_empty(self) -> bool:
        e = self.element
        if self.kind == "radio":
            return not any(r.checked for r in self.elements)
        if self.kind == "checkbox":
            return not e.checked
        if e.type == "password":
            return True  # its value is never read
        return e.value.strip() == ""

    @property
    def label(self) -> str:
        e = self.element
        if self.kind == "radio":
            return e.context or e.html_name or display_label(e)
        return display_label(e)


def _kind(e: Element) -> str | None:
    if e.disabled:
        return None
    if e.tag == "select":
        return "select"
    if e.type == "radio" or (e.tag != "input" and e.role == "radio"):
        return "radio"
    if e.type == "checkbox" or (e.tag != "input" and e.role in {"checkbox", "switch"}):
        return "checkbox"
    if e.tag == "textarea" or (e.tag == "input" and e.type in TEXT_TYPES):
        return "text"
    if e.tag not in {"input", "button", "a"} and e.role in {"textbox", "searchbox"}:
        return "text"  # contenteditable
    return None


def collect_fields(elements: Sequence[Element]) -> list[Field]:
    """The page's fields in document order; radios sharing a name (or a legend) form one field."""
    fields: list[Field] = []
    groups: dict[tuple[int | None, str], Field] = {}
    for index, e in enumerate(elements):
        kind = _kind(e)
        if kind is None:
            continue
        if kind == "radio":
            key = (e.form, e.html_name or f"ctx:{e.context}")
            group = groups.get(key)
            if group is not None:
                group.elements.append(e)
                continue
            f = Field(kind, [e], e.form, index)
            groups[key] = f
        else:
            f = Field(kind, [e], e.form, index)
        fields.append(f)
    for f in fields:
        e = f.element
        if f.kind == "radio":
            f.descriptors = [(field_tokens(e.context), 1.0), (field_tokens(e.html_name), 1.0)]
        else:
            auto = "" if e.autocomplete.lower() in {"on", "off"} else e.autocomplete
            f.descriptors = [
                (field_tokens(e.label), 1.0),
                (field_tokens(e.name), 1.0),
                (field_tokens(e.html_name), 1.0),
                (field_tokens(e.html_id), 0.9),
                (field_tokens(e.placeholder), 0.8),
                (field_tokens(auto), 0.9),
            ]
    return fields


# ---------------------------------------------------------------------------------------------------------
# matching


def match_option(options: Sequence[Option], value: str) -> Option | None:
    """The option whose value or label equals ``value`` (case- and space-insensitive), else the single option
    whose label contains all of the value's words."""
    want = norm(value)
    if not want:
        return None
    for o in options:
        if norm(o.value) == want:
            return o
    for o in options:
        if norm(o.label) == want:
            return o
    words = tokens(value, drop_stop=False)
    if not words:
        return None
    loose = [o for o in options if o.value and set(words) <= set(tokens(o.label, drop_stop=False))]
    return loose[0] if len(loose) == 1 else None


def match_radio(radios: Sequence[Element], value: str) -> Element | None:
    want = norm(value)
    for r in radios:
        if norm(r.value) == want:
            return r
    for r in radios:
        if want in {norm(r.label), norm(r.name)}:
            return r
    return None


def _value_fits(f: Field, value: str) -> bool:
    if f.kind == "checkbox":
        return norm(value) in TRUTHY or norm(value) in FALSY
    if f.kind == "select":
        return match_option(f.element.options, value) is not None
    if f.kind == "radio":
        return match_radio(f.elements, value) is not None
    return True


def score(key: str, value: str, f: Field) -> float:
    """How well data ``key`` (with ``value``) fits field ``f``, 0..1."""
    e = f.element
    raw = key.lower()
    if raw and raw in {e.html_name.lower(), e.html_id.lower()}:
        best = 1.0
    else:
        kt = field_tokens(key)
        best = max((similarity(kt, toks) * w for toks, w in f.descriptors if toks), default=0.0)
        if f.kind == "text":
            confirm_key = bool(_CONFIRM_WORDS & set(kt))
            if e.type == "email" and "email" in kt:
                best = max(best, 0.95)
            elif e.type == "password" and "password" in kt:
                field_confirm = any(_CONFIRM_WORDS & set(toks) for toks, _ in f.descriptors)
                best = max(best, 0.95 if confirm_key == field_confirm else 0.6)
            elif e.type == "tel" and "phone" in kt:
                best = max(best, 0.9)
    if f.kind in {"select", "radio"} and value and not is_secret_ref(value):
        if _value_fits(f, value):
            best = min(1.0, best + 0.25) if best >= 0.3 else best
        elif f.kind == "radio":
            best *= 0.7
    if f.kind == "checkbox" and not _value_fits(f, value):
        return 0.0
    return best


def assign(data: Mapping[str, str], fields: Sequence[Field]) -> dict[int, tuple[str, float]]:
    """Greedy best-first assignment of data keys to fields (by field position in ``fields``)."""
    pairs: list[tuple[float, int, int, str]] = []
    for ki, (key, value) in enumerate(data.items()):
        for fi, f in enumerate(fields):
            s = score(key, value, f)
            if s >= MATCH_THRESHOLD:
                pairs.append((s, ki, fi, key))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_keys: set[str] = set()
    out: dict[int, tuple[str, float]] = {}
    for s, _, fi, key in pairs:
        if key in used_keys or fi in out:
            continue
        used_keys.add(key)
        out[fi] = (key, s)
    return out


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
            and _CONFIRM_WORDS & {t for toks, _ in f.descriptors for t in toks}
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

"""Form fields: the page's fillable things (a radio group is one field), and how well a task data key fits
each of them (names, labels, types, and whether the value is one of a select's or radio group's choices)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from browserflow.contracts import Element, Option
from browserflow.rules.text import field_tokens, norm, similarity, tokens

__all__ = [
    "BUTTON_TYPES",
    "CONFIRM_WORDS",
    "FALSY",
    "MATCH_THRESHOLD",
    "TEXT_TYPES",
    "TRUTHY",
    "Field",
    "assign",
    "collect_fields",
    "display_label",
    "is_secret_ref",
    "match_option",
    "match_radio",
    "score",
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
CONFIRM_WORDS = frozenset({"confirm", "confirmation", "repeat", "again", "verify", "retype", "re"})
MATCH_THRESHOLD = 0.5


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
            confirm_key = bool(CONFIRM_WORDS & set(kt))
            if e.type == "email" and "email" in kt:
                best = max(best, 0.95)
            elif e.type == "password" and "password" in kt:
                field_confirm = any(CONFIRM_WORDS & set(toks) for toks, _ in f.descriptors)
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

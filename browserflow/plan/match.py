"""Finding what an intent names on a page: elements by words, role, container and ordinal; values by their
provenance. Pure functions over a ``PageSnapshot``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from browserflow.contracts import Element, PageSnapshot
from browserflow.plan.model import Target
from browserflow.rules.text import field_tokens, norm, similarity, token_match, tokens

__all__ = [
    "FIELD_ROLES",
    "Candidate",
    "as_date",
    "best",
    "clickables",
    "container_score",
    "element_text",
    "fields",
    "find",
    "is_button",
    "is_field",
    "norm_quotes",
    "role_fits",
    "text_score",
    "with_implicit_labels",
]

FIELD_ROLES = frozenset({"textbox", "searchbox", "combobox", "spinbutton", "slider", "listbox"})
_TEXT_TYPES = frozenset(
    {"", "text", "email", "tel", "url", "search", "number", "password", "date", "datetime-local", "month", "week",
     "time", "textarea"}
)
_BUTTON_TYPES = frozenset({"submit", "button", "reset", "image"})
# nouns of a target that say what kind of element it is, not which one
_GENERIC = frozenset(
    {"button", "link", "field", "text", "textbox", "box", "input", "area", "tab", "checkbox", "radio", "option",
     "dropdown", "list", "menu", "widget", "element", "item", "entry", "form", "section", "textfield", "label",
     "labeled", "labelled", "named", "called", "titled", "below", "above"}
)


def is_field(e: Element) -> bool:
    if e.static or e.disabled:
        return False
    if e.tag in {"select", "textarea"}:
        return True
    if e.tag == "input":
        return e.type in _TEXT_TYPES or e.type in {"checkbox", "radio", "range"}
    return e.role in FIELD_ROLES or e.role in {"checkbox", "radio", "switch"}


def is_text_field(e: Element) -> bool:
    if e.static or e.disabled:
        return False
    if e.tag == "textarea":
        return True
    if e.tag == "input":
        return e.type in _TEXT_TYPES
    return e.role in {"textbox", "searchbox", "combobox", "spinbutton"} and e.tag not in {"select", "button", "a"}


def is_button(e: Element) -> bool:
    return e.role == "button" or (e.tag == "input" and e.type in _BUTTON_TYPES) or e.tag == "button"


def element_text(e: Element) -> str:
    """What a person reads as the element's name."""
    return e.label or e.name or e.placeholder or (e.value if is_button(e) else "") or e.html_name or e.html_id


def with_implicit_labels(snap: PageSnapshot) -> PageSnapshot:
    """Fields with no label, name or placeholder take the short text just before them ('Date:' <input>)."""
    els = list(snap.elements)
    changed = False
    for i, e in enumerate(els):
        if not is_field(e) or e.label or e.name or e.placeholder or i == 0:
            continue
        for prev in reversed(els[max(0, i - 3) : i]):  # the nearest short text before it, not past a field
            if is_field(prev):
                break
            if prev.static and 0 < len(prev.name) <= 40:
                els[i] = e.model_copy(update={"label": prev.name.strip().rstrip(":").strip()})
                changed = True
                break
    return snap.model_copy(update={"elements": els}) if changed else snap


def fields(snap: PageSnapshot) -> list[Element]:
    return [e for e in snap.elements if is_field(e)]


def clickables(snap: PageSnapshot) -> list[Element]:
    """Everything a click can go to: links, buttons, tabs, menu items, options, pointer/static elements."""
    out = []
    for e in snap.elements:
        if e.disabled:
            continue
        if is_text_field(e) or e.tag == "select":
            continue
        if e.static and not e.pointer and len(e.name) > 80:
            continue  # a paragraph is read (a value to copy), never clicked
        out.append(e)
    return out


def role_fits(role: str, e: Element) -> float:
    """How well element ``e`` fits the role a goal named (1 fits, 0.5 could be, 0 does not)."""
    if not role:
        return 1.0
    r = role.lower()
    if r == "button":
        if is_button(e):
            return 1.0
        return 0.6 if e.pointer or e.role in {"link", "menuitem", "tab"} or e.static else 0.2
    if r == "link":
        if e.role == "link" or e.tag == "a":
            return 1.0
        return 0.6 if e.pointer or e.static or is_button(e) else 0.2
    if r in {"textbox", "text", "input", "field", "searchbox"}:
        return 1.0 if is_text_field(e) else 0.0
    if r == "textarea":  # a box of several lines
        return 1.0 if e.tag == "textarea" or (is_text_field(e) and e.tag != "input") else 0.0
    if r == "textline":  # a box of one line (a "text" widget, an input)
        return 1.0 if is_text_field(e) and e.tag == "input" else 0.0
    if r in {"combobox", "listbox", "dropdown", "select"}:
        if e.tag == "select" or e.role in {"combobox", "listbox"}:
            return 1.0
        return 0.5 if is_text_field(e) else 0.0
    if r == "checkbox":
        return 1.0 if e.type == "checkbox" or e.role in {"checkbox", "switch"} else 0.3 if e.static else 0.0
    if r == "radio":
        return 1.0 if e.type == "radio" or e.role == "radio" else 0.3 if e.static else 0.0
    if r == "tab":
        return 1.0 if e.role == "tab" else 0.7 if e.role == "link" or e.pointer else 0.3
    if r in {"menuitem", "option"}:
        return 1.0 if e.role in {"menuitem", "option", "menuitemcheckbox", "menuitemradio"} else 0.6
    if r == "dialog":
        return 1.0
    return 0.8


_QUOTES = " .:;,!?\"'\u201c\u201d\u2018\u2019"


def norm_quotes(text: str) -> str:
    """Normalised text without surrounding quotes."""
    return norm(text).strip(_QUOTES)


_CLOSE_GLYPHS = frozenset({"x", "\u00d7", "\u2715", "\u2716", "\u2573"})
_CLOSE_NAMES = frozenset({"close", "close dialog", "close window", "dismiss", "close this dialog"})


def text_score(words: str, e: Element, *, exact: bool = False) -> float:
    """0..1: how well ``words`` name ``e`` (its name, label, placeholder, value, html name/id)."""
    if not words:
        return 0.0
    want = norm_quotes(words)
    names = [e.name, e.label, e.placeholder, e.html_name, e.html_id, e.value if is_button(e) else ""]
    if e.type in {"checkbox", "radio"}:
        names.append(e.value)
    best_score = 0.0
    if want in _CLOSE_GLYPHS and is_button(e) and any(norm_quotes(n) in _CLOSE_NAMES for n in names if n):
        best_score = 0.9  # "the x": the close button, whose accessible name is "Close" and its glyph a multiplication sign
    raw_want = " ".join(words.split()).strip(_QUOTES)
    for n in names:
        if not n:
            continue
        have = norm_quotes(n)
        if have == want:
            if " ".join(n.split()).strip(_QUOTES) == raw_want:
                return 1.0
            best_score = max(best_score, 0.97)  # the same words in another case: second to the exact spelling
            continue
        if exact:
            # a quoted target: its words must stand as a whole in the name
            if re.search(rf"(?<![\w]){re.escape(want)}(?![\w])", have):
                best_score = max(best_score, 0.85 if len(have) <= len(want) * 3 + 8 else 0.6)
            continue
        s = similarity(field_tokens(words), field_tokens(n))
        if want and re.search(rf"(?<![\w]){re.escape(want)}(?![\w])", have):
            s = max(s, 0.8 if len(have) <= len(want) * 2 + 6 else 0.55)
        best_score = max(best_score, s)
    return best_score


def _specific_words(target: Target) -> str:
    """The target's words without the generic nouns ("the 'OK' button" -> 'OK'; "text field" -> '')."""
    if target.exact:
        return target.words
    kept = [w for w in target.words.split() if w.lower().strip(".,") not in _GENERIC]
    return " ".join(kept)


def container_score(container: str, e: Element, snap: PageSnapshot) -> float:
    """0..1: how well ``e``'s surroundings (its row, list item, fieldset or card) fit the named container."""
    if not container:
        return 1.0
    c = container.lower()
    if c in {"dialog", "the dialog", "dialog box", "popup", "modal"}:
        return 1.0 if e.dialog else 0.4
    toks = tokens(container)
    if not toks:
        return 1.0
    ctx = tokens(e.context)
    if not ctx:
        return 0.3
    hits = sum(1 for t in toks if any(token_match(t, c2) for c2 in ctx))
    if container.lower() in e.context.lower():
        return 1.0
    return 0.3 + 0.7 * hits / len(toks)


@dataclass
class Candidate:
    element: Element
    score: float
    index: int


def find(
    target: Target,
    pool: Sequence[Element],
    snap: PageSnapshot,
    *,
    words: str | None = None,
    role: str | None = None,
) -> list[Candidate]:
    """Elements of ``pool`` that fit ``target``, best first (document order among equals). With an ordinal,
    the n-th of those that fit the role and container (in document order) comes first."""
    want = _specific_words(target) if words is None else words
    full = target.words if words is None else words
    role = target.role if role is None else role
    scored: list[Candidate] = []
    for i, e in enumerate(pool):
        rf = role_fits(role, e)
        if rf <= 0.0:
            continue
        cs = container_score(target.container, e, snap)
        if want:
            ts = text_score(want, e, exact=target.exact)
            if full and full != want:
                ts = max(ts, text_score(full, e, exact=target.exact))
            named_here = bool(target.container) and cs >= 0.99 and ts >= 0.85  # its words, in the named block
            if ts < 0.5 or (e.static and not e.pointer and ts < 0.95 and not named_here):
                continue  # a plain text is a target only when its whole text is the target's words
            s = ts * 0.7 + rf * 0.2 + cs * 0.1
            if target.container and cs < 0.5:
                s -= 0.3
        else:
            s = rf * 0.6 + cs * 0.4
        if e.static and not e.pointer:
            s -= 0.05  # a plain text is a weaker click target than a real control with the same name
        scored.append(Candidate(e, round(s, 4), i))
    exact_hit = bool(want) and any(c.score >= 0.85 for c in scored)
    if target.ordinal is not None and not exact_hit:
        if want and role:  # the words did not name one element: the n-th of the role decides
            return find(target.model_copy(update={"words": "", "exact": False}), pool, snap, words="", role=role)
        if not role:
            return []  # "the 7th" of nothing in particular: no guess
        fitting = [c for c in scored if role_fits(role, c.element) >= 0.9 or not role]
        fitting.sort(key=lambda c: c.index)
        n = target.ordinal
        pick = fitting[n - 1] if 0 < n <= len(fitting) else fitting[-1] if n == -1 and fitting else None
        if pick is None:
            return []
        rest = [c for c in scored if c is not pick]
        return [Candidate(pick.element, 1.0, pick.index), *sorted(rest, key=lambda c: (-c.score, c.index))]
    scored.sort(key=lambda c: (-c.score, c.index))
    return scored


def best(cands: Sequence[Candidate]) -> tuple[Candidate | None, float]:
    """The best candidate and how far ahead of the runner-up it is (1.0 when alone)."""
    if not cands:
        return None, 0.0
    if len(cands) == 1:
        return cands[0], 1.0
    return cands[0], round(cands[0].score - cands[1].score, 4)


# ---------------------------------------------------------------------------------------------------------
# values

_DATE_IN = ("%m/%d/%Y", "%m-%d-%Y", "%Y-%m-%d", "%d.%m.%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%m/%d/%y")


def as_date(value: str) -> date | None:
    """``value`` read as a date in any of the usual spellings, else None."""
    for f in _DATE_IN:
        try:
            return datetime.strptime(value.strip(), f).date()
        except ValueError:
            continue
    return None

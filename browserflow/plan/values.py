"""Where a typed value comes from: the goal, the task data, or the page (a value next to a label, a text
copied from an element, the answer to a math problem shown), in the form the field takes (dates, times)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from browserflow.contracts import Element, PageSnapshot
from browserflow.plan.arith import solve
from browserflow.plan.match import as_date, is_text_field, norm_quotes
from browserflow.plan.model import COPY_MATH, COPY_NEAR, ValueSpec

__all__ = ["TEXTAREA_LIMIT", "copied_value", "copy_source", "page_value", "resolve_value"]

_TIME_IN = ("%I:%M %p", "%I:%M%p", "%H:%M", "%I %p", "%H:%M:%S")


def _to_date(value: str, fmt: str) -> str:
    parsed = as_date(value)
    return parsed.strftime(fmt) if parsed is not None else value


def _to_time(value: str, fmt: str) -> str:
    for f in _TIME_IN:
        try:
            return datetime.strptime(value.strip().upper(), f).strftime(fmt)
        except ValueError:
            continue
    return value


def page_value(label: str, snap: PageSnapshot) -> str | None:
    """The value a page shows next to ``label`` ('Color' -> 'Red' in a table row or 'Color: Red')."""
    want = norm_quotes(label)
    els = snap.elements
    for i, e in enumerate(els):
        if not e.static or norm_quotes(e.name) != want:
            continue
        for nxt in els[i + 1 : i + 3]:
            if nxt.static and nxt.name and norm_quotes(nxt.name) != want:
                return nxt.name.strip()
    m = re.search(rf"(?<![\w]){re.escape(label)}\s*[:=]\s*([^\s,;]+(?:\s[^\s,;:]+)?)", snap.text, re.I)
    if m:
        return m.group(1).strip()
    return None


def copy_source(spec: ValueSpec, snap: PageSnapshot) -> Element | None:
    """The element a ``copy`` value is read from: the n-th text area, paragraph or field (by page order), or
    for plain "the text", the longest text block that is not the task's own instructions."""
    kind = spec.literal or "text"
    if kind == COPY_MATH or kind in COPY_NEAR:
        return None  # read from the page's text, not from one element
    els = snap.elements
    if kind == "textarea":
        pool = [e for e in els if e.tag == "textarea"]
    elif kind == "field":
        pool = [e for e in els if is_text_field(e) and e.value]
    elif kind == "paragraph":
        pool = [e for e in els if e.static and e.tag == "p" and e.name] or [
            e for e in els if e.static and e.name and len(e.name.split()) > 3
        ]
    else:
        pool = [e for e in els if e.tag == "textarea"] or [
            e for e in els if e.static and e.name and len(e.name.split()) > 3
        ]
    pool = [e for e in pool if not e.html_id or e.html_id != "query"] if len(pool) > 1 else pool
    if not pool:
        return None
    n = spec.ordinal
    if n is None:
        return pool[0] if len(pool) == 1 or kind != "text" else max(pool, key=lambda e: len(e.name or e.value or ""))
    if n == -1:
        return pool[-1]
    return pool[n - 1] if 0 < n <= len(pool) else None


NAME_LIMIT, VALUE_LIMIT, TEXTAREA_LIMIT = 200, 500, 2000
"""Names and values this long may have been cut by the snapshot (extract.js MAX_NAME, MAX_VALUE, MAX_TEXTAREA): a copy
never reads past the cut (it grounds nothing instead of typing a wrong text)."""


def _parent(e: Element) -> str:
    return e.selector.rsplit(" > ", 1)[0] if " > " in e.selector else ""


def _text_near(where: str, snap: PageSnapshot) -> str | None:
    """ "The text below/above": the run of short texts (one block: same parent) right after / before the
    sentence that says "below"/"above" (the page's instructions); letters shown one per element are joined."""
    statics = [e for e in snap.elements if e.static and e.name]
    anchor = next((i for i, e in enumerate(statics) if len(e.name) > 20 and re.search(rf"\b{where}\b", e.name, re.I)), None)
    if anchor is None:
        return None
    run = statics[anchor + 1 :] if where == "below" else list(reversed(statics[:anchor]))
    if not run or not _parent(run[0]):
        return run[0].name.strip() if run else None
    block = []
    for e in run:
        if _parent(e) != _parent(run[0]):
            break
        block.append(e.name.strip())
    if where == "above":
        block.reverse()
    return ("" if all(len(b) == 1 for b in block) else " ").join(block) or None


def _problem_answer(snap: PageSnapshot) -> str | None:
    """The answer to the first math problem the page shows ("3 + 4 =", "0 + x = 8")."""
    for e in snap.elements:
        if e.static and e.name:
            answer = solve(e.name)
            if answer is not None:
                return answer
    return None


def copied_value(spec: ValueSpec, snap: PageSnapshot) -> str | None:
    """A ``copy`` value: the source element's text (a field's value), or one word of it without punctuation;
    the text below/above the instructions; the answer to the math problem shown."""
    if spec.literal == COPY_MATH:
        return _problem_answer(snap)
    if spec.literal in COPY_NEAR:
        return _text_near(spec.literal.split()[1], snap)
    src = copy_source(spec, snap)
    if src is None:
        return None
    text = src.value if src.tag in ("textarea", "input") else src.name
    if not text:
        return None
    limit = TEXTAREA_LIMIT if src.tag == "textarea" else VALUE_LIMIT if src.tag == "input" else NAME_LIMIT
    clipped = len(text) >= limit or text.endswith("\u2026")  # cut short by the snapshot or by pruning
    if spec.word is None:
        return None if clipped else text
    words = [w for w in (re.sub(r"[^\w]", "", t) for t in text.split()) if w]
    n = spec.word
    if n == -1:
        return words[-1] if words and not clipped else None
    return words[n - 1] if 0 < n <= len(words) - (1 if clipped else 0) else None


def resolve_value(
    spec: ValueSpec, data: Mapping[str, str], snap: PageSnapshot, field: Element | None = None
) -> tuple[str | None, str | None]:
    """(the value to type, its data key) for ``spec`` — secret references stay references. A date/time
    goes into a date/time input in the format the input takes."""
    key: str | None = None
    if spec.source == "data":
        if spec.key is None or spec.key not in data:
            return None, None
        key = spec.key
        value: str | None = data[key]
    elif spec.source == "page":
        value = page_value(spec.literal or "", snap)
    elif spec.source == "copy":
        value = copied_value(spec, snap)
    else:
        value = spec.literal
    if value is None:
        return None, key
    if value.startswith("env:"):
        return value, key
    t = spec.transform
    if t == "lower":
        value = value.lower()
    elif t == "upper":
        value = value.upper()
    elif t == "title":
        value = value.title()
    elif t == "trim":
        value = value.strip()
    ftype = field.type if field is not None else ""
    if ftype == "date" or (t == "date" and spec.format):
        value = _to_date(value, "%Y-%m-%d" if ftype == "date" else spec.format or "%Y-%m-%d")
    elif ftype == "time" or (t == "time" and spec.format):
        value = _to_time(value, "%H:%M" if ftype == "time" else spec.format or "%H:%M")
    return value, key

"""Shrinking a page snapshot to a byte budget, deterministically.

The budget is measured on the JSON form (``PageSnapshot.model_dump_json()``), which is what travels through
workflow history. Cheap, lossless-ish steps come first; elements are dropped last, least useful first
(far-down links before buttons before form fields).
"""

from __future__ import annotations

from collections.abc import Callable

from browserflow.contracts import Element, Option, PageSnapshot

__all__ = ["DEFAULT_MAX_BYTES", "json_size", "prune", "usefulness_tier"]

DEFAULT_MAX_BYTES = 32_000

_FIELD_TAGS = {"input", "select", "textarea"}
_BUTTON_TYPES = {"submit", "button", "reset", "image"}


def json_size(snapshot: PageSnapshot) -> int:
    """Bytes of the snapshot's JSON form."""
    return len(snapshot.model_dump_json().encode())


def _element_size(element: Element) -> int:
    return len(element.model_dump_json().encode())


def _total(base: int, sizes: list[int]) -> int:
    # base is the size with an empty element list; each element adds its JSON and a separating comma
    return base + sum(sizes) + max(len(sizes) - 1, 0)


def _is_field(e: Element) -> bool:
    if e.tag in {"select", "textarea"}:
        return True
    if e.tag == "input":
        return e.type not in _BUTTON_TYPES
    return e.role in {"textbox", "searchbox", "combobox", "checkbox", "radio", "switch"}


def usefulness_tier(e: Element) -> int:
    """0 = most useful (form fields and their submit buttons) .. 4 = least (static texts)."""
    if e.static:
        return 3 if e.pointer else 4
    if _is_field(e):
        return 0
    if e.form is not None and (e.tag == "button" or e.type in _BUTTON_TYPES):
        return 0
    if e.role == "link" or e.tag == "a":
        return 2 if e.context else 3
    return 1


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def _trim_options(e: Element, keep: int) -> Element:
    if len(e.options) <= keep + 1:
        return e
    kept: list[Option] = [o for i, o in enumerate(e.options) if i < keep or o.selected]
    return e.model_copy(update={"options": kept})


def _shorten(e: Element, limit: int) -> Element:
    update: dict[str, object] = {
        name: _cut(getattr(e, name), limit)
        for name in ("name", "label", "context", "placeholder", "error")
        if len(getattr(e, name)) > limit
    }
    if len(e.value) > 4 * limit:
        update["value"] = _cut(e.value, 4 * limit)
    if len(e.href) > 4 * limit:
        update["href"] = _cut(e.href, 4 * limit)
    if e.options and any(len(o.label) > limit for o in e.options):
        update["options"] = [
            o.model_copy(update={"label": _cut(o.label, limit)}) if len(o.label) > limit else o for o in e.options
        ]
    return e.model_copy(update=update) if update else e


def _dedupe_links(elements: list[Element]) -> list[Element]:
    seen: set[tuple[str, str]] = set()
    kept: list[Element] = []
    for e in elements:
        if e.href and e.role == "link":
            key = (e.href, e.name)
            if key in seen:
                continue
            seen.add(key)
        kept.append(e)
    return kept


def prune(snapshot: PageSnapshot, max_bytes: int = DEFAULT_MAX_BYTES) -> PageSnapshot:
    """Return ``snapshot`` if its JSON fits ``max_bytes``, else a reduced copy with ``truncated=True``.

    Steps, each taken only while the snapshot is still too big: cut long option lists to the first 25 (plus
    the selected ones); cut long names/labels/contexts to 80 characters and the text to 1,500; drop
    duplicate links (same href and name); cut option lists to 8; drop elements, least useful first and
    far-down first within a tier; finally cut the text further. The same input always gives the same output.
    """
    if json_size(snapshot) <= max_bytes:
        return snapshot

    elements = list(snapshot.elements)
    text = snapshot.text
    errors = list(snapshot.errors)

    def base_size() -> int:
        return json_size(
            snapshot.model_copy(update={"elements": [], "text": text, "errors": errors, "truncated": True})
        )

    sizes: dict[int, tuple[Element, int]] = {}

    def size_of(e: Element) -> int:
        hit = sizes.get(id(e))
        if hit is None or hit[0] is not e:
            hit = (e, _element_size(e))
            sizes[id(e)] = hit
        return hit[1]

    def fits() -> bool:
        return _total(base_size(), [size_of(e) for e in elements]) <= max_bytes

    steps: list[Callable[[], None]] = []

    def options_25() -> None:
        nonlocal elements
        elements = [_trim_options(e, 25) for e in elements]

    def shorten_80() -> None:
        nonlocal elements, text, errors
        elements = [_shorten(e, 80) for e in elements]
        text = _cut(text, 1500)
        errors = [_cut(m, 160) for m in errors]

    def dedupe() -> None:
        nonlocal elements
        elements = _dedupe_links(elements)

    def options_8() -> None:
        nonlocal elements
        elements = [_trim_options(e, 8) for e in elements]

    def statics() -> None:
        # static texts go first, furthest down the page first: they only help to find click targets
        nonlocal elements
        budget = max_bytes - base_size()
        total = _total(0, [size_of(e) for e in elements])
        keep = list(elements)
        for i in range(len(keep) - 1, -1, -1):
            if total <= budget:
                break
            if keep[i].static:
                total -= size_of(keep[i]) + 1
                del keep[i]
        elements = keep

    steps.extend([statics, options_25, shorten_80, dedupe, options_8])
    for step in steps:
        if fits():
            break
        step()

    if not fits():
        elements = _drop_least_useful(elements, max_bytes - base_size())

    for limit in (800, 300, 0):
        if fits():
            break
        text = _cut(text, limit)

    return snapshot.model_copy(update={"elements": elements, "text": text, "errors": errors, "truncated": True})


def _drop_least_useful(elements: list[Element], budget: int) -> list[Element]:
    """Keep the most useful elements whose JSON (with commas) fits ``budget``; document order is kept."""
    sizes = [_element_size(e) + 1 for e in elements]
    total = sum(sizes)
    # drop order: highest tier first, and within a tier the one furthest down the page first
    order = sorted(range(len(elements)), key=lambda i: (-usefulness_tier(elements[i]), -i))
    dropped: set[int] = set()
    for i in order:
        if total - 1 <= budget:
            break
        dropped.add(i)
        total -= sizes[i]
    return [e for i, e in enumerate(elements) if i not in dropped]

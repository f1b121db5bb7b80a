"""Widgets grounding meets on the way: the page's own copy of the instructions (never a target), result lists
with numbered pages, calendar date pickers behind a read-only field, and popups that disable the page."""

from __future__ import annotations

import re

from browserflow.contracts import PageSnapshot
from browserflow.plan.act import Grounded, Step, click_action, visited
from browserflow.plan.calendar import as_date, ground_date
from browserflow.plan.match import clickables, element_text, find, is_button, is_text_field
from browserflow.plan.values import resolve_value
from browserflow.rules.text import norm

__all__ = ["date_widget", "directory_entry", "dismiss", "dropdown_toggle", "explores", "instructions", "nth_result"]


def instructions(snap: PageSnapshot, goal: str) -> set[str]:
    """Refs of elements that show the goal itself (a page's own instructions) and of what is inside them:
    never a target."""
    g = norm(goal)
    if len(g) <= 12:
        return set()
    shown = [e for e in snap.elements if e.static and g[:60] in norm(e.name)]
    out = {e.ref for e in shown}
    for e in snap.elements:
        if any(e.selector.startswith(f"{x.selector} ") for x in shown):
            out.add(e.ref)
    return out


_LIST_WORDS = re.compile(r"\b(results?|items?|entries|entry|rows?|links?|hits?|matches)\b", re.I)


_PAGER = re.compile("^\\s*(\\d{1,3}|>|<|>>|<<|\u00bb|\u00ab|\u203a|\u2039|next|prev(ious)?|first|last)\\s*$", re.I)


def nth_result(step: Step) -> Grounded | None:
    """'the 7th search result': the n-th link of the result list, paging through numbered pages when the
    list shows fewer per page (the page is worked out from the pages clicked on this address before)."""
    it, snap = step.intent, step.snap
    n = it.target.ordinal
    if n is None or n < 1 or not _LIST_WORDS.search(it.target.words):
        return None
    last_field = max((i for i, e in enumerate(snap.elements) if is_text_field(e)), default=-1)
    links = [(i, e) for i, e in enumerate(snap.elements) if (e.role == "link" or e.tag == "a") and i > last_field]
    results = [e for _, e in links if not _PAGER.match(e.name) and e.name.strip()]
    pages = {e.name.strip(): e for _, e in links if e.name.strip().isdigit()}
    if not results:
        return None
    current, per_page = 1, len(results)
    here = snap.url.split("#")[0]
    for rec in step.inp.history:  # a page opened before on this address says which page this is, and its size
        if rec.url.split("#")[0] != here:
            continue
        for a in rec.actions:
            if a.kind == "click" and a.expect is not None and a.expect.value.startswith("page "):
                _, num, size = a.expect.value.split()
                current, per_page = int(num), int(size)
    page = (n - 1) // per_page + 1
    if page != current:
        link = pages.get(str(page))
        if link is None:
            return None
        act = click_action(link, step.index, False, effect="none")
        act = act.model_copy(update={"expect": act.expect.model_copy(update={"value": f"page {page} {per_page}"})
                                     if act.expect else None})
        return Grounded([act], 0.75, f"result {n} is on page {page}: open it", chain=False)
    e = results[(n - 1) % per_page] if (n - 1) % per_page < len(results) else None
    if e is None:
        return None
    return Grounded([click_action(e, step.index, False)], 0.8, f"click result {n} '{element_text(e)}'", chain=False)


def date_widget(step: Step) -> Grounded | None:
    """A date for a read-only field (or with a calendar already open): through the calendar widget."""
    it, snap = step.intent, step.snap
    if it.value is None:
        return None
    raw, _ = resolve_value(it.value, step.data, snap)
    wanted = as_date(raw or "") if raw and not raw.startswith("env:") else None
    if wanted is None:
        return None
    boxes = [e for e in snap.elements if is_text_field(e)]
    cands = find(it.target, boxes, snap, role="textbox") if it.target.words else []
    field = cands[0].element if cands else (boxes[0] if len(boxes) == 1 else None)
    failed = {a.selector for a in step.inp.failed_actions if a.kind == "fill"}
    if field is not None and field.type in {"date", "datetime-local"}:
        return None  # a native date input takes the value typed in its own format
    calendar_open = any(norm(e.name) in {"prev", "next", "previous"} for e in snap.elements)
    if field is not None and not field.readonly and field.selector not in failed and not calendar_open:
        return None
    return ground_date(step, wanted, field)


_CARET = re.compile("^\\s*[\u25be\u25bc\u25bf\u25bd\u2304\u02c5\u2228\u2bc6\u23f7\u1401\u2193]\\s*$")


def dropdown_toggle(step: Step) -> Grounded | None:
    """A dropdown drawn by a script (the native list hidden behind it): open it by its own toggle (a caret
    '\u25be', or a combobox that is no native list or text box), once on this page, so that the next page shows
    its options. Never a guess among several toggles."""
    seen = visited(step)
    toggles = [e for e in clickables(step.snap) if e.ref not in step.skip and (
        _CARET.match(e.name) or (e.role == "combobox" and e.tag != "select" and not is_text_field(e)))]
    if len(toggles) != 1 or toggles[0].selector in seen:
        return None
    e = toggles[0]
    act = click_action(e, step.index, False, effect="none")
    return Grounded([act], 0.7, f"open the dropdown '{element_text(e) or e.tag}' to see its options", chain=False)


_DISMISS = ("cancel", "close", "dismiss", "no thanks", "not now", "maybe later", "\u00d7", "x", "no")


def dismiss(step: Step) -> Grounded | None:
    """A popup or dialog over the page: its Cancel / Close / Dismiss (never its OK: that would answer it)."""
    pool = [e for e in clickables(step.snap) if e.dialog and (is_button(e) or e.pointer or e.role == "link")]
    for w in _DISMISS:
        for e in pool:
            if norm(element_text(e)) == w:
                act = click_action(e, step.index, False, effect="none")
                return Grounded([act], 0.7, f"close the popup in the way with '{element_text(e)}'")
    return None


def explores(got: Grounded | None) -> bool:
    """No answer, or only a look behind a tab or section (not the intent's own target)."""
    if got is None or not got.actions:
        return True
    return all(a.expect is not None and a.expect.kind == "none" for a in got.actions)


_DETAIL_SYNONYMS = {"phone": ("phone", "telephone", "tel", "mobile"), "email": ("email", "e-mail", "mail")}


def _detail_label(words: str) -> tuple[str, ...]:
    """The labels a detail goes by: 'phone number' -> phone/telephone/…, 'email address' -> email/e-mail/…"""
    low = words.lower()
    if low != "address":
        low = low.replace(" number", "").replace(" address", "")
    return _DETAIL_SYNONYMS.get(low, (low,))


def directory_entry(step: Step) -> Grounded | None:
    """'Find Casie in the contact book and click on their address': on the entry that shows the person (its
    heading or title), the clickable shown right after the detail's label; elsewhere, the directory's next page
    (never past the pages it has: a pager link that is not there ends the look-up)."""
    it, snap = step.intent, step.snap
    if it.verb != "click" or not it.target.entity or not it.target.words:
        return None
    want = norm(it.target.entity)
    els = snap.elements
    shown = any(e.static and norm(e.name) == want for e in els)
    if shown:
        labels = _detail_label(it.target.words)
        for i, e in enumerate(els):
            name = norm(e.name).rstrip(":").strip()
            if not e.static or name not in labels:
                continue
            for nxt in els[i + 1 : i + 3]:
                if nxt.pointer or nxt.role in ("link", "button") or nxt.tag == "a":
                    note = f"click {it.target.entity}'s {it.target.words} '{element_text(nxt)}'"
                    return Grounded([click_action(nxt, step.index, it.irreversible)], 0.85, note, chain=False)
        return Grounded([], 0.0, f"{it.target.entity}'s entry shows no '{it.target.words}'", chain=False)
    pagers = [e for e in els if (e.role == "link" or e.tag == "a" or e.pointer) and _NEXT.match(e.name)]
    if not pagers:  # never another entry's detail: nothing more to page through
        return Grounded([], 0.0, f"{it.target.entity} is not in this directory", chain=False)
    act = click_action(pagers[0], step.index, False, effect="none")
    return Grounded([act], 0.75, f"{it.target.entity} is not on this page: the next page", chain=False)


_NEXT = re.compile("^\\s*(>|>>|\u00bb|\u203a|next|next page)\\s*$", re.I)

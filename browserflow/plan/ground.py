"""Grounding: the plan's current intent + a page snapshot -> the actions that serve it.

Each action carries the intent it serves, the provenance of its value and the effect expected after it. On
one page, consecutive intents that only set fields are grounded together; a click (which may change the page)
ends the step. Record verbs (create, edit, delete, add to / remove from) live in ``records.py``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from browserflow.contracts import Action, DecideInput, Decision, PageSnapshot
from browserflow.plan.act import Grounded, Step, click_action, explore, field_action, irreversible_words
from browserflow.plan.calendar import as_date, ground_date
from browserflow.plan.match import (
    FIELD_ROLES,
    best,
    clickables,
    element_text,
    fields,
    find,
    is_button,
    is_text_field,
    resolve_value,
    with_implicit_labels,
)
from browserflow.plan.model import Expectation, Intent, Target
from browserflow.plan.records import ground_record, implicit_login, login
from browserflow.rules.forms import match_option
from browserflow.rules.text import norm

__all__ = ["ground"]

TIER = "rules"


def _instructions(snap: PageSnapshot, goal: str) -> set[str]:
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


_COMMIT = re.compile(r"\b(log ?in|sign ?in|submit|send|save|go|continue|ok|done|apply|search|enter)\b", re.I)
_LIST_WORDS = re.compile(r"\b(results?|items?|entries|entry|rows?|links?|hits?|matches)\b", re.I)
_PAGER = re.compile("^\\s*(\\d{1,3}|>|<|>>|<<|\u00bb|\u00ab|\u203a|\u2039|next|prev(ious)?|first|last)\\s*$", re.I)


def _nth_result(step: Step) -> Grounded | None:
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


def _click(step: Step) -> Grounded | None:
    it, snap = step.intent, step.snap
    listed = _nth_result(step)
    if listed is not None:
        return listed
    if it.target.role in FIELD_ROLES or it.target.role in {"textbox", "checkbox", "radio"}:
        pool = [e for e in snap.elements if not e.disabled]
    else:
        pool = clickables(snap)
    cands = find(it.target, pool, snap)
    top, margin = best(cands)
    if top is None and (irreversible_words(it.target.words) or _COMMIT.search(it.target.words)):
        # "press login" where the form's one button says "OK": the only button outside any popup submits it
        buttons = [e for e in pool if is_button(e) and not e.dialog and not e.disabled]
        if len(buttons) == 1:
            e = buttons[0]
            note = f"press '{element_text(e)}', the page's only button, for '{it.target.words}'"
            return Grounded([click_action(e, step.index, True)], 0.6, note, chain=False)
    if top is None:
        return explore(step, f"'{it.target.words}' is not on this page")
    e = top.element
    conf = 0.9 if top.score >= 0.75 else 0.7 if top.score >= 0.6 else 0.5
    if margin < 0.05 and len(cands) > 1 and norm(cands[1].element.name) != norm(e.name):
        conf = min(conf, 0.55)
    irreversible = it.irreversible or irreversible_words(element_text(e))
    return Grounded([click_action(e, step.index, irreversible)], conf, f"click '{element_text(e)}'", chain=False)


def _date_widget(step: Step) -> Grounded | None:
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


def _fill(step: Step) -> Grounded | None:
    it, snap = step.intent, step.snap
    if it.value is None:
        return None
    dated = _date_widget(step) if it.value.transform == "date" else None
    if dated is not None:
        return dated
    pool = [e for e in snap.elements if is_text_field(e) and e.ref not in step.used]
    target = it.target
    specific = target.words and not set(target.words.lower().split()) <= {"text", "field", "textbox", "box", "input"}
    cands = find(target, pool, snap, role="textbox") if specific else []
    if not cands:
        cands = find(target.model_copy(update={"words": ""}), pool, snap, role="textbox")
    if not cands:
        return None
    every = it.value.reuse or any(c.kind == "all" for c in it.constraints)
    if every:  # "into both fields": every text box of the form the best match is in
        anchor = cands[0].element
        cands = [c for c in find(target.model_copy(update={"words": ""}), pool, snap, role="textbox")
                 if c.element.form == anchor.form]
    chosen = [c.element for c in cands] if every else [cands[0].element]
    if not specific and not every and target.ordinal is None and len(cands) > 1:
        empty = [c.element for c in sorted(cands, key=lambda c: c.index) if not c.element.value]
        chosen = [empty[0] if empty else cands[0].element]
    actions: list[Action] = []
    for e in chosen:
        value, key = resolve_value(it.value, step.data, snap, e)
        if value is None:
            return None
        actions.append(field_action("fill", e, value, key, it.value, step.index))
        step.used.add(e.ref)
    conf = 0.85 if specific or len(pool) == 1 or every or target.ordinal is not None else 0.7
    return Grounded(actions, conf, f"type into {', '.join(repr(element_text(e)) for e in chosen)}", chain=True)


def _choice(step: Step, item: str, want_checkbox: bool) -> Action | None:
    """One item of a select/check intent: an option of a dropdown, a radio, a checkbox, or a clickable."""
    it, snap = step.intent, step.snap
    spec = it.value
    for e in fields(snap):
        if e.ref in step.used:
            continue
        if e.tag == "select" and not want_checkbox:
            option = match_option(e.options, item)
            if option is None:
                continue
            if e.type == "select-multiple":
                if option.selected:
                    return None
                act = field_action("select", e, option.value, None, spec, step.index, label_value=option.label)
                return act.model_copy(update={"kind": "select_add"})
            step.used.add(e.ref)
            return field_action("select", e, option.value, None, spec, step.index, label_value=option.label)
    boxes = [e for e in fields(snap) if e.type in {"checkbox", "radio"} or e.role in {"checkbox", "radio", "switch"}]
    hit = find(Target(words=item, exact=True), boxes, snap) or find(Target(words=item), boxes, snap)
    if hit:
        e = hit[0].element
        step.used.add(e.ref)
        return field_action("check", e, None, None, spec, step.index)
    options = [e for e in clickables(snap) if e.role in {"option", "menuitem", "treeitem"} or e.static or e.pointer]
    hit = find(Target(words=item, exact=True), options, snap)
    if hit and hit[0].score >= 0.6:
        return click_action(hit[0].element, step.index, False)
    return None


def _select(step: Step, want_checkbox: bool = False) -> Grounded | None:
    it = step.intent
    if any(c.kind == "nothing" for c in it.constraints):
        return None  # nothing to select: verified on the page as it stands
    items = list(it.target.items)
    if not items and it.value is not None and it.value.transform == "date":
        dated = _date_widget(step)
        if dated is not None:
            return dated
    if not items:
        if it.value is not None:
            value, _ = resolve_value(it.value, step.data, step.snap)
            if value is None:
                return None
            items = [value]
        elif it.target.words:
            items = [it.target.words]
    if not items:
        return None
    actions: list[Action] = []
    for item in items:
        act = _choice(step, item, want_checkbox)
        if act is None:
            if actions:
                break
            if it.value is not None and len(items) == 1:
                typed = _fill(step)  # no option to pick: a text box for the value (a date picker's input)
                if typed is not None:
                    return typed
            return explore(step, f"no option '{item}' on this page")
        actions.append(act)
    if any(c.kind == "only" for c in it.constraints):
        for e in fields(step.snap):
            if e.type == "checkbox" and e.checked and e.ref not in step.used:
                actions.append(field_action("uncheck", e, None, None, None, step.index))
    clicks = [a for a in actions if a.kind == "click"]
    chain = not clicks
    if clicks and len(actions) > 1:
        actions = actions[: actions.index(clicks[0]) + 1]
    return Grounded(actions, 0.85, f"choose {', '.join(repr(i) for i in items)}", chain=chain)


def _check(step: Step, on: bool) -> Grounded | None:
    it, snap = step.intent, step.snap
    items = list(it.target.items) or [it.target.words or (it.value.literal or "" if it.value else "")]
    radio = it.target.role == "radio"
    boxes = [e for e in fields(snap) if (e.type == "radio" or e.role == "radio") if radio] or [
        e for e in fields(snap) if e.type == "checkbox" or e.role in {"checkbox", "switch"}
    ]
    if it.target.ordinal is not None and not it.target.items:
        pick = find(it.target.model_copy(update={"words": ""}), boxes, snap)
        if pick:
            e = pick[0].element
            step.used.add(e.ref)
            if bool(e.checked) == on:
                return None
            act = field_action("check" if on else "uncheck", e, None, None, None, step.index)
            return Grounded([act], 0.85, f"{'check' if on else 'uncheck'} '{element_text(e)}'", chain=True)
    actions: list[Action] = []
    for item in items:
        generic = item.lower().strip() in {"radio", "radio button", "checkbox", "box", "check box"}
        hit = find(Target(words=item, exact=it.target.exact), boxes, snap) if item and not generic else []
        if not hit and (not item or generic) and len(boxes) == 1:
            e = boxes[0]
        elif hit:
            e = hit[0].element
        else:
            return explore(step, f"no checkbox '{item}' on this page") if not actions else None
        step.used.add(e.ref)
        if bool(e.checked) != on:
            actions.append(field_action("check" if on else "uncheck", e, None, None, None, step.index))
    if not actions:
        return None
    return Grounded(actions, 0.85, f"{'check' if on else 'uncheck'} {', '.join(repr(i) for i in items)}", chain=True)


def _focus(step: Step) -> Grounded | None:
    it, snap = step.intent, step.snap
    pool = [e for e in snap.elements if is_text_field(e)]
    cands = find(it.target, pool, snap, role="textbox")
    if not cands:
        cands = find(it.target.model_copy(update={"words": ""}), pool, snap, role="textbox")
    if not cands:
        return None
    e = cands[0].element
    act = click_action(e, step.index, False, effect="focused")
    return Grounded([act], 0.85, f"focus '{element_text(e)}'", chain=False)


def _press(step: Step, words: tuple[str, ...], what: str) -> Grounded | None:
    """Click the element the intent names, else one whose name is one of ``words`` (close, confirm, submit)."""
    it, snap = step.intent, step.snap
    pool = [e for e in clickables(snap) if e.ref not in step.skip]
    cands = find(it.target, pool, snap) if it.target.words else []
    if not cands:
        for w in words:
            cands = [c for c in find(Target(words=w, role=it.target.role or "button", container=it.target.container),
                                     pool, snap) if c.score >= 0.6]
            if cands:
                break
    if not cands and step.last_form is not None and what == "submit":
        cands = [c for c in find(Target(role="button"), pool, snap) if c.element.form == step.last_form]
    if not cands:
        return None
    e = cands[0].element
    irreversible = it.irreversible or irreversible_words(element_text(e))
    return Grounded([click_action(e, step.index, irreversible)], 0.8, f"{what} with '{element_text(e)}'", chain=False)


def _expand(step: Step) -> Grounded | None:
    it, snap = step.intent, step.snap
    pool = [e for e in clickables(snap) if e.ref not in step.skip]
    if it.target.words and not set(it.target.words.lower().split()) <= {"section", "sections", "menu", "below"}:
        cands = find(it.target, pool, snap)
        if cands:
            e = cands[0].element
            return Grounded([click_action(e, step.index, False)], 0.8, f"expand '{element_text(e)}'", chain=False)
    closed = [e for e in pool if e.expanded is False]
    if closed:
        return Grounded([click_action(closed[0], step.index, False)], 0.8, f"expand '{element_text(closed[0])}'",
                        chain=False)
    return explore(step, "no collapsed section on this page")


def _search(step: Step) -> Grounded | None:
    it, snap = step.intent, step.snap
    if it.value is None:
        return None
    boxes = [e for e in snap.elements if is_text_field(e) and e.type != "password"]
    searchy = [e for e in boxes if e.type == "search" or e.role == "searchbox" or "search" in norm(
        f"{e.name} {e.label} {e.placeholder} {e.html_name} {e.html_id}") or e.html_name in {"q", "query", "s"}]
    pool = searchy or (boxes if len(boxes) == 1 else [])
    if not pool:
        nxt = step.inp.plan.plan.intents[step.index + 1] if step.inp.plan and step.index + 1 < len(
            step.inp.plan.plan.intents) else None
        if nxt is not None and nxt.target.words:  # "find the user whose …": the users' section has the search
            from browserflow.plan.records import go_to

            got = go_to(step, nxt.target.words, "the search is in the section")
            if got is not None:
                return got
        return explore(step, "no search box on this page")
    e = pool[0]
    value, key = resolve_value(it.value, step.data, snap, e)
    if value is None:
        return None
    acts = [field_action("fill", e, value, key, it.value, step.index)]
    button = [c for c in find(Target(words="search", role="button"), clickables(snap), snap)
              if c.score >= 0.6 and (e.form is None or c.element.form == e.form)]
    if button:
        acts.append(click_action(button[0].element, step.index, False, effect="navigated"))
    else:
        acts.append(Action(kind="press", ref=e.ref, selector=e.selector, label=element_text(e), value="Enter",
                           intent=step.index))
    return Grounded(acts, 0.8, f"search for {acts[0].provenance}", chain=False)


def _navigate(step: Step) -> Grounded | None:
    it, snap = step.intent, step.snap
    pool = [e for e in clickables(snap) if e.ref not in step.skip]
    cands = [c for c in find(it.target, pool, snap) if c.score >= 0.55]
    if not cands:
        return explore(step, f"no link to '{it.target.words}' on this page")
    e = cands[0].element
    return Grounded([click_action(e, step.index, False, effect="navigated")], 0.8, f"open '{element_text(e)}'",
                    chain=False)


_HANDLERS: dict[str, Callable[[Step], Grounded | None]] = {
    "click": _click,
    "fill": _fill,
    "select": lambda s: _select(s),
    "check": lambda s: _check(s, True) if not s.intent.target.items else _select(s, want_checkbox=True),
    "uncheck": lambda s: _check(s, False),
    "focus": _focus,
    "search": _search,
    "navigate": _navigate,
    "expand": _expand,
    "close": lambda s: _press(s, ("close", "x", "\u00d7", "dismiss", "no thanks", "cancel"), "close"),
    "confirm": lambda s: _press(s, ("confirm", "yes", "ok", "i'm sure", "continue", "delete"), "confirm"),
    "submit": lambda s: _press(s, ("submit", "save", "send", "apply", "ok", "done", "continue"), "submit"),
    "login": login,
    "create": ground_record,
    "edit": ground_record,
    "delete": ground_record,
    "add_to": ground_record,
    "remove_from": ground_record,
}


def ground(inp: DecideInput) -> Decision | None:
    """A decision for the plan's current intent on ``inp.snapshot``; None when the plan has nothing to say
    (no plan, every intent done, or a free-text intent): the page-plan rules decide then."""
    started = time.perf_counter()
    progress = inp.plan
    if progress is None:
        return None
    cur = progress.current
    if cur is None:
        return None
    intents = progress.plan.intents
    while cur < len(intents) and intents[cur].is_hint:
        cur += 1  # "switch between the tabs to find": a hint on how, not a thing to do
    if cur >= len(intents) or (intents[cur].verb == "free" and intents[cur].wait_seconds is None):
        return None
    skip = _instructions(inp.snapshot, inp.goal)
    snap = inp.snapshot
    if skip:  # the page's own copy of the instructions is never a target
        snap = snap.model_copy(update={"elements": [e for e in snap.elements if e.ref not in skip]})
    snap = with_implicit_labels(snap)
    failed = {(a.kind, a.selector) for a in inp.failed_actions if a.selector}
    if failed:  # what failed on this page is not offered again
        snap = snap.model_copy(update={"elements": [
            e for e in snap.elements
            if not any((k, e.selector) in failed for k in ("click", "fill", "select", "check", "uncheck"))
        ]})
    used: set[str] = set()
    actions: list[Action] = []
    notes: list[str] = []
    confidence = 1.0
    index = cur
    last_form: int | None = None
    while index < len(intents):
        intent: Intent = intents[index]
        if intent.wait_seconds is not None and progress.states[index].status != "done":
            # the pause and what follows it go in one step, so the pause is the one the goal asked for
            actions.append(Action(kind="wait", value=f"{intent.wait_seconds:g}", label="pause", intent=index,
                                  expect=Expectation(kind="clicked", intent=index)))
            notes.append(f"wait {intent.wait_seconds:g} s")
            index += 1
            continue
        if intent.verb == "free" or progress.states[index].status == "done":
            if intent.verb == "free" or actions:
                break
            index += 1
            continue
        step = Step(intent, index, snap, dict(inp.data), inp, used, skip, last_form)
        handler = _HANDLERS.get(intent.verb)
        got = implicit_login(step) if not actions and intent.verb != "login" else None
        if got is not None:
            actions.extend(got.actions)
            notes.append(got.note)
            confidence = min(confidence, got.confidence)
            break
        got = handler(step) if handler is not None else None
        if intent.verb == "navigate" and not actions and _explores(got) and index + 1 < len(intents):
            # "navigate through the tree, then click X": when X is already here, this is where it led
            ahead = _HANDLERS.get(intents[index + 1].verb)
            nxt = Step(intents[index + 1], index + 1, snap, dict(inp.data), inp, used, skip, last_form)
            there = ahead(nxt) if ahead is not None and intents[index + 1].verb != "free" else None
            if there is not None and there.actions and not _explores(there):
                got, index = there, index + 1
        if (got is None or not got.actions) and not actions and any(
            e.disabled and not e.dialog and not e.static for e in snap.elements
        ):
            got = _dismiss(step) or got  # a popup that disabled the page: close it, never answer it
        if got is None or not got.actions:
            if not actions:
                return _unsure(intent, cur, got, started)
            break
        actions.extend(got.actions)
        notes.append(got.note)
        confidence = min(confidence, got.confidence)
        forms = [a for a in got.actions if a.kind in {"fill", "select", "check", "uncheck"}]
        if forms:
            owner = next((e for e in snap.elements if e.ref == forms[-1].ref), None)
            last_form = owner.form if owner is not None else last_form
        waits_next = index + 1 < len(intents) and intents[index + 1].wait_seconds is not None
        if (not got.chain and not waits_next) or any(a.irreversible for a in got.actions):
            break  # a click may change the page: decide the rest on the next snapshot (unless a pause follows)
        index += 1
    head = f"intent {cur + 1}/{len(intents)}"
    return Decision(
        actions=actions,
        confidence=round(confidence, 2),
        tier=TIER,
        reason=f"{head}: {'; '.join(notes)}",
        latency_ms=round((time.perf_counter() - started) * 1000, 3),
    )


_DISMISS = ("cancel", "close", "dismiss", "no thanks", "not now", "maybe later", "\u00d7", "x", "no")


def _dismiss(step: Step) -> Grounded | None:
    """A popup or dialog over the page: its Cancel / Close / Dismiss (never its OK: that would answer it)."""
    pool = [e for e in clickables(step.snap) if e.dialog and (is_button(e) or e.pointer or e.role == "link")]
    for w in _DISMISS:
        for e in pool:
            if norm(element_text(e)) == w:
                act = click_action(e, step.index, False, effect="none")
                return Grounded([act], 0.7, f"close the popup in the way with '{element_text(e)}'")
    return None


def _explores(got: Grounded | None) -> bool:
    """No answer, or only a look behind a tab or section (not the intent's own target)."""
    if got is None or not got.actions:
        return True
    return all(a.expect is not None and a.expect.kind == "none" for a in got.actions)


def _unsure(intent: Intent, cur: int, got: Grounded | None, started: float) -> Decision | None:
    if intent.verb in {"create", "login"} and got is None:
        return None  # the page-plan rules may still find the way (a form filled from the intent's own data)
    note = got.note if got is not None else f"cannot ground '{intent.describe()}' on this page"
    return Decision(
        tier=TIER,
        confidence=0.0,
        reason=f"intent {cur + 1}: {note}",
        latency_ms=round((time.perf_counter() - started) * 1000, 3),
    )


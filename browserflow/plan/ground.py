"""Grounding: the plan's current intent + a page snapshot -> the actions that serve it.

Each action carries the intent it serves, the provenance of its value and the effect expected after it. On
one page, consecutive intents that only set fields are grounded together; a click (which may change the page)
ends the step. Record verbs (create, edit, delete, add to / remove from) live in ``records.py``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from browserflow.contracts import Action, DecideInput, Decision
from browserflow.plan.act import Grounded, Step, click_action, explore, field_action, irreversible_words
from browserflow.plan.choice import add_words, best_item, click_each
from browserflow.plan.classify import classify_each
from browserflow.plan.guarded import guard
from browserflow.plan.implied import implied_submit
from browserflow.plan.lists import ground_membership
from browserflow.plan.match import (
    FIELD_ROLES,
    best,
    clickables,
    element_text,
    fields,
    find,
    is_button,
    is_text_field,
    with_implicit_labels,
)
from browserflow.plan.model import COPY_NEAR, Expectation, Intent, Target
from browserflow.plan.moves import expand, focus, hover, navigate, press, scroll, search
from browserflow.plan.records import ground_record
from browserflow.plan.signin import implicit_login, login
from browserflow.plan.suggest import suggested
from browserflow.plan.typeahead import pick_suggestion, suggests
from browserflow.plan.values import copy_source, resolve_value
from browserflow.plan.widgets import (
    date_widget,
    directory_entry,
    dismiss,
    dropdown_toggle,
    explores,
    instructions,
    nth_result,
)
from browserflow.rules.forms import match_option
from browserflow.rules.harm import harmful_unasked
from browserflow.rules.text import norm

__all__ = ["ground"]

TIER = "rules"


_COMMIT = re.compile(r"\b(log ?in|sign ?in|submit|send|save|go|continue|ok|done|apply|search|enter)\b", re.I)
def _click(step: Step) -> Grounded | None:
    it, snap = step.intent, step.snap
    listed = nth_result(step) or directory_entry(step)
    if listed is not None:
        return listed
    many = next((c for c in it.constraints if c.kind in ("count", "all")), None)
    if many is not None and it.target.container:
        return click_each(step, many)
    if it.target.role in FIELD_ROLES or it.target.role in {"textbox", "textarea", "textline", "checkbox", "radio"}:
        pool = [e for e in snap.elements if not e.disabled]
    else:
        pool = clickables(snap)
    cands = []
    for words in add_words(it.target.words):  # 'add' an item: its '+' is its add control
        cands = find(it.target.model_copy(update={"words": words}), pool, snap)
        if cands and cands[0].score >= 0.6:
            break
    top, margin = best(cands)
    if top is None and (irreversible_words(it.target.words) or _COMMIT.search(it.target.words)):
        # "press login" where the form's one button says "OK": the only button outside any popup submits it
        buttons = [e for e in pool if is_button(e) and not e.dialog and not e.disabled]
        if len(buttons) == 1:
            e = buttons[0]
            note = f"press '{element_text(e)}', the page's only button, for '{it.target.words}'"
            return Grounded([click_action(e, step.index, True)], 0.6, note, chain=False)
    if top is None or top.score < 0.6:
        # not here, or only something that half fits: look behind tabs and sections; never a guess
        return explore(step, f"'{it.target.words}' is not on this page")
    e = top.element
    conf = 0.9 if top.score >= 0.75 else 0.7 if top.score >= 0.6 else 0.5
    if margin < 0.05 and len(cands) > 1 and norm(cands[1].element.name) != norm(e.name):
        conf = min(conf, 0.55)
    irreversible = it.irreversible or irreversible_words(element_text(e))
    return Grounded([click_action(e, step.index, irreversible)], conf, f"click '{element_text(e)}'", chain=False)


def _fill(step: Step) -> Grounded | None:
    it, snap = step.intent, step.snap
    if it.value is None:
        return None
    dated = date_widget(step) if it.value.transform == "date" else None
    if dated is not None:
        return dated
    pool = [e for e in snap.elements if is_text_field(e) and e.ref not in step.used]
    if it.value.source == "copy":  # never paste a text back into the field it is copied from
        src = copy_source(it.value, snap)
        pool = [e for e in pool if src is None or e.ref != src.ref]
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
    if it.value.prefix and len(chosen) == 1:  # known by how it starts and ends: type, then pick a suggestion
        start, _ = resolve_value(it.value, step.data, snap, chosen[0])
        if start is None:
            return None
        step.used.add(chosen[0].ref)
        return suggested(step, chosen[0], start)
    actions: list[Action] = []
    by_label = it.value.source == "page" and not it.value.literal  # "the value that goes with each label"
    near = it.value.source == "copy" and it.value.literal in COPY_NEAR
    shown = step.inp.snapshot if near else snap  # "the text below" is read next to the instructions
    for e in chosen:
        spec = it.value
        if by_label:
            label = (e.label or e.name or e.placeholder or "").strip().rstrip(":").strip()
            if not label:
                return None  # a field with no label of its own has no value next to it
            spec = spec.model_copy(update={"literal": label})
        value, key = resolve_value(spec, step.data, shown, e)
        if value is None:
            return None
        actions.append(field_action("fill", e, value, key, spec, step.index))
        step.used.add(e.ref)
    conf = 0.85 if specific or len(pool) == 1 or every or target.ordinal is not None else 0.7
    # a field that suggests as it is typed into ends the step: its suggestion is taken on the next snapshot
    chain = not any(suggests(e) for e in chosen)
    return Grounded(actions, conf, f"type into {', '.join(repr(element_text(e)) for e in chosen)}", chain=chain)


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
        dated = date_widget(step)
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
                opened = dropdown_toggle(step)  # a dropdown a script draws: its options show once it is open
                if opened is not None:
                    return opened
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


_HANDLERS: dict[str, Callable[[Step], Grounded | None]] = {
    "click": _click,
    "fill": _fill,
    "select": lambda s: _select(s),
    "check": lambda s: _check(s, True) if not s.intent.target.items else _select(s, want_checkbox=True),
    "uncheck": lambda s: _check(s, False),
    "focus": focus,
    "search": search,
    "navigate": navigate,
    "expand": expand,
    "hover": hover,
    "scroll": scroll,
    "close": lambda s: press(s, ("close", "x", "\u00d7", "dismiss", "no thanks", "cancel"), "close"),
    "confirm": lambda s: press(s, ("confirm", "yes", "ok", "i'm sure", "continue", "delete"), "confirm"),
    "submit": lambda s: implied_submit(s) if s.intent.implied else press(
        s, ("submit", "save", "send", "apply", "ok", "done", "continue"), "submit"),
    "login": login,
    "create": ground_record,
    "edit": ground_record,
    "delete": ground_record,
    "add_to": lambda s: ground_membership(s, True),
    "remove_from": lambda s: ground_membership(s, False),
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
    skip = instructions(inp.snapshot, inp.goal)
    skip |= {e.ref for e in inp.snapshot.elements if harmful_unasked(f"{e.name} {e.label}", inp.goal)}
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
    picked = pick_suggestion(inp, snap, skip)
    if picked is not None:  # the value typed into a type-ahead field: its suggestion, before anything else
        act, note = picked
        return Decision(actions=[act], confidence=0.8, tier=TIER, reason=f"intent {(act.intent or 0) + 1}/"
                        f"{len(intents)}: {note}", latency_ms=round((time.perf_counter() - started) * 1000, 3))
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
        if intent.implied and actions:
            break  # the implied submit waits until the entries before it are verified on the next page
        step = Step(intent, index, snap, dict(inp.data), inp, used, skip, last_form)
        handler = best_item if intent.best else _HANDLERS.get(intent.verb)
        if any(c.kind == "classify" for c in intent.constraints):
            handler = classify_each
        got = implicit_login(step) if not actions and intent.verb != "login" else None
        if got is not None:
            actions.extend(got.actions)
            notes.append(got.note)
            confidence = min(confidence, got.confidence)
            break
        got = handler(step) if handler is not None else None
        if intent.when is not None or intent.until is not None:
            got = guard(step, got)
        if intent.verb == "navigate" and not actions and explores(got) and index + 1 < len(intents):
            # "navigate through the tree, then click X": when X is already here, this is where it led
            ahead = _HANDLERS.get(intents[index + 1].verb)
            nxt = Step(intents[index + 1], index + 1, snap, dict(inp.data), inp, used, skip, last_form)
            there = ahead(nxt) if ahead is not None and intents[index + 1].verb != "free" else None
            if there is not None and there.actions and not explores(there):
                got, index = there, index + 1
        if (got is None or not got.actions) and not actions and any(
            e.disabled and not e.dialog and not e.static for e in snap.elements
        ):
            got = dismiss(step) or got  # a popup that disabled the page: close it, never answer it
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


def _unsure(intent: Intent, cur: int, got: Grounded | None, started: float) -> Decision | None:
    if intent.verb in {"create", "login"} and got is None and not intent.best:
        return None  # the page-plan rules may still find the way (a form filled from the intent's own data)
    note = got.note if got is not None else f"cannot ground '{intent.describe()}' on this page"
    return Decision(
        tier=TIER,
        confidence=0.0,
        reason=f"intent {cur + 1}: {note}",
        latency_ms=round((time.perf_counter() - started) * 1000, 3),
    )


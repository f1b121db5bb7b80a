"""The pieces grounding builds actions from: the step being grounded, what a handler answers, and the
constructors of actions that carry their intent, provenance and expected effect."""

from __future__ import annotations

from dataclasses import dataclass, field

from browserflow.contracts import Action, DecideInput, Element, PageSnapshot
from browserflow.plan.match import clickables, container_score, element_text
from browserflow.plan.model import EffectKind, Intent, ValueSpec
from browserflow.rules.forms import is_irreversible
from browserflow.rules.text import norm
from browserflow.secrets import is_sensitive_key

__all__ = ["Grounded", "Step", "click_action", "explore", "field_action", "irreversible_words", "visited"]


@dataclass
class Step:
    """One intent being grounded on one page."""

    intent: Intent
    index: int
    snap: PageSnapshot
    data: dict[str, str]
    inp: DecideInput
    used: set[str] = field(default_factory=set)  # refs already given a value in this decision
    skip: set[str] = field(default_factory=set)  # refs that are never targets (the page's instructions)
    last_form: int | None = None


@dataclass
class Grounded:
    """A handler's answer: the actions, how sure it is, a note for the step log, and whether the next intent
    may be grounded on the same page after these (fields only; a click may change the page)."""

    actions: list[Action]
    confidence: float
    note: str
    chain: bool = False


def irreversible_words(text: str) -> bool:
    return is_irreversible(text)


def click_action(e: Element, intent: int, irreversible: bool, effect: EffectKind = "clicked") -> Action:
    from browserflow.plan.model import Expectation

    return Action(
        kind="click",
        ref=e.ref,
        selector=e.selector,
        label=element_text(e) or e.selector,
        irreversible=irreversible,
        intent=intent,
        expect=Expectation(kind=effect, selector=e.selector, intent=intent),
    )


def field_action(
    kind: str,
    e: Element,
    value: str | None,
    key: str | None,
    spec: ValueSpec | None,
    intent: int,
    *,
    label_value: str | None = None,
) -> Action:
    """A fill/select/check/uncheck of ``e`` with its provenance and expected effect. Secrets are expected by
    key (``{key}``), never by value."""
    from browserflow.plan.model import Expectation

    effects: dict[str, EffectKind] = {"fill": "field_value", "select": "selected", "check": "checked",
                                      "uncheck": "unchecked"}
    effect = effects[kind]
    secret = value is not None and (value.startswith("env:") or is_sensitive_key(key))
    expected = (f"{{{key}}}" if key else "") if secret else value or ""
    prov = spec.describe() if spec is not None else ""
    if kind == "select" and label_value and spec is None:
        prov = f'option "{label_value}"'
    return Action(
        kind=kind,
        ref=e.ref,
        selector=e.selector,
        label=element_text(e) or e.selector,
        value=value,
        data_key=key,
        intent=intent,
        provenance=prov,
        expect=Expectation(kind=effect, selector=e.selector, value=expected, intent=intent),
    )


def visited(step: Step) -> set[str]:
    """Selectors clicked (or pointed at) on this page (same address) in earlier steps."""
    here = step.snap.url.split("#")[0]
    out: set[str] = set()
    for rec in step.inp.history:
        if rec.url.split("#")[0] != here:
            continue
        for a in rec.actions:
            if a.kind in {"click", "hover"} and a.selector:
                out.add(a.selector)
    return out


def explore(step: Step, why: str) -> Grounded | None:
    """The target is not visible: open the next tab or collapsed section not opened yet (reversible), so the
    next snapshot can show it. None when there is nothing left to open."""
    snap = step.snap
    seen = visited(step)
    for a in step.inp.failed_actions:
        if a.selector:
            seen.add(a.selector)
    pool = [e for e in clickables(snap) if e.ref not in step.skip and e.selector not in seen]
    tabs = [e for e in pool if e.role == "tab" and not e.selected]
    closed = [e for e in pool if e.expanded is False]
    anchors = [
        e for e in pool
        if e.role == "link" and e.href.split("#")[0] == snap.url.split("#")[0] and "#" in e.href
        and norm(e.name) not in {"", "#"} and not norm(e.name).startswith(("skip to", "jump to", "back to top"))
    ]
    container = step.intent.target.container
    if container:  # look first where the goal says the target is ("for the user @leo": that post's menu)
        closed.sort(key=lambda e: -container_score(container, e, snap))
    for group in (tabs, closed, anchors):
        if group:
            e = group[0]
            act = click_action(e, step.index, False, effect="none")
            if e.role == "menuitem":  # a submenu opens under the pointer; a click would choose the entry
                act = act.model_copy(update={"kind": "hover"})
            return Grounded([act], 0.65, f"{why}; open '{element_text(e)}' to look there", chain=False)
    return None

"""Effects verified: after acting, which intents does the new page show done?

``advance`` runs in the goal check before every decision. It checks the expected effect of each action the
last step ran (the field holds the value, the box is ticked, the page moved on, the message names the entity)
and marks an intent done only when all of its actions' effects were seen; then it looks at the current intent
against the page as it stands (already signed in, the box already ticked, nothing to select).
"""

from __future__ import annotations

import re

from browserflow.contracts import Action, CheckGoalInput, Element, PageSnapshot
from browserflow.goals import RECORD_PATTERN, success_message
from browserflow.plan.calendar import as_date
from browserflow.plan.guarded import until_met
from browserflow.plan.implied import standing as implied_standing
from browserflow.plan.model import Intent, PlanProgress
from browserflow.plan.suggest import fits
from browserflow.rules.text import norm
from browserflow.secrets import is_sensitive_key

__all__ = ["INSTRUCTED", "advance", "plan_met"]

INSTRUCTED = "instructed by a reviewer"

_SETTERS = frozenset({"fill", "select", "select_add", "select_remove", "check", "uncheck"})

def _by_selector(snap: PageSnapshot, action: Action) -> Element | None:
    selector = action.expect.selector if action.expect is not None and action.expect.selector else action.selector
    for e in snap.elements:
        if selector and e.selector == selector:
            return e
    return None


def _field_holds(e: Element, want: str) -> bool:
    if want.startswith("{") and want.endswith("}"):
        return True  # a secret: its value is never read back; the fill ran
    if e.type == "password":
        return True
    a, b = as_date(e.value), as_date(want)
    if a is not None and b is not None:
        return a == b
    return norm(e.value) == norm(want) or (e.tag == "select" and any(o.selected and norm(o.label) == norm(want)
                                                                      for o in e.options))


def _effect(action: Action, before: PageSnapshot | None, after: PageSnapshot) -> tuple[bool, str]:
    """(seen, evidence) for one action's expectation on the page after the step."""
    if action.kind == "wait" and not (action.expect is not None and action.expect.kind == "field_value"):
        return True, f"waited {action.value} s"
    if action.kind == "scroll":  # the box (or page) was scrolled to its end by the actor itself
        return True, f"scrolled '{action.label or 'the page'}' to the {action.value}"
    if action.kind == "hover" and not (action.expect is not None and action.expect.kind == "none"):
        # pointing opened something (a submenu), or it did nothing
        changed = before is None or before.state_hash != after.state_hash
        return changed, f"pointed at '{action.label or action.selector}': the page showed more"
    exp = action.expect
    label = action.label or action.selector or ""
    kind = exp.kind if exp is not None else "clicked"
    e = _by_selector(after, action)
    changed = before is None or before.state_hash != after.state_hash or before.url != after.url
    if kind == "field_value":
        if e is None:
            return changed, f"typed into '{label}' ({action.provenance or 'value'}); the page moved on"
        if exp is not None and exp.prefix:
            return fits(e.value, exp.value, exp.suffix), f"'{label}' holds \"{e.value}\", which fits {action.provenance}"
        return _field_holds(e, exp.value if exp else ""), f"'{label}' holds {action.provenance or 'the value'}"
    if kind in {"checked", "unchecked"}:
        if e is None:
            return changed, f"{kind} '{label}'; the page moved on"
        return bool(e.checked) == (kind == "checked"), f"'{label}' is {kind}"
    if kind == "selected":
        if e is None:
            return changed, f"chose in '{label}'; the page moved on"
        if e.tag == "select":
            return any(o.selected and o.value == action.value for o in e.options), f"'{label}' shows the option"
        return bool(e.checked), f"'{label}' is selected"
    if kind == "focused":
        if e is not None and after.active == e.ref:
            return True, f"'{label}' has the focus"
        # the page may move the focus on by itself once a field is entered; another field holding it is not it
        return not after.active and e is not None, f"clicked into '{label}' (the focus moved on since)"
    if kind == "navigated":
        return changed, f"opened '{label}' ({after.url})"
    if kind == "logged_in":
        still = any(x.type == "password" for x in after.elements)
        return not still and not after.errors, "signed in: the sign-in form is gone"
    if kind == "none":
        return False, ""
    return True, f"clicked '{label}'"


def _record_effect(intent: Intent, after: PageSnapshot, data: dict[str, str]) -> tuple[bool, str]:
    """A write intent's own effect after its irreversible action: no error, and the page names the entity or
    one of the values written (a success message for another record is not success)."""
    if after.errors:
        return False, f"the page shows an error: {after.errors[0]!r}"
    page = norm(f"{after.title} {after.text}")
    names = [intent.target.entity] if intent.target.entity else []
    names += [v.literal for v in intent.fields.values() if v.source == "literal" and v.literal]
    # the values written from the task data name the record too ("Noa Cohen" on the confirmation); secrets never
    names += [data[v.key] for v in intent.fields.values()
              if v.source == "data" and v.key in data and not data[v.key].startswith("env:")
              and not is_sensitive_key(v.key) and len(data[v.key]) > 2]
    if intent.value is not None and intent.value.source == "literal" and intent.value.literal:
        names.append(intent.value.literal)
    if intent.verb == "delete":
        from browserflow.plan.records import CONFIRM_PAGE

        entity = intent.target.entity
        if CONFIRM_PAGE.search(page):
            return False, "the page asks to confirm the deletion"
        msg = success_message(page, RECORD_PATTERN)
        shown = bool(entity) and bool(re.search(rf"(?<![\w]){re.escape(norm(entity))}(?![\w])", page))
        if shown and not msg:
            return False, f"'{entity}' is still shown"
        if not shown and not msg and entity:
            return True, f"'{entity}' is no longer listed"
        if msg:
            return True, f"the page says {msg!r}" + (f" of '{entity}'" if shown else "")
        return False, "no sign on the page that it was deleted"
    values = " | ".join(norm(e.value) for e in after.elements if e.value and e.type != "password")
    seen = [n for n in names if norm(n) in page or norm(n) in values]
    if names and not seen:
        return False, f"the page names none of {', '.join(repr(n) for n in names[:3])}"
    msg = success_message(page, RECORD_PATTERN)
    if seen:
        return True, f"the page names {seen[0]!r}" + (f" and says {msg!r}" if msg else "")
    if msg:
        return True, f"the page says {msg!r}"
    return False, "no sign on the page that it took effect"


def _standing(intent: Intent, snap: PageSnapshot) -> str | None:
    """Evidence that the current intent already holds on the page as it is (before acting on it)."""
    if intent.implied:
        return implied_standing(intent, snap)
    if intent.verb == "login":
        has_password = any(e.type == "password" for e in snap.elements)
        out = any(re.search(r"\b(log ?out|sign ?out|logout)\b", e.name, re.I) for e in snap.elements)
        if out and not has_password:
            return "already signed in (the page offers to sign out)"
    if intent.verb == "select" and any(c.kind == "nothing" for c in intent.constraints):
        boxes = [e for e in snap.elements if e.type == "checkbox"]
        if not any(e.checked for e in boxes):
            return "nothing is selected"
    return None


def advance(inp: CheckGoalInput) -> PlanProgress | None:
    """The plan after the last step's effects were checked on ``inp.snapshot``."""
    if inp.plan is None:
        return None
    plan = inp.plan.model_copy(deep=True)
    intents = plan.plan.intents
    after = inp.snapshot
    cur = plan.current
    if cur is not None and inp.indicators and any(a.provenance == INSTRUCTED for a in inp.acted):
        # a person said what to do here; with the caller's indicators to judge the outcome, the intent counts
        # as served by them (the indicators still have to hold for success)
        plan.mark_done(cur, "done as a reviewer instructed", inp.step)
    if inp.acted:
        per: dict[int, list[Action]] = {}
        cur = plan.current
        for a in inp.acted:
            idx = a.intent if a.intent is not None else cur
            if idx is None or idx < 0 or idx >= len(intents):
                continue  # a step on the way that serves no intent of its own (signing in first)
            per.setdefault(idx, []).append(a)
        for idx in sorted(per):
            if plan.states[idx].status == "done":
                continue
            intent = intents[idx]
            if intent.verb == "free" and intent.wait_seconds is None:
                continue
            if intent.until is not None:
                continue  # a step on the way: done only when the page shows the condition holding (below)
            if intent.when is not None and not any(a.kind == "click" and a.guard is not None for a in per[idx]):
                continue  # watched the page, never clicked: the condition did not hold
            evidence: list[str] = []
            ok = True
            record = intent.verb in {"create", "edit", "delete", "add_to", "remove_from", "login"}
            committed = any(a.irreversible for a in per[idx])
            for a in per[idx]:
                if record and committed and a.kind in _SETTERS:
                    continue  # the form was sent: the record's own effect below is what counts, not the cleared form
                seen, why = _effect(a, inp.before, after)
                if not seen:
                    ok = False
                    break
                if why:
                    evidence.append(why)
            if not ok:
                continue
            if intent.verb in {"create", "edit", "delete", "add_to", "remove_from"}:
                if not any(a.irreversible for a in per[idx]):
                    continue  # on the way (a section opened, a form filled): not done until it is saved
                if intent.best:
                    # one of the listed items chosen by its number ('the cheapest ticket'): the choice was made
                    # on the page's own figures; its effect is that the page took it (moved on, no error)
                    changed = inp.before is None or inp.before.state_hash != after.state_hash
                    done, why = changed and not after.errors, "the chosen item was taken (the page moved on)"
                else:
                    done, why = _record_effect(intent, after, inp.data)
                if not done:
                    continue
                evidence.append(why)
            elif intent.verb == "login" and not any(a.expect and a.expect.kind == "logged_in" for a in per[idx]):
                if not any(a.irreversible for a in per[idx]):
                    continue
            elif intent.verb == "search" and not any(a.kind in {"press", "click"} for a in per[idx]):
                continue
            elif intent.implied:
                # the submit the goal did not say: done when the page reacted to it (moved on, reset, a
                # message) and shows no error; a press that changed nothing is not evidence
                changed = inp.before is None or inp.before.state_hash != after.state_hash or inp.before.url != after.url
                if not changed or after.errors:
                    continue
                evidence.append("the page reacted to the submit" + (f" ({after.url})" if inp.before and
                                                                     inp.before.url != after.url else ""))
            elif any(
                a.expect is not None and a.expect.kind == "none" and not (a.kind == "wait" and a.guard is not None)
                for a in per[idx]
            ):
                continue  # an exploring click (a tab opened to look for the target)
            each = next((c.text for c in intent.constraints if c.kind == "each" and c.text), None)
            pressed = {a.selector for a in per[idx] if a.selector}
            back = not any(e.selector in pressed for e in after.elements)  # the message view is gone
            if each and idx > 0 and back and any(norm(e.name) == norm(each) for e in after.elements):
                # "delete each message from Ann": one is gone, another from Ann is still listed: open it next
                plan.reopen(idx - 1, idx)
                continue
            plan.mark_done(idx, "; ".join(evidence)[:300], inp.step)
            # free-text hints and navigations before it ("switch between the tabs to find", "navigate through
            # the tree"): the later intent's effect shows the way there was taken
            for j in range(idx - 1, -1, -1):
                if plan.states[j].status == "done" or not (intents[j].is_hint or intents[j].verb == "navigate"):
                    break
                plan.mark_done(j, "followed on the way to the next intent", inp.step)
    cur = plan.current
    while cur is not None:
        standing = _standing(intents[cur], after) or until_met(intents[cur], after, inp.goal)
        if standing is None:
            break
        plan.mark_done(cur, standing, inp.step)
        cur = plan.current
    return plan


def plan_met(plan: PlanProgress | None) -> tuple[bool, str]:
    """Is every intent the compiler could read done and verified? (met, reason). Free-text intents cannot be
    verified here: the caller's indicators (or the conservative default) judge them."""
    if plan is None or not plan.states:
        return False, "no plan"
    intents = plan.plan.intents
    pending = [s for s in plan.states if s.status != "done" and intents[s.index].verb != "free"]
    if pending:
        first = pending[0].index
        return False, f"intent {first + 1}/{len(intents)} not verified: {intents[first].describe()}"
    readable = [s for s in plan.states if intents[s.index].verb != "free"]
    if not readable:
        return True, "the plan has only free-text parts"
    return True, f"{len(readable)}/{len(intents)} intents verified"


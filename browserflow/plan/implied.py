"""The implied submit: a goal made only of entries ("Check the 1st radio button and enter "-5" into the 2nd
textbox") is completed by the form's submit, which the goal does not say. The compiler ends such a plan with
an ``implied`` submit intent (``compiler._implied_submit``); this module says when it may be pressed.

It is pressed only when every earlier intent is done and verified, this task changed fields on the page, and
the form holding them offers exactly one submit-like control (a submit button, or a button named submit /
save / ok / done / send / go / search / enter). Several candidates, none in the form, changed fields in two
forms, no changed field at all, or a press that already ran: nothing is pressed (the decision escalates).
A page with no submit-like control anywhere leaves the entries standing as they are: the implied submit is
then met without a press (``standing``), as an entries-only goal was before.
"""

from __future__ import annotations

import re

from browserflow.contracts import DecideInput, Element, PageSnapshot
from browserflow.plan.act import Grounded, Step, click_action
from browserflow.plan.match import element_text, is_button
from browserflow.plan.model import IMPLIED_WHY, Intent
from browserflow.rules.text import norm

__all__ = ["SUBMIT_WORDS", "changed_fields", "form_controls", "implied_block", "implied_submit", "standing", "submit_controls"]

SUBMIT_WORDS = frozenset({"submit", "save", "ok", "okay", "done", "send", "go", "search", "enter"})
"""What a button that sends its form is named (a first word; 'Save changes', 'Submit form', 'Go!')."""
_NOT_SUBMIT = re.compile(r"\b(cancel|reset|clear|back|close|previous|prev|delete|remove|discard|undo)\b", re.I)
_SET = frozenset({"fill", "select", "select_add", "select_remove", "check", "uncheck"})


def _submit_like(e: Element) -> bool:
    if e.disabled or e.static or not is_button(e):
        return False
    words = norm(element_text(e)).split()
    if words and words[0] in SUBMIT_WORDS and len(words) <= 3:
        return True
    # an <input type=submit|image> with a name of its own that is no other action
    return e.tag == "input" and e.type in {"submit", "image"} and not _NOT_SUBMIT.search(element_text(e))


def submit_controls(snap: PageSnapshot) -> list[Element]:
    """The submit-like controls of the whole page."""
    return [e for e in snap.elements if _submit_like(e)]


def form_controls(snap: PageSnapshot, form: int | None, dialog: bool) -> list[Element]:
    """The submit-like controls of one form (``form`` None: outside any form), in or out of a dialog."""
    return [e for e in submit_controls(snap) if e.form == form and e.dialog == dialog]


def changed_fields(inp: DecideInput, snap: PageSnapshot) -> list[Element]:
    """The fields of this page the task itself changed (set actions of earlier steps on this address whose
    element is still shown)."""
    here = snap.url.split("#")[0]
    selectors: list[str] = []
    for rec in inp.history:
        if rec.url.split("#")[0] != here:
            continue
        selectors += [a.selector for a in rec.actions if a.kind in _SET and a.selector]
    return [e for e in snap.elements if e.selector in selectors]


def _pressed(inp: DecideInput, index: int) -> bool:
    """The implied submit ran before (a press that failed to run, on a covered button, say, does not count)."""
    return any(a.intent == index and a.irreversible for rec in inp.history if rec.ok for a in rec.actions)


def _the_control(inp: DecideInput, snap: PageSnapshot, index: int) -> tuple[Element | None, str]:
    """The one control the implied submit may press, or (None, why not)."""
    plan = inp.plan
    if plan is not None:
        pending = [s.index + 1 for s in plan.states[:index] if s.status != "done"]
        if pending:
            return None, f"intent {pending[0]} is not verified yet"
    if _pressed(inp, index):
        return None, "the submit was pressed already and the page showed no effect of it"
    changed = changed_fields(inp, snap)
    if not changed:
        return None, "no field of this page was changed by the task: nothing to submit"
    groups = {(e.form, e.dialog) for e in changed}
    if len(groups) > 1:
        return None, "the changed fields are in more than one form"
    form, dialog = next(iter(groups))
    controls = form_controls(snap, form, dialog)
    if not controls:
        return None, "the form of the changed fields has no submit button"
    if len(controls) > 1:
        names = ", ".join(repr(element_text(e)) for e in controls[:4])
        return None, f"the form has {len(controls)} submit-like controls ({names}): which one is not said"
    return controls[0], ""


def implied_submit(step: Step) -> Grounded:
    """Press the form's one submit control for the implied submit intent; else an empty answer saying why."""
    e, why = _the_control(step.inp, step.snap, step.index)
    if e is None:
        return Grounded([], 0.0, f"implied submit not pressed: {why}")
    why = f"submit (implied: {IMPLIED_WHY})"
    act = click_action(e, step.index, True).model_copy(update={"provenance": why})
    return Grounded([act], 0.8, f"{why} with '{element_text(e)}'", chain=False)


def implied_block(inp: DecideInput, intent: Intent, index: int, ref: str | None) -> str | None:
    """For the write gate: why an irreversible action for the implied intent ``index`` may not run (None: it
    may). It must press the one control ``_the_control`` finds."""
    if not intent.implied:
        return None
    e, why = _the_control(inp, inp.snapshot, index)
    if e is None:
        return f"the implied submit may not be pressed: {why}"
    if ref is not None and ref != e.ref:
        return f"the implied submit may press only '{element_text(e)}'"
    return None


def standing(intent: Intent, snap: PageSnapshot) -> str | None:
    """Evidence that an implied submit is met without a press: the page offers no submit-like control."""
    if not intent.implied or submit_controls(snap):
        return None
    return "no submit button on the page: the entries stand as they are"

"""The implied submit of an entries-only goal (compile, ground, gate, verify) and values known by how they start
and end (an autocomplete's suggestion picked), on hand-built snapshots."""

from __future__ import annotations

import pytest

from browserflow.contracts import Action, DecideInput, Decision, Element, PageSnapshot, StepRecord
from browserflow.plan.compiler import compile_goal
from browserflow.plan.decide import decide_plan
from browserflow.plan.gate import write_gate
from browserflow.plan.model import IMPLIED_WHY, PlanProgress
from tests.plan.test_ground import after, box, button, el, page

# -- compile -----------------------------------------------------------------------------------------------

IMPLIED = [
    'Check the 1st radio button and enter the number "-5" into the 2nd textbox.',
    'Enter "Koka" into the text field.',
    'Type "bob" in the username field and "x1" in the city field',
    "Select Martelle",
    'Choose "Red" from the colour list and tick the "Gift wrap" checkbox',
    'Enter an item that starts with "An" and ends with "ica".',
    'Uncheck "Newsletter"',
]
NOT_IMPLIED = [
    ('Enter "Koka" into the text field and press Submit.', "an explicit submit"),
    ('Type "bob" in the name field and click "Save"', "an explicit save"),
    ('Enter "bob" in the name field and submit the form', "an explicit submit verb"),
    ('Enter "bob" in the name field. Do not submit the form.', "do not submit"),
    ('Enter "bob" in the name field but don\'t save it', "don't save"),
    ('Type "bob" in the name field without saving', "without saving"),
    ('Enter "bob" in the name field and leave it unsubmitted', "unsubmitted"),
    ('Check "A", do not check "B"', "a 'do not' the entries carry"),
    ('Enter "bob" in the name field. Then wiggle the widget until it glows.', "a part not understood"),
    ('Open the settings page and enter "bob" in the name field', "a navigation"),
    ("Focus into the 2nd input textbox.", "not an entry"),
    ('Search for "shoes"', "a search runs itself"),
    ('Log in and enter "x" in the note field', "a login"),
    ('Check the "Urgent" box if the order is late', "an entry on a condition"),
]


@pytest.mark.parametrize("goal", IMPLIED)
def test_an_entries_only_goal_ends_with_the_implied_submit(goal: str) -> None:
    plan = compile_goal(goal, {})
    *said, last = plan.intents
    assert said and all(i.verb in {"fill", "check", "uncheck", "select"} and not i.implied for i in said)
    assert (last.verb, last.implied, last.irreversible) == ("submit", True, True)
    assert last.describe() == f"submit (implied: {IMPLIED_WHY})"
    assert plan.writes


@pytest.mark.parametrize(("goal", "why"), NOT_IMPLIED)
def test_no_implied_submit(goal: str, why: str) -> None:
    plan = compile_goal(goal, {})
    assert not any(i.implied for i in plan.intents), why


# -- ground, gate, verify ----------------------------------------------------------------------------------

GOAL = 'Check the 1st radio button and enter the number "7" into the 2nd textbox.'


def radio(ref: str, value: str, checked: bool = False, **kw: object) -> Element:
    return el(ref, "input", role="radio", type="radio", html_name="r", value=value, checked=checked, **kw)


def _entered(*extra: Element, form: int | None = None) -> PageSnapshot:
    return page(radio("r1", "1", True, form=form), radio("r2", "2", form=form), box("t1", form=form),
                box("t2", value="7", form=form), *extra)


def _served(snap: PageSnapshot, goal: str = GOAL) -> tuple[DecideInput, PlanProgress]:
    """The plan after the entries were made and verified on ``snap``: the implied submit is current."""
    progress = PlanProgress.start(compile_goal(goal, {}))
    for i, intent in enumerate(progress.plan.intents):
        if not intent.implied:
            progress.mark_done(i, "seen", 1)
    acts = [Action(kind="check", ref="r1", selector="#r1", intent=0, provenance="goal"),
            Action(kind="fill", ref="t2", selector="#t2", value="7", intent=1, provenance='goal literal "7"')]
    hist = [StepRecord(step=1, url=snap.url, decision="fill 2 fields", actions=acts)]
    return DecideInput(goal=goal, data={}, snapshot=snap, plan=progress, history=hist), progress


def test_the_one_submit_button_is_pressed_with_its_reason() -> None:
    inp, _ = _served(_entered(button("s", "Submit")))
    d = decide_plan(inp)
    assert [(a.kind, a.ref, a.irreversible) for a in d.actions] == [("click", "s", True)]
    assert IMPLIED_WHY in d.reason and IMPLIED_WHY in d.describe()
    assert not d.review_reason


@pytest.mark.parametrize(("extra", "why"), [
    ((button("s", "Submit"), button("v", "Save")), "submit-like controls"),
    ((button("s", "Submit"), button("g", "Go")), "submit-like controls"),
    ((el("c", "button", role="button", name="Cancel"),), "no submit button"),
])
def test_several_or_no_submit_buttons_press_nothing(extra: tuple, why: str) -> None:
    inp, _ = _served(_entered(*extra))
    d = decide_plan(inp)
    assert not d.actions and why in d.reason


def test_a_cancel_button_beside_the_submit_is_no_candidate() -> None:
    inp, _ = _served(_entered(el("c", "button", role="button", name="Cancel", type="submit"), button("s", "Save changes")))
    assert [a.ref for a in decide_plan(inp).actions] == ["s"]


def test_the_submit_of_another_form_is_not_this_forms() -> None:
    inp, _ = _served(_entered(button("s", "Submit", form=1), form=0))
    d = decide_plan(inp)
    assert not d.actions and "no submit button" in d.reason


def test_no_changed_field_presses_nothing() -> None:
    inp, _ = _served(_entered(button("s", "Submit")))
    d = decide_plan(inp.model_copy(update={"history": []}))
    assert not d.actions and "nothing to submit" in d.reason


def test_a_press_that_ran_is_never_repeated() -> None:
    inp, _ = _served(_entered(button("s", "Submit")))
    pressed = StepRecord(step=2, url=inp.snapshot.url, decision="click",
                         actions=[Action(kind="click", ref="s", selector="#s", intent=2, irreversible=True)])
    d = decide_plan(inp.model_copy(update={"history": [*inp.history, pressed]}))
    assert not d.actions and "pressed already" in d.reason


def test_the_entries_and_the_implied_submit_are_never_one_step() -> None:
    snap = page(radio("r1", "1"), radio("r2", "2"), box("t1"), box("t2"), button("s", "Submit"))
    d = decide_plan(DecideInput(goal=GOAL, data={}, snapshot=snap, plan=PlanProgress.start(compile_goal(GOAL, {}))))
    assert [a.kind for a in d.actions] == ["check", "fill"]


def test_the_gate_holds_an_implied_press_of_one_of_several_buttons() -> None:
    inp, _ = _served(_entered(button("s", "Submit"), button("v", "Save")))
    press = Decision(actions=[Action(kind="click", ref="s", selector="#s", intent=2, irreversible=True)])
    assert "implied submit" in (write_gate(inp, press) or "")
    inp, _ = _served(_entered(button("s", "Submit")))
    assert write_gate(inp, press) is None


def test_the_implied_submit_is_done_when_the_page_reacts() -> None:
    before = _entered(button("s", "Submit"))
    inp, progress = _served(before)
    (press,) = decide_plan(inp).actions
    same = after(progress, [press], before, before)
    assert same.current == 2  # nothing changed: no evidence
    moved = page(el("m", "div", static=True, name="Thanks"), url="http://app.test/done")
    done = after(progress, [press], before, moved)
    assert done.all_done and "reacted" in done.states[2].evidence


def test_a_page_with_no_submit_control_lets_the_entries_stand() -> None:
    snap = _entered()
    _, progress = _served(snap)
    out = after(progress, [], snap, snap)
    assert out.all_done and "no submit button" in out.states[2].evidence


# -- a value known by how it starts and ends ---------------------------------------------------------------

AC = 'Enter an item that starts with "An" and ends with "ica".'


def _step(goal: str, snap: PageSnapshot, history: list[StepRecord] | None = None) -> tuple[Decision, PlanProgress]:
    progress = PlanProgress.start(compile_goal(goal, {}))
    inp = DecideInput(goal=goal, data={}, snapshot=snap, plan=progress, history=history or [])
    return decide_plan(inp), progress


def _menu(*names: str) -> list[Element]:
    return [el(f"m{i}", "div", static=True, name=n) for i, n in enumerate(names)]


def test_the_start_is_typed_first_and_is_not_done_by_itself() -> None:
    snap = page(box("tags", "Tags:"), button("s", "Submit"))
    d, progress = _step(AC, snap)
    (typed,) = d.actions
    assert (typed.kind, typed.value) == ("fill", "An") and typed.expect is not None
    shown = page(box("tags", "Tags:", value="An"), button("s", "Submit"), *_menu("Andorra", "Antarctica"))
    assert after(progress, [typed], snap, shown).current == 0


def test_the_suggestion_that_fits_both_ends_is_picked_and_verified() -> None:
    shown = page(el("lbl", "span", static=True, name="Antarctica"), box("tags", "Tags:", value="An"),
                 button("s", "Submit"), *_menu("Andorra", "Angola", "Antarctica", "Antigua"))
    d, progress = _step(AC, shown)
    (pick,) = d.actions
    assert pick.ref == "m2" and not pick.irreversible  # never a text shown before the field
    picked = page(box("tags", "Tags:", value="Antarctica"), button("s", "Submit"))
    assert after(progress, [pick], shown, picked).current == 1
    wrong = page(box("tags", "Tags:", value="Andorra"), button("s", "Submit"))
    assert after(progress, [pick], shown, wrong).current == 0


def test_no_list_yet_waits_once_then_gives_up() -> None:
    typed = page(box("tags", "Tags:", value="An"), button("s", "Submit"))
    d, _ = _step(AC, typed)
    assert [a.kind for a in d.actions] == ["wait"]
    waited = [StepRecord(step=2, url=typed.url, decision="wait", actions=d.actions)]
    d, _ = _step(AC, typed, waited)
    assert not d.actions and "no suggestion" in d.reason


def test_a_start_alone_stands_when_no_list_opens() -> None:
    goal = 'Enter an item that starts with "Rus".'
    typed = page(box("tags", "Tags:", value="Rus"), button("s", "Submit"))
    d, _ = _step(goal, typed)
    waited = [StepRecord(step=2, url=typed.url, decision="wait", actions=d.actions)]
    d, progress = _step(goal, typed, waited)
    (stand,) = d.actions
    assert stand.kind == "wait" and stand.expect is not None and stand.expect.kind == "field_value"
    assert after(progress, [stand], typed, typed).current == 1


# -- a dropdown a script draws -------------------------------------------------------------------------------

DD = 'Choose 5ft 10in from the dropdown, then click the button labeled "No".'


def test_a_drawn_dropdown_is_opened_by_its_caret_then_its_option_is_clicked() -> None:
    closed = page(el("kb", "input", role="textbox", type="text"), button("y", "Yes"), button("n", "No"),
                  el("car", "b", static=True, name="\u25be"))
    d, _ = _step(DD, closed)
    assert [(a.ref, a.expect.kind if a.expect else None) for a in d.actions] == [("car", "none")]  # never typed
    opened = page(*closed.elements, *(el(f"o{i}", "li", static=True, name=n)
                                     for i, n in enumerate(["5ft 9in", "5ft 10in", "5ft 11in"])))
    hist = [StepRecord(step=1, url=opened.url, decision="open", actions=d.actions)]
    d, _ = _step(DD, opened, hist)
    assert [a.ref for a in d.actions] == ["o1"]


def test_two_carets_are_no_guess() -> None:
    snap = page(button("y", "Yes"), el("c1", "b", static=True, name="\u25be"), el("c2", "b", static=True, name="\u25be"))
    d, _ = _step(DD, snap)
    assert not any(a.ref in {"c1", "c2"} for a in d.actions)

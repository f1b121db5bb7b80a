"""Conditions on an action: reading them from the goal ('buy X when the price is below $5', 'click Roll until
the number is odd', 'generate a number less than 5'), finding the number they read on a snapshot, judging it,
and grounding / verifying a guarded intent (no browser needed)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from browserflow.contracts import Action, CheckGoalInput, DecideInput, Element, PageSnapshot
from browserflow.plan.compiler import compile_goal
from browserflow.plan.conditions import holds, page_number, read_condition, reading
from browserflow.plan.decide import decide_plan
from browserflow.plan.model import Condition, PlanProgress
from browserflow.plan.verify import advance

# -- compiling -----------------------------------------------------------------------------------------------

WHEN = [
    # goal, the button, subject, op, number
    ("Buy ABC stock when the price is less than $60.50.", "Buy", "price", "lt", "60.50"),
    ("Buy ABC stock when the price is below $60.50", "Buy", "price", "lt", "60.50"),
    ("Buy ABC stock once it is under $60.50.", "Buy", "ABC stock", "lt", "60.50"),
    ("Buy ABC stock as soon as the price drops below $60.50.", "Buy", "price", "lt", "60.50"),
    ("Once the price is under $5, buy ABC stock.", "buy", "price", "lt", "5"),
    ("As soon as ABC drops below $60.50, click Buy.", "Buy", "ABC", "lt", "60.50"),
    ("Wait until the price is below $3, then click Buy.", "Buy", "price", "lt", "3"),
    ("Click Sell when the price rises above 1,200.", "Sell", "price", "gt", "1200"),
    ("Press the Buy button when the price is at most $10.", "Buy", "price", "le", "10"),
    ("Click Order when the stock count is at least 3.", "Order", "stock count", "ge", "3"),
]


@pytest.mark.parametrize(("goal", "button", "subject", "op", "number"), WHEN)
def test_a_click_that_waits_on_a_condition(goal: str, button: str, subject: str, op: str, number: str) -> None:
    plan = compile_goal(goal, {})
    assert len(plan.intents) == 1 and not plan.unparsed
    it = plan.intents[0]
    assert it.verb == "click" and it.target.words.lower() == button.lower()
    assert it.when is not None and it.until is None
    assert (it.when.subject, it.when.op, it.when.number) == (subject, op, number)
    assert plan.writes == it.irreversible


UNTIL = [
    ("Generate a number less than 5, then press submit.", "Generate", "number", "lt", "5"),
    ("Generate a number greater than 4, then press submit.", "Generate", "number", "gt", "4"),
    ("Generate an even number, then press submit.", "Generate", "number", "even", None),
    ("Generate an odd number, then press submit.", "Generate", "number", "odd", None),
    ("Roll a number greater than 3 and then submit.", "Roll", "number", "gt", "3"),
    ("Click Generate until the number is less than 5, then press submit.", "Generate", "number", "lt", "5"),
    ("Keep clicking roll until the number shown is greater than 3 and then submit.", "roll", "number shown", "gt",
     "3"),
    ("Press Next until the count is 7, then click Submit.", "Next", "count", "eq", "7"),
]


@pytest.mark.parametrize(("goal", "button", "subject", "op", "number"), UNTIL)
def test_a_click_repeated_until_a_condition(goal: str, button: str, subject: str, op: str, number: str | None) -> None:
    plan = compile_goal(goal, {})
    first, last = plan.intents[0], plan.intents[-1]
    assert not plan.unparsed and len(plan.intents) == 2
    assert first.verb == "click" and first.target.words == button and not first.irreversible
    assert first.until is not None and first.when is None
    assert (first.until.subject, first.until.op, first.until.number) == (subject, op, number)
    assert last.irreversible and last.when is None and last.until is None


NOT_CONDITIONAL = [
    "Click the submit button when you are done.",
    "Select the item under $5.",
    "Enter the number less than 5 in the box.",
    "Click the button below.",
    "Generate a number, then press submit.",
    "Mark the numbers below as odd or even and press submit when done.",
    "Click on the link once.",
    "Find the price of the cheapest flight.",
]


@pytest.mark.parametrize("goal", NOT_CONDITIONAL)
def test_goals_that_state_no_condition_on_a_number(goal: str) -> None:
    plan = compile_goal(goal, {})
    assert all(i.when is None and i.until is None for i in plan.intents)


REFUSED = [
    "Click Submit until the number is 5.",  # a write repeated until something holds
    "Delete the message when the count is above 3.",  # not one click
]


@pytest.mark.parametrize("goal", REFUSED)
def test_a_condition_on_an_action_that_is_not_one_safe_click_is_left_unread(goal: str) -> None:
    plan = compile_goal(goal, {})
    assert [i.verb for i in plan.intents] == ["free"] and plan.unparsed


CONDITIONS = [
    ("the price is less than $60.50", "price", "lt", "60.50"),
    ("the price is lower than or equal to 7", "price", "le", "7"),
    ("the total exceeds 1,000", "total", "gt", "1000"),
    ("the score is no less than -2", "score", "ge", "-2"),
    ("the value equals 3.5", "value", "eq", "3.5"),
    ("the number is 4", "number", "eq", "4"),
    ("the number is not 4", "number", "ne", "4"),
    ("the discount falls under 15%", "discount", "lt", "15"),
    ("the number is odd", "number", "odd", None),
    ("it drops below $5", "ABC", "lt", "5"),
]


@pytest.mark.parametrize(("text", "subject", "op", "number"), CONDITIONS)
def test_reading_a_condition(text: str, subject: str, op: str, number: str | None) -> None:
    c = read_condition(text, "ABC")
    assert c is not None and (c.subject, c.op, c.number) == (subject, op, number)


@pytest.mark.parametrize("text", ["you are done", "the page loads", "the dialog appears", "the price is right",
                                  "the number is big"])
def test_no_condition_without_a_comparison_with_a_number(text: str) -> None:
    assert read_condition(text, "it") is None


# -- judging on a page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("shown", "value"), [("$50.50", "50.50"), ("-4", "-4"), ("1,200", "1200"), ("7%", "7"),
                                             (" 3 ", "3"), ("10 / 10sec", None), ("$undefined0", None), ("-", None),
                                             ("ABC", None), ("", None)])
def test_page_number(shown: str, value: str | None) -> None:
    assert page_number(shown) == (Decimal(value) if value is not None else None)


HOLDS = [
    ("lt", "60.50", "60.40", True), ("lt", "60.50", "60.50", False), ("le", "60.50", "60.50", True),
    ("gt", "4", "5", True), ("gt", "4", "4", False), ("ge", "4", "4", True), ("eq", "3", "3.0", True),
    ("ne", "3", "3", False), ("odd", None, "7", True), ("odd", None, "-5", True), ("odd", None, "4", False),
    ("even", None, "0", True), ("even", None, "-4", True), ("even", None, "2.5", False), ("lt", "5", None, False),
]


@pytest.mark.parametrize(("op", "number", "value", "expected"), HOLDS)
def test_holds(op: str, number: str | None, value: str | None, expected: bool) -> None:
    cond = Condition(subject="x", op=op, number=number)
    assert holds(cond, Decimal(value) if value is not None else None) is expected


def el(ref: str, tag: str = "span", **kw: object) -> Element:
    kw.setdefault("selector", f"#{ref}")
    return Element(ref=ref, tag=tag, **kw)


def button(ref: str, name: str) -> Element:
    return el(ref, "button", role="button", name=name, type="submit")


def snap_of(*elements: Element, text: str) -> PageSnapshot:
    return PageSnapshot(url="http://app.test/", elements=list(elements), text=text, state_hash=text)


GOAL = "Buy ABC stock when the price is less than $60.50."


def stock(price: str) -> PageSnapshot:
    return snap_of(
        el("q", "div", static=True, name=GOAL),
        el("sym", static=True, name="ABC", html_id="stock-symbol"),
        el("price", static=True, name=price, html_id="stock-price"),
        button("buy", "Buy"),
        el("ep", static=True, name="0", html_id="episode-id", context="Episodes done: 0"),
        text=f"{GOAL} Company: ABC Stock price: {price} Buy Episodes done: 0",
    )


def test_the_reading_is_the_number_next_to_the_subject_never_the_goals_own_copy() -> None:
    cond = Condition(subject="price", op="lt", number="60.50")
    found = reading(stock("$61.20"), cond, {"q"})
    assert found is not None and found.ref == "price"
    # named only by the words before it on the page ('Total: 12')
    page = snap_of(el("a", static=True, name="3"), el("b", static=True, name="12"), text="Items: 3 Total: 12")
    got = reading(page, Condition(subject="total", op="gt", number="10"))
    assert got is not None and got.ref == "b"


def test_no_reading_when_no_number_is_named_by_the_subject_or_two_are_equally() -> None:
    cond = Condition(subject="price", op="lt", number="60.50")
    assert reading(snap_of(el("a", static=True, name="0", context="Episodes done: 0"), text="Episodes done: 0"),
                   cond) is None
    two = snap_of(el("a", static=True, name="5", html_id="price-a"), el("b", static=True, name="6",
                  html_id="price-b"), text="5 6")
    assert reading(two, cond) is None


def decide(goal: str, snap: PageSnapshot, progress: PlanProgress | None = None) -> tuple[list[Action], str]:
    progress = progress or PlanProgress.start(compile_goal(goal, {}))
    d = decide_plan(DecideInput(goal=goal, data={}, snapshot=snap, plan=progress))
    return d.actions, d.reason


def test_a_guarded_buy_is_a_watch_paired_with_the_click_whatever_the_price_shown() -> None:
    for price in ("$61.20", "$59.90"):
        actions, reason = decide(GOAL, stock(price))
        assert [a.kind for a in actions] == ["wait", "click"]
        wait, click = actions
        assert click.ref == "buy" and click.irreversible and click.guard is not None
        assert click.guard.selector == "#price" and click.guard.condition.number == "60.50"
        assert wait.guard == click.guard and float(wait.value or 0) > 0
        assert price in reason


def test_a_condition_the_page_does_not_show_is_never_taken_as_met() -> None:
    page = snap_of(el("q", "div", static=True, name=GOAL), button("buy", "Buy"), text=f"{GOAL} Buy")
    actions, _ = decide(GOAL, page)
    assert [a.kind for a in actions] == ["wait"] and actions[0].guard is None  # one look again, no click
    progress = PlanProgress.start(compile_goal(GOAL, {}))
    after = advance(CheckGoalInput(goal=GOAL, snapshot=page, plan=progress, acted=actions, before=page))
    assert after is not None and after.current == 0
    from browserflow.contracts import StepRecord

    rec = StepRecord(step=1, url=page.url, decision="wait", tier="rules", confidence=0.5, actions=actions, ok=True)
    d = decide_plan(DecideInput(goal=GOAL, data={}, snapshot=page, plan=after, history=[rec]))
    assert not d.actions and "cannot find the price" in d.reason


def test_the_buy_intent_is_done_only_after_the_guarded_click_ran() -> None:
    progress = PlanProgress.start(compile_goal(GOAL, {}))
    before = stock("$61.20")
    actions, _ = decide(GOAL, before)
    now = stock("$60.10")
    watched = advance(CheckGoalInput(goal=GOAL, snapshot=now, plan=progress, acted=actions[:1], before=before))
    assert watched is not None and watched.current == 0  # the watch ran out: nothing bought, not done
    bought = advance(CheckGoalInput(goal=GOAL, snapshot=now, plan=progress, acted=actions, before=before))
    assert bought is not None and bought.all_done


GEN = "Generate a number less than 5, then press submit."


def generator(shown: str) -> PageSnapshot:
    return snap_of(
        el("q", "div", static=True, name=GEN),
        el("n", "div", static=True, name=shown, html_id="display-number"),
        button("g", "Generate"), button("s", "Submit"),
        el("ep", static=True, name="0", html_id="episode-id", context="Episodes done: 0"),
        text=f"{GEN} {shown} Generate Submit Episodes done: 0",
    )


def test_generate_until_the_number_holds_then_submit() -> None:
    progress: PlanProgress | None = PlanProgress.start(compile_goal(GEN, {}))
    first = generator("-")
    actions, _ = decide(GEN, first, progress)
    assert [a.ref for a in actions] == ["g"] and not actions[0].irreversible
    seven = generator("7")
    progress = advance(CheckGoalInput(goal=GEN, snapshot=seven, plan=progress, acted=actions, before=first))
    assert progress is not None and progress.current == 0  # 7 is not less than 5: generate again
    actions, _ = decide(GEN, seven, progress)
    assert [a.ref for a in actions] == ["g"]
    three = generator("3")
    progress = advance(CheckGoalInput(goal=GEN, snapshot=three, plan=progress, acted=actions, before=seven))
    assert progress is not None and progress.current == 1
    assert "'3'" in progress.states[0].evidence
    actions, _ = decide(GEN, three, progress)
    assert [a.ref for a in actions] == ["s"] and actions[0].irreversible


def test_the_page_chrome_number_is_not_the_generated_number() -> None:
    # 'Episodes done: 0' is a number less than 5, but not the number the goal is about
    progress: PlanProgress | None = PlanProgress.start(compile_goal(GEN, {}))
    page = generator("-")
    out = advance(CheckGoalInput(goal=GEN, snapshot=page, plan=progress, acted=[], before=page))
    assert out is not None and out.current == 0


def test_guarded_actions_describe_their_condition() -> None:
    actions, _ = decide(GOAL, stock("$61.20"))
    assert actions[0].describe() == "wait up to 4 s until price < 60.50"
    assert actions[1].describe() == "click 'Buy' once price < 60.50"
    plan = compile_goal(GOAL, {})
    assert plan.intents[0].describe() == "click 'Buy' when price < 60.50"


# -- marking each number by its class ------------------------------------------------------------------------

MARK = "Mark the numbers below as odd or even and press submit when done."


def rows(*numbers: str) -> PageSnapshot:
    els: list[Element] = [el("q", "div", static=True, name=MARK)]
    for i, n in enumerate(numbers, 1):
        row = f"#numbers > div:nth-of-type({i})"
        els += [el(f"o{i}", "button", role="button", name="Odd", selector=f"{row} > span:nth-of-type(1) > button"),
                el(f"n{i}", "div", static=True, name=n, selector=f"{row} > span:nth-of-type(2) > div"),
                el(f"e{i}", "button", role="button", name="Even", selector=f"{row} > span:nth-of-type(3) > button")]
    els += [button("s", "Submit"), el("ep", static=True, name="0", selector="#episode-id")]
    return snap_of(*els, text=f"{MARK} " + " ".join(f"Odd {n} Even" for n in numbers) + " Submit Episodes done: 0")


@pytest.mark.parametrize(("goal", "kind"), [
    (MARK, "parity"),
    ("Label each of the numbers as even or odd.", "parity"),
    ("Classify the values shown as positive or negative, then click Submit.", "sign"),
])
def test_marking_numbers_by_a_class_the_rules_compute(goal: str, kind: str) -> None:
    plan = compile_goal(goal, {})
    first = plan.intents[0]
    assert first.verb == "click" and not first.irreversible and not plan.unparsed
    assert [c.text for c in first.constraints if c.kind == "classify"] == [kind]


@pytest.mark.parametrize("goal", ["Mark the numbers below as red or blue.", "Mark the email as read."])
def test_classes_the_rules_cannot_compute_are_not_read_as_marking(goal: str) -> None:
    plan = compile_goal(goal, {})
    assert not any(c.kind == "classify" for i in plan.intents for c in i.constraints)


def test_each_number_gets_the_control_of_its_own_class_in_its_own_row_then_submit() -> None:
    snap = rows("-5", "-4", "7")
    progress: PlanProgress | None = PlanProgress.start(compile_goal(MARK, {}))
    actions, _ = decide(MARK, snap, progress)
    assert [a.ref for a in actions] == ["o1", "e2", "o3"] and not any(a.irreversible for a in actions)
    progress = advance(CheckGoalInput(goal=MARK, snapshot=snap, plan=progress, acted=actions, before=snap))
    assert progress is not None and progress.current == 1
    actions, _ = decide(MARK, snap, progress)
    assert [a.ref for a in actions] == ["s"]


def test_a_listed_number_without_its_control_is_no_guess() -> None:
    snap = rows("3", "8")
    snap = snap.model_copy(update={"elements": [e for e in snap.elements if e.ref != "e2"]})
    actions, reason = decide(MARK, snap)
    assert not actions and "'8'" in reason

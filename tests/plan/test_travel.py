"""A trip in one phrase (from / to / date, then Search, then the best result), type-ahead suggestions, and the
menu opened by its one opener glyph."""

from __future__ import annotations

import pytest

from browserflow.contracts import Action, DecideInput, Element, StepRecord
from browserflow.plan.compiler import compile_goal
from browserflow.plan.decide import decide_plan
from browserflow.plan.superlative import choose_best
from browserflow.plan.typeahead import pick_suggestion, suggests
from tests.plan.test_ground import after, button, decide, el, page

# -- compiling the trip -----------------------------------------------------------------------------------


def _plan(goal: str) -> list[tuple[str, str, str | None]]:
    out: list[tuple[str, str, str | None]] = []
    for it in compile_goal(goal, {}).intents:
        value = it.value.literal if it.value is not None else it.best
        out.append((it.verb, it.target.words, value))
    return out


@pytest.mark.parametrize(
    ("goal", "want"),
    [
        (
            "Book the shortest one-way flight from: Sitka, AK to: Hoonah, AK on 10/14/2016.",
            [
                ("fill", "from", "Sitka, AK"),
                ("fill", "to", "Hoonah, AK"),
                ("fill", "date", "10/14/2016"),
                ("click", "search", None),
                ("create", "one-way flight", "min duration"),
            ],
        ),
        (
            "Book the cheapest one-way flight from: Anvik, AK to: MOT on 12/23/2016.",
            [
                ("fill", "from", "Anvik, AK"),
                ("fill", "to", "MOT"),
                ("fill", "date", "12/23/2016"),
                ("click", "search", None),
                ("create", "one-way flight", "min price"),
            ],
        ),
        (
            "Buy a train ticket from Paris to Lyon departing on 3/4/2025",
            [
                ("fill", "from", "Paris"),
                ("fill", "to", "Lyon"),
                ("fill", "date", "3/4/2025"),
                ("click", "search", None),
                ("create", "train ticket", None),
            ],
        ),
        (
            "Reserve the cheapest bus from Boston to New York",
            [
                ("fill", "from", "Boston"),
                ("fill", "to", "New York"),
                ("click", "search", None),
                ("create", "bus", "min price"),
            ],
        ),
    ],
)
def test_a_trip_reads_as_the_search_form_then_the_item(goal: str, want: list[tuple[str, str, str | None]]) -> None:
    assert _plan(goal) == want


def test_the_superlative_is_the_chosen_items_and_the_date_is_a_date() -> None:
    intents = compile_goal("Book the cheapest flight from: A to: B on 10/14/2016.", {}).intents
    assert [it.best for it in intents] == [None, None, None, None, "min price"]
    assert intents[2].value is not None and intents[2].value.transform == "date"
    assert intents[-1].irreversible and not any(it.irreversible for it in intents[:3])


@pytest.mark.parametrize(
    ("goal", "verbs"),
    [
        ("Add a redirect from /old/ to /new/", ["create"]),  # a record with two ends, not a trip
        ("Create a user from Berlin", ["create"]),
        ("Book a meeting room from 9 to 10", ["create"]),  # no travel noun, no 'from:' form
        ("Book a flight from Paris to Lyon on Delta", ["create"]),  # 'on Delta' is no day: not read as a trip
    ],
)
def test_what_is_not_a_trip_stays_what_it_was(goal: str, verbs: list[str]) -> None:
    assert [it.verb for it in compile_goal(goal, {}).intents] == verbs


# -- grounding the trip -----------------------------------------------------------------------------------


def _typeahead(ref: str, label: str, value: str = "") -> Element:
    return el(
        ref,
        "input",
        role="textbox",
        type="text",
        placeholder=label,
        name=label,
        autocomplete="off",
        value=value,
        filled=bool(value),
    )


SEARCH = page(
    _typeahead("from", "From:"),
    _typeahead("to", "To:"),
    el("date", "input", role="textbox", type="text", context="Departure Date", readonly=True),
    button("go", "Search"),
)
GOAL = "Book the cheapest one-way flight from: Sitka, AK to: MOT on 10/14/2016."


def test_typing_into_a_type_ahead_field_ends_the_step() -> None:
    d, _ = decide(GOAL, SEARCH)
    assert [(a.kind, a.ref, a.value) for a in d.actions] == [("fill", "from", "Sitka, AK")]


def test_the_typed_value_takes_its_one_suggestion_then_the_next_field_is_typed() -> None:
    d, progress = decide(GOAL, SEARCH)
    shown = page(
        _typeahead("from", "From:", "Sitka, AK"),
        _typeahead("to", "To:"),
        SEARCH.elements[2],
        SEARCH.elements[3],
        el("s1", "div", static=True, floating=True, name="Sitka, AK (SIT)"),
    )
    progress = after(progress, d.actions, SEARCH, shown)
    rec = StepRecord(step=1, url=shown.url, decision="fill", actions=d.actions)
    pick = decide_plan(DecideInput(goal=GOAL, data={}, snapshot=shown, plan=progress, history=[rec]))
    assert [(a.kind, a.ref) for a in pick.actions] == [("click", "s1")]
    picked = page(_typeahead("from", "From:", "Sitka, AK (SIT)"), *shown.elements[1:4])
    progress = after(progress, pick.actions, shown, picked)
    rec2 = StepRecord(step=2, url=shown.url, decision="pick", actions=pick.actions)
    nxt = decide_plan(DecideInput(goal=GOAL, data={}, snapshot=picked, plan=progress, history=[rec, rec2]))
    assert [(a.kind, a.ref, a.value) for a in nxt.actions] == [("fill", "to", "MOT")]


def _typed(value: str, ref: str = "f", key: str | None = None) -> StepRecord:
    act = Action(kind="fill", ref=ref, selector=f"#{ref}", value=value, data_key=key, intent=0)
    return StepRecord(step=1, url="http://app.test/", decision="fill", actions=[act])


@pytest.mark.parametrize(
    ("typed", "field_value", "entries", "want"),
    [
        ("Sitka, AK", "Sitka, AK", ["Sitka, AK (SIT)", "Hoonah, AK (HNH)"], "Sitka, AK (SIT)"),
        ("MOT", "MOT", ["Minot, ND (MOT)", "Remote, OR (RMT)"], "Minot, ND (MOT)"),  # whole words only
        ("LEX", "LEX", ["Lexington, KY (LEX)"], "Lexington, KY (LEX)"),
        ("HIB", "HIB", ["Chisholm/Hibbing, MN (HIB)", "Hibbing/Chisholm, MN (HIB)"], "Chisholm/Hibbing, MN (HIB)"),
        ("Portland", "Portland", ["Portland, ME (PWM)", "Portland, OR (PDX)"], None),  # two places: no pick
        ("Sitka, AK", "Sitka, AK (SIT)", ["Sitka, AK (SIT)"], None),  # already taken
        ("Paris", "Paris", ["Lyon (LYS)"], None),  # nothing shows it
    ],
)
def test_the_one_suggestion_that_shows_the_typed_value(
    typed: str, field_value: str, entries: list[str], want: str | None
) -> None:
    shown = [el(f"s{i}", "div", static=True, floating=True, name=n) for i, n in enumerate(entries)]
    snap = page(_typeahead("f", "From:", field_value), *shown)
    inp = DecideInput(goal="g", data={}, snapshot=snap, history=[_typed(typed)])
    got = pick_suggestion(inp, snap, set())
    assert (next(e.name for e in shown if e.ref == got[0].ref) if got else None) == want


def test_a_secret_or_a_plain_field_takes_no_suggestion() -> None:
    snap = page(_typeahead("f", "From:", "Sitka"), el("s", "div", static=True, floating=True, name="Sitka, AK (SIT)"))
    secret = DecideInput(goal="g", data={}, snapshot=snap, history=[_typed("Sitka", key="password")])
    assert pick_suggestion(secret, snap, set()) is None
    plain = page(el("f", "input", role="textbox", type="text", name="From", value="Sitka"), snap.elements[1])
    assert not suggests(plain.elements[0])
    assert (
        pick_suggestion(DecideInput(goal="g", data={}, snapshot=plain, history=[_typed("Sitka")]), plain, set()) is None
    )


def test_the_price_on_the_control_itself_is_read_before_its_items_text() -> None:
    flights = [
        el(
            f"b{i}",
            "button",
            role="button",
            name=f"Book flight for ${p}",
            context=f"Depart: 3:23 PM Fri Dec 23 2016 Anvik, AK (ANV) Duration: {h}h 5m",
        )
        for i, (p, h) in enumerate([(523, 3), (65, 9), (880, 1)])
    ]
    assert choose_best("min price", flights)[0] == flights[1]
    assert choose_best("min duration", flights)[0] == flights[2]


# -- the menu opened by its one opener ----------------------------------------------------------------------


def test_expanding_a_menu_no_control_names_clicks_its_one_opener_then_the_item() -> None:
    goal = 'Expand the pie menu below and click on the item labeled "e".'
    closed = page(el("q", "div", static=True, name=goal), el("plus", "tspan", static=True, name="+"))
    d, progress = decide(goal, closed)
    assert [a.ref for a in d.actions] == ["plus"]
    opened = page(
        closed.elements[0],
        el("minus", "tspan", static=True, name="-"),
        el("i1", "tspan", static=True, name="f"),
        el("i2", "tspan", static=True, name="e"),
    )
    progress = after(progress, d.actions, closed, opened)
    d2, _ = decide(goal, opened, plan=progress)
    assert [a.ref for a in d2.actions] == ["i2"]


def test_two_openers_are_no_guess() -> None:
    snap = page(el("a", "span", static=True, name="+"), el("b", "span", static=True, name="+"))
    d, _ = decide("Expand the pie menu below.", snap)
    assert not d.actions


def test_a_text_of_the_page_itself_or_a_field_left_is_no_suggestion() -> None:
    listed = page(_typeahead("f", "Search", "laptop"), el("c", "a", role="link", name="Laptop", href="/laptops"))
    inp = DecideInput(goal="g", data={}, snapshot=listed, history=[_typed("laptop")])
    assert pick_suggestion(inp, listed, set()) is None  # a category link in the page, not laid over it
    left = page(
        _typeahead("f", "From:", "Sitka"),
        el("s", "div", static=True, floating=True, name="Sitka (SIT)"),
        el("g", "input", role="textbox", type="text", name="To"),
    )
    left = left.model_copy(update={"active": "g"})
    inp = DecideInput(goal="g", data={}, snapshot=left, history=[_typed("Sitka")])
    assert pick_suggestion(inp, left, set()) is None


def test_a_plus_in_a_form_steps_a_quantity_and_is_no_menu_opener() -> None:
    snap = page(el("q", "div", static=True, name="Cart"), button("inc", "+", form=0))
    d, _ = decide("Expand the details menu.", snap)
    assert not d.actions

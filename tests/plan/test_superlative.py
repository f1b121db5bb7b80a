"""'The cheapest ticket': one of the listed items, chosen by the number each shows; all or nothing."""

from __future__ import annotations

import pytest

from browserflow.contracts import Element
from browserflow.plan.compiler import compile_goal
from browserflow.plan.superlative import choose_best, read_best
from tests.plan.test_ground import decide, el, page


@pytest.mark.parametrize(("clause", "rest", "best"), [
    ("Buy the ticket with the longest duration", "Buy the ticket", "max duration"),
    ("Buy the ticket with the cheapest cost", "Buy the ticket", "min price"),
    ("Buy the ticket with the most expensive cost", "Buy the ticket", "max price"),
    ("Book the cheapest one-way flight to LEX", "Book the one-way flight to LEX", "min price"),
    ("Book the shortest flight", "Book the flight", "min duration"),
    ("Buy the ticket", "Buy the ticket", None),
    ("Set the highest priority", "Set the priority", "max number"),
])
def test_reading_the_superlative(clause: str, rest: str, best: str | None) -> None:
    assert read_best(clause) == (rest, best)


def test_the_superlative_travels_as_a_constraint_and_the_intent_keeps_the_goals_words() -> None:
    (it,) = compile_goal("Buy the ticket with the longest duration.", {}).intents
    assert [(c.kind, c.text) for c in it.constraints] == [("best", "max duration")]
    assert it.text == "Buy the ticket with the longest duration"


def ticket(ref: str, duration: str, price: str) -> Element:
    return el(ref, "button", role="button", name=f"Book for {price}", type="submit",
              context=f"Duration: {duration} Book for {price}")


TICKETS = page(ticket("a", "9h 38m", "$665"), ticket("b", "5h 4m", "$611"), ticket("c", "10h 16m", "$1,031"),
               ticket("d", "2h 2m", "$1238"))


@pytest.mark.parametrize(("goal", "ref"), [
    ("Buy the ticket with the longest duration.", "c"),
    ("Buy the ticket with the shortest duration.", "d"),
    ("Buy the ticket with the cheapest cost.", "b"),
    ("Buy the ticket with the most expensive cost.", "d"),
])
def test_the_best_item_is_clicked_once(goal: str, ref: str) -> None:
    d, _ = decide(goal, TICKETS)
    assert [a.ref for a in d.actions] == [ref]
    assert d.actions[0].irreversible


def test_a_tie_or_an_item_without_its_number_is_no_choice() -> None:
    tie = page(ticket("a", "2h 0m", "$100"), ticket("b", "3h 0m", "$100"))
    d, _ = decide("Buy the cheapest ticket.", tie)
    assert not d.actions and "share" in d.reason
    blank = page(ticket("a", "2h 0m", "$100"), el("b", "button", role="button", name="Book", context="Call us"))
    d, _ = decide("Buy the cheapest ticket.", blank)
    assert not d.actions


def test_one_item_is_nothing_to_compare() -> None:
    assert choose_best("min price", [ticket("a", "1h", "$5")])[0] is None


def test_a_choice_already_made_is_not_made_again_when_its_effect_is_not_seen() -> None:
    from browserflow.contracts import StepRecord

    goal = "Buy the ticket with the longest duration."
    d, progress = decide(goal, TICKETS)
    ran = StepRecord(step=1, url=TICKETS.url, decision="click", actions=d.actions)
    from browserflow.contracts import DecideInput
    from browserflow.plan.decide import decide_plan

    again = decide_plan(DecideInput(goal=goal, data={}, snapshot=TICKETS, plan=progress, history=[ran]))
    assert not again.actions and "not choosing again" in again.reason

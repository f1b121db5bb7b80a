"""The goal signature rule (no database involved)."""

from __future__ import annotations

import pytest

from browserflow.store import goal_signature, goal_template

SWIM = {"student_name": "Eden", "class_id": "Tuesday evening swim"}


def test_the_example_of_the_rule() -> None:
    eden = goal_signature("Register Eden for the Tuesday evening swim class", SWIM)
    noa = goal_signature("Register Noa for the Tuesday evening swim class", {**SWIM, "student_name": "Noa"})
    assert eden == noa
    assert len(eden) == 32 and int(eden, 16) >= 0
    assert goal_template("Register Eden for the Tuesday evening swim class", SWIM) == (
        "register {student_name} for the {class_id} class"
    )


@pytest.mark.parametrize(
    ("goal_a", "data_a", "goal_b", "data_b"),
    [
        # case, punctuation and spacing do not matter
        ("Register Eden!", {"n": "Eden"}, "  register   EDEN ", {"n": "eden"}),
        # digits are not part of the signature
        ("Book 2 tickets for 2026-05-01", {}, "Book 3 tickets for 2027-01-12", {}),
        # a longer value wins over a shorter value inside it
        (
            "Enrol Ann Lee in Ann's class",
            {"full": "Ann Lee", "first": "Ann"},
            "Enrol Bo Kim in Bo's class",
            {"full": "Bo Kim", "first": "Bo"},
        ),
        # keys only: the same as giving values that are not in the goal
        ("Register the student", ["student_name"], "Register the student", {"student_name": "Eden"}),
    ],
)
def test_same_signature(goal_a: str, data_a: object, goal_b: str, data_b: object) -> None:
    assert goal_signature(goal_a, data_a) == goal_signature(goal_b, data_b)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("goal_a", "data_a", "goal_b", "data_b"),
    [
        # other words: another goal
        ("Register Eden for swimming", {"n": "Eden"}, "Cancel Eden's swimming", {"n": "Eden"}),
        # other data keys: a path needs the keys it was learned with
        ("Register Eden", {"n": "Eden"}, "Register Eden", {"name": "Eden"}),
        ("Register the student", {"n": "Eden"}, "Register the student", {"n": "Eden", "email": "e@x.test"}),
        # a value matches only as whole words
        ("Register Edena", {"n": "Eden"}, "Register Noa", {"n": "Noa"}),
    ],
)
def test_different_signature(goal_a: str, data_a: object, goal_b: str, data_b: object) -> None:
    assert goal_signature(goal_a, data_a) != goal_signature(goal_b, data_b)  # type: ignore[arg-type]


def test_secret_references_are_never_matched_and_values_never_kept() -> None:
    template = goal_template("Log in as eden with env:PW", {"user": "eden", "pw": "env:PW"})
    assert template == "log in as {user} with env pw"
    assert "eden" not in goal_template("Write to Eden about the class", {"to": "Eden"})


def test_no_data() -> None:
    assert goal_signature("Find the opening hours") == goal_signature("find the opening hours.", None)
    assert goal_template("Find the opening hours, 9-17!") == "find the opening hours"

"""The math-problem reader: arithmetic and linear equations in one unknown, never anything else."""

from __future__ import annotations

import pytest

from browserflow.plan.arith import solve


@pytest.mark.parametrize(
    ("problem", "answer"),
    [
        ("0 + 0 =", "0"), ("7 + 3 * 2 =", "13"), ("(7 + 3) * 2 =", "20"), ("12 / 5 =", "2.4"), ("9 - 12 =", "-3"),
        ("5 \u2212 7 =", "-2"), ("6 \u00d7 7 =", "42"), ("8 \u00f7 2 =", "4"), ("0 + x = 8", "8"), ("x - 5 = 2", "7"),
        ("3 * x = 12", "4"), ("-4 + x = -9", "-5"), ("y / 2 = 3", "6"), ("= 4 + 4", "8"), ("2 + 2 = ?", "4"),
        ("7 x 6 =", "42"), ("3 X 9 =", "27"), ("3x = 12", "4"), ("x * 3 = 9", "3"),
    ],
)
def test_answers(problem: str, answer: str) -> None:
    assert solve(problem) == answer


@pytest.mark.parametrize(
    "text",
    ["", "hello", "x + y = 3", "x * x = 4", "1 / 0 =", "__import__('os') =", "2 ** 10 =", "3 + =", "x = x",
     "Solve the math problem and type your answer", "1 + 1 = 2 = 3", "9" * 200, "0", "12", "-", "15 / 15sec",
     "10 / 10s"],
)
def test_what_is_not_a_problem_has_no_answer(text: str) -> None:
    assert solve(text) is None

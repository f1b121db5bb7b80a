"""Properties of the goal compiler over every goal of the tables: secrets never copied, deterministic, fast,
and the reader itself never raises (the fallback is not what keeps it from failing)."""

from __future__ import annotations

import random
import time

import pytest

from browserflow.plan.compiler import _compile, compile_goal
from browserflow.plan.model import GoalPlan
from tests.plan.expect import variants
from tests.plan.test_compiler_apps import NON_WRITES, NONSENSE
from tests.plan.test_compiler_apps import TABLE as APP_TABLE
from tests.plan.test_compiler_miniwob import TABLE as MINIWOB_TABLE
from tests.plan.test_compiler_records import TABLE as RECORD_TABLE

SECRETS = {"password": "env:SECRET_PW", "api_token": "s3cr3t-Token-991", "username": "alice-private-77",
           "card_number": "4111 1111 1111 1111", "otp": "env:OTP_CODE"}

CASES: list[tuple[str, dict[str, str]]] = (
    [(v, {**SECRETS, **data}) for g, data, _, _ in APP_TABLE + RECORD_TABLE for v in variants(g)]
    + [(v, SECRETS) for g, _, _ in MINIWOB_TABLE for v in variants(g)]
    + [(g, SECRETS) for g in NON_WRITES + NONSENSE]
)


def test_tables_are_several_hundred_goals() -> None:
    assert len(CASES) >= 600


@pytest.mark.parametrize(("goal", "data"), CASES[::3])
def test_no_data_value_is_copied(goal: str, data: dict[str, str]) -> None:
    dumped = compile_goal(goal, data).model_dump_json()
    for key, value in data.items():
        if value.lower() in goal.lower():
            continue  # the goal itself spelled it: the plan may quote the goal
        assert value not in dumped, f"data.{key} leaked into the plan of {goal!r}"


def test_no_data_value_is_copied_anywhere() -> None:
    leaks = []
    for goal, data in CASES:
        dumped = compile_goal(goal, data).model_dump_json()
        leaks += [(goal, k) for k, v in data.items() if v.lower() not in goal.lower() and v in dumped]
    assert leaks == []


def test_data_keys_name_only_known_or_braced_keys() -> None:
    for goal, data in CASES:
        plan = compile_goal(goal, data)
        for key in plan.data_keys:
            assert key in data or "{" + key + "}" in goal, (goal, key)


def test_deterministic() -> None:
    for goal, data in CASES[::5]:
        assert compile_goal(goal, data).model_dump_json() == compile_goal(goal, dict(data)).model_dump_json()


def test_reader_never_needs_the_fallback() -> None:
    for goal, data in CASES:
        assert isinstance(_compile(goal, data), GoalPlan), goal


def test_fast() -> None:
    goals = [(g, d) for g, d in CASES]
    start = time.perf_counter()
    for goal, data in goals:
        compile_goal(goal, data)
    mean_ms = (time.perf_counter() - start) * 1000 / len(goals)
    assert mean_ms < 2.0, f"{mean_ms:.3f} ms a goal"


_WORDS = ["click", "enter", "select", "the", "and", "then", ",", ".", '"', "'", "button", "into", "from", "to", "after",
          "before", "log in", "delete", "all", "only", "do not", "#2", "3rd", "last", "{email}", "with", "as", "for",
          "in the dialog", "Submit", "x", "field", "remove", "add", "check", "by clicking", "use", "without", "\u201c"]


@pytest.mark.parametrize("seed", range(40))
def test_fuzz_never_raises(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        goal = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 14)))
        plan = _compile(goal, {"email": "e@example.org", "password": "env:P"})
        assert plan.intents, goal
        assert "e@example.org" not in plan.model_dump_json() or "e@example.org" in goal


_CORPUS = [line.strip() for line in (__import__("pathlib").Path(__file__).parent / "miniwob_utterances.txt").read_text(
    encoding="utf-8").splitlines() if line.strip()]


def test_real_miniwob_utterances_compile() -> None:
    """Every distinct utterance of the MiniWoB++ dump (seeds < 10000) reads without the fallback, and a plan
    that writes always names the write (an irreversible intent)."""
    assert len(_CORPUS) >= 50
    for goal in _CORPUS:
        plan = _compile(goal, {})
        assert plan.intents, goal
        assert plan.writes == any(i.irreversible for i in plan.intents), goal

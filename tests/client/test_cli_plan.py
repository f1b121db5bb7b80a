"""``browserflow status`` / ``steps``: the current intent, the plan's lines and each action's provenance."""

from __future__ import annotations

import pytest

from browserflow.contracts import Action, StepLog, StepRecord, TaskProgress, TaskStatus
from client.cli import _print_progress, _print_steps, build_parser

PLAN = [
    "[x] 1. navigate 'Class schedule' link — the address moved to /schedule",
    "[>] 2. type 'Last name' textbox <- data.last_name",
    "[ ] 3. submit 'Register' button",
]


def test_status_prints_the_intent_and_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    progress = TaskProgress(
        task_id="t-1",
        status=TaskStatus.RUNNING,
        step=2,
        max_steps=20,
        percent=10.0,
        url="http://pool.test/register",
        last_action="click 'Class schedule'",
        detail="intent 2/3: type 'Last name' textbox <- data.last_name | step 2/20: click 'Class schedule'",
        intent="intent 2/3: type 'Last name' textbox <- data.last_name",
        plan=PLAN,
    )
    _print_progress(progress)
    out = capsys.readouterr().out
    assert "status:   running  step 2/20 (10%)" in out
    assert "intent:   intent 2/3: type 'Last name' textbox <- data.last_name\n" in out
    assert out.endswith("plan:\n" + "".join(f"  {line}\n" for line in PLAN))


def test_status_without_a_plan_prints_no_plan(capsys: pytest.CaptureFixture[str]) -> None:
    _print_progress(TaskProgress(task_id="t-2", status=TaskStatus.SUCCEEDED, detail="goal reached"))
    out = capsys.readouterr().out
    assert "intent:" not in out and "plan:" not in out and "detail:   goal reached" in out


def test_status_and_steps_take_json() -> None:
    parser = build_parser()
    assert parser.parse_args(["status", "t-1", "--json"]).json is True
    assert parser.parse_args(["status", "t-1"]).json is False


def test_steps_print_each_action_with_its_provenance(capsys: pytest.CaptureFixture[str]) -> None:
    actions = [
        Action(
            kind="fill",
            selector="#last",
            label="Last name",
            value="Levi",
            data_key="last_name",
            intent=1,
            provenance="data.last_name",
        ),
        Action(
            kind="fill",
            selector="#first",
            label="First name",
            value="Jerald",
            intent=1,
            provenance='goal literal "Jerald"',
        ),
        Action(kind="fill", selector="#email", label="Email", value="env:EMAIL", data_key="email"),
        Action(kind="click", selector="text=Register", label="Register", irreversible=True, intent=2),
    ]
    _print_steps(
        StepLog(
            task_id="t-1",
            steps=[
                StepRecord(
                    step=3,
                    url="http://pool.test/register",
                    decision="fill 3 fields, click 'Register'",
                    tier="rules",
                    actions=actions,
                )
            ],
        )
    )
    out = capsys.readouterr().out
    lines = [line.strip() for line in out.splitlines()]
    assert "- fill 'Last name' <- data.last_name  [intent 2]" in lines
    assert "- fill 'First name' <- goal literal \"Jerald\"  [intent 2]" in lines
    assert "- fill 'Email' <- data.email" in lines  # no plan intent: the data key still names the source
    assert "- click 'Register'  [intent 3]" in lines
    assert "Levi" not in out and "env:EMAIL" not in out  # values (and secret references) are never printed

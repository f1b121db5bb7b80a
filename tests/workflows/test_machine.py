"""The task's state machine as plain functions: no Temporal, no browser (``workflows/machine.py``,
``workflows/state.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from browserflow.contracts import (
    ActionOutcome,
    CachedPath,
    Decision,
    ErrorInfo,
    GoalCheck,
    ReviewResponse,
    TaskRequest,
    TaskStatus,
)
from browserflow.plan.model import GoalPlan, Intent, PlanProgress
from browserflow.plan.verify import INSTRUCTED
from tests.workflows.fakes import DONE, HOME, click, decision, page
from workflows import machine
from workflows.machine import Acted, AskPerson, Continue, End, Held, Rebuild
from workflows.state import Ending, TaskState, finish_input, progress, result

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def state(**changes: Any) -> TaskState:
    request = TaskRequest.model_validate(
        {"goal": "Order one blue mug", "start_url": HOME, "success_text": "Thanks", "max_steps": 4, **changes}
    )
    s = TaskState.start(request, NOW)
    machine.take_page(s, page(HOME))
    return s


def acted(
    s: TaskState, d: Decision, after: str | None = None, error: ErrorInfo | None = None, same: str | None = None
) -> Acted:
    actions = machine.begin_step(s, d)
    assert s.snapshot is not None
    outcome = None
    if after is not None:
        outcome = ActionOutcome(ok=True, url=after, snapshot=page(after, same), storage_state={"cookies": []})
    return Acted(decision=d, actions=actions, before=s.snapshot, outcome=outcome, error=error)


# -- next_decision -------------------------------------------------------------------------------------------


def test_a_reviewers_order_comes_first_then_the_cached_path_then_the_deciders() -> None:
    s = state()
    s.cache = CachedPath(signature="sig", steps=[[click("Mugs")]])
    s.replay = [[click("Mugs")]]
    s.forced = decision(click("checkout"), tier="human")
    first = machine.next_decision(s)
    assert first is not None and first.tier == "human" and s.forced is None
    second = machine.next_decision(s)
    assert second is not None and second.tier == "cache" and second.actions[0].label == "Mugs"
    assert not s.cache_broken
    assert machine.next_decision(s) is None  # the deciders; the path ran out before the goal: it heals
    assert s.cache_broken


# -- gate and settle ------------------------------------------------------------------------------------------


def test_the_gate_holds_what_a_person_must_see() -> None:
    submit = decision(click("Pay", irreversible=True))
    assert machine.gate(state(review_policy="on_escalation"), submit) is None
    held = machine.gate(state(review_policy="before_irreversible"), submit)
    assert held is not None and held.reason == "before_irreversible"
    assert machine.gate(state(review_policy="always"), decision(click("a"), tier="human")) is None
    unsure = machine.gate(state(), decision(click("Delete"), review_reason="unsure_write"))
    assert unsure is not None and unsure.reason == "unsure_write"
    assert machine.gate(state(), Decision()) == Held(
        decision=Decision(), reason="cannot_proceed", why="no decider could say what to do next"
    )


def test_a_held_empty_decision_without_review_is_stuck() -> None:
    s = state(review_policy="never")
    verdict = machine.settle(s, Held(decision=Decision(), reason="cannot_proceed", why="nothing"))
    assert isinstance(verdict, End) and verdict.ending.status == TaskStatus.STUCK
    asked = machine.settle(state(), Held(decision=Decision(), reason="cannot_proceed", why="nothing"))
    assert isinstance(asked, AskPerson) and asked.then == "act"


def test_a_step_that_changed_the_page_continues_and_keeps_a_checkpoint() -> None:
    s = state()
    s.failed = [click("old")]
    verdict = machine.settle(s, acted(s, decision(click("Mugs")), after=f"{HOME}mugs"))
    assert verdict == Continue()
    assert s.step == 1 and s.url == f"{HOME}mugs" and s.failed == []
    assert s.checkpoint is not None and s.checkpoint.url == f"{HOME}mugs"
    assert s.steps[0].ok and s.acted[0].id == "1.0"
    assert s.hashes == [HOME, f"{HOME}mugs"]


def test_a_lost_session_rebuilds_and_an_irreversible_step_is_uncertain() -> None:
    lost = ErrorInfo(type="SessionNotFound", message="gone")
    s = state()
    verdict = machine.settle(s, acted(s, decision(click("next")), error=lost))
    assert verdict == Rebuild(why="gone", summary="click 'next'")
    s = state()
    timed_out = ErrorInfo(type="Timeout.HEARTBEAT", message="no heartbeat")
    verdict = machine.settle(s, acted(s, decision(click("Pay", irreversible=True)), error=timed_out))
    assert isinstance(verdict, Rebuild) and verdict.uncertain is not None
    ask = machine.after_rebuild(s, verdict, GoalCheck(met=False))
    assert isinstance(ask, AskPerson) and ask.reason == "uncertain_submission" and not ask.allowed_without_review
    assert machine.after_rebuild(s, verdict, GoalCheck(met=True)) == Continue()


def test_three_identical_pages_are_a_loop() -> None:
    s = state(review_policy="never")
    machine.take_page(s, page(HOME, "h"))
    assert machine.settle(s, acted(s, decision(click("x")), after=HOME, same="h")) == Continue()
    verdict = machine.settle(s, acted(s, decision(click("x")), after=HOME, same="h"))
    assert isinstance(verdict, End) and verdict.ending.status == TaskStatus.LOOP_DETECTED
    asked = state(review_policy="on_escalation")
    machine.take_page(asked, page(HOME, "h"))
    machine.settle(asked, acted(asked, decision(click("x")), after=HOME, same="h"))
    ask = machine.settle(asked, acted(asked, decision(click("x")), after=HOME, same="h"))
    assert isinstance(ask, AskPerson) and ask.reason == "loop_detected" and ask.then == "force"


def test_a_cached_step_the_page_ignored_is_a_mismatch_and_the_path_breaks() -> None:
    s = state()
    s.cache = CachedPath(signature="sig", steps=[[click("a")], [click("b")]])
    s.replay = [[click("b")]]
    verdict = machine.settle(s, acted(s, decision(click("a"), tier="cache"), after=HOME))
    assert verdict == Continue() and s.cache_broken and s.replay == []
    assert s.steps[0].error is not None and s.steps[0].error.type == machine.CACHE_MISMATCH


def test_settle_check_ends_on_the_goal_or_the_step_limit() -> None:
    s = state()
    met = machine.settle_check(s, GoalCheck(met=True, reason="thanks shown", result_data={"n": "1"}))
    assert met is not None and met.ending == Ending(
        status=TaskStatus.SUCCEEDED, reason="goal reached: thanks shown", result_data={"n": "1"}
    )
    assert machine.settle_check(s, GoalCheck(met=False)) is None
    s.step = 4
    spent = machine.settle_check(s, GoalCheck(met=False))
    assert spent is not None and spent.ending.status == TaskStatus.MAX_STEPS


# -- answers --------------------------------------------------------------------------------------------------


def test_each_review_verb_as_an_answer() -> None:
    s = state()
    d = decision(click("Pay", irreversible=True))
    assert machine.apply_response(s, ReviewResponse(verb="approve"), d) == d
    assert machine.apply_response(s, ReviewResponse(verb="approve"), Decision()) is None
    rejected = machine.apply_response(s, ReviewResponse(verb="reject", reason="no"), d)
    assert isinstance(rejected, Ending) and rejected.status == TaskStatus.REJECTED
    assert machine.apply_response(s, ReviewResponse(verb="provide_input", values={"colour": "blue"}), d) is None
    assert s.data["colour"] == "blue"
    instructed = machine.apply_response(s, ReviewResponse(verb="instruct", action=click("Blue")), d)
    assert isinstance(instructed, Decision) and instructed.tier == "human"
    assert instructed.actions[0].provenance == INSTRUCTED
    took = machine.apply_response(s, ReviewResponse(verb="take_over", result={"o": "1"}), d)
    assert isinstance(took, Ending) and took.status == TaskStatus.SUCCEEDED and took.result_data == {"o": "1"}


def test_answers_become_verdicts() -> None:
    s = state()
    gate = AskPerson(reason="before_irreversible", why="pay", decision=decision(click("Pay")))
    assert machine.settle_answer(s, gate, gate.decision) == Continue(act=gate.decision)
    assert machine.settle_answer(s, gate, None) == Continue()
    ended = Ending(status=TaskStatus.REJECTED, reason="no")
    assert machine.settle_answer(s, gate, ended) == End(ending=ended)
    loop = AskPerson(reason="loop_detected", why="same page", then="force")
    s.failed = [click("x")]
    assert machine.settle_answer(s, loop, decision(click("y"), tier="human"), page(DONE)) == Continue()
    assert s.forced is not None and s.failed == [] and s.hashes == [DONE] and s.snapshot == page(DONE)


def test_nobody_is_asked_under_review_policy_never() -> None:
    ask = AskPerson(reason="before_irreversible", why="pay", decision=decision(click("Pay")))
    assert machine.unattended(state(), ask) is None
    assert machine.unattended(state(review_policy="never"), ask) == ask.decision
    held = ask.model_copy(update={"allowed_without_review": False})
    failed = machine.unattended(state(review_policy="never"), held)
    assert isinstance(failed, Ending) and failed.status == TaskStatus.FAILED


def test_a_review_timeout_approves_only_a_reversible_unheld_step_when_asked() -> None:
    s = state(review_timeout_action="approve", review_timeout=5)
    reversible = AskPerson(reason="review_every_step", why="", decision=decision(click("next")))
    assert machine.timed_out(s, reversible) == reversible.decision
    submit = AskPerson(reason="review_every_step", why="", decision=decision(click("Pay", irreversible=True)))
    ended = machine.timed_out(s, submit)
    assert isinstance(ended, Ending) and ended.status == TaskStatus.REVIEW_TIMEOUT
    uncertain = reversible.model_copy(update={"reason": "uncertain_submission"})
    assert isinstance(machine.timed_out(s, uncertain), Ending)


# -- what people see ------------------------------------------------------------------------------------------


def test_progress_is_a_function_of_the_state() -> None:
    s = state()
    s.step, s.detail, s.site_median = 2, "step 2/4: click 'next'", 50.0
    shown = progress(s, "t1", NOW + timedelta(seconds=20))
    assert (shown.task_id, shown.status, shown.step, shown.percent) == ("t1", TaskStatus.RUNNING, 2, 50.0)
    assert shown.eta_seconds == 30.0 and shown.detail == "step 2/4: click 'next'"
    s.plan = PlanProgress.start(GoalPlan(goal="g", intents=[Intent(verb="click")]))
    led = progress(s, "t1", NOW)
    assert led.intent and led.detail.startswith(led.intent) and led.plan
    s.cache = CachedPath(signature="sig", steps=[[click("a")]] * 8)
    assert progress(s, "t1", NOW).percent == 25.0  # against the cached path's length
    s.status = TaskStatus.SUCCEEDED
    done = progress(s, "t1", NOW)
    assert done.percent == 100.0 and done.eta_seconds is None and done.detail == "step 2/4: click 'next'"


def test_time_waiting_for_a_person_moves_the_deadline() -> None:
    s = state(timeout=60)
    s.person_wait(True, NOW)
    s.person_wait(False, NOW + timedelta(seconds=600))
    assert s.deadline == NOW + timedelta(seconds=660) and s.waiting_since is None


def test_the_result_and_what_the_store_keeps() -> None:
    s = state()
    machine.settle(s, acted(s, decision(click("a"), tier="cache"), after=f"{HOME}a"))
    s.cache, s.site_median, s.spent = CachedPath(signature="sig", steps=[[click("a")]]), 30.0, 0.0123456
    out = result(s, Ending(status=TaskStatus.SUCCEEDED, reason="done"), "t1", NOW + timedelta(seconds=10))
    assert out.cache_hit and out.time_saved_seconds == 20.0 and out.ai_cost == 0.012346
    assert out.decisions_by_tier == {"cache": 1} and out.final_url == f"{HOME}a"
    stored = finish_input(s, out)
    assert stored.cache_used and stored.cache_signature == "sig" and not stored.deep_link_refused

"""The task's state machine: the pure transitions between steps.

One turn of the task reads::

    decision = next_decision(state) or <ask the deciders>     # a reviewer's order, the cached path, or live
    outcome  = await step(decision)                            # Held (a person must look first) or Acted
    verdict  = settle(state, outcome)                          # Continue | Rebuild | AskPerson | End

and the workflow (``workflows/task.py``) does what the verdict says: ``Continue`` checks the goal and takes the
next turn (or, with ``act``, acts on a decision a reviewer approved, at once); ``Rebuild`` opens a new session
from the last checkpoint (the worker holding the page is gone, or a submit's outcome is unknown);
``AskPerson`` waits for a reviewer and ``settle_answer`` turns the answer into the next verdict; ``End`` ends
the task. Every function here is deterministic and free of Temporal: they are tested as plain functions.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from browserflow import errors
from browserflow.contracts import (
    Action,
    ActionOutcome,
    Checkpoint,
    Decision,
    ErrorInfo,
    GoalCheck,
    PageSnapshot,
    ReviewResponse,
    StepRecord,
    TaskStatus,
)
from browserflow.plan.verify import INSTRUCTED
from browserflow.replay import link_target
from workflows.state import Ending, TaskState

__all__ = [
    "CACHE_MISMATCH",
    "LOOP_REPEATS",
    "Acted",
    "Answer",
    "AskPerson",
    "Continue",
    "End",
    "Held",
    "Rebuild",
    "StepOutcome",
    "Verdict",
    "after_rebuild",
    "apply_response",
    "begin_step",
    "end",
    "gate",
    "is_lost",
    "next_decision",
    "settle",
    "settle_answer",
    "settle_check",
    "take_page",
    "timed_out",
    "unattended",
]

LOOP_REPEATS = 3
# the type a replayed step that the page did not react to is recorded with (as browserflow/browser/replayer.py)
CACHE_MISMATCH = "CacheMismatch"
# what a lost worker looks like from here: the pool forgot the session, or a Temporal timeout (its queue is not
# polled, its heartbeats stopped, the attempt never returned): the page may be gone, and whatever was in flight
# may or may not have happened
TIMEOUT_PREFIX = "Timeout."


def end(status: TaskStatus, reason: str, result_data: dict[str, str] | None = None) -> End:
    return End(ending=Ending(status=status, reason=reason, result_data=result_data or {}))


def is_lost(error: ErrorInfo | None) -> bool:
    """The session's worker is gone (or did not answer): rebuild the session elsewhere."""
    return error is not None and (
        error.type == errors.SessionNotFound.type_name or error.type.startswith(TIMEOUT_PREFIX)
    )


# -- outcomes of one step ------------------------------------------------------------------------------------


class Held(BaseModel):
    """The decision was not acted on: a person must look first (``reason``: the review's reason)."""

    decision: Decision
    reason: str
    why: str


class Acted(BaseModel):
    """The decision ran (or failed): ``after`` is the page seen after it (``None`` when the session was lost)."""

    decision: Decision
    actions: list[Action]
    before: PageSnapshot
    outcome: ActionOutcome | None = None
    error: ErrorInfo | None = None
    index: int | None = None
    after: PageSnapshot | None = None


StepOutcome = Held | Acted


# -- verdicts: what the workflow does next ------------------------------------------------------------------


class Continue(BaseModel):
    """Go on: check the goal and take the next turn; with ``act``, act on this (reviewed) decision now."""

    kind: Literal["continue"] = "continue"
    act: Decision | None = None


class Rebuild(BaseModel):
    """Open a new session from the last checkpoint; ``uncertain``: an irreversible decision was in flight."""

    kind: Literal["rebuild"] = "rebuild"
    why: str
    uncertain: Decision | None = None
    summary: str = ""


class AskPerson(BaseModel):
    """Wait for a reviewer. ``then``: what an answer with a decision means: act on it now (a gate), or take it
    as the next decision (a loop, an uncertain submission)."""

    kind: Literal["ask"] = "ask"
    reason: str
    why: str
    decision: Decision = Decision()
    allowed_without_review: bool = True
    then: Literal["act", "force"] = "act"


class End(BaseModel):
    kind: Literal["end"] = "end"
    ending: Ending


Verdict = Continue | Rebuild | AskPerson | End


# -- the transitions ----------------------------------------------------------------------------------------


def settle_check(state: TaskState, check: GoalCheck) -> End | None:
    """After the goal check at the top of a turn: the goal is met, the steps are spent, or go on."""
    if check.met:
        return end(TaskStatus.SUCCEEDED, f"goal reached: {check.reason}", check.result_data)
    if state.step >= state.request.max_steps:
        return end(TaskStatus.MAX_STEPS, f"goal not reached after max_steps={state.request.max_steps} steps")
    return None


def next_decision(state: TaskState) -> Decision | None:
    """The next decision when the task already has one: a reviewer's order, else the cached path's next step.
    ``None``: the deciders must be asked (a cached path that ran out before the goal heals from here on)."""
    if state.forced is not None:
        decision, state.forced = state.forced, None
        return decision
    if state.replay:
        return Decision(actions=state.replay.pop(0), confidence=1.0, tier="cache", reason="cached path")
    if state.replaying:
        state.cache_broken = True
    return None


def gate(state: TaskState, decision: Decision) -> Held | None:
    """Whether a person must look before this decision is acted on. A decision held back by its decider
    (``review_reason``, e.g. ``unsure_write``) is never acted on without one."""
    policy = state.request.review_policy
    if not decision.actions:
        return Held(
            decision=decision, reason="cannot_proceed", why=decision.reason or "no decider could say what to do next"
        )
    if decision.tier == "human":
        return None
    if decision.review_reason:
        return Held(decision=decision, reason=decision.review_reason, why=decision.reason or decision.describe())
    if policy == "always":
        return Held(decision=decision, reason="review_every_step", why=decision.describe())
    if policy == "before_irreversible" and any(a.irreversible for a in decision.actions):
        return Held(decision=decision, reason="before_irreversible", why=decision.describe())
    return None


def begin_step(state: TaskState, decision: Decision) -> list[Action]:
    """Count the step and number its actions (``"<step>.<i>"``: the idempotency key of a retried plan)."""
    state.step += 1
    actions = [a.model_copy(update={"id": f"{state.step}.{i}"}) for i, a in enumerate(decision.actions)]
    summary = decision.describe()
    state.last_action = summary
    state.detail = f"step {state.step}/{state.request.max_steps}: {summary}"
    return actions


def settle(state: TaskState, outcome: StepOutcome) -> Verdict:
    """The state after one step, and what to do next."""
    if isinstance(outcome, Held):
        if not outcome.decision.actions and state.request.review_policy == "never":
            return end(TaskStatus.STUCK, f"cannot proceed on {state.url}: {outcome.why}")
        allowed = not outcome.decision.review_reason
        return AskPerson(
            reason=outcome.reason, why=outcome.why, decision=outcome.decision, allowed_without_review=allowed
        )
    decision, actions, error = outcome.decision, outcome.actions, outcome.error
    # the next goal check verifies the effects of what ran (only what ran: a failed action and those after it
    # had none)
    index = outcome.index
    ran = actions if error is None else actions[:index] if index is not None else []
    state.acted_on(ran, outcome.before)
    _record(state, outcome)
    irreversible = any(a.irreversible for a in actions)
    if is_lost(error):
        assert error is not None
        if decision.tier == "cache" and not irreversible:  # replayed again on the new session; a submit is
            state.replay.insert(0, decision.actions)  # for a person to decide (it may have gone through)
        return Rebuild(why=error.message, uncertain=decision if irreversible else None, summary=decision.describe())
    return _observe(state, outcome, irreversible)


def _observe(state: TaskState, outcome: Acted, irreversible: bool) -> Verdict:
    """The page after a step that ran (or failed in place): what failed there, the checkpoint, a loop."""
    decision, actions, result, index = outcome.decision, outcome.actions, outcome.outcome, outcome.index
    if result is None or result.snapshot is None:
        state.failed.append(actions[index if index is not None and index < len(actions) else -1])
        snapshot = outcome.after or outcome.before
    else:
        if result.snapshot.state_hash != outcome.before.state_hash:
            state.failed = []
        elif decision.tier == "cache":
            state.steps[-1].ok = False
            state.steps[-1].error = ErrorInfo(type=CACHE_MISMATCH, message="the page did not react")
        state.submitted = irreversible
        snapshot = result.snapshot
        state.checkpoint = Checkpoint(url=snapshot.url, storage_state=result.storage_state)
    if decision.tier == "cache" and not state.steps[-1].ok:
        state.cache_broken = True  # self-heal: live decisions from this page on
        state.replay = []
    state.snapshot = snapshot
    state.url = snapshot.url
    state.hashes.append(snapshot.state_hash)
    if len(state.hashes) >= LOOP_REPEATS and len(set(state.hashes[-LOOP_REPEATS:])) == 1:
        reason = f"the page did not change over {LOOP_REPEATS} observations in a row at {snapshot.url}"
        if state.request.review_policy == "never":
            return end(TaskStatus.LOOP_DETECTED, reason)
        return AskPerson(reason="loop_detected", why=reason, then="force")
    return Continue()


def _record(state: TaskState, outcome: Acted) -> None:
    decision, result, before = outcome.decision, outcome.outcome, outcome.before
    state.steps.append(
        StepRecord(
            step=state.step,
            url=before.url,
            decision=decision.describe(),
            tier=decision.tier,
            confidence=decision.confidence,
            actions=outcome.actions,
            ok=outcome.error is None,
            error=outcome.error,
            url_after=result.url if result else before.url,
            cost_usd=decision.cost_usd,
            duration_ms=result.duration_ms if result else 0.0,
            recoveries=result.recoveries if result else [],
            link=link_target(outcome.actions, before, result.url) if result and outcome.error is None else "",
        )
    )
    if decision.attempts:
        state.attempts[state.step] = list(decision.attempts)


def after_rebuild(state: TaskState, rebuild: Rebuild, check: GoalCheck | None) -> Verdict:
    """After a new session was built: an in-flight submit that did not visibly take effect asks a person
    (``uncertain_submission``), never submits again; otherwise go on from the rebuilt page."""
    if rebuild.uncertain is None or (check is not None and check.met):
        return Continue()  # (a submission that took effect: the next goal check ends the task)
    return AskPerson(
        reason="uncertain_submission",
        why=f"'{rebuild.summary}' may or may not have taken effect before the failure ({rebuild.why})",
        decision=rebuild.uncertain,
        allowed_without_review=False,
        then="force",
    )


Answer = Decision | Ending | None  # a reviewer's answer: act on this, end so, or (None) decide again


def unattended(state: TaskState, ask: AskPerson) -> Decision | Ending | None:
    """With review policy ``never`` nobody is asked: the decision goes ahead when that is allowed, else the
    task fails. ``None``: a person must be asked."""
    if state.request.review_policy != "never":
        return None
    if ask.allowed_without_review:
        return ask.decision
    return Ending(
        status=TaskStatus.FAILED, reason=f"{ask.reason}: {ask.why} (review policy 'never' forbids acting again)"
    )


def timed_out(state: TaskState, ask: AskPerson) -> Decision | Ending:
    """No reviewer answered in time: approve a reversible decision when the request says so, else end."""
    request, decision = state.request, ask.decision
    reversible = bool(decision.actions) and not any(a.irreversible for a in decision.actions)
    held_back = ask.reason == "uncertain_submission" or bool(decision.review_reason)
    if request.review_timeout_action == "approve" and reversible and not held_back:
        return decision
    return Ending(
        status=TaskStatus.REVIEW_TIMEOUT,
        reason=f"no reviewer answered within {request.review_timeout:g} s ({ask.reason})",
    )


def apply_response(state: TaskState, response: ReviewResponse, decision: Decision) -> Answer:
    """A review verb as an answer: approve, reject, provide input, instruct or take over."""
    if response.verb == "approve":
        return decision if decision.actions else None
    if response.verb == "reject":
        return Ending(status=TaskStatus.REJECTED, reason=f"rejected by a reviewer: {response.reason}")
    if response.verb == "provide_input":
        state.data.update(response.values)
        return None
    if response.verb == "instruct" and response.action is not None:
        action = response.action.model_copy(update={"provenance": INSTRUCTED})
        return Decision(actions=[action], confidence=1.0, tier="human", reason="instructed by a reviewer")
    note = f": {response.reason}" if response.reason else ""
    return Ending(
        status=TaskStatus.SUCCEEDED, reason=f"completed by a reviewer{note}", result_data=dict(response.result)
    )


def settle_answer(state: TaskState, ask: AskPerson, answer: Answer, page: PageSnapshot | None = None) -> Verdict:
    """The answer as the next verdict; ``page``: the page rebuilt after the wait (a parked session), if any."""
    if isinstance(answer, Ending):
        return End(ending=answer)
    if page is not None:
        state.snapshot = page
    if ask.reason == "loop_detected":
        state.failed = []
        state.forced = answer if isinstance(answer, Decision) and answer.actions else None
        _reset_loop_watch(state)
        return Continue()
    if ask.then == "force":
        state.forced = answer
        return Continue()
    if answer is None:  # decide again on the (possibly rebuilt) page
        _reset_loop_watch(state)
        return Continue()
    return Continue(act=answer)


def take_page(state: TaskState, page: PageSnapshot) -> None:
    """A page seen afresh (a new session, the start): the loop watch starts again from it."""
    state.snapshot = page
    _reset_loop_watch(state)


def _reset_loop_watch(state: TaskState) -> None:
    state.hashes = [state.snapshot.state_hash] if state.snapshot is not None else []

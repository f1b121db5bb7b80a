"""BrowserTaskWorkflow: one browser task, driven step by step until the goal is met or a clear ending.

Deterministic orchestration only: every browser, decision, store and clock-dependent action is an activity.
Everything the task knows is one ``TaskState`` (``workflows/state.py``); the turns between steps are the pure
transitions of ``workflows/machine.py``::

    check = await steps.check_goal()            -> settle_check: succeeded / max_steps / go on
    decision = next_decision(state)             -> a reviewer's order, the cached path, or (None) the deciders
    outcome = gate(...) or await steps.act(...) -> Held | Acted
    verdict = settle(state, outcome)            -> Continue | Rebuild | AskPerson | End

and this class does what each verdict says, with composed helpers that each hold the state: ``Session``
(the browser, ``workflows/session.py``), ``Steps`` (goal check, deciders, act, store, ``workflows/steps.py``),
``People`` (reviews and pauses, ``workflows/people.py``), ``Inbox`` (the review verbs, ``workflows/review.py``),
``replay_prefix`` (a cached path, ``workflows/replay.py``), ``Callbacks`` (the events POSTed to the request's
``callback_url``, ``workflows/callbacks.py``) and ``Status`` (below: the status people see, and the store's task
row told when a review opens and closes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from browserflow.contracts import (
        Approve,
        Checkpoint,
        Instruct,
        ProvideInput,
        Reject,
        ReviewAck,
        StepLog,
        TakeOver,
        TaskProgress,
        TaskRequest,
        TaskResult,
        TaskStartResult,
        TaskStatus,
        TaskStatusInput,
    )
    from browserflow.store.scrub import mask_steps
    from browserflow.temporal.policies import POLICIES, options
    from browserflow.temporal.search_attributes import TASK_SITE, TASK_STATUS
    from workflows import machine
    from workflows.callbacks import Callbacks
    from workflows.machine import AskPerson, Continue, End, Rebuild, Verdict
    from workflows.people import People
    from workflows.replay import replay_prefix
    from workflows.review import Inbox
    from workflows.session import Session, SessionLost, Stop
    from workflows.state import Ending, TaskState, intent_details, progress_of, result_of
    from workflows.steps import Steps

__all__ = ["STATUS_PATCH", "BrowserTaskWorkflow", "Status"]

# new runs tell the store when a review opens and closes; runs recorded before replay without those writes
STATUS_PATCH = "task-status-v1"
REVIEW_STATUSES = frozenset({TaskStatus.NEEDS_REVIEW, TaskStatus.PAUSED})
STATUS_WAIT_SECONDS = 10.0


class Status:
    """The task's status: ``state.status``/``state.detail``, the ``TaskStatus`` search attribute, the current
    details, and (entering or leaving a review or a pause) the ``task_status`` store activity, in order."""

    def __init__(self, state: TaskState, changed: Callable[[TaskStatus, TaskStatus], None] | None = None) -> None:
        self.state = state
        self.changed = changed  # told (previous, status) after each change: the callbacks
        self._writes: asyncio.Future[None] | None = None

    def set(self, status: TaskStatus, detail: str) -> None:
        previous = self.state.status
        self.state.status = status
        self.state.detail = detail
        workflow.upsert_search_attributes([TASK_STATUS.value_set(status.value)])
        intent = intent_details(self.state)
        workflow.set_current_details(f"**{status.value}**: {detail}" + (f"\n\n{intent}" if intent else ""))
        opens_or_closes = status in REVIEW_STATUSES or (previous in REVIEW_STATUSES and status == TaskStatus.RUNNING)
        if status != previous and opens_or_closes and workflow.patched(STATUS_PATCH):
            self._write(TaskStatusInput(workflow_id=workflow.info().workflow_id, status=status, reason=detail))
        if self.changed is not None:
            self.changed(previous, status)

    def _write(self, inp: TaskStatusInput) -> None:
        """One write after the other (never out of order), without holding up the task."""
        self._writes = asyncio.ensure_future(self._send(self._writes, inp))

    @staticmethod
    async def _send(previous: asyncio.Future[None] | None, inp: TaskStatusInput) -> None:
        if previous is not None:
            await previous
        policy = "task_status" if "task_status" in POLICIES else "task_started"  # a short store write
        try:
            await workflow.execute_activity(
                "task_status", inp, summary=f"record status ({inp.status.value})", **options(policy)
            )
        except ActivityError as err:
            workflow.logger.warning("recording the status %s failed: %s", inp.status.value, err.cause)

    async def flush(self) -> None:
        """Let the status writes in flight land before the result is recorded (bounded: the store is optional)."""
        if self._writes is not None and not self._writes.done():
            await workflow.wait([self._writes], timeout=STATUS_WAIT_SECONDS)


@workflow.defn(name="BrowserTaskWorkflow")
class BrowserTaskWorkflow:
    @workflow.init
    def __init__(self, request: TaskRequest) -> None:
        self._state = TaskState.start(request, workflow.now())
        self._session = Session(self._state)
        self._steps = Steps(self._state, self._session)
        self._callbacks = Callbacks(self._state)
        self._status = Status(self._state, self._callbacks.status_changed)
        self._people = People(self._state, self._session, self._status.set)
        self._inbox = Inbox(self._state)

    # -- queries: they take no input; anything sent along is ignored, so a query always answers ---------------

    @workflow.query
    def progress(self, arg: Any = None, *extra: Any) -> TaskProgress:
        return progress_of(self._state, workflow.info().workflow_id, workflow.now())

    @workflow.query
    def steps(self, arg: Any = None, *extra: Any) -> StepLog:
        return StepLog(task_id=workflow.info().workflow_id, steps=mask_steps(self._state.steps))  # secrets: ***

    # -- run -----------------------------------------------------------------------------------------------------

    @workflow.run
    async def run(self, request: TaskRequest) -> TaskResult:
        workflow.upsert_search_attributes(
            [TASK_STATUS.value_set(TaskStatus.RUNNING.value), TASK_SITE.value_set(request.site)]
        )
        drive = asyncio.ensure_future(self._drive())
        watchdog = asyncio.ensure_future(self._watchdog())
        try:
            await workflow.wait([drive, watchdog], return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            for task in (drive, watchdog):
                task.cancel()
            await workflow.wait([drive, watchdog])
            self._status.set(TaskStatus.CANCELLED, "cancelled by request")
            await self._session.close(keep_trace=True)
            await self._finish(Ending(status=TaskStatus.CANCELLED, reason="cancelled"))
            raise
        if drive.done():
            watchdog.cancel()
            ending = drive.result()
        else:
            drive.cancel()
            await workflow.wait([drive])
            reason = f"the task did not finish within its timeout of {request.timeout:g} s"
            ending = Ending(status=TaskStatus.TIMEOUT, reason=reason)
        self._status.set(ending.status, ending.reason)
        await self._session.close(keep_trace=ending.status != TaskStatus.SUCCEEDED)
        return await self._finish(ending)

    async def _finish(self, ending: Ending) -> TaskResult:
        done = result_of(self._state, ending, workflow.info().workflow_id, workflow.now())
        await self._status.flush()
        await self._steps.record_finish(done)
        await self._callbacks.finished(done)  # delivered (or given up) before the workflow completes
        return done

    async def _watchdog(self) -> None:
        """Returns when the task's own time is up; time spent waiting for a person does not count."""
        state = self._state
        while True:
            if state.waiting_since is not None:
                await workflow.wait_condition(lambda: state.waiting_since is None)
                continue
            remaining = (state.deadline - workflow.now()).total_seconds()
            if remaining <= 0:
                return
            try:
                await workflow.wait_condition(lambda: state.waiting_since is not None, timeout=remaining)
            except TimeoutError:
                continue

    async def _drive(self) -> Ending:
        try:
            await self._begin()
            return await self._loop()
        except Stop as stop:
            return stop.ending

    async def _start(self, request: TaskRequest) -> TaskStartResult:
        """Record the start and look up a cached path (a seam: the replay test's variants override it)."""
        return await self._steps.start()

    async def _begin(self) -> None:
        """Open a session (the goal compiles meanwhile), look up a cached path, replay its prefix, and open the
        start page when the replay did not leave the task on one."""
        state, session = self._state, self._session
        state.detail = "opening a browser session"
        session.open()
        self._steps.start_compile()
        started = await self._start(state.request)
        await session.opened()
        await self._steps.plan()
        state.site_median = started.site_median_seconds
        state.cache = started.path
        state.replay = [list(s) for s in state.cache.steps] if state.cache else []
        page = None
        if state.replay and state.request.review_policy != "always":  # "always": each step reviewed, one by one
            page = await replay_prefix(state, session)
        if page is None:
            try:
                page = await session.navigate(state.request.start_url)
            except SessionLost as lost:
                page = await session.restore(lost.error.message)
            state.checkpoint = Checkpoint(url=page.url)
        state.url = page.url
        machine.take_page(state, page)

    async def _loop(self) -> Ending:
        """Do what each verdict says until one ends the task."""
        verdict: Verdict = Continue()
        while True:
            if isinstance(verdict, End):
                return verdict.ending
            if isinstance(verdict, Rebuild):
                verdict = await self._rebuild(verdict)
            elif isinstance(verdict, AskPerson):
                verdict = await self._ask(verdict)
            elif verdict.act is not None:  # a reviewed decision: acted on at once
                verdict = machine.settle(self._state, await self._steps.act(verdict.act))
            else:
                verdict = await self._turn()

    async def _turn(self) -> Verdict:
        """Check the goal, take the next decision, step: the verdict on the step."""
        state = self._state
        if (page := await self._people.pause_point()) is not None:
            state.snapshot = page
        check = await self._steps.check_goal()
        ended = machine.settle_check(state, check)
        if ended is not None:
            return ended
        decision = machine.next_decision(state) or await self._steps.decide()
        outcome = machine.gate(state, decision) or await self._steps.act(decision)
        return machine.settle(state, outcome)

    async def _rebuild(self, rebuild: Rebuild) -> Verdict:
        """A new session from the checkpoint; an in-flight submit is looked for on the rebuilt page."""
        machine.take_page(self._state, await self._session.restore(rebuild.why))
        check = None
        if rebuild.uncertain is not None:
            check = await self._steps.check_goal("did the submission take effect?", submitted=False)
        return machine.after_rebuild(self._state, rebuild, check)

    async def _ask(self, ask: AskPerson) -> Verdict:
        answer = await self._people.ask(ask)
        if isinstance(answer, Ending):
            return End(ending=answer)
        return machine.settle_answer(self._state, ask, answer, await self._session.ensure())

    # -- people: each verb a signal (the Web UI's "send signal") and an update with a validator (SDK, CLI) -------

    @workflow.signal(name="approve")
    def approve_signal(self, arg: Any = None, *extra: Any) -> None:
        self._inbox.verb_signal("approve", Approve, arg, extra)

    @workflow.update(name="approve")
    def approve(self, arg: Any = None, *extra: Any) -> ReviewAck:
        return self._inbox.verb_update("approve", Approve, arg, extra)

    @approve.validator
    def _check_approve(self, arg: Any = None, *extra: Any) -> None:
        self._inbox.verb_check("approve", Approve, arg, extra)

    @workflow.signal(name="reject")
    def reject_signal(self, arg: Any = None, *extra: Any) -> None:
        self._inbox.verb_signal("reject", Reject, arg, extra)

    @workflow.update(name="reject")
    def reject(self, arg: Any = None, *extra: Any) -> ReviewAck:
        return self._inbox.verb_update("reject", Reject, arg, extra)

    @reject.validator
    def _check_reject(self, arg: Any = None, *extra: Any) -> None:
        self._inbox.verb_check("reject", Reject, arg, extra)

    @workflow.signal(name="provide_input")
    def provide_input_signal(self, arg: Any = None, *extra: Any) -> None:
        self._inbox.verb_signal("provide_input", ProvideInput, arg, extra)

    @workflow.update(name="provide_input")
    def provide_input(self, arg: Any = None, *extra: Any) -> ReviewAck:
        return self._inbox.verb_update("provide_input", ProvideInput, arg, extra)

    @provide_input.validator
    def _check_provide_input(self, arg: Any = None, *extra: Any) -> None:
        self._inbox.verb_check("provide_input", ProvideInput, arg, extra)

    @workflow.signal(name="instruct")
    def instruct_signal(self, arg: Any = None, *extra: Any) -> None:
        self._inbox.verb_signal("instruct", Instruct, arg, extra)

    @workflow.update(name="instruct")
    def instruct(self, arg: Any = None, *extra: Any) -> ReviewAck:
        return self._inbox.verb_update("instruct", Instruct, arg, extra)

    @instruct.validator
    def _check_instruct(self, arg: Any = None, *extra: Any) -> None:
        self._inbox.verb_check("instruct", Instruct, arg, extra)

    @workflow.signal(name="take_over")
    def take_over_signal(self, arg: Any = None, *extra: Any) -> None:
        self._inbox.verb_signal("take_over", TakeOver, arg, extra)

    @workflow.update(name="take_over")
    def take_over(self, arg: Any = None, *extra: Any) -> ReviewAck:
        return self._inbox.verb_update("take_over", TakeOver, arg, extra)

    @take_over.validator
    def _check_take_over(self, arg: Any = None, *extra: Any) -> None:
        self._inbox.verb_check("take_over", TakeOver, arg, extra)

    @workflow.signal(name="pause")
    def pause(self, arg: Any = None, *extra: Any) -> None:
        self._inbox.pause(arg, extra)

    @workflow.signal(name="resume")
    def resume(self, arg: Any = None, *extra: Any) -> None:
        self._inbox.resume(arg, extra)

"""Every review path with fake activities on the real dev server: approve, reject, provide input, instruct,
take over, a review that times out (failing, or approving a reversible step), pause and resume, and the
store's task row told when a review opens and closes (``task_status``). A parked session's rebuild is a planned
resume: it never counts against the session recoveries."""

from __future__ import annotations

from temporalio.client import Client

from browserflow.contracts import TaskStatus
from browserflow.plan.verify import INSTRUCTED
from client.sdk import TaskHandle
from tests.conftest import eventually
from tests.workflows.fakes import DONE, HOME, Script, click, decision, page, rig
from workflows.session import MAX_RECOVERIES

SUBMIT = decision(click("Place order", irreversible=True))


async def review_of(handle: TaskHandle, reason: str) -> None:
    async def pending() -> bool:
        review = await handle.pending_review()
        return review is not None and review.reason == reason

    await eventually(pending, timeout=10, what=f"a {reason!r} review")


def statuses(script: Script) -> list[TaskStatus]:
    return [s.status for s in script.statuses]


async def test_approve(client: Client) -> None:
    script = Script(decisions=[SUBMIT], acts=[page(DONE)])
    async with rig(client, script) as r:
        handle = await r.tasks.submit(r.request(review_policy="before_irreversible"))
        await review_of(handle, "before_irreversible")
        progress = await handle.status()
        assert progress.status == TaskStatus.NEEDS_REVIEW and script.count("act") == 0
        assert progress.review is not None and progress.review.proposed[0].label == "Place order"
        assert progress.review.screenshot.endswith("before_irreversible.png")
        assert (await handle.approve("looks right")).accepted
        result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED and script.count("act") == 1
    # the store's task row: needs_review while asked, running again once answered
    assert statuses(script) == [TaskStatus.NEEDS_REVIEW, TaskStatus.RUNNING]
    assert script.statuses[0].reason.startswith("before_irreversible: ")
    assert script.statuses[0].workflow_id == handle.id


async def test_reject(client: Client) -> None:
    script = Script(decisions=[SUBMIT])
    async with rig(client, script) as r:
        handle = await r.tasks.submit(r.request(review_policy="before_irreversible"))
        await review_of(handle, "before_irreversible")
        await handle.reject("wrong mug")
        result = await handle.result()
    assert result.status == TaskStatus.REJECTED and "wrong mug" in result.reason
    assert script.count("act") == 0
    assert statuses(script) == [TaskStatus.NEEDS_REVIEW, TaskStatus.RUNNING]


async def test_provide_input_decides_again_with_the_new_data(client: Client) -> None:
    script = Script(decisions=[decision(reason="which colour?"), decision(click("blue"))], acts=[page(DONE)])
    async with rig(client, script) as r:
        handle = await r.tasks.submit(r.request(review_policy="on_escalation"))
        await review_of(handle, "cannot_proceed")
        await handle.provide_input({"colour": "blue"})
        result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED
    assert [d.data.get("colour") for d in script.decided] == [None, "blue"]


async def test_instruct_acts_on_the_reviewers_action(client: Client) -> None:
    script = Script(decisions=[decision(reason="no idea")], acts=[page(DONE)])
    async with rig(client, script) as r:
        handle = await r.tasks.submit(r.request(review_policy="on_escalation"))
        await review_of(handle, "cannot_proceed")
        await handle.instruct({"kind": "click", "selector": "#blue", "label": "Blue mug"})
        result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED and result.decisions_by_tier == {"human": 1}
    (action,) = script.acted[0]
    assert action.selector == "#blue" and action.provenance == INSTRUCTED
    assert script.count("decide") == 1  # acted on at once, not decided again


async def test_take_over_ends_the_task_with_the_persons_result(client: Client) -> None:
    script = Script(decisions=[SUBMIT])
    async with rig(client, script) as r:
        handle = await r.tasks.submit(r.request(review_policy="before_irreversible"))
        await review_of(handle, "before_irreversible")
        await handle.take_over({"order": "B-7"}, note="ordered by phone")
        result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED and result.result_data == {"order": "B-7"}
    assert result.reason == "completed by a reviewer: ordered by phone" and script.count("act") == 0


async def test_review_timeout_fails(client: Client) -> None:
    script = Script(decisions=[SUBMIT])
    async with rig(client, script) as r:
        handle = await r.tasks.submit(r.request(review_policy="before_irreversible", review_timeout=0.3))
        result = await handle.result()
    assert result.status == TaskStatus.REVIEW_TIMEOUT and "within 0.3 s (before_irreversible)" in result.reason
    assert script.count("act") == 0 and script.count("park") == 1  # parked while waiting
    assert statuses(script) == [TaskStatus.NEEDS_REVIEW, TaskStatus.RUNNING]


async def test_review_timeout_approves_a_reversible_step_when_asked_to(client: Client) -> None:
    script = Script(acts=[page(DONE)])
    async with rig(client, script) as r:
        request = r.request(review_policy="always", review_timeout=0.3, review_timeout_action="approve")
        result = await (await r.tasks.submit(request)).result()
    assert result.status == TaskStatus.SUCCEEDED and script.count("act") == 1


async def test_review_timeout_never_approves_a_submit(client: Client) -> None:
    script = Script(decisions=[SUBMIT])
    async with rig(client, script) as r:
        request = r.request(review_policy="always", review_timeout=0.3, review_timeout_action="approve")
        result = await (await r.tasks.submit(request)).result()
    assert result.status == TaskStatus.REVIEW_TIMEOUT and script.count("act") == 0


async def test_a_held_back_write_never_runs_unreviewed(client: Client) -> None:
    unsure = decision(click("Delete"), review_reason="unsure_write", reason="the goal does not ask to delete")
    script = Script(decisions=[unsure])
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request(review_policy="never"))).result()
    assert result.status == TaskStatus.FAILED and "review policy 'never' forbids" in result.reason
    assert script.count("act") == 0


async def test_pause_and_resume(client: Client) -> None:
    script = Script()
    async with rig(client, script) as r:
        handle = await r.tasks.submit(r.request(park_after=0.05, max_steps=2))
        await handle.pause("lunch")

        async def paused() -> bool:
            return (await handle.status()).status == TaskStatus.PAUSED

        await eventually(paused, timeout=10, what="the pause")
        await eventually(lambda: script.parks == 1, timeout=10, what="the browser to be parked")
        assert (await handle.status()).detail.endswith("lunch")
        await handle.resume()
        result = await handle.result()
    assert result.status == TaskStatus.MAX_STEPS
    assert statuses(script) == [TaskStatus.PAUSED, TaskStatus.RUNNING]
    assert script.sessions == 2  # the parked session was rebuilt on resume


async def test_a_parked_sessions_rebuild_is_not_a_recovery(client: Client) -> None:
    reviews = MAX_RECOVERIES + 2
    script = Script(acts=[*(page(f"{HOME}step{n}") for n in range(1, reviews)), page(DONE)])
    async with rig(client, script) as r:
        handle = await r.tasks.submit(r.request(review_policy="always", park_after=0.05, max_steps=10))
        for n in range(1, reviews + 1):
            await review_of(handle, "review_every_step")
            await eventually(lambda: script.parks == n, timeout=10, what=f"park {n}")  # noqa: B023
            await handle.approve()
            await eventually(lambda: script.count("act") == n, timeout=10, what=f"act {n}")  # noqa: B023
        result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert script.sessions == 1 + reviews  # every wait parked the browser, every answer rebuilt it
    restores = [a for attempts in script.finished[0].recoveries.values() for a in attempts]
    assert restores == []  # planned resumes: none recorded as a recovery

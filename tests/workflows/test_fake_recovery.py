"""Every recovery branch with fake activities on the real dev server: a lost session rebuilt from the
checkpoint (and given up after ``MAX_RECOVERIES``), a submit whose outcome is unknown (it took effect, or a
person is asked and it is never repeated), a loop a person resolves, a failed action the decider hears about,
and the cached path: replayed, mismatched (live decisions take over), broken mid-replay, and a lost step
replayed again. Budget stops and pattern timeouts end the task (``test_fake_endings.py``)."""

from __future__ import annotations

from temporalio.client import Client

from browserflow import errors
from browserflow.contracts import Action, CachedPath, ErrorInfo, TaskStartResult, TaskStatus
from browserflow.replay import ReplayOutcome, ReplayStepResult
from tests.workflows.fakes import DONE, HOME, Script, click, decision, fail, page, rig
from tests.workflows.test_fake_review import review_of
from workflows.machine import CACHE_MISMATCH
from workflows.session import MAX_RECOVERIES

SUBMIT = decision(click("Place order", irreversible=True))
LOST = fail(errors.SessionNotFound, "the worker is gone", index=None)


async def test_a_lost_session_is_rebuilt_from_the_checkpoint(client: Client) -> None:
    script = Script(acts=[page(f"{HOME}cart"), LOST, page(DONE)])
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request())).result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert script.sessions == 2 and script.count("navigate") == 2  # the rebuild reopened the checkpoint's page
    (restore,) = script.finished[0].recoveries[2]
    assert (restore.strategy, restore.outcome, restore.error_type) == (
        "restore_session",
        "recovered",
        "SessionNotFound",
    )
    assert [s.ok for s in script.finished[0].steps] == [True, False, True]


async def test_sessions_lost_again_and_again_give_up(client: Client) -> None:
    script = Script(acts=[LOST] * (MAX_RECOVERIES + 1))
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request(max_steps=10))).result()
    assert result.status == TaskStatus.FAILED
    assert f"gave up after {MAX_RECOVERIES} session recoveries" in result.reason
    assert script.sessions == 1 + MAX_RECOVERIES


async def test_an_uncertain_submit_that_took_effect_succeeds(client: Client) -> None:
    script = Script(decisions=[SUBMIT], acts=[LOST], start=[page(HOME), page(DONE)])  # the rebuilt page: done
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request())).result()
    assert result.status == TaskStatus.SUCCEEDED and script.count("act") == 1


async def test_an_uncertain_submit_asks_a_person_and_is_never_repeated(client: Client) -> None:
    script = Script(decisions=[SUBMIT], acts=[LOST])
    async with rig(client, script) as r:
        handle = await r.tasks.submit(r.request(review_policy="on_escalation", review_timeout_action="approve"))
        await review_of(handle, "uncertain_submission")
        review = await handle.pending_review()
        assert review is not None and "may or may not have taken effect" in review.detail
        assert review.proposed[0].label == "Place order"
        await handle.take_over({"order": "C-3"}, note="found it in the order list")
        result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED and result.result_data == {"order": "C-3"}
    assert script.count("act") == 1  # never submitted again


async def test_an_uncertain_submit_is_never_approved_by_a_timeout(client: Client) -> None:
    script = Script(decisions=[SUBMIT], acts=[LOST])
    async with rig(client, script) as r:
        request = r.request(review_policy="on_escalation", review_timeout=0.3, review_timeout_action="approve")
        result = await (await r.tasks.submit(request)).result()
    assert result.status == TaskStatus.REVIEW_TIMEOUT and "uncertain_submission" in result.reason
    assert script.count("act") == 1


async def test_an_uncertain_submit_without_review_fails(client: Client) -> None:
    script = Script(decisions=[SUBMIT], acts=[LOST])
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request(review_policy="never"))).result()
    assert result.status == TaskStatus.FAILED
    assert result.reason.startswith("uncertain_submission: ") and script.count("act") == 1


async def test_a_loop_asks_a_person_who_instructs(client: Client) -> None:
    same = page(f"{HOME}cart", state="same")
    script = Script(start=[page(HOME, state="same")], acts=[same, same, page(DONE)])
    async with rig(client, script) as r:
        handle = await r.tasks.submit(r.request(review_policy="on_escalation"))
        await review_of(handle, "loop_detected")
        await handle.instruct({"kind": "click", "selector": "#checkout", "label": "Checkout"})
        result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED
    assert script.acted[-1][0].selector == "#checkout" and script.count("decide") == 2


async def test_a_failed_action_is_told_to_the_decider(client: Client) -> None:
    script = Script(acts=[None, page(DONE)])  # the first click finds no element
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request())).result()
    assert result.status == TaskStatus.SUCCEEDED
    assert script.count("extract") == 1  # the page looked at again after the failure
    assert [a.label for a in script.decided[1].failed_actions] == ["next"]
    assert script.finished[0].steps[0].error == ErrorInfo(
        type="ElementNotFound", message="no such element", retryable=False
    )


def cached(*steps: list[Action]) -> TaskStartResult:
    return TaskStartResult(
        path=CachedPath(signature="sig", steps=list(steps), start_url=HOME), site_median_seconds=30.0
    )


async def test_a_cached_path_replays_without_decisions(client: Client) -> None:
    replayed = ReplayOutcome(
        steps=[ReplayStepResult(index=0, url=HOME, url_after=f"{HOME}cart")], snapshot=page(f"{HOME}cart")
    )
    script = Script(
        started=cached([click("Mugs")], [click("Place order", irreversible=True)]), replay=replayed, acts=[page(DONE)]
    )
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request())).result()
    assert result.status == TaskStatus.SUCCEEDED and result.cache_hit
    assert result.decisions_by_tier == {"cache": 2} and script.count("decide") == 0
    assert script.count("navigate") == 0  # the replay opened the start page itself
    assert script.acted[0][0].id == "2.0" and not script.finished[0].cache_broken


async def test_a_cache_mismatch_hands_over_to_live_decisions(client: Client) -> None:
    # the cached submit does not change the page: recorded as a mismatch, and the deciders take over
    script = Script(started=cached([click("Place order", irreversible=True)]), acts=[page(HOME), page(DONE)])
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request())).result()
    assert result.status == TaskStatus.SUCCEEDED and not result.cache_hit
    assert result.decisions_by_tier == {"cache": 1, "rules": 1}
    finished = script.finished[0]
    assert finished.cache_broken and finished.cache_used and finished.cache_signature == "sig"
    assert finished.steps[0].error is not None and finished.steps[0].error.type == CACHE_MISMATCH


async def test_a_replay_that_breaks_hands_over_to_live_decisions(client: Client) -> None:
    broken = ReplayOutcome(
        steps=[
            ReplayStepResult(index=0, url=HOME, url_after=f"{HOME}cart"),
            ReplayStepResult(index=1, url=f"{HOME}cart", ok=False, error=ErrorInfo(type=CACHE_MISMATCH, message="x")),
        ],
        snapshot=page(f"{HOME}cart"),
    )
    script = Script(started=cached([click("Mugs")], [click("Blue")]), replay=broken, acts=[page(DONE)])
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request())).result()
    assert result.status == TaskStatus.SUCCEEDED and not result.cache_hit
    assert [a.label for a in script.decided[0].failed_actions] == ["Blue"]  # the decider hears what failed
    assert script.finished[0].cache_broken


async def test_a_lost_cached_step_is_replayed_again(client: Client) -> None:
    script = Script(
        started=cached([click("Mugs")], [click("Place order", irreversible=True)]),
        replay=LOST,  # the one-go replay loses its session: the path replays step by step on a new one
        acts=[LOST, page(f"{HOME}cart"), page(DONE)],  # ... and loses it again on its first step
    )
    async with rig(client, script) as r:
        result = await (await r.tasks.submit(r.request())).result()
    assert result.status == TaskStatus.SUCCEEDED and result.cache_hit
    assert [a[0].label for a in script.acted] == ["Mugs", "Mugs", "Place order"]
    assert script.count("decide") == 0 and script.sessions == 3


async def test_a_lost_cached_submit_runs_again_only_when_a_person_says_so(client: Client) -> None:
    script = Script(
        started=cached([click("Place order", irreversible=True)]), acts=[LOST, page(f"{HOME}cart"), page(DONE)]
    )
    async with rig(client, script) as r:
        handle = await r.tasks.submit(r.request(review_policy="on_escalation"))
        await review_of(handle, "uncertain_submission")
        assert script.count("act") == 1  # not repeated while asking
        await handle.approve("it did not go through; try again")
        result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED
    # once more, and only once: then the path is spent and the deciders go on
    assert [a[0].label for a in script.acted] == ["Place order", "Place order", "next"]
    assert script.count("decide") == 1

"""Replaying a cached path, as the workflow sees it: the path's reversible prefix runs as one ``replay``
activity on the session's worker (deep-linking past leading link steps when the path allows), each step
verified there; what is left (the submit, with its review gate) goes through the workflow's own steps
(``state.replay``, taken by ``machine.next_decision``). The replayed actions go to the next goal check, which
verifies their effects against the plan."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from browserflow.contracts import Action, Checkpoint, Decision, PageSnapshot, StepRecord
    from browserflow.replay import ReplayInput, ReplayOutcome, ReplayStepResult, same_page, split_reversible
    from browserflow.secrets import credentials_from
    from workflows.session import ActFailed, Session, SessionLost
    from workflows.state import TaskState

__all__ = ["replay_prefix"]


async def replay_prefix(state: TaskState, session: Session) -> PageSnapshot | None:
    """Run the cached path's reversible prefix in one activity.

    Returns the page it left the task on (``None``: start over at the start URL); ``state.replay`` keeps the
    cached steps still to run one by one and ``state.failed`` the actions that failed verification (for the live
    decider).
    """
    request, cache, steps = state.request, state.cache, state.replay
    prefix, rest = split_reversible(steps)
    room = request.max_steps - state.step
    if len(prefix) > room:
        prefix, rest = prefix[:room], [*prefix[room:], *rest]
    if not prefix or cache is None:
        return None
    links = cache.links if request.deep_links and same_page(cache.start_url, request.start_url) else []
    numbered = [
        [a.model_copy(update={"id": f"{state.step + 1 + n}.{i}"}) for i, a in enumerate(step)]
        for n, step in enumerate(prefix)
    ]
    summary = f"replay {len(prefix)} cached steps" + (f", deep link to {links[-1]}" if links else "")
    state.detail = summary
    state.last_action = summary
    workflow.set_current_details(f"**Replaying the cached path**: {summary}")
    try:
        outcome = await session.call(
            "replay",
            lambda sid: ReplayInput(
                session_id=sid,
                start_url=request.start_url,
                steps=numbered,
                links=links,
                allowed_domains=session.domains,
                probe_selectors=session.probes,
                credentials=credentials_from(state.data, request.review_policy),
            ),
            ReplayOutcome,
            summary,
        )
    except SessionLost as lost:  # rebuilt from the start URL: the whole path replays step by step
        return await session.restore(lost.error.message)
    except ActFailed as unwell:  # the site is unwell (not the path): the step-by-step replay meets it
        workflow.logger.warning("replaying the cached path failed (%s); replaying step by step", unwell.error)
        return None
    return _replayed(state, outcome, numbered, links, rest)


def _replayed(
    state: TaskState, outcome: ReplayOutcome, numbered: list[list[Action]], links: list[str], rest: list[list[Action]]
) -> PageSnapshot:
    """Record the replayed steps and keep where the replay left the task."""
    state.deep_link_refused = bool(outcome.deep_link_refused)
    if outcome.deep_link_refused:
        workflow.logger.info("deep link refused: %s", outcome.deep_link_refused)
    replayed: list[Action] = []
    failed: list[Action] = []
    for result in outcome.steps:
        state.step += 1
        actions = numbered[result.index]
        link = links[result.index] if result.index < len(links) else ""
        state.steps.append(_record(state.step, result, actions, link))
        replayed.extend(actions)
        if not result.ok:
            failed = actions
    state.acted_on(replayed, None)  # the next goal check verifies the replayed effects (no page before)
    snapshot = outcome.snapshot
    state.checkpoint = Checkpoint(url=snapshot.url, storage_state=outcome.storage_state)
    state.url = snapshot.url
    if not outcome.complete:
        state.cache_broken = True  # self-heal: live decisions from this page on
        state.replay, state.failed = [], failed
    else:
        state.replay = rest
    return snapshot


def _record(step: int, result: ReplayStepResult, actions: list[Action], link: str) -> StepRecord:
    describe = Decision(actions=actions).describe()
    return StepRecord(
        step=step,
        url=result.url,
        decision=f"{describe} (deep link)" if result.deep_linked else describe,
        tier="cache",
        confidence=1.0,
        actions=actions,
        ok=result.ok,
        error=result.error,
        url_after=result.url_after,
        duration_ms=result.duration_ms,
        recoveries=result.recoveries,
        link=link if link and same_page(result.url_after, link) else "",
        deep_linked=result.deep_linked,
    )

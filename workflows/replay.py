"""Replaying a cached path, as the workflow sees it: the path's reversible prefix runs as one ``replay``
activity on the session's worker (deep-linking past leading link steps when the path allows), each step
verified there; what is left (the submit, with its review gate) goes through the workflow's own steps. The
replayed actions go to the next goal check, which verifies their effects against the plan."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.browser import BrowserActivities
    from browserflow.browser.recovery import credentials_from
    from browserflow.contracts import (
        Action,
        CachedPath,
        Checkpoint,
        Decision,
        PageSnapshot,
        StepRecord,
        TaskRequest,
    )
    from browserflow.replay import ReplayInput, ReplayOutcome, same_page, split_reversible
    from workflows.plan import PlanMixin
    from workflows.session import ActFailed, SessionLost, SessionMixin

__all__ = ["ReplayMixin", "Replayed"]


class Replayed:
    """Where a replay left the task: the page (``None``: start over at the start URL), the cached steps still
    to run one by one, and the actions that failed verification (for the live decider)."""

    def __init__(
        self, snapshot: PageSnapshot | None, remaining: list[list[Action]], failed: list[Action] | None = None
    ) -> None:
        self.snapshot = snapshot
        self.remaining = remaining
        self.failed = failed or []


class ReplayMixin(SessionMixin, PlanMixin):
    """Mixed into the task workflow (with the session and the plan handling)."""

    _request: TaskRequest
    _data: dict[str, str]
    _cache: CachedPath | None
    _cache_broken: bool
    _deep_link_refused: bool
    _steps: list[StepRecord]
    _step: int
    _url: str
    _last_action: str

    async def _replay_prefix(
        self, request: TaskRequest, steps: list[list[Action]], probes: list[str], domains: list[str]
    ) -> Replayed:
        """Run the cached ``steps``' reversible prefix in one activity; see :class:`Replayed` for the result."""
        prefix, rest = split_reversible(steps)
        room = request.max_steps - self._step
        if len(prefix) > room:
            prefix, rest = prefix[:room], [*prefix[room:], *rest]
        if not prefix or self._cache is None:
            return Replayed(None, steps)
        links = self._cache.links if request.deep_links and same_page(self._cache.start_url, request.start_url) else []
        numbered = [
            [a.model_copy(update={"id": f"{self._step + 1 + n}.{i}"}) for i, a in enumerate(step)]
            for n, step in enumerate(prefix)
        ]
        summary = f"replay {len(prefix)} cached steps" + (f", deep link to {links[-1]}" if links else "")
        self._detail = summary
        self._last_action = summary
        workflow.set_current_details(f"**Replaying the cached path**: {summary}")
        try:
            outcome: ReplayOutcome = await self._call(
                BrowserActivities.replay,
                lambda sid: ReplayInput(
                    session_id=sid,
                    start_url=request.start_url,
                    steps=numbered,
                    links=links,
                    allowed_domains=domains,
                    probe_selectors=probes,
                    credentials=credentials_from(self._data, request.review_policy),
                ),
                "replay",
                summary,
            )
        except SessionLost as lost:  # rebuilt from the start URL: the whole path replays step by step
            return Replayed(await self._restore(probes, domains, lost.error.message), steps)
        except ActFailed as unwell:  # the site is unwell (not the path): the step-by-step replay meets it
            workflow.logger.warning("replaying the cached path failed (%s); replaying step by step", unwell.error)
            return Replayed(None, steps)
        self._deep_link_refused = bool(outcome.deep_link_refused)
        if outcome.deep_link_refused:
            workflow.logger.info("deep link refused: %s", outcome.deep_link_refused)
        failed: list[Action] = []
        replayed: list[Action] = []
        for result in outcome.steps:
            self._step += 1
            actions = numbered[result.index]
            link = links[result.index] if result.index < len(links) else ""
            describe = Decision(actions=actions).describe()
            self._steps.append(
                StepRecord(
                    step=self._step,
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
            )
            replayed.extend(actions)
            if not result.ok:
                failed = actions
        self._acted_on(replayed, None)  # the next goal check verifies the replayed effects (no page before)
        snapshot = outcome.snapshot
        self._checkpoint = Checkpoint(url=snapshot.url, storage_state=outcome.storage_state)
        self._url = snapshot.url
        if not outcome.complete:
            self._cache_broken = True  # self-heal: live decisions from this page on
            return Replayed(snapshot, [], failed)
        return Replayed(snapshot, rest)

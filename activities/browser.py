"""Browser activities: thin adapters from Temporal to the pool, the actor and the snapshotter.

``open_session`` runs on the shared task queue and creates the session in this process's pool; every other
method runs on this process's own session queue (see DESIGN.md, session affinity).
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterator, Sequence

from playwright.async_api import Error as PlaywrightError
from temporalio import activity

from browserflow.browser import actor, recovery, replayer
from browserflow.browser.pool import BrowserPool, Session
from browserflow.contracts import (
    ActInput,
    ActionOutcome,
    CloseSessionInput,
    CloseSessionResult,
    ExtractInput,
    NavigateInput,
    OpenSessionInput,
    PageSnapshot,
    RecoveryAttempt,
    SessionRef,
)
from browserflow.errors import BrowserflowError
from browserflow.replay import ReplayInput, ReplayOutcome
from browserflow.snapshot import take_snapshot

from .errors import to_application_error
from .heartbeat import heartbeating

__all__ = ["BrowserActivities"]


def _recoveries_since(session: Session, since: int) -> list[RecoveryAttempt]:
    """The recovery attempts this activity made on ``session`` (every strategy also notes itself there)."""
    return [RecoveryAttempt(**a.as_dict()) for a in session.recoveries[since:]]


def _note_retry(session: Session, what: str) -> None:
    """A retried page activity that now succeeds: the retry policy's recovery (429 / 5xx / a lost slot)."""
    attempt = activity.info().attempt
    if attempt > 1:
        session.recoveries.append(
            recovery.RecoveryAttempt("ActivityRetry", "retry", attempt - 1, "recovered", f"{what} on attempt {attempt}")
        )


def _plan_key(inp: ActInput) -> str:
    ids = ",".join(a.id for a in inp.actions)
    return hashlib.sha256(ids.encode()).hexdigest()[:16] if ids.strip(",") else ""


_FIELDS = {"input", "select", "textarea"}


def _submitless_form(snap: PageSnapshot) -> bool:
    """A form with fields but, as yet, no submit control (what ``recovery.settle`` waits for)."""
    forms: dict[int, bool] = {}
    for e in snap.elements:
        if e.form is None:
            continue
        submit = (e.tag == "button" and e.type not in {"button", "reset"}) or (
            e.tag == "input" and e.type in {"submit", "image"}
        )
        if submit:
            forms[e.form] = True
        elif e.tag in _FIELDS and e.type not in {"hidden", "submit", "image", "button", "reset"}:
            forms.setdefault(e.form, False)
    return any(not has_submit for has_submit in forms.values())


class BrowserActivities:
    """The page activities of one worker process, bound to its pool and its session queue."""

    def __init__(self, pool: BrowserPool, session_queue: str, worker_id: str) -> None:
        self.pool = pool
        self.session_queue = session_queue
        self.worker_id = worker_id

    async def _snapshot(self, session: Session, probes: Sequence[str]) -> PageSnapshot:
        """Snapshot the page, riding out a navigation that destroys the execution context mid-evaluate."""
        last: Exception | None = None
        for _ in range(4):
            try:
                snap = await take_snapshot(session.page, probes)
                if _submitless_form(snap):  # a form whose submit control appears late gets time
                    with contextlib.suppress(PlaywrightError):
                        await recovery.settle(session, _beat)
                    snap = await take_snapshot(session.page, probes)
                return snap.model_copy(update={"status_code": session.last_status})
            except PlaywrightError as exc:
                last = exc
                with contextlib.suppress(PlaywrightError):
                    await session.page.wait_for_load_state("domcontentloaded")
        raise to_application_error(actor.classify_navigation_error(session.page.url, last or Exception()))

    def _session(self, session_id: str) -> Session:
        try:
            return self.pool.get(session_id)
        except BrowserflowError as exc:
            raise to_application_error(exc) from None

    @activity.defn(name="open_session")
    async def open_session(self, inp: OpenSessionInput) -> SessionRef:
        try:
            session = await self.pool.open(inp.task_id, storage_state=inp.storage_state, site=inp.site)
        except BrowserflowError as exc:
            raise to_application_error(exc) from None
        return SessionRef(session_id=session.id, task_queue=self.session_queue, worker_id=self.worker_id)

    @activity.defn(name="navigate")
    async def navigate(self, inp: NavigateInput) -> PageSnapshot:
        async with heartbeating():
            return await self._navigate(inp)

    async def _navigate(self, inp: NavigateInput) -> PageSnapshot:
        session = self._session(inp.session_id)
        since = len(session.recoveries)
        with _in_use(session):
            activity.heartbeat("navigating")
            await recovery.navigate(session, inp.url, inp.allowed_domains, heartbeat=_beat)
            snapshot = await self._snapshot(session, inp.probe_selectors)
        _note_retry(session, f"navigate {inp.url}")
        return snapshot.model_copy(update={"recoveries": _recoveries_since(session, since)})

    @activity.defn(name="extract")
    async def extract(self, inp: ExtractInput) -> PageSnapshot:
        async with heartbeating():
            return await self._extract(inp)

    async def _extract(self, inp: ExtractInput) -> PageSnapshot:
        session = self._session(inp.session_id)
        since = len(session.recoveries)
        with _in_use(session):
            snapshot = await self._snapshot(session, inp.probe_selectors)
        return snapshot.model_copy(update={"recoveries": _recoveries_since(session, since)})

    @activity.defn(name="act")
    async def act(self, inp: ActInput) -> ActionOutcome:
        async with heartbeating():
            return await self._act(inp)

    async def _act(self, inp: ActInput) -> ActionOutcome:
        session = self._session(inp.session_id)
        key = _plan_key(inp)
        recorded = session.results.get(key) if key else None
        if isinstance(recorded, ActionOutcome):  # a retry of a plan that already ran here
            return recorded
        url_before = session.page.url
        started = time.perf_counter()
        since = len(session.recoveries)
        with _in_use(session):
            if key:
                await self._back_to_plan_start(session, key, inp)
                url_before = session.page.url
            await recovery.perform(
                session,
                inp.actions,
                inp.allowed_domains,
                on_progress=activity.heartbeat,
                heartbeat=_beat,
                credentials=recovery.credentials_from(inp.credentials),
            )
            snapshot = await self._snapshot(session, inp.probe_selectors)
            state = dict(await session.context.storage_state())
        outcome = ActionOutcome(
            ok=True,
            executed=len(inp.actions),
            url_before=url_before,
            url=snapshot.url,
            page_changed=snapshot.url != url_before,
            snapshot=snapshot,
            storage_state=state,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            recoveries=_recoveries_since(session, since),  # perform's, a retry's return, the snapshot's waits
        )
        if key:
            session.results[key] = outcome
        return outcome

    @activity.defn(name="replay")
    async def replay(self, inp: ReplayInput) -> ReplayOutcome:
        """A cached path's reversible prefix in one go, each step verified (``browserflow.browser.replayer``)."""
        async with heartbeating():
            session = self._session(inp.session_id)
            with _in_use(session):
                return await replayer.replay(session, inp, self._snapshot, _beat)

    @staticmethod
    async def _back_to_plan_start(session: Session, key: str, inp: ActInput) -> list[recovery.RecoveryAttempt]:
        """A retried plan (after a 429, a 5xx, a lost worker slot) starts again from the page it started on."""
        start = session.plan_urls.setdefault(key, session.page.url)
        if session.page.url == start or activity.info().attempt <= 1:
            return []
        await recovery.navigate(session, start, inp.allowed_domains, heartbeat=_beat)
        attempt = recovery.RecoveryAttempt(
            "ActivityRetry", "return_to_page", activity.info().attempt - 1, "recovered", f"back to {start}"
        )
        session.recoveries.append(attempt)
        return [attempt]

    @activity.defn(name="close_session")
    async def close_session(self, inp: CloseSessionInput) -> CloseSessionResult:
        return CloseSessionResult(closed=await self.pool.close(inp.session_id, keep_trace=inp.keep_trace))


@contextlib.contextmanager
def _in_use(session: Session) -> Iterator[None]:
    """A page activity's hold on its session: counted as busy (the reaper leaves it alone), and a failure is
    noted on the session (its trace is kept) and raised as the matching ``ApplicationError``."""
    session.busy += 1
    try:
        session.guard.raise_blocked()  # the page tried to leave the task's hosts since the last activity
        yield
        session.guard.raise_blocked()  # ... or while this one ran (a late JS redirect, a meta refresh)
        session.dialogs.raise_refused()  # a confirm() the page raised after the action returned
    except BrowserflowError as exc:
        session.saw_error = True
        blocked = session.guard.take()
        if blocked is not None:
            blocked.index = exc.index
        raise to_application_error(blocked or exc) from None
    except PlaywrightError:
        blocked = session.guard.take()
        if blocked is None:
            raise
        session.saw_error = True
        raise to_application_error(blocked) from None
    finally:
        session.busy -= 1
        session.touch()


def _beat(detail: str) -> None:
    activity.heartbeat(detail)

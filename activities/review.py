"""Activities for people in the loop: a masked screenshot for the reviewer, and parking a session (saving its
cookies and storage, releasing the pool slot) while a person takes minutes or days to answer."""

from __future__ import annotations

import re
from pathlib import Path

from temporalio import activity

from browserflow.browser.masking import masked_capture
from browserflow.browser.pool import BrowserPool, Session
from browserflow.contracts import Checkpoint, ParkInput, ParkResult, ScreenshotInput, ScreenshotResult
from browserflow.errors import BrowserflowError

from .errors import to_application_error

__all__ = ["ReviewActivities"]

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class ReviewActivities:
    def __init__(self, pool: BrowserPool, artifacts_dir: Path) -> None:
        self.pool = pool
        self.artifacts_dir = artifacts_dir

    def _session(self, session_id: str) -> Session:
        try:
            return self.pool.get(session_id)
        except BrowserflowError as exc:
            raise to_application_error(exc) from None

    @activity.defn(name="screenshot")
    async def screenshot(self, inp: ScreenshotInput) -> ScreenshotResult:
        """A PNG of the page with password and card fields masked, in the task's artifact folder."""
        session = self._session(inp.session_id)
        folder = self.artifacts_dir / _SAFE.sub("_", inp.task_id)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{_SAFE.sub('_', inp.name)}.png"
        await masked_capture(session.page, session.secret_values, path=path)  # the one masking of every screenshot
        return ScreenshotResult(path=str(path))

    @activity.defn(name="park")
    async def park(self, inp: ParkInput) -> ParkResult:
        """Save the session's state and close it; the workflow rebuilds it from the checkpoint later."""
        session = self._session(inp.session_id)
        state = await session.context.storage_state()
        checkpoint = Checkpoint(url=session.page.url, storage_state=dict(state))
        await self.pool.close(inp.session_id)
        return ParkResult(checkpoint=checkpoint)

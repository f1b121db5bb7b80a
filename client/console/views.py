"""What the console's pages read and the forms give: the pending reviews with their goals and input fields, a
task's summary, the notes signed with the user's name, the form fields of the verbs, the safe ``next`` path."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from browserflow.contracts import ReviewRequest, TaskStatus
from browserflow.errors import BrowserflowError, TaskEnded, TaskNotFound, TaskUnanswered
from client.sdk import BrowserTasks, ReviewRefused

__all__ = [
    "REFUSALS",
    "author",
    "form_pairs",
    "form_values",
    "input_fields",
    "message",
    "pending_reviews",
    "safe_next",
    "summary",
]

ASK_TIMEOUT = 5.0
REFUSALS = (ReviewRefused, TaskEnded, TaskNotFound, TaskUnanswered, BrowserflowError)


def message(exc: BaseException) -> str:
    return str(getattr(exc, "message", "") or exc)


def input_fields(review: ReviewRequest) -> list[str]:
    """The task data keys the review's proposed actions read: the fields of the provide-input form."""
    keys: list[str] = []
    for action in review.proposed:
        if action.data_key and action.data_key not in keys:
            keys.append(action.data_key)
    return keys


def author(request: Request) -> Callable[[str], str]:
    """Signs a note or reason with the signed-in user's name (``by NAME: ...``): the review verbs carry no
    reviewer field, so the name travels in the text the workflow keeps. Tokens sign nothing."""
    name = getattr(request.state, "user", None)

    def sign(text: str) -> str:
        text = text.strip()
        if not name:
            return text
        return f"by {name}: {text}" if text else f"by {name}"

    return sign


def safe_next(raw: str | None) -> str:
    """A local path to go on to after signing in (never another site)."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/reviews"


def form_values(form: Any) -> dict[str, str]:
    """``field.KEY`` inputs and the free ``extra_key`` / ``extra_value`` pair; empty ones left out."""
    values = {
        key.removeprefix("field."): str(value).strip()
        for key, value in form.multi_items()
        if key.startswith("field.") and str(value).strip()
    }
    extra_key, extra_value = str(form.get("extra_key") or "").strip(), str(form.get("extra_value") or "").strip()
    if extra_key and extra_value:
        values[extra_key] = extra_value
    return values


def form_pairs(form: Any, prefix: str) -> dict[str, str]:
    """``PREFIX_key_N`` / ``PREFIX_value_N`` inputs as a mapping; pairs missing either side left out."""
    pairs: dict[str, str] = {}
    for name, key in form.multi_items():
        if name.startswith(f"{prefix}_key_") and str(key).strip():
            value = str(form.get(f"{prefix}_value_{name.removeprefix(f'{prefix}_key_')}") or "").strip()
            if value:
                pairs[str(key).strip()] = value
    return pairs


async def pending_reviews(tasks: BrowserTasks, limit: int = 100) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The pending reviews, oldest first, each with its goal and input fields; and the tasks listed as needing
    review that did not answer (no worker polls their queue, or they ended meanwhile), with the reason."""
    listed = await tasks.list(status=TaskStatus.NEEDS_REVIEW.value, limit=limit)

    async def one(task_id: str) -> tuple[str, ReviewRequest | str | None]:
        try:
            review = await asyncio.wait_for(tasks.get(task_id).pending_review(), ASK_TIMEOUT)
        except TimeoutError:
            return task_id, f"task {task_id} did not answer within {ASK_TIMEOUT:.0f} s"
        except REFUSALS as exc:
            return task_id, message(exc)
        return task_id, review

    rows: list[dict[str, Any]] = []
    silent: list[dict[str, str]] = []
    for task_id, found in await asyncio.gather(*(one(row.task_id) for row in listed)):
        if isinstance(found, str):
            silent.append({"id": task_id, "why": found})
        elif found is not None:
            goal, keys = await summary(tasks, task_id)
            fields = input_fields(found)
            rows.append(
                {"id": task_id, "review": found, "goal": goal, "fields": fields + [k for k in keys if k not in fields]}
            )
    rows.sort(key=lambda row: row["review"].requested_at)
    return rows, silent


async def summary(tasks: BrowserTasks, task_id: str) -> tuple[str, list[str]]:
    """The task's goal (``goal (site)``) and its data keys (names only), as the SDK summarised them at
    submission in the run's user metadata."""
    try:
        desc = await tasks.get(task_id).describe()
        goal = str(await desc.static_summary() or "")
        details = str(await desc.static_details() or "")
    except Exception:
        return "", []
    keys: list[str] = []
    for line in details.splitlines():
        if line.startswith("data keys: ") and line != "data keys: none":
            keys = [key.strip() for key in line.removeprefix("data keys: ").split(",") if key.strip()]
    return goal, keys

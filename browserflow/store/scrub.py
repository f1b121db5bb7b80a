"""Keeping task data values out of the database.

An action bound to a task data key (``data_key`` set) is stored with its value removed: the key says where
the value comes from, and the value (possibly personal data or a secret reference) stays with the task.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from browserflow.contracts import Action, StepRecord

__all__ = ["path_actions", "scrub_action", "scrubbed_json"]


def scrub_action(action: Action, *, keep_ref: bool = True) -> Action:
    """``action`` without the value of a data-bound field (and without its page-local ref unless ``keep_ref``)."""
    update: dict[str, Any] = {}
    if action.data_key is not None and action.value is not None:
        update["value"] = None
    if not keep_ref and action.ref is not None:
        update["ref"] = None
    return action.model_copy(update=update) if update else action


def scrubbed_json(actions: Iterable[Action], *, keep_ref: bool = True) -> list[dict[str, Any]]:
    return [scrub_action(a, keep_ref=keep_ref).model_dump(mode="json") for a in actions]


def path_actions(steps: Sequence[Action | StepRecord]) -> list[Action]:
    """The replayable actions of a path: given actions as they are, or the actions of the steps that succeeded."""
    found: list[Action] = []
    for item in steps:
        if isinstance(item, StepRecord):
            if item.ok:
                found.extend(item.actions)
        else:
            found.append(item)
    return [scrub_action(a, keep_ref=False) for a in found]

"""Keeping task data values out of the database and the step log.

An action bound to a task data key (``data_key`` set) is stored with its value removed: the key says where
the value comes from, and the value (possibly personal data or a secret reference) stays with the task.
Values under sensitive keys (``browserflow.secrets.SENSITIVE_KEY``: password, token, card number, CVC...)
are secrets even in clear: their expected effect names the key (``{password}``), never the value, and the
step log shows ``***`` (``mask_steps``), exactly as it shows an ``env:`` reference instead of a secret.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from browserflow import secrets
from browserflow.contracts import Action, StepRecord

__all__ = ["mask_action", "mask_steps", "path_actions", "scrub_action", "scrubbed_json"]


def _sensitive(action: Action) -> bool:
    return action.data_key is not None and secrets.is_sensitive_key(action.data_key)


def _masked_expect(action: Action) -> dict[str, Any]:
    exp = action.expect
    if exp is None or not exp.value or not _sensitive(action):
        return {}
    return {"expect": exp.model_copy(update={"value": f"{{{action.data_key}}}"})}


def mask_action(action: Action) -> Action:
    """``action`` as the step log shows it: a clear value under a sensitive key becomes ``***`` (a secret
    reference stays the reference)."""
    update = _masked_expect(action)
    if _sensitive(action) and action.value and not secrets.is_secret_ref(action.value):
        update["value"] = secrets.MASK
    return action.model_copy(update=update) if update else action


def mask_steps(steps: Iterable[StepRecord]) -> list[StepRecord]:
    """The step records with ``mask_action`` applied (deterministic: safe in workflow code)."""
    out: list[StepRecord] = []
    for step in steps:
        actions = [mask_action(a) for a in step.actions]
        changed = any(a is not b for a, b in zip(actions, step.actions, strict=True))
        out.append(step.model_copy(update={"actions": actions}) if changed else step)
    return out


def scrub_action(action: Action, *, keep_ref: bool = True) -> Action:
    """``action`` without the value of a data-bound field (and without its page-local ref unless ``keep_ref``)."""
    update: dict[str, Any] = _masked_expect(action)
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

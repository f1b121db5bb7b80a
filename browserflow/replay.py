"""Replaying a cached path in one go: what may run together, where a replay may start, and the messages of the
``replay`` activity.

A cached path replays as one ``replay`` activity instead of one ``act`` per step: the worker runs the path's
*reversible* prefix, verifying every step as it goes (each action's element is there; the page reacted), and
stops at the first step that does not verify, handing the page back to live decisions. Irreversible actions
never run inside a replay: they go through the workflow's own step, with its review gate and at-most-once
handling, exactly as when decided live.

Deep links: when the path's first steps only followed links from the start page (a GET to the link's own
address each), the replay may load the page they lead to directly. It checks that the page answers and
carries the targets of the step that follows; when it does not, the replay goes back to the start URL and
follows the links as recorded, and the path stops deep-linking (see ``browserflow.store``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urldefrag

from pydantic import BaseModel, Field

from browserflow.contracts import Action, ErrorInfo, PageSnapshot, RecoveryAttempt, StepRecord
from browserflow.rules.harm import harmful_unasked

__all__ = [
    "ReplayInput",
    "ReplayOutcome",
    "ReplayStepResult",
    "entry_point",
    "harmful_actions",
    "link_target",
    "same_page",
    "split_reversible",
]


class ReplayInput(BaseModel):
    session_id: str
    start_url: str
    steps: list[list[Action]] = Field(description="the path's reversible prefix, per step, values bound")
    links: list[str] = Field(
        default_factory=list, description="deep links: where each leading link-following step led; [] for none"
    )
    allowed_domains: list[str] = Field(default_factory=list)
    probe_selectors: list[str] = Field(default_factory=list)
    credentials: dict[str, str] = Field(default_factory=dict, description="credential refs, for re-authentication")


class ReplayStepResult(BaseModel):
    index: int = Field(description="position in ReplayInput.steps")
    url: str = Field(description="the page the step ran on")
    url_after: str = ""
    ok: bool = True
    error: ErrorInfo | None = None
    duration_ms: float = 0.0
    recoveries: list[RecoveryAttempt] = Field(default_factory=list)
    deep_linked: bool = Field(default=False, description="not clicked: the replay loaded a later page directly")


class ReplayOutcome(BaseModel):
    steps: list[ReplayStepResult] = Field(default_factory=list, description="one per step run (or deep-linked)")
    deep_link_refused: str = Field(default="", description="why the entry URL was not used, when it was offered")
    snapshot: PageSnapshot
    storage_state: dict[str, Any] | None = None

    @property
    def complete(self) -> bool:
        """Every step of the input ran and verified."""
        return all(s.ok for s in self.steps)


def split_reversible(steps: Sequence[Sequence[Action]]) -> tuple[list[list[Action]], list[list[Action]]]:
    """The prefix of ``steps`` that holds no irreversible action, and the rest.

    A step whose irreversible action comes after others (fill the form, then submit) is cut before it: the
    fills end the prefix and the submit starts the rest.
    """
    prefix: list[list[Action]] = []
    for i, step in enumerate(steps):
        cut = next((j for j, action in enumerate(step) if action.irreversible), None)
        if cut is None:
            prefix.append(list(step))
            continue
        if cut:
            prefix.append(list(step[:cut]))
        return prefix, [list(step[cut:]), *(list(s) for s in steps[i + 1 :])]
    return prefix, []


def same_page(a: str, b: str) -> bool:
    """Two URLs name the same page (fragments aside)."""
    return bool(a) and urldefrag(a)[0] == urldefrag(b)[0]


def link_target(actions: Sequence[Action], snapshot: PageSnapshot, url_after: str) -> str:
    """The address a step followed when all it did was click one link that led to that link's own address;
    ``""`` otherwise (a form, a script-driven button, a redirect, a data-bound choice)."""
    if len(actions) != 1:
        return ""
    action = actions[0]
    if action.kind != "click" or action.irreversible or action.data_key:
        return ""
    element = next((e for e in snapshot.elements if action.ref and e.ref == action.ref), None)
    if element is None:
        element = next((e for e in snapshot.elements if action.selector and e.selector == action.selector), None)
    if element is None or element.tag != "a" or not element.href:
        return ""
    if same_page(snapshot.url, url_after) or not same_page(element.href, url_after):
        return ""
    return url_after


def entry_point(records: Sequence[StepRecord]) -> list[str]:
    """The deep links of the path ``records``: where each of its leading link-following steps led.

    Each leading step must have followed a link (``StepRecord.link``) from the page the previous one led
    to, and at least one step must follow them; ``[]`` when there is nothing a replay could skip.
    """
    done = [r for r in records if r.ok]
    links: list[str] = []
    for record in done:
        if not record.link or (links and not same_page(record.url, links[-1])):
            break
        links.append(record.link)
    if not links or len(links) >= len(done) or not same_page(done[len(links)].url, links[-1]):
        return []
    return links


_ACTING = {"click", "press", "check"}


def harmful_actions(actions: Sequence[Action], goal: str) -> list[str]:
    """Labels of the harmful-looking actions ``goal`` does not ask for (``browserflow.rules.harm``): a path
    holding one is never cached, and a cached one is never replayed for such a goal."""
    return [
        a.label or a.selector or a.kind
        for a in actions
        if a.kind in _ACTING and harmful_unasked(f"{a.label or ''} {a.selector or ''}", goal)
    ]

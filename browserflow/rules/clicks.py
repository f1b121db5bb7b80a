"""Choosing the one link or button that best moves towards the goal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from browserflow.browser.hosts import HostPolicy
from browserflow.contracts import Action, Element, StepRecord
from browserflow.rules.forms import BUTTON_TYPES, click, collect_fields, same_action
from browserflow.rules.harm import harmful_unasked
from browserflow.rules.text import token_match, tokens, url_tokens

__all__ = ["ClickChoice", "choose_click", "host_allowed", "same_page", "unhelpful_urls"]

NAME_WEIGHT = 1.0
CONTEXT_WEIGHT = 0.6
HREF_WEIGHT = 0.5
DATA_WEIGHT = 0.5
MIN_SCORE = 0.5
_SKIP_SCHEMES = {"javascript", "mailto", "tel", "sms", "data", "blob", "about"}


def same_page(url: str) -> str:
    """A URL without its fragment and trailing slash, for comparing pages."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def host_allowed(url: str, allowed_domains: Sequence[str]) -> bool:
    """The browser guard's rule (``browserflow.browser.hosts``): a link the page would refuse is no choice."""
    if not allowed_domains:
        return True
    return HostPolicy.of(allowed_domains).refusal(url) is None


def unhelpful_urls(history: Sequence[StepRecord]) -> set[str]:
    """Pages the history shows did not help: left by going back to a page seen before them, or visited
    three times already."""
    first_seen: dict[str, int] = {}
    visits: Counter[str] = Counter()
    bad: set[str] = set()
    for i, step in enumerate(history):
        here = same_page(step.url) if step.url else ""
        if not here:
            continue
        visits[here] += 1
        first_seen.setdefault(here, i)
        after = same_page(step.url_after) if step.url_after else ""
        if after and after != here and after in first_seen and first_seen[after] < first_seen[here]:
            bad.add(here)
    bad.update(u for u, n in visits.items() if n >= 3)
    return bad


def _dead_clicks(history: Sequence[StepRecord], current: str) -> list[Action]:
    """Link clicks made on this page that left it unchanged."""
    dead: list[Action] = []
    for step in history:
        if same_page(step.url) != current or not step.url_after or same_page(step.url_after) != current:
            continue
        dead.extend(a for a in step.actions if a.kind == "click" and not a.irreversible)
    return dead


@dataclass
class ClickChoice:
    element: Element
    action: Action
    score: float
    runner_up: float
    blocked_better: bool  # a higher-scoring candidate was ruled out (history, failures)
    matched: list[str]


class _Matcher:
    """Which goal words each page word matches, worked out once per distinct page word."""

    def __init__(self, goal: Sequence[str], data_words: Sequence[str]) -> None:
        self.goal = list(goal)
        self.data = [d for d in data_words if d not in goal]
        self._goal_hits: dict[str, frozenset[str]] = {}

    def goal_hits(self, toks: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for t in toks:
            hit = self._goal_hits.get(t)
            if hit is None:
                hit = frozenset(g for g in self.goal if token_match(g, t))
                self._goal_hits[t] = hit
            out |= hit
        return out

    def score(self, e: Element) -> tuple[float, list[str]]:
        name_toks = tokens(f"{e.name} {e.label}") if e.label and e.label != e.name else tokens(e.name)
        ctx_toks = tokens(e.context)
        href_toks = url_tokens(e.href)
        in_name = self.goal_hits(name_toks)
        in_ctx = self.goal_hits(ctx_toks)
        in_href = self.goal_hits(href_toks)
        total = 0.0
        matched: list[str] = []
        for g in self.goal:
            if g in in_name:
                total += NAME_WEIGHT
            elif g in in_ctx:
                total += CONTEXT_WEIGHT
            elif g in in_href:
                total += HREF_WEIGHT
            else:
                continue
            matched.append(g)
        for d in self.data:
            if d in name_toks or d in ctx_toks or d in href_toks:
                total += DATA_WEIGHT
                matched.append(d)
        return total, matched


def choose_click(
    elements: Sequence[Element],
    current_url: str,
    goal: Sequence[str],
    data_words: Sequence[str],
    failed: Sequence[Action],
    allowed_domains: Sequence[str],
    history: Sequence[StepRecord],
    goal_text: str | None = None,
) -> ClickChoice | None:
    """The link or button whose name, context (table row, list item) and href words best overlap the goal.

    A harmful-looking one the goal does not ask for ("Delete account", "Unsubscribe", "Pay now"; see
    ``browserflow.rules.harm``) is never chosen, whatever goal words it repeats."""
    whole_goal = " ".join(goal) if goal_text is None else goal_text
    field_refs = {e.ref for f in collect_fields(elements) for e in f.elements}
    here = same_page(current_url) if current_url else ""
    bad_urls = unhelpful_urls(history)
    dead = _dead_clicks(history, here) if here else []
    matcher = _Matcher(goal, data_words)
    scored: list[tuple[float, int, Element, list[str], bool]] = []
    for i, e in enumerate(elements):
        if e.disabled or e.ref in field_refs:
            continue
        is_link = e.role == "link" or e.tag in {"a", "area"}
        is_button = e.role in {"button", "tab", "menuitem"} or (e.tag == "input" and e.type in BUTTON_TYPES)
        if not (is_link or is_button) or e.type == "reset":
            continue
        if harmful_unasked(f"{e.name} {e.label}", whole_goal):
            continue
        s, matched = matcher.score(e)
        if s < MIN_SCORE:
            continue
        blocked = False
        act = click(e)
        if e.href:
            scheme = urlsplit(e.href).scheme.lower()
            target = same_page(e.href)
            if scheme in _SKIP_SCHEMES or (here and target == here) or not host_allowed(e.href, allowed_domains):
                continue
            blocked = target in bad_urls or any(same_action(act, d) for d in dead)
        blocked = blocked or any(same_action(act, f) for f in failed)
        scored.append((s, i, e, matched, blocked))
    if not scored:
        return None
    scored.sort(key=lambda t: (-t[0], t[1]))
    usable = [t for t in scored if not t[4]]
    if not usable:
        return None
    best = usable[0]
    runner_up = usable[1][0] if len(usable) > 1 else 0.0
    return ClickChoice(
        element=best[2],
        action=click(best[2]),
        score=best[0],
        runner_up=runner_up,
        blocked_better=scored[0][4] and scored[0][0] > best[0],
        matched=best[3],
    )

"""Replaying a path's reversible prefix on real Chromium against the demo site: deep links, their refusal,
and verification stopping at the first step that does not match."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Sequence

import pytest

from browserflow.browser import replayer
from browserflow.browser.pool import BrowserPool, Session
from browserflow.contracts import Action, PageSnapshot
from browserflow.errors import PageError
from browserflow.replay import ReplayInput
from browserflow.snapshot import take_snapshot
from demo import DemoSite


@pytest.fixture
async def session(pool: BrowserPool) -> AsyncIterator[Session]:
    opened = await pool.open("replayer-unit")
    yield opened
    await pool.close(opened.id)


async def snap(session: Session, probes: Sequence[str]) -> PageSnapshot:
    return await take_snapshot(session.page, probes)


def beat(_: str) -> None:
    return None


def path(site: DemoSite) -> list[list[Action]]:
    """The demo registration up to its submit: two links, then the form's fields."""
    return [
        [Action(kind="click", selector="nav >> text=Class schedule", label="Class schedule")],
        [Action(kind="click", selector='a[href="/register?class=tue-evening-swim"]', label="Register")],
        [
            Action(kind="fill", selector="#student-name", label="Student name", value="Noa Cohen", data_key="name"),
            Action(kind="fill", selector="#email", label="Email", value="noa@example.com", data_key="email"),
            Action(kind="check", selector="#consent", label="I agree to the pool rules"),
        ],
    ]


def links(site: DemoSite) -> list[str]:
    return [site.url("/schedule"), site.url("/register?class=tue-evening-swim")]


def replay_input(site: DemoSite, steps: list[list[Action]], deep: list[str]) -> ReplayInput:
    return ReplayInput(
        session_id="unused", start_url=site.url("/"), steps=steps, links=deep, allowed_domains=["127.0.0.1"]
    )


async def test_a_deep_link_skips_the_link_steps_and_the_rest_is_verified(session: Session, site: DemoSite) -> None:
    outcome = await replayer.replay(session, replay_input(site, path(site), links(site)), snap, beat)

    assert outcome.complete and outcome.deep_link_refused == ""
    assert [s.deep_linked for s in outcome.steps] == [True, True, False]
    assert [s.url_after for s in outcome.steps[:2]] == links(site)
    assert outcome.steps[2].url == links(site)[1] and outcome.steps[2].duration_ms > 0
    assert await session.page.input_value("#student-name") == "Noa Cohen"
    assert await session.page.is_checked("#consent")
    assert outcome.snapshot.url == links(site)[1]
    assert site.registration_count() == 0  # nothing irreversible ran


async def test_a_refused_deep_link_replays_from_the_start(session: Session, site: DemoSite) -> None:
    moved = [site.url("/schedule"), site.url("/register-moved?class=tue-evening-swim")]  # the site moved the form
    outcome = await replayer.replay(session, replay_input(site, path(site), moved), snap, beat)

    assert outcome.complete
    assert "register-moved" in outcome.deep_link_refused
    assert [s.deep_linked for s in outcome.steps] == [False, False, False]
    assert [s.url for s in outcome.steps] == [site.url("/"), *links(site)]
    assert await session.page.input_value("#email") == "noa@example.com"


async def test_a_deep_link_without_the_next_steps_targets_is_refused(session: Session, site: DemoSite) -> None:
    elsewhere = [site.url("/schedule"), site.url("/")]  # answers 200, but the form is not there
    outcome = await replayer.replay(session, replay_input(site, path(site), elsewhere), snap, beat)
    assert "is not on" in outcome.deep_link_refused
    assert outcome.complete and not any(s.deep_linked for s in outcome.steps)


async def test_replay_stops_at_the_first_step_that_does_not_verify(session: Session, site: DemoSite) -> None:
    steps = path(site)
    steps[1] = [Action(kind="click", selector='a[href="/register?class=gone-class"]', label="Register")]
    outcome = await replayer.replay(session, replay_input(site, steps, []), snap, beat)

    assert not outcome.complete
    assert [s.ok for s in outcome.steps] == [True, False]  # the form step never ran
    failed = outcome.steps[1]
    assert failed.error is not None and failed.error.type == "CacheMismatch"
    assert "not on the page" in failed.error.message
    assert outcome.snapshot.url == site.url("/schedule")  # the page is handed back where it stopped


async def test_a_step_the_page_does_not_react_to_is_a_mismatch(session: Session, site: DemoSite) -> None:
    steps = path(site)
    consent = Action(kind="check", selector="#consent", label="I agree to the pool rules")
    steps.append([consent])  # ticked already by the step before: checking it again changes nothing
    outcome = await replayer.replay(session, replay_input(site, steps, links(site)), snap, beat)

    assert [s.ok for s in outcome.steps] == [True, True, True, False]
    assert outcome.steps[3].error is not None and outcome.steps[3].error.message == "the page did not react"


async def test_a_site_that_is_down_is_an_error_not_a_mismatch(session: Session) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = f"http://127.0.0.1:{port}/"
    down = ReplayInput(session_id="unused", start_url=start, steps=[[Action(kind="click", selector="a")]])
    with pytest.raises(PageError):  # SiteDown, or ActionFailed when Chromium words it otherwise
        await replayer.replay(session, down, snap, beat)

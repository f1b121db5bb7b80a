"""The engine with its SQL memory: records, the site-path cache (replay, self-heal), store outages."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from browserflow.contracts import TaskStatus
from browserflow.store import Store
from client.sdk import BrowserTasks
from demo import DemoSite
from tests.conftest import Engine, eventually
from tests.workflows.test_task import demo_request

pytestmark = pytest.mark.integration


def request_for(site: DemoSite, name: str, goal_suffix: str, **changes: Any) -> dict[str, Any]:
    """A demo request with its own goal wording, so each test has its own cache entry."""
    base = demo_request(site, **changes)
    base["goal"] = f"{base['goal']} {goal_suffix}"
    base["data"] = {**base["data"], "student_name": name, "email": f"{name.split()[0].lower()}@example.com"}
    return base


async def test_second_run_replays_the_cached_path_without_decisions(engine: Engine, site: DemoSite) -> None:
    suffix = f"please {uuid.uuid4().hex[:6]}"
    cold = await engine.tasks.run(request_for(site, "Eden Levi", suffix))
    assert cold.status == TaskStatus.SUCCEEDED and not cold.cache_hit
    assert cold.decisions_by_tier == {"rules": 3}

    warm_request = request_for(site, "Noa Cohen", suffix)
    warm_request["data"]["level"] = "Advanced"  # other data, same keys: the path is parametrised by keys
    warm = await engine.tasks.run(warm_request)

    assert warm.status == TaskStatus.SUCCEEDED, warm.reason
    assert warm.cache_hit
    # no decide calls on replay; the form step is split before its submit (which runs as its own step)
    assert warm.decisions_by_tier == {"cache": 4}
    assert warm.time_saved_seconds is not None
    noa = site.registrations[-1]
    assert (noa.student_name, noa.level, noa.class_id) == ("Noa Cohen", "advanced", "tue-evening-swim")
    assert warm.result_data["confirmation_number"] == noa.confirmation

    # the store: both tasks, their steps (values scrubbed), the cache entry used twice
    task = engine.store.get_task(warm.task_id)
    assert task is not None and task.status == "succeeded" and task.cache_hit
    steps = engine.store.list_steps(warm.task_id)
    assert [s.tier for s in steps] == ["cache", "cache", "cache", "cache"]
    log = (await engine.tasks.get(warm.task_id).steps()).steps
    # the two link steps were deep-linked: the replay loaded the registration form directly
    assert [s.deep_linked for s in log] == [True, True, False, False]
    assert log[1].url_after == site.url("/register?class=tue-evening-swim")
    assert [a.irreversible for a in log[3].actions] == [True]
    stored_values = {a.value for s in steps for a in s.actions if a.data_key}
    assert stored_values == {None}
    path = engine.store.lookup_task_path(warm_request_model(warm_request))
    assert path is not None and path.uses >= 1
    assert path.links == [site.url("/schedule"), site.url("/register?class=tue-evening-swim")]
    assert path.start_url == site.url("/")
    cost = await engine.tasks.cost(cold.task_id)
    assert cost.total_usd == 0.0 and cost.by_tier.get("rules") == 0.0


def warm_request_model(raw: dict[str, Any]) -> Any:
    from client.sdk import parse_request

    return parse_request(raw)


async def test_a_broken_cached_path_heals_and_is_updated(engine: Engine, site: DemoSite) -> None:
    suffix = f"now {uuid.uuid4().hex[:6]}"
    first = await engine.tasks.run(request_for(site, "Eden Levi", suffix))
    assert first.status == TaskStatus.SUCCEEDED
    request = warm_request_model(request_for(site, "Eden Levi", suffix))
    cached = engine.store.lookup_task_path(request)
    assert cached is not None
    signature = cached.goal_signature
    # the site changed: the form's name field has a new id (so the deep link to the form is refused too)
    break_path(engine, request.site, signature, "#student-name", "#student-fullname")

    healed = await engine.tasks.run(request_for(site, "Ori Ben", suffix))

    assert healed.status == TaskStatus.SUCCEEDED, healed.reason
    assert not healed.cache_hit
    assert healed.decisions_by_tier.get("cache", 0) >= 1 and healed.decisions_by_tier.get("rules", 0) >= 1
    log = (await engine.tasks.get(healed.task_id).steps()).steps
    # the deep link was refused (no name field there), so the links replayed from the start; the form step
    # failed its verification and live decisions took over from that page
    assert [(s.tier, s.ok, s.deep_linked) for s in log[:3]] == [("cache", True, False)] * 2 + [("cache", False, False)]
    assert site.registrations[-1].student_name == "Ori Ben"
    path = engine.store.lookup_task_path(request)
    assert path is not None
    assert "student-fullname" not in path.model_dump_json()  # the healed path replaced the broken one
    assert path.links == []  # and a path whose deep link failed stops deep-linking


def break_path(engine: Engine, site: str, signature: str, old: str, new: str, *, steps: bool = True) -> None:
    """Edit a stored path the way a changed site would break it: its deep links, and its steps if ``steps``."""
    where = "WHERE site = :s AND goal_signature = :g"
    with engine.store.engine.begin() as conn:
        row = conn.execute(text(f"SELECT steps, links FROM site_paths {where}"), {"s": site, "g": signature}).one()
        conn.execute(
            text(f"UPDATE site_paths SET steps = :steps, links = :links {where}"),
            {
                "steps": json.dumps(_as_json(row.steps)).replace(old, new if steps else old),
                "links": json.dumps(_as_json(row.links)).replace(old, new),
                "s": site,
                "g": signature,
            },
        )


def _as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def test_a_refused_deep_link_still_replays_and_is_forgotten(engine: Engine, site: DemoSite) -> None:
    suffix = f"today {uuid.uuid4().hex[:6]}"
    assert (await engine.tasks.run(request_for(site, "Eden Levi", suffix))).status == TaskStatus.SUCCEEDED
    request = warm_request_model(request_for(site, "Eden Levi", suffix))
    cached = engine.store.lookup_task_path(request)
    assert cached is not None and len(cached.links) == 2
    # the form moved behind a new address; the links on the pages still lead to it
    break_path(engine, request.site, cached.goal_signature, "/register?", "/register-old?", steps=False)

    warm = await engine.tasks.run(request_for(site, "Noa Cohen", suffix))

    assert warm.status == TaskStatus.SUCCEEDED and warm.cache_hit, warm.reason
    assert warm.decisions_by_tier == {"cache": 4}
    log = (await engine.tasks.get(warm.task_id).steps()).steps
    assert not any(s.deep_linked for s in log) and all(s.ok for s in log)
    path = engine.store.lookup_task_path(request)
    assert path is not None and path.links == []
    assert site.registrations[-1].student_name == "Noa Cohen"


async def test_a_replayed_submit_keeps_its_review_gate(engine: Engine, site: DemoSite) -> None:
    suffix = f"gated {uuid.uuid4().hex[:6]}"
    assert (await engine.tasks.run(request_for(site, "Eden Levi", suffix))).status == TaskStatus.SUCCEEDED
    gated = request_for(site, "Noa Cohen", suffix, review_policy="before_irreversible")
    handle = await engine.tasks.submit(gated)

    async def asked() -> bool:
        review = await handle.pending_review()
        return review is not None and review.reason == "before_irreversible"

    await eventually(asked, timeout=30, what="the replayed submit to wait for a reviewer")
    review = await handle.pending_review()
    assert review is not None and [a.label for a in review.proposed] == ["Register"]
    assert site.registration_count() == 1  # only the first task's: nothing submitted before the approval
    await handle.approve()
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED and result.cache_hit, result.reason
    assert site.registration_count() == 2 and site.registrations[-1].student_name == "Noa Cohen"


@pytest.fixture
async def outage_tasks(engine: Engine) -> AsyncIterator[BrowserTasks]:
    """Workers whose store is a PostgreSQL that is not there."""
    from worker import build_workers

    dead = Store.from_url("postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=1")
    queue = f"bf-outage-{uuid.uuid4().hex[:8]}"
    workers = build_workers(engine.client, engine.pool, store=dead, task_queue=queue, drain_seconds=5)
    stop = asyncio.Event()
    running = asyncio.create_task(workers.run(stop))
    yield BrowserTasks(engine.client, queue)
    stop.set()
    await running
    dead.close()


async def test_a_store_outage_does_not_fail_the_task(outage_tasks: BrowserTasks, site: DemoSite) -> None:
    result = await outage_tasks.run(demo_request(site))
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    assert site.registration_count() == 1
    assert result.result_data["confirmation_number"] == site.registrations[0].confirmation


async def test_a_path_chosen_by_a_data_value_is_not_replayed_for_another_value(engine: Engine, site: DemoSite) -> None:
    suffix = f"soon {uuid.uuid4().hex[:6]}"
    tuesday = await engine.tasks.run(request_for(site, "Eden Levi", suffix))
    assert tuesday.status == TaskStatus.SUCCEEDED
    # same words, same data keys, another class: the cached path clicked the Tuesday row's link
    other = request_for(site, "Noa Cohen", suffix)
    other["goal"] = other["goal"].replace("Tuesday evening swim", "Wednesday evening swim")
    other["data"]["class_id"] = "Wednesday evening swim"
    wednesday = await engine.tasks.run(other)
    assert wednesday.status == TaskStatus.SUCCEEDED, wednesday.reason
    assert not wednesday.cache_hit and "cache" not in wednesday.decisions_by_tier
    assert site.registrations[-1].class_id == "wed-evening-swim"
    # and the Tuesday path still serves another Tuesday student
    again = await engine.tasks.run(request_for(site, "Ori Ben", suffix))
    assert again.cache_hit and site.registrations[-1].class_id == "tue-evening-swim"

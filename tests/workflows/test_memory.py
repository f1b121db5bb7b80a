"""The engine with its SQL memory: records, the site-path cache (replay, self-heal), store outages."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from browserflow.contracts import TaskStatus
from browserflow.store import Store
from client.sdk import BrowserTasks
from demo import DemoSite
from tests.conftest import Engine
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
    assert warm.decisions_by_tier == {"cache": 3}  # no decide calls on replay
    assert warm.time_saved_seconds is not None
    noa = site.registrations[-1]
    assert (noa.student_name, noa.level, noa.class_id) == ("Noa Cohen", "advanced", "tue-evening-swim")
    assert warm.result_data["confirmation_number"] == noa.confirmation

    # the store: both tasks, their steps (values scrubbed), the cache entry used twice
    task = engine.store.get_task(warm.task_id)
    assert task is not None and task.status == "succeeded" and task.cache_hit
    steps = engine.store.list_steps(warm.task_id)
    assert [s.tier for s in steps] == ["cache", "cache", "cache"]
    stored_values = {a.value for s in steps for a in s.to_step_record().actions if a.data_key}
    assert stored_values == {None}
    path = engine.store.lookup_task_path(warm_request_model(warm_request))
    assert path is not None and path.uses >= 1
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
    # the site changed: the cached second step's link no longer exists
    with engine.store.engine.begin() as conn:
        steps = conn.execute(
            text("SELECT steps FROM site_paths WHERE site = :s AND goal_signature = :g"),
            {"s": request.site, "g": signature},
        ).scalar_one()
        broken = str(steps).replace("tue-evening-swim", "gone-class")
        conn.execute(
            text("UPDATE site_paths SET steps = :v WHERE site = :s AND goal_signature = :g"),
            {"v": broken, "s": request.site, "g": signature},
        )

    healed = await engine.tasks.run(request_for(site, "Ori Ben", suffix))

    assert healed.status == TaskStatus.SUCCEEDED, healed.reason
    assert not healed.cache_hit
    assert healed.decisions_by_tier.get("cache", 0) >= 1 and healed.decisions_by_tier.get("rules", 0) >= 1
    assert site.registrations[-1].student_name == "Ori Ben"
    path = engine.store.lookup_task_path(request)
    assert path is not None
    assert "gone-class" not in path.model_dump_json()  # the healed path replaced the broken one


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

from __future__ import annotations

import pytest

from demo import DemoSite
from tests.conftest import Engine
from tests.workflows.test_task import demo_request

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "fault",
    [
        {"late_element_ms": 1500},
        {"slow_ms": 3000, "slow_count": 1},
        {"modal": True},
        {"rate_limit_count": 1, "retry_after": 1},
        {"error_burst": 2},
        {"deny": True},
        {"down": True},
    ],
)
async def test_probe(engine: Engine, site: DemoSite, fault) -> None:
    site.faults.set(**fault)
    engine.pool.navigation_timeout_ms = 1500
    handle = await engine.tasks.submit(demo_request(site, use_cache=False, max_steps=8, timeout=60))
    result = await handle.result()
    log = await handle.steps()
    print("\nFAULT", fault, result.status, result.reason, site.registration_count(), site.faults.served)
    for s in log.steps:
        print("   ", s.step, s.ok, s.decision[:90], s.error)

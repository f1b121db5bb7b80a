"""The demo task cold (live rules decisions) then from the site-path cache, 10 times each, in one run; and the
store's write overhead per step on SQLite and PostgreSQL.

A cached run replays the path's reversible prefix as one ``replay`` activity, deep-linking past the two
link-following steps (landing -> schedule -> form) when the path allows it; ``--no-deep-links`` measures the
replay that clicks through every step instead.

The same run measures the floor: the plain-Playwright script of the task from the landing page, and from the
form's address (what a perfect deep-linked replay does, with no engine at all); their ratio is the best any
replay of this task can reach on this machine.

Targets (issue 4): cached/cold time ratio <= 0.5 with the rules tier; decide calls on replay == 0.

    .venv/bin/python -m bench.cache [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid

from bench.harness import demo_request, plain_registration, stack
from browserflow.contracts import Action, StepRecord, TaskRequest
from browserflow.store import DecisionRecord, Store, migrate
from client.session import exit_cleanly, run_async

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


async def engine_runs(runs: int, deep_links: bool = True) -> dict[str, float]:
    async with stack(max_sessions=2) as s:
        goal_suffix = f"(bench {uuid.uuid4().hex[:6]})"

        def request(i: int, cache: bool) -> dict[str, object]:
            raw = demo_request(s.site, i)
            raw["goal"] = f"{raw['goal']} {goal_suffix}"
            raw["use_cache"] = cache
            raw["deep_links"] = deep_links
            return raw

        await s.tasks.run(request(-1, False))  # warm up
        cold, warm, decisions, deep = [], [], 0, 0
        plain_full: list[float] = []
        plain_form: list[float] = []
        for i in range(runs):
            for from_form, into in ((False, plain_full), (True, plain_form)):
                t0 = time.perf_counter()
                await plain_registration(s.browser, s.site, 3000 + i, from_form=from_form)
                into.append(time.perf_counter() - t0)
        for i in range(runs):
            result = await s.tasks.run(request(i, False))
            assert result.goal_achieved, result.reason
            cold.append(result.execution_time_seconds)
        primed = await s.tasks.run(request(1000, True))  # saves the path
        assert primed.goal_achieved and not primed.cache_hit
        for i in range(runs):
            result = await s.tasks.run(request(2000 + i, True))
            assert result.goal_achieved and result.cache_hit, result.reason
            warm.append(result.execution_time_seconds)
            decisions += sum(n for tier, n in result.decisions_by_tier.items() if tier != "cache")
            deep += sum(s.deep_linked for s in (await s.tasks.get(result.task_id).steps()).steps)
    cold_med, warm_med = statistics.median(cold), statistics.median(warm)
    return {
        "cold_median_s": cold_med,
        "cached_median_s": warm_med,
        "ratio": warm_med / cold_med,
        "decides": decisions,
        "deep_linked": deep / max(runs, 1),
        "plain_full_s": statistics.median(plain_full),
        "plain_form_s": statistics.median(plain_form),
    }


def write_overhead(url: str, steps: int = 200) -> float:
    """Median milliseconds to record one step and its decision."""
    migrate.upgrade(url)
    store = Store.from_url(url)
    request = TaskRequest(goal="bench", start_url="http://127.0.0.1/", data={"name": "x"})
    workflow_id = f"bench-{uuid.uuid4().hex}"
    store.record_task_started(workflow_id, request)
    action = Action(kind="fill", selector="#name", label="Name", value="x", data_key="name", id="1.0")
    times = []
    for step in range(steps):
        record = StepRecord(step=step, url="http://127.0.0.1/", decision="fill 'Name'", tier="rules", actions=[action])
        t0 = time.perf_counter()
        store.record_step(record, workflow_id)
        store.record_decision(DecisionRecord(workflow_id=workflow_id, step=step, tier="rules", provider="local"))
        times.append((time.perf_counter() - t0) * 1000)
    store.close()
    return statistics.median(times)


def pg_overhead() -> float:
    from sqlalchemy import create_engine, text

    name = f"bf_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        return write_overhead(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-deep-links", action="store_true", help="replay every step (no deep links)")
    args = parser.parse_args()
    figures = run_async(lambda: engine_runs(args.runs, deep_links=not args.no_deep_links))
    with tempfile.TemporaryDirectory() as scratch:
        sqlite_ms = write_overhead(f"sqlite:///{scratch}/bench.db")
    postgres_ms = pg_overhead()
    verdict = "ok" if figures["ratio"] <= 0.5 and figures["decides"] == 0 else "MISSED"
    print(f"runs each: {args.runs}")
    print(f"cold (rules tier) median task time:   {figures['cold_median_s']:.3f} s")
    print(f"cached (replay) median task time:      {figures['cached_median_s']:.3f} s")
    print(f"ratio cached/cold:                     {figures['ratio']:.2f}  (target <= 0.5) {verdict}")
    print(f"decide calls during cached runs:       {figures['decides']}  (target 0)")
    print(f"steps deep-linked per cached run:      {figures['deep_linked']:.1f}")
    floor = figures["plain_form_s"] / figures["plain_full_s"]
    print(
        f"plain Playwright: from the landing page {figures['plain_full_s']:.3f} s, from the form "
        f"{figures['plain_form_s']:.3f} s: floor ratio {floor:.2f}"
    )
    print(f"engine cached / plain from the form:   {figures['cached_median_s'] / figures['plain_form_s']:.2f}")
    print(
        f"store write per step (step + decision): SQLite {sqlite_ms:.2f} ms, PostgreSQL {postgres_ms:.2f} ms (median)"
    )


if __name__ == "__main__":
    exit_cleanly(main)

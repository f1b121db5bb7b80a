"""The demo registration through the engine vs a plain Playwright script, in one run, at concurrency 1 and 8.

Prints per level: median task time of each, the ratio engine/plain, and tasks per second.
Targets (issue 2): engine/plain <= 1.5 at concurrency 1 and <= 1.3 at concurrency 8.

    .venv/bin/python -m bench.spine [--tasks-c1 6] [--tasks-c8 16]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bench.harness import Stack, demo_request, plain_registration, run_concurrently, stack, summarise
from browserflow.contracts import TaskStatus
from client.session import exit_cleanly, run_async


async def engine_job(s: Stack, i: int) -> None:
    result = await s.tasks.run(demo_request(s.site, i))
    if result.status != TaskStatus.SUCCEEDED:
        raise RuntimeError(f"engine task {i} ended {result.status}: {result.reason}")


async def measure(levels: list[tuple[int, int]]) -> list[dict[str, Any]]:
    rows = []
    async with stack(max_sessions=max(c for c, _ in levels)) as s:
        # warm both paths (first context, first workflow, imports)
        await plain_registration(s.browser, s.site, -1)
        await engine_job(s, -1)
        for concurrency, n in levels:
            plain_wall, plain = await run_concurrently(
                n, concurrency, lambda i: plain_registration(s.browser, s.site, i)
            )
            engine_wall, engine = await run_concurrently(n, concurrency, lambda i: engine_job(s, i))
            p, e = summarise(plain), summarise(engine)
            rows.append(
                {
                    "concurrency": concurrency,
                    "tasks": n,
                    "plain_median_s": round(p["median"], 3),
                    "engine_median_s": round(e["median"], 3),
                    "ratio_median": round(e["median"] / p["median"], 2),
                    "plain_tasks_per_s": round(n / plain_wall, 2),
                    "engine_tasks_per_s": round(n / engine_wall, 2),
                    "ratio_throughput": round((n / plain_wall) / (n / engine_wall), 2),
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks-c1", type=int, default=6)
    parser.add_argument("--tasks-c8", type=int, default=16)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = run_async(lambda: measure([(1, args.tasks_c1), (8, args.tasks_c8)]))
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print("concurrency  tasks  plain_med_s  engine_med_s  ratio(med)  plain_t/s  engine_t/s  ratio(wall)  target")
    for r in rows:
        target = 1.5 if r["concurrency"] == 1 else 1.3
        ratio = r["ratio_median"]  # the task-time ratio (issue 2's target); throughput ratio printed beside
        verdict = "ok" if ratio <= target else "MISSED"
        print(
            f"{r['concurrency']:>11}  {r['tasks']:>5}  {r['plain_median_s']:>11.3f}  {r['engine_median_s']:>12.3f}"
            f"  {r['ratio_median']:>10.2f}  {r['plain_tasks_per_s']:>9.2f}  {r['engine_tasks_per_s']:>10.2f}"
            f"  {r['ratio_throughput']:>11.2f}  <= {target} {verdict}"
        )


if __name__ == "__main__":
    exit_cleanly(main)

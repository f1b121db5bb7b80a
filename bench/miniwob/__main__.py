"""MiniWoB++ measured through the real engine.

    .venv/bin/python -m bench.miniwob [--tasks a,b,c] [--seeds 5] [--first-seed 0] [--concurrency 2] [--json PATH]
    .venv/bin/python -m bench.miniwob --dump DIR [--tasks ...] [--seeds 3]     # no engine: utterance + snapshot
    .venv/bin/python -m bench.miniwob --table-from PATH                        # the table of a --json run again

Each task x seed is one TaskRequest through the SDK (goal = the page's utterance, start_url = the seeded task
page, data = {}); the page's own reward, reported by the harness, is the ground truth. Success = raw reward
> 0; a false success = the engine said succeeded while the raw reward was <= 0. Seeds >= 10000 are refused.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.miniwob.pages import dump_episodes
from bench.miniwob.report import rows_from_json, table
from bench.miniwob.runner import run_bench
from bench.miniwob.site import MAX_SEED, check_seed
from bench.miniwob.tasks import TASKS, check_tasks
from client.session import exit_cleanly, run_async


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.miniwob", description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", default="", help="comma-separated task names (default: every chosen task)")
    parser.add_argument("--seeds", type=int, default=5, help="how many seeds per task (default 5)")
    parser.add_argument("--first-seed", type=int, default=0, help="the first seed (default 0)")
    parser.add_argument("--concurrency", type=int, default=2, help="episodes at once (default 2)")
    parser.add_argument("--json", type=Path, default=None, help="write every row to this file")
    parser.add_argument("--dump", type=Path, default=None, help="no engine: write DIR/<task>/<seed>.json")
    parser.add_argument("--table-from", type=Path, default=None, help="no engine: print the table of a --json file")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.concurrency < 1:
        parser.error("--seeds and --concurrency must be at least 1")
    try:
        check_seed(args.first_seed)
        check_seed(args.first_seed + args.seeds - 1)
    except ValueError as exc:
        parser.error(f"{exc} (asked for seeds {args.first_seed}..{args.first_seed + args.seeds - 1}; limit {MAX_SEED})")
    try:
        args.task_list = check_tasks([t.strip() for t in args.tasks.split(",") if t.strip()]) or list(TASKS)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.table_from is not None:
        print(table(rows_from_json(args.table_from)))
        return 0
    seeds = [check_seed(s) for s in range(args.first_seed, args.first_seed + args.seeds)]
    if args.dump is not None:
        dumped = run_async(lambda: dump_episodes(args.task_list, seeds, args.dump))
        unstable = [f"{r['task']}/{r['seed']}" for r in dumped if not r["deterministic"]]
        print(f"wrote {len(dumped)} episodes to {args.dump}" + (f"; not deterministic: {unstable}" if unstable else ""))
        return 0
    rows = run_async(lambda: run_bench(args.task_list, seeds, concurrency=args.concurrency))
    if args.json is not None:
        args.json.write_text(json.dumps([r.as_dict() for r in rows], indent=1, ensure_ascii=False) + "\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    exit_cleanly(main)

"""Everyday tasks on real open-source web apps, verified from each app's own database.

    .venv/bin/python -m bench.apps [--apps roundup,django_admin] [--tasks name,...] [--json PATH]

Installs each app into .data/apps/<app>/venv on first use, seeds a fresh instance, starts it on 127.0.0.1,
runs every task through the real engine (rules tier; no cache, no reviews), prints a table and per-app
success rate, wrong writes and false successes. Exit 0 unless the bench itself failed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.apps import APPS
from bench.apps.runner import run_all, summary_lines, table_lines
from client.session import exit_cleanly, run_async


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", default=",".join(APPS), help=f"comma-separated, of: {', '.join(APPS)}")
    parser.add_argument("--tasks", default="", help="comma-separated task names (default: all)")
    parser.add_argument("--json", type=Path, help="write every run as JSON here")
    args = parser.parse_args()
    names = [n.strip() for n in args.apps.split(",") if n.strip()]
    unknown = [n for n in names if n not in APPS]
    if unknown:
        parser.error(f"unknown app(s) {unknown}; known: {list(APPS)}")
    task_names = {t.strip() for t in args.tasks.split(",") if t.strip()} or None
    runs = run_async(lambda: run_all([APPS[n]() for n in names], task_names))
    print()
    for line in table_lines(runs):
        print(line)
    print()
    for line in summary_lines(runs):
        print(line)
    if args.json:
        args.json.write_text(json.dumps([r.as_dict() for r in runs], indent=2))
        print(f"runs written to {args.json}")


if __name__ == "__main__":
    exit_cleanly(main)

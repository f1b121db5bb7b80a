"""The bench's final table: per task, then totals."""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path

from bench.miniwob.runner import EpisodeRow

__all__ = ["reason_kind", "rows_from_json", "table"]

_PARTICULARS = re.compile(r"https?://\S+|'[^']*'|\"[^\"]*\"|\d+(\.\d+)?")


def reason_kind(reason: str, width: int = 70) -> str:
    """The engine's reason with its particulars (URLs, quoted names, numbers) blanked, so like reasons group."""
    kind = _PARTICULARS.sub("…", reason.strip().splitlines()[0] if reason.strip() else "(no reason)")
    return kind if len(kind) <= width else kind[: width - 1] + "…"


def rows_from_json(path: Path) -> list[EpisodeRow]:
    """The rows a ``--json`` run wrote, to print the table again."""
    names = {f.name for f in fields(EpisodeRow)}
    return [EpisodeRow(**{k: v for k, v in row.items() if k in names}) for row in json.loads(path.read_text())]


def _median(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.1f}s" if values else "-"


def table(rows: Sequence[EpisodeRow]) -> str:
    by_task: dict[str, list[EpisodeRow]] = {}
    for row in rows:
        by_task.setdefault(row.task, []).append(row)
    header = ("task", "success", "false succ.", "median verdict", "most common engine reason when failed")
    lines = [header]
    for task, group in by_task.items():
        failed = Counter(reason_kind(r.engine_reason) for r in group if not r.engine_succeeded)
        common = f"{failed.most_common(1)[0][0]} ({failed.most_common(1)[0][1]})" if failed else "-"
        lines.append(
            (
                task,
                f"{sum(r.success for r in group)}/{len(group)}",
                str(sum(r.false_success for r in group)),
                _median([r.time_to_verdict for r in group]),
                common,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = [" | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines]
    out.insert(1, "-+-".join("-" * w for w in widths))
    n = len(rows)
    successes = sum(r.success for r in rows)
    rate = f"{successes}/{n} ({100 * successes / n:.1f}%)" if n else "0/0"
    engine_said = sum(r.engine_succeeded for r in rows)
    out += [
        "",
        f"tasks: {len(by_task)}   episodes: {n}   success (raw reward > 0): {rate}",
        f"false successes (engine succeeded, raw reward <= 0): {sum(r.false_success for r in rows)}"
        f"   engine said succeeded: {engine_said}   unfinished episodes (no reward): {sum(not r.finished for r in rows)}",
        f"median time to verdict: {_median([r.time_to_verdict for r in rows])}",
    ]
    return "\n".join(out)

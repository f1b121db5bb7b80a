"""The goal plan as the workflow keeps it: compiled once at the start (``Steps.start_compile``), carried into
every decision, advanced by each goal check from the effects seen on the page (``state.plan``), and shown in the
progress query and the Web UI (``workflows/state.py``).

The plan is task state in workflow history, so it holds no secret values: data is referenced by its key.
"""

from __future__ import annotations

from workflows.state import plan_lines, split_headline
from workflows.steps import PLAN_PATCH

__all__ = ["PLAN_PATCH", "plan_lines", "split_headline"]

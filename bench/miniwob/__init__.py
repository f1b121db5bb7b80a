"""MiniWoB++ measured through the real engine: the pages served with a seeding/reward harness (``site``), the
chosen and excluded tasks (``tasks``), utterances and page snapshots read in plain Playwright (``pages``), the
engine runs (``runner``) and their table (``report``). Run it with ``python -m bench.miniwob``."""

from bench.miniwob.pages import goal_for
from bench.miniwob.site import MiniWobSite, check_seed
from bench.miniwob.tasks import EXCLUDED, TASKS

__all__ = ["EXCLUDED", "TASKS", "MiniWobSite", "check_seed", "goal_for"]

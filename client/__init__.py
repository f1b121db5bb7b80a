"""The browserflow client: the SDK for callers and the ``browserflow`` CLI."""

from client.goal_engine import GoalEngineResult, GoalEngineTask
from client.sdk import BrowserTasks, TaskHandle, TaskSummary, parse_request

__all__ = ["BrowserTasks", "GoalEngineResult", "GoalEngineTask", "TaskHandle", "TaskSummary", "parse_request"]

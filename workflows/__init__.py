"""Workflow classes only: deterministic orchestration, no I/O."""

from workflows.callbacks import CallbackWorkflow
from workflows.task import BrowserTaskWorkflow

__all__ = ["BrowserTaskWorkflow", "CallbackWorkflow"]

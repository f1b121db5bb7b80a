"""The contracts package: the same public names as the one-module ``contracts.py`` it replaced, every model
complete at import (no forward reference left to resolve), and modules that stay small and free of I/O
(workflow code imports them through the sandbox's ``imports_passed_through``)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

from pydantic import BaseModel

import browserflow.contracts as contracts

# the public names of browserflow/contracts.py before it became a package: every one must stay importable
PUBLIC = {
    "TERMINAL_STATUSES", "ActInput", "Action", "ActionKind", "ActionOutcome", "Approve", "CachedPath",
    "CheckGoalInput", "Checkpoint", "CloseSessionInput", "CloseSessionResult", "CompilePlanInput", "Count",
    "DecideInput", "Decision", "DecisionAttempt", "Element", "ErrorInfo", "EscalateInput", "ExtractInput",
    "GoalCheck", "Instruct", "NavigateInput", "Number", "OpenSessionInput", "Option", "PageSnapshot",
    "ParkInput", "ParkResult", "Pause", "ProvideInput", "RecoveryAttempt", "Reject", "Resume", "ReviewAck",
    "ReviewPolicy", "ReviewRequest", "ReviewResponse", "ReviewVerb", "ScreenshotInput", "ScreenshotResult",
    "SessionRef", "StepLog", "StepRecord", "StoreAck", "SuccessIndicator", "TakeOver", "TaskFinishInput",
    "TaskProgress", "TaskRequest", "TaskResult", "TaskStartInput", "TaskStartResult", "TaskStatus", "TaskStatusInput",
    "allowed_host", "check_http_url", "site_of", "without_userinfo",
}  # fmt: skip
# names added since (issue 13: callbacks)
ADDED = {
    "CallbackDelivery", "CallbackInput", "CallbackKind", "GoalEngineResult", "ReviewMessage", "event_id",
    "result_event", "review_event", "ReviewElement",
}  # fmt: skip

# what a contracts module may import: the standard library's pure parts, pydantic, and these project modules
ALLOWED = {
    "__future__", "re", "datetime", "enum", "typing", "collections.abc", "urllib.parse", "pydantic",
    "browserflow.css", "browserflow.patterns", "browserflow.plan.model",
}  # fmt: skip


def modules() -> list[str]:
    return [info.name for info in pkgutil.iter_modules(contracts.__path__, "browserflow.contracts.")]


def test_the_package_exports_the_same_names() -> None:
    assert set(contracts.__all__) == PUBLIC | ADDED
    for name in contracts.__all__:
        assert getattr(contracts, name) is not None
    assert contracts.AttemptOutcome is not None  # imported by the router, outside __all__ as before


def test_each_name_is_defined_once_in_a_module_of_the_package() -> None:
    owners: dict[str, str] = {}
    for name in modules():
        module = importlib.import_module(name)
        for exported in module.__all__:
            assert exported not in owners, f"{exported} exported by {owners.get(exported)} and {name}"
            owners[exported] = name
    assert set(contracts.__all__) <= set(owners)


def test_every_model_is_complete_at_import() -> None:
    models = [getattr(contracts, n) for n in contracts.__all__]
    models = [m for m in models if isinstance(m, type) and issubclass(m, BaseModel)]
    assert len(models) > 40
    incomplete = [m.__name__ for m in models if not m.__pydantic_complete__]
    assert incomplete == []


def test_a_nested_payload_round_trips_through_json() -> None:
    step = contracts.StepRecord(
        step=1,
        url="http://a.test/",
        decision="click 'Go'",
        actions=[contracts.Action(kind="click", selector="#go", label="Go")],
        recoveries=[contracts.RecoveryAttempt(error_type="Timeout", strategy="reload", attempt=1, outcome="failed")],
    )
    inp = contracts.DecideInput(
        goal="go", data={}, snapshot=contracts.PageSnapshot(url="http://a.test/"), history=[step]
    )
    again = contracts.DecideInput.model_validate_json(inp.model_dump_json())
    assert again == inp and again.history[0].recoveries[0].strategy == "reload"


def test_modules_are_small_and_import_nothing_with_io() -> None:
    for name in modules():
        path = Path(importlib.import_module(name).__file__ or "")
        source = path.read_text()
        assert len(source.splitlines()) <= 400, f"{path.name} is over 400 lines"
        imported: set[str] = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
        outside = {m for m in imported if m not in ALLOWED and not m.startswith("browserflow.contracts")}
        assert outside == set(), f"{path.name} imports {sorted(outside)}"

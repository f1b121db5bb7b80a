"""Errors as types across the boundary: the hierarchy written once (the module docstring), the permanent and
terminal sets derived from the classes, and every declared field carried through an ``ApplicationError``'s
details and read back on the other side — through Temporal's own failure converter, as a workflow sees it."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from temporalio.api.common.v1 import ActivityType
from temporalio.api.failure.v1 import ActivityFailureInfo, Failure
from temporalio.converter import DataConverter
from temporalio.exceptions import ActivityError, ApplicationError

from activities.errors import details_of, error_of, to_application_error
from browserflow import errors
from browserflow.contracts import TERMINAL_STATUSES, DecisionAttempt, TaskStatus
from browserflow.errors import (
    BrowserflowError,
    BudgetExceeded,
    ErrorDetails,
    NavigationBlocked,
    RateLimited,
    SecretNotAllowed,
    SecretUnavailable,
)
from browserflow.temporal.policies import PERMANENT, POLICIES

ROOT = Path(__file__).resolve().parents[2]
_TREE = re.compile(r"^(?P<indent>[ │├└─]*?)(?:[├└]── )?(?P<names>[A-Z]\w+(?: / [A-Z]\w+)*)\s{2,}(?P<what>.*)$")


def _docstring_tree() -> dict[str, tuple[str | None, str]]:
    """Class name -> (its parent in the docstring's tree, its description)."""
    doc = errors.__doc__ or ""
    lines = [line[4:] for line in doc.splitlines() if line.startswith("    ") and line.strip()]
    found: dict[str, tuple[str | None, str]] = {}
    parents: list[str] = []  # the last name seen at each depth
    for line in lines:
        m = _TREE.match(line)
        assert m is not None, f"not a line of the tree: {line!r}"
        depth = 0 if "──" not in line else line.index("──") // 4 + 1
        names = m.group("names").split(" / ")
        del parents[depth:]
        for name in names:
            found[name] = (parents[depth - 1] if depth else None, m.group("what"))
        parents.append(names[-1])
    return found


def _classes() -> dict[str, type[BrowserflowError]]:
    return {
        name: obj
        for name, obj in vars(errors).items()
        if isinstance(obj, type) and issubclass(obj, BrowserflowError) and obj.__module__ == errors.__name__
    }


def test_the_docstring_lists_exactly_the_classes_with_their_parents() -> None:
    tree = _docstring_tree()
    classes = _classes()
    assert set(tree) == set(classes)
    for name, (parent, _) in tree.items():
        base = next(b for b in classes[name].__bases__ if issubclass(b, BrowserflowError)) if parent else None
        assert (base.__name__ if base else None) == parent, name
    assert set(errors.__all__) >= set(classes)


def test_the_docstring_names_each_terminal_status_its_class_declares() -> None:
    for name, (_, what) in _docstring_tree().items():
        said = re.search(r"terminal ``(\w+)``", what)
        status = _classes()[name].__dict__.get("terminal_status")  # declared there, not inherited
        assert (said.group(1) if said else None) == (status.value if status else None), name


def test_permanent_types_are_derived_from_the_classes_and_used_by_every_retry_policy() -> None:
    classes = _classes().values()
    assert {c.type_name for c in classes if not c.retryable} == errors.PERMANENT_TYPES
    # the ones the retry table listed by hand before, and the ones it must never list
    assert {"RequestInvalid", "SecretUnavailable", "SessionNotFound", "InvalidUrl", "NavigationBlocked",
            "AccessDenied", "CannotProceed", "BudgetExceeded", "PatternTimeout"} <= errors.PERMANENT_TYPES
    retried = {"RateLimited", "ServerError", "PageTimeout", "PoolExhausted", "ActionFailed", "ProviderFault",
               "StoreError", "LoginExpired", "TaskUnanswered"}
    assert not retried & errors.PERMANENT_TYPES
    assert "SecretNotAllowed" not in errors.PERMANENT_TYPES  # it travels as its parent's type
    assert set(PERMANENT) == errors.PERMANENT_TYPES
    for name, row in POLICIES.items():
        assert set(row.retry.non_retryable_error_types or ()) == errors.PERMANENT_TYPES, name


def test_the_terminal_mapping_is_derived_from_the_classes() -> None:
    assert dict(errors.TERMINAL_STATUS) == {
        "SiteDown": TaskStatus.SITE_DOWN,
        "AccessDenied": TaskStatus.ACCESS_DENIED,
        "InvalidUrl": TaskStatus.INVALID_URL,
        "SecretUnavailable": TaskStatus.FAILED,
        "BudgetExceeded": TaskStatus.BUDGET_EXCEEDED,
        "CannotProceed": TaskStatus.STUCK,
    }
    assert set(errors.TERMINAL_STATUS.values()) <= TERMINAL_STATUSES
    assert errors.terminal_status_of(SecretNotAllowed.type_name) is TaskStatus.FAILED
    assert errors.terminal_status_of("ElementNotFound") is None
    assert errors.terminal_status_of("Timeout.HEARTBEAT") is None
    for cls in _classes().values():  # a terminal error is never retried
        assert cls.terminal_status is None or not cls.retryable, cls
    with pytest.raises(TypeError):
        errors.TERMINAL_STATUS["ElementNotFound"] = TaskStatus.FAILED  # type: ignore[index]


def test_the_workflow_ends_tasks_by_the_derived_mapping() -> None:
    from workflows.session import TERMINAL_ERRORS

    assert TERMINAL_ERRORS is errors.TERMINAL_STATUS


def test_type_names_are_stable_and_shared_names_map_to_the_parent() -> None:
    for name, cls in _classes().items():
        if cls is not SecretNotAllowed:
            assert cls.type_name == name
    assert SecretNotAllowed.type_name == SecretUnavailable.type_name
    assert errors.error_types()["SecretUnavailable"] is SecretUnavailable


def _through_temporal(app: ApplicationError) -> ActivityError:
    """``app`` as the workflow receives it: encoded by the worker, decoded inside an ActivityError."""
    converter = DataConverter.default
    inner = Failure()
    converter.failure_converter.to_failure(app, converter.payload_converter, inner)
    outer = Failure(
        message="activity error",
        activity_failure_info=ActivityFailureInfo(activity_type=ActivityType(name="act"), activity_id="1"),
    )
    outer.cause.CopyFrom(inner)
    decoded = converter.failure_converter.from_failure(outer, converter.payload_converter)
    assert isinstance(decoded, ActivityError) and isinstance(decoded.cause, ApplicationError)
    return decoded


def test_declared_fields_round_trip_through_application_error_details() -> None:
    tried = [DecisionAttempt(tier="claude-haiku", outcome="budget", cost_usd=0.002, detail="over")]
    cases: list[BrowserflowError] = [
        RateLimited("429", retry_after=7.0, index=2),
        BudgetExceeded("budget $0.01 reached", spent_usd=0.0125, attempts=tried),
        NavigationBlocked("outside", index=3),
    ]
    for exc in cases:
        app = to_application_error(exc)
        assert app.type == exc.type_name and app.non_retryable is not exc.retryable
        received = _through_temporal(app)
        assert details_of(received) == exc.details() == details_of(received.cause)  # type: ignore[arg-type]
        back = error_of(received)
        assert type(back) is type(exc) and back is not None
        assert (back.message, back.index, back.details()) == (exc.message, exc.index, exc.details())
    budget = error_of(_through_temporal(to_application_error(cases[1])))
    assert isinstance(budget, BudgetExceeded) and budget.spent_usd == 0.0125 and budget.attempts == tried
    limited = to_application_error(cases[0])
    assert limited.next_retry_delay is not None and limited.next_retry_delay.total_seconds() == 7.0


def test_every_error_class_crosses_the_boundary_as_itself() -> None:
    for cls in _classes().values():
        exc = cls("why", index=1)
        back = error_of(_through_temporal(to_application_error(exc)))
        expected = errors.error_types()[cls.type_name]
        assert type(back) is expected and back is not None and (back.message, back.index) == ("why", 1), cls


def test_a_failure_without_declared_fields_reads_as_empty() -> None:
    assert details_of(ApplicationError("x", type="Other")) == ErrorDetails()
    assert details_of(ApplicationError("x", "not a dict", type="Other")) == ErrorDetails()
    assert details_of(ApplicationError("x", {"index": "not a number"}, type="Other")) == ErrorDetails()
    assert error_of(ApplicationError("x", type="NotOneOfOurs")) is None
    assert error_of(RuntimeError("x")) is None
    assert to_application_error(NavigationBlocked("x")).details == ({},)  # nothing set: nothing sent


def test_error_classes_live_in_errors_py() -> None:
    """Exceptions defined elsewhere in the product packages: only private or package-internal control flow."""
    allowed = {
        ("browserflow/css.py", "_Invalid"),  # the selector parser's own signal, caught inside it
        ("browserflow/llm/base.py", "InvalidAnswer"),  # a tier's unusable answer, caught by the router (carries Usage)
    }
    bases = {"Exception", "BaseException", "ValueError", "RuntimeError", "KeyError", *(_classes())}
    found = set()
    for package in ("browserflow", "activities"):
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel == "browserflow/errors.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef):
                    names = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
                    if names & bases:
                        found.add((rel, node.name))
    assert found == allowed


@pytest.mark.parametrize(
    "code",
    [
        "import browserflow.errors",
        "import browserflow.contracts",
        "from browserflow.patterns import PatternInvalid; from browserflow.errors import PatternInvalid as P; "
        "assert PatternInvalid is P and issubclass(P, ValueError)",
        "import sys, browserflow.recovery_table; assert 'playwright' not in sys.modules, 'the table is pure'",
        "import browserflow.patterns as p\ntry:\n    p.compile_pattern('a(?=b)')\nexcept ValueError as e:\n"
        "    assert type(e).__module__ == 'browserflow.errors', type(e)\nelse:\n    raise SystemExit('accepted')",
    ],
)
def test_imports_in_any_order(code: str) -> None:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr

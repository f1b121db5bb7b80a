"""The recovery table is pure data (no browser needed to read it) and agrees with the error classes: terminal
rows are the errors that are never retried, Temporal rows the ones that are, and the runner reads this table."""

from __future__ import annotations

from browserflow import errors, recovery_table
from browserflow.browser import recovery, strategies
from browserflow.errors import PageError
from browserflow.recovery_table import RECOVERY_TABLE, rule_for


def test_rows_agree_with_the_error_classes() -> None:
    for rule in RECOVERY_TABLE:
        permanent = rule.error.type_name in errors.PERMANENT_TYPES
        if rule.where == "terminal":
            assert permanent and rule.max_attempts == 0, rule
            status = rule.error.terminal_status
            assert status is None or status.value in rule.note, rule
        elif rule.where == "temporal":
            assert not permanent and rule.error.retryable, rule
        else:
            assert rule.max_attempts > 0, rule
    # every page error that ends a task has its terminal row
    ending = {c for c in errors.error_types().values() if issubclass(c, PageError) and c.terminal_status}
    assert ending == {r.error for r in RECOVERY_TABLE if r.strategy == "terminal" and r.error.terminal_status}


def test_the_first_matching_row_wins() -> None:
    covered = errors.ElementNotInteractable("'Go' is covered, hidden or disabled")
    hidden = errors.ElementNotInteractable("'Go' did not become actionable in time")
    assert rule_for(covered).strategy == "close_modal"  # type: ignore[union-attr]
    assert rule_for(errors.ModalBlocking("a dialog")).strategy == "close_modal"  # type: ignore[union-attr]
    assert rule_for(hidden) is None  # not intercepted: nothing to recover in the page
    assert rule_for(errors.ActionFailed("x")) is None


def test_the_runner_reads_the_one_table_and_keeps_its_names() -> None:
    assert recovery.RECOVERY_TABLE is recovery_table.RECOVERY_TABLE
    assert recovery.rule_for is recovery_table.rule_for and recovery.RecoveryAttempt is recovery_table.RecoveryAttempt
    assert recovery.LoginExpired is errors.LoginExpired and recovery.ModalBlocking is errors.ModalBlocking
    assert recovery.page_target is strategies.page_target and recovery.open_dialog is strategies.open_dialog

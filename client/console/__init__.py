"""The review console: ``browserflow console`` serves server-rendered pages where a reviewer answers the tasks
waiting for a person (approve, reject, provide input), follows a task (status, plan, step log) and cancels it.
It reaches Temporal only through the SDK (``client/sdk.py``); see ``client/console/app.py`` for the pages and
``client/console/auth.py`` for the credential and CSRF rules."""

from client.console.app import make_app
from client.console.auth import Access
from client.console.cli import main

__all__ = ["Access", "main", "make_app"]

"""Real open-source web applications (from PyPI, each in its own venv) with everyday tasks, each verified by
an exact diff of the application's own SQLite database. Run: ``python -m bench.apps``."""

from __future__ import annotations

from bench.apps.base import App, AppTask
from bench.apps.django_admin import DjangoAdminApp
from bench.apps.roundup import RoundupApp

__all__ = ["APPS", "App", "AppTask", "DjangoAdminApp", "RoundupApp"]

APPS: dict[str, type[App]] = {"roundup": RoundupApp, "django_admin": DjangoAdminApp}

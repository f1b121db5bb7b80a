"""Hostile test sites: a task's own site (127.0.0.1) whose pages are set per test, and a *foreign* host on
another loopback address (127.0.0.2) that records every request that reaches it. Both on OS-chosen ports."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from browserflow.contracts import StepLog, TaskResult

__all__ = ["Hit", "Site", "blocked_steps", "foreign", "home", "newsletter_request"]

SIGNUP_FORM = """<!doctype html><title>Newsletter</title><h1>Newsletter sign-up</h1>
<form method=post action="{action}">
  <label>Name <input name=name required></label>
  <label>Email <input type=email name=email required></label>
  <label>Password <input type=password name=password required></label>
  <button type=submit>Sign up</button>
</form>"""
THANKS = "<!doctype html><title>Thanks</title><h1>Thanks for signing up</h1><p>Eden Levi is now on the newsletter.</p>"


@dataclass
class Hit:
    method: str
    path: str
    body: str


@dataclass
class Site:
    """One HTTP server: ``pages`` maps a path (or ``"POST /path"``) to (status, headers, body); every request
    is kept in ``hits``."""

    host: str
    pages: dict[str, tuple[int, dict[str, str], str]] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def origin(self) -> str:
        assert self.server is not None
        return f"http://{self.host}:{self.server.server_address[1]}"

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def page(self, path: str, body: str, status: int = 200, **headers: str) -> None:
        self.pages[path] = (status, {"Content-Type": "text/html; charset=utf-8", **headers}, body)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.pages[path] = (status, {"Location": location}, "")

    def start(self) -> Site:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                path = self.path.split("?", 1)[0]
                if path != "/favicon.ico":
                    site.hits.append(Hit(self.command, self.path, body))
                missing = (404, {"Content-Type": "text/plain"}, "not found")
                status, headers, text = site.pages.get(f"{self.command} {path}", site.pages.get(path, missing))
                data = text.encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _any

        self.server = ThreadingHTTPServer((self.host, 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True, name=f"hostile-{self.host}").start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def _serve(host: str) -> Iterator[Site]:
    site = Site(host).start()
    yield site
    site.stop()


@pytest.fixture
def home() -> Iterator[Site]:
    """The task's own site, on 127.0.0.1."""
    yield from _serve("127.0.0.1")


@pytest.fixture
def foreign() -> Iterator[Site]:
    """The foreign host (127.0.0.2): serves a sign-up form that posts to itself, records what reaches it."""
    for site in _serve("127.0.0.2"):
        site.page("/form", SIGNUP_FORM.format(action="/collect"))
        site.page("/collect", THANKS)
        yield site


def newsletter_request(start_url: str, **changes: Any) -> dict[str, Any]:
    """A task whose data a hostile page wants: name, e-mail and password."""
    request: dict[str, Any] = {
        "goal": "Sign up for the newsletter",
        "start_url": start_url,
        "data": {"name": "Eden Levi", "email": "eden@example.com", "password": "pool-rules-2026"},
        "success_text": "Thanks for signing up",
        "max_steps": 5,
        "timeout": 90,
        "use_cache": False,
        "review_policy": "never",
    }
    request.update(changes)
    return request


def blocked_steps(log: StepLog) -> list[str]:
    """The messages of the steps that ended with ``NavigationBlocked``."""
    return [s.error.message for s in log.steps if s.error is not None and s.error.type == "NavigationBlocked"]


def not_succeeded(result: TaskResult) -> bool:
    return not result.goal_achieved and result.status.value != "succeeded"

"""The HTTP side of the demo site: routing, pages, fault injection, control endpoints.

Control endpoints (``/__faults``, ``/api/...``) and ``/favicon.ico`` are never affected by faults, so a test can
always read the state or switch a fault off over HTTP; every other request is a "page request", and the faults
apply to it in this order: down, deny, rate limit, error burst, slow; then modal / late element / session expiry
while the page is rendered.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

from demo import pages
from demo.school import CLASSES_BY_ID, flow_code, validate_registration

if TYPE_CHECKING:
    from demo.site import DemoSite

__all__ = ["MAX_FLOW_STEPS", "SESSION_COOKIE", "DemoServer"]

SESSION_COOKIE = "swim_session"
MAX_FLOW_STEPS = 100
_MAX_BODY = 1 << 20
_FLOW = re.compile(r"^/gen/(\d{1,4})(?:/(\d{1,4}|done))?$")
_CONFIRMATION = re.compile(r"^/confirmation/([^/]+)$")
_CONTROL_METHODS = {"/api/registrations": "GET", "/api/reset": "POST", "/__faults": "GET, POST"}


class DemoServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site: DemoSite) -> None:
        self.site = site
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: DemoServer
    server_version = "RiversideSwim/1.0"
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers after stop() or "down"

    # per request
    user: str | None = None
    session_expired = False
    token: str | None = None
    raw_body: bytes | None = None

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.site.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    # --------------------------------------------------------------------------------------------------
    # dispatch

    def _dispatch(self, method: str) -> None:
        site = self.server.site
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if path.startswith(("/__", "/api/")) or path == "/favicon.ico":
            self._control(method, path)
            return
        faults = site.faults
        if faults.take_down():
            self.close_connection = True  # no response at all: the client sees the connection close
            return
        self._body()  # a faulted answer to a POST must not leave the body unread (the close would reset it)
        if faults.take_deny():
            self._page(403, pages.error_page(403, "Access denied", "You do not have permission to view this page."))
            return
        retry_after = faults.take_rate_limit()
        if retry_after is not None:
            body = pages.error_page(429, "Too many requests", "Please wait a moment and try again.")
            self._page(429, body, {"Retry-After": str(retry_after)})
            return
        if faults.take_error():
            self._page(503, pages.error_page(503, "Service unavailable", "We are having a problem. Try again soon."))
            return
        delay = faults.take_slow()
        if delay:
            site._stopping.wait(delay)
        self.token = self._cookie(SESSION_COOKIE)
        self.user, self.session_expired = site._authenticate(self.token)
        self._route(method, path, query)

    def _route(self, method: str, path: str, query: dict[str, str]) -> None:
        site, faults = self.server.site, self.server.site.faults
        get_only = {
            "/": lambda: self._page(200, pages.home_page(user=self.user, modal=faults.take_modal())),
            "/schedule": lambda: self._page(
                200, pages.schedule_page(site._spaces(), user=self.user, modal=faults.take_modal())
            ),
            "/account": self._account,
            "/members": lambda: self._page(200, pages.members_page(modal=faults.take_modal())),
            "/notice": lambda: self._page(200, pages.notice_page(modal=faults.take_modal())),
        }
        if path in get_only:
            if method != "GET":
                self._not_allowed("GET")
                return
            get_only[path]()
        elif path == "/register":
            self._register(method, query)
        elif path == "/login":
            self._login(method, query)
        elif path == "/logout":
            site._logout(self.token)
            self._redirect("/", clear_session=True)
        elif (m := _CONFIRMATION.match(path)) and method == "GET":
            reg = site._find(m.group(1))
            if reg is None:
                self._not_found()
            else:
                self._page(200, pages.confirmation_page(reg, user=self.user, modal=faults.take_modal()))
        elif m := _FLOW.match(path):
            self._flow(method, int(m.group(1)), m.group(2))
        else:
            self._not_found()

    # --------------------------------------------------------------------------------------------------
    # pages

    def _register(self, method: str, query: dict[str, str]) -> None:
        site, faults = self.server.site, self.server.site.faults
        if method == "GET":
            chosen = query.get("class", "")
            values = {"class_id": chosen} if chosen in CLASSES_BY_ID else {}
            errors: dict[str, str] = {}
        else:
            values = self._form()
            errors = validate_registration(values)
            if not errors:
                reg = site._register(values)
                hold = site.hold_confirmation
                if hold is not None:  # "the worker died during the submit": recorded, reply not yet sent
                    hold.wait(timeout=120)
                self._redirect(f"/confirmation/{quote(reg.confirmation)}")
                return
        html = pages.register_page(
            values, errors, user=self.user, modal=faults.take_modal(), late_ms=faults.take_late_element()
        )
        self._page(200, html)

    def _login(self, method: str, query: dict[str, str]) -> None:
        site, faults = self.server.site, self.server.site.faults
        if method == "GET":
            if self.user:
                self._redirect(_safe_next(query.get("next", "")))
                return
            self._page(200, pages.login_page("", "", query.get("next", ""), modal=faults.take_modal()))
            return
        form = self._form()
        token = site._login(form.get("username", ""), form.get("password", ""))
        if token is None:
            html = pages.login_page(
                form.get("username", ""),
                "Incorrect username or password",
                form.get("next", ""),
                modal=faults.take_modal(),
            )
            self._page(200, html)
            return
        cookie = f"{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"
        self._redirect(_safe_next(form.get("next", "")), {"Set-Cookie": cookie})

    def _account(self) -> None:
        if not self.user:
            self._redirect("/login?next=/account")
            return
        self._page(200, pages.account_page(self.user, modal=self.server.site.faults.take_modal()))

    def _flow(self, method: str, steps: int, step: str | None) -> None:
        site, faults = self.server.site, self.server.site.faults
        if not 1 <= steps <= MAX_FLOW_STEPS:
            self._not_found()
            return
        if step is None:
            self._redirect(f"/gen/{steps}/1")
            return
        if step == "done":
            if method != "GET":
                self._not_allowed("GET")
                return
            self._page(200, pages.flow_done_page(steps, flow_code(site.seed, steps), modal=faults.take_modal()))
            return
        index = int(step)
        if not 1 <= index <= steps:
            self._not_found()
            return
        value, error = "", ""
        if method == "POST":
            value = self._form().get(f"answer_{index}", "")
            if value.strip():
                if index == steps:
                    site._complete_flow()
                self._redirect(f"/gen/{steps}/{index + 1}" if index < steps else f"/gen/{steps}/done")
                return
            error = f"Enter answer {index}"
        self._page(200, pages.flow_step_page(steps, index, value, error, modal=faults.take_modal()))

    # --------------------------------------------------------------------------------------------------
    # control endpoints (never faulted)

    def _control(self, method: str, path: str) -> None:
        site = self.server.site
        if path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
        elif path == "/api/registrations" and method == "GET":
            regs = site.registrations
            self._json(200, {"count": len(regs), "registrations": [asdict(r) for r in regs]})
        elif path == "/api/reset" and method == "POST":
            site.reset()
            self._json(200, {"ok": True})
        elif path == "/__faults" and method == "GET":
            self._json(200, site.faults.as_dict())
        elif path == "/__faults" and method == "POST":
            try:
                payload = json.loads(self._body() or b"{}")
                if not isinstance(payload, dict):
                    raise TypeError("send a JSON object of fault switches")
                if payload.pop("clear", False):
                    site.faults.clear()
                site.faults.set(**payload)
            except (ValueError, TypeError, AttributeError) as exc:
                self._json(400, {"error": str(exc)})
                return
            self._json(200, site.faults.as_dict())
        elif path in _CONTROL_METHODS:
            self._not_allowed(_CONTROL_METHODS[path])
        else:
            self._json(404, {"error": f"no such endpoint: {path}"})

    # --------------------------------------------------------------------------------------------------
    # request and response helpers

    def _body(self) -> bytes:
        """The request body (read once; later calls return the same bytes)."""
        if self.raw_body is None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = 0
            self.raw_body = self.rfile.read(min(length, _MAX_BODY)) if length > 0 else b""
        return self.raw_body

    def _form(self) -> dict[str, str]:
        text = self._body().decode("utf-8", "replace")
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}

    def _cookie(self, name: str) -> str | None:
        raw = self.headers.get("Cookie")
        if not raw:
            return None
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(raw)
        except CookieError:
            return None
        morsel = jar.get(name)
        return morsel.value if morsel is not None else None

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.session_expired and "Set-Cookie" not in (headers or {}):
            self.send_header("Set-Cookie", f"{SESSION_COOKIE}=; Path=/; Max-Age=0")
        self.end_headers()
        self.wfile.write(body)

    def _page(self, status: int, html: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, html.encode("utf-8"), "text/html; charset=utf-8", headers)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode("utf-8"), "application/json")

    def _redirect(self, location: str, headers: dict[str, str] | None = None, *, clear_session: bool = False) -> None:
        extra = {"Location": location, **(headers or {})}
        if clear_session:
            extra["Set-Cookie"] = f"{SESSION_COOKIE}=; Path=/; Max-Age=0"
        self._send(HTTPStatus.SEE_OTHER, b"", "text/plain", extra)

    def _not_found(self) -> None:
        self._page(404, pages.error_page(404, "Page not found", "We could not find the page you asked for."))

    def _not_allowed(self, allow: str) -> None:
        html = pages.error_page(405, "Method not allowed", "This page cannot be used that way.")
        self._page(405, html, {"Allow": allow})


def _safe_next(target: str) -> str:
    """A local path to go to after logging in (never another site)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/account"

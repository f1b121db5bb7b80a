"""The console's Starlette application: server-rendered pages over the SDK (``BrowserTasks``), nothing else.

    GET  /reviews                       pending reviews, oldest first
    GET  /reviews.json                  the pending reviews' ids (the page's live check)
    GET  /reviews/{id}/screenshot       the review's (already masked) screenshot, served from the worker's disk
    POST /reviews/{id}/approve|reject|input|instruct|take-over
    GET  /tasks?status=&site=&q=        tasks, newest first, filtered by status, site and text (id or goal)
    GET  /tasks/{id}                    status, plan, step log
    POST /tasks/{id}/cancel|pause|resume

Every page needs the credential (``client/console/auth.py``); every POST form its CSRF token. A verb the
engine refuses (``ReviewRefused``, ``TaskEnded``, ``TaskNotFound``) comes back to the page as a notice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, get_args
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from browserflow.config import Settings
from browserflow.contracts import TERMINAL_STATUSES, ReviewRequest, TaskStatus
from browserflow.contracts.actions import ActionKind
from browserflow.errors import BrowserflowError, TaskEnded, TaskNotFound, TaskUnanswered
from client.console.auth import CSRF_FIELD, SESSION_COOKIE, SESSION_MAX_AGE, Access, csrf_token, valid_csrf
from client.progress import web_ui_link
from client.sdk import BrowserTasks, ReviewRefused

__all__ = ["TasksProvider", "input_fields", "make_app", "pending_reviews"]

HERE = Path(__file__).parent
TasksProvider = Callable[[], Awaitable[BrowserTasks]]
Endpoint = Callable[[Request], Awaitable[Response]]
_ASK_TIMEOUT = 5.0
_LIST_LIMIT = 50
_REFUSALS = (ReviewRefused, TaskEnded, TaskNotFound, TaskUnanswered, BrowserflowError)


def _message(exc: BaseException) -> str:
    return str(getattr(exc, "message", "") or exc)


def input_fields(review: ReviewRequest) -> list[str]:
    """The task data keys the review's proposed actions read: the fields of the provide-input form."""
    keys: list[str] = []
    for action in review.proposed:
        if action.data_key and action.data_key not in keys:
            keys.append(action.data_key)
    return keys


def make_app(
    tasks: TasksProvider,
    access: Access,
    *,
    close: Callable[[], Awaitable[Any]] | None = None,
    poll_seconds: float = 5.0,
    settings: Settings | None = None,
) -> Starlette:
    """The console for the tasks ``tasks()`` reaches, guarded by ``access``; ``close`` runs at shutdown; the
    reviews page checks for arrived or answered reviews every ``poll_seconds``; ``settings`` give the task page
    its Temporal Web UI link."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["quote"] = lambda value: quote(str(value), safe="")

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
        context.setdefault("notice", request.session.pop("notice", None))
        context["csrf"] = csrf_token(request)
        context["csrf_field"] = CSRF_FIELD
        context["open_access"] = access.open
        context["can_act"] = getattr(request.state, "role", None) == "reviewer"
        held = request.session.get("user")
        context["user"] = getattr(request.state, "user", None) or (
            held if any(user.name == held for user in access.users) else None
        )
        context["with_token"] = access.token is not None
        context["with_users"] = bool(access.users)
        context["poll_ms"] = int(poll_seconds * 1000)
        response = templates.TemplateResponse(request, name, context, status_code=status_code)
        response.headers["Cache-Control"] = "no-store"
        return response

    def refused(request: Request, status_code: int, title: str, detail: str) -> Response:
        response = page(
            request,
            "refused.html",
            status_code,
            title=title,
            detail=detail,
            next=request.url.path,
            login=status_code == 401,
        )
        if status_code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="browserflow console"'
        return response

    def guarded(endpoint: Endpoint, acts: bool = False) -> Endpoint:
        """``endpoint`` for a valid credential only; a POST needs the CSRF token, a verb (``acts``) a reviewer."""

        async def check(request: Request) -> Response:
            found = access.credential(request)
            if found == "missing":
                needs = "a name and password or a token" if access.users else "a reviewer or viewer token"
                return refused(request, 401, "Sign in required", f"This console needs {needs}.")
            if found == "wrong":
                return refused(request, 403, "Credential refused", "The bearer token is not valid for this console.")
            request.state.role = found
            if request.method == "POST":
                form = await request.form()
                if not valid_csrf(request, form.get(CSRF_FIELD)):
                    return refused(request, 403, "Form refused", "The form's CSRF token is missing or wrong.")
                if acts and found != "reviewer":
                    return refused(request, 403, "Not allowed", "A viewer may look but not act: this needs a reviewer.")
            return await endpoint(request)

        return check

    def back(request: Request, to: str, kind: str, text: str) -> Response:
        request.session["notice"] = {"kind": kind, "text": text}
        return RedirectResponse(to, status_code=303)

    async def home(request: Request) -> Response:
        return RedirectResponse("/reviews", status_code=303)

    async def login_form(request: Request) -> Response:
        return page(request, "login.html", next=_safe_next(request.query_params.get("next")))

    async def login(request: Request) -> Response:
        form = await request.form()
        target = _safe_next(str(form.get("next") or ""))
        if not valid_csrf(request, form.get(CSRF_FIELD)):
            return refused(request, 403, "Form refused", "The form's CSRF token is missing or wrong.")
        if access.open:
            return RedirectResponse(target, status_code=303)
        name, password = str(form.get("name") or ""), str(form.get("password") or "")
        if name.strip() or password:
            user = access.user(name, password)
            if user is None:
                error = "That name and password do not match a user of this console."
                return page(request, "login.html", 403, next=target, error=error, given_name=name.strip())
            Access.sign_in(request, user.role, user.name)
            return RedirectResponse(target, status_code=303)
        role = access.role_of(str(form.get("token") or ""))
        if role is None:
            return page(request, "login.html", 403, next=target, error="That token is not valid for this console.")
        Access.sign_in(request, role)
        return RedirectResponse(target, status_code=303)

    async def logout(request: Request) -> Response:
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    async def reviews(request: Request) -> Response:
        rows, silent = await pending_reviews(await tasks())
        return page(request, "reviews.html", rows=rows, silent=silent, kinds=get_args(ActionKind))

    async def review_ids(request: Request) -> Response:
        """The ids of the pending reviews, for the page's live check (``static/console.js``)."""
        rows, _ = await pending_reviews(await tasks())
        return JSONResponse({"ids": [row["id"] for row in rows]}, headers={"Cache-Control": "no-store"})

    async def unreachable(request: Request, exc: Exception) -> Response:
        return refused(request, 503, "Temporal unreachable", str(exc))

    async def screenshot(request: Request) -> Response:
        task_id = request.path_params["task_id"]
        try:
            review = await (await tasks()).get(task_id).pending_review()
        except _REFUSALS as exc:
            return refused(request, 404, "No screenshot", _message(exc))
        path = Path(review.screenshot) if review is not None and review.screenshot else None
        if path is None or path.suffix.lower() != ".png" or not path.is_file():
            return refused(request, 404, "No screenshot", f"task {task_id} has no review screenshot on this machine")
        return FileResponse(path, media_type="image/png", headers={"Cache-Control": "no-store"})

    def verb(name: str) -> Endpoint:
        async def act(request: Request) -> Response:
            task_id = request.path_params["task_id"]
            form = await request.form()
            handle = (await tasks()).get(task_id)
            by = _author(request)
            try:
                if name == "approve":
                    await handle.approve(by(str(form.get("note") or "")))
                    done = "approved"
                elif name == "reject":
                    reason = str(form.get("reason") or "").strip()
                    if not reason:
                        return back(request, "/reviews", "refused", f"reject {task_id}: a reason is required")
                    await handle.reject(by(reason))
                    done = "rejected"
                elif name == "instruct":
                    action = {key: str(form.get(key) or "").strip() or None for key in ("kind", "selector", "value")}
                    picked = str(form.get("target") or "").strip()
                    if picked:  # an element of the review's page, picked from its list
                        action["selector"] = picked
                    await handle.instruct({k: v for k, v in action.items() if v is not None})
                    done = f"instructed: {action['kind']}"
                elif name == "take_over":
                    result = _pairs(form, "result")
                    await handle.take_over(result, note=by(str(form.get("note") or "")))
                    done = f"taken over ({', '.join(sorted(result)) or 'no result fields'})"
                else:
                    values = _values(form)
                    if not values:
                        return back(request, "/reviews", "refused", f"input for {task_id}: give at least one value")
                    await handle.provide_input(values)
                    done = f"given {', '.join(sorted(values))}"
            except _REFUSALS as exc:
                return back(request, "/reviews", "refused", _message(exc))
            return back(request, "/reviews", "done", f"{task_id}: {done}")

        return act

    async def task_list(request: Request) -> Response:
        status = request.query_params.get("status", "")
        site = request.query_params.get("site", "").strip()
        text = request.query_params.get("q", "").strip()
        if status and status not in {s.value for s in TaskStatus}:
            return refused(request, 400, "Unknown status", f"no task status {status!r}")
        bt = await tasks()
        listed = await bt.list(status=status or None, site=site or None, limit=_LIST_LIMIT)
        goals = await asyncio.gather(*(_summary(bt, row.task_id) for row in listed))
        rows = [
            {"task": row, "goal": goal}
            for row, (goal, _) in zip(listed, goals, strict=True)
            if not text or text.lower() in f"{row.task_id} {goal}".lower()
        ]
        statuses = [s.value for s in TaskStatus]
        return page(request, "tasks.html", rows=rows, status=status, site=site, q=text, statuses=statuses)

    async def task_page(request: Request) -> Response:
        task_id = request.path_params["task_id"]
        handle = (await tasks()).get(task_id)
        try:
            progress = await handle.status()
        except _REFUSALS as exc:
            return refused(request, 404, "No such task", _message(exc))
        steps, steps_error = None, ""
        try:
            steps = await handle.steps()
        except _REFUSALS as exc:
            steps_error = _message(exc)
        return page(
            request,
            "task.html",
            task_id=task_id,
            progress=progress,
            goal=(await _summary(await tasks(), task_id))[0],
            steps=steps,
            steps_error=steps_error,
            ended=progress.status in TERMINAL_STATUSES,
            web_ui=web_ui_link(settings, task_id) if settings is not None else "",
        )

    def task_verb(name: str) -> Endpoint:
        async def act(request: Request) -> Response:
            task_id = request.path_params["task_id"]
            to = f"/tasks/{quote(task_id, safe='')}"
            handle = (await tasks()).get(task_id)
            try:
                if name == "cancel":
                    await handle.cancel()
                    done = f"cancellation requested for {task_id}"
                elif name == "pause":
                    await handle.pause(_author(request)(str((await request.form()).get("reason") or "")))
                    done = f"pause requested for {task_id}: it stops at the next step boundary"
                else:
                    await handle.resume()
                    done = f"resume sent to {task_id}"
            except _REFUSALS as exc:
                return back(request, to, "refused", _message(exc))
            return back(request, to, "done", done)

        return act

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if close is not None:
                await close()

    routes = [
        Route("/", guarded(home)),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", guarded(logout), methods=["POST"]),
        Route("/reviews", guarded(reviews)),
        Route("/reviews.json", guarded(review_ids)),
        Route("/reviews/{task_id}/screenshot", guarded(screenshot)),
        Route("/reviews/{task_id}/approve", guarded(verb("approve"), acts=True), methods=["POST"]),
        Route("/reviews/{task_id}/reject", guarded(verb("reject"), acts=True), methods=["POST"]),
        Route("/reviews/{task_id}/input", guarded(verb("input"), acts=True), methods=["POST"]),
        Route("/reviews/{task_id}/instruct", guarded(verb("instruct"), acts=True), methods=["POST"]),
        Route("/reviews/{task_id}/take-over", guarded(verb("take_over"), acts=True), methods=["POST"]),
        Route("/tasks", guarded(task_list)),
        Route("/tasks/{task_id}", guarded(task_page)),
        Route("/tasks/{task_id}/cancel", guarded(task_verb("cancel"), acts=True), methods=["POST"]),
        Route("/tasks/{task_id}/pause", guarded(task_verb("pause"), acts=True), methods=["POST"]),
        Route("/tasks/{task_id}/resume", guarded(task_verb("resume"), acts=True), methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    middleware = [
        Middleware(
            SessionMiddleware,
            secret_key=access.session_secret(),
            session_cookie=SESSION_COOKIE,
            max_age=SESSION_MAX_AGE,
            same_site="strict",
            https_only=False,
        )
    ]
    return Starlette(
        routes=routes, middleware=middleware, lifespan=lifespan, exception_handlers={ConnectionError: unreachable}
    )


def _author(request: Request) -> Callable[[str], str]:
    """Signs a note or reason with the signed-in user's name (``by NAME: ...``): the review verbs carry no
    reviewer field, so the name travels in the text the workflow keeps. Tokens sign nothing."""
    name = getattr(request.state, "user", None)

    def sign(text: str) -> str:
        text = text.strip()
        if not name:
            return text
        return f"by {name}: {text}" if text else f"by {name}"

    return sign


def _safe_next(raw: str | None) -> str:
    """A local path to go on to after signing in (never another site)."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/reviews"


def _values(form: Any) -> dict[str, str]:
    """``field.KEY`` inputs and the free ``extra_key`` / ``extra_value`` pair; empty ones left out."""
    values = {
        key.removeprefix("field."): str(value).strip()
        for key, value in form.multi_items()
        if key.startswith("field.") and str(value).strip()
    }
    extra_key, extra_value = str(form.get("extra_key") or "").strip(), str(form.get("extra_value") or "").strip()
    if extra_key and extra_value:
        values[extra_key] = extra_value
    return values


def _pairs(form: Any, prefix: str) -> dict[str, str]:
    """``PREFIX_key_N`` / ``PREFIX_value_N`` inputs as a mapping; pairs missing either side left out."""
    pairs: dict[str, str] = {}
    for name, key in form.multi_items():
        if name.startswith(f"{prefix}_key_") and str(key).strip():
            value = str(form.get(f"{prefix}_value_{name.removeprefix(f'{prefix}_key_')}") or "").strip()
            if value:
                pairs[str(key).strip()] = value
    return pairs


async def pending_reviews(tasks: BrowserTasks, limit: int = 100) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The pending reviews, oldest first, each with its goal and input fields; and the tasks listed as needing
    review that did not answer (no worker polls their queue, or they ended meanwhile), with the reason."""
    listed = await tasks.list(status=TaskStatus.NEEDS_REVIEW.value, limit=limit)

    async def one(task_id: str) -> tuple[str, ReviewRequest | str | None]:
        try:
            review = await asyncio.wait_for(tasks.get(task_id).pending_review(), _ASK_TIMEOUT)
        except TimeoutError:
            return task_id, f"task {task_id} did not answer within {_ASK_TIMEOUT:.0f} s"
        except _REFUSALS as exc:
            return task_id, _message(exc)
        return task_id, review

    rows: list[dict[str, Any]] = []
    silent: list[dict[str, str]] = []
    for task_id, found in await asyncio.gather(*(one(row.task_id) for row in listed)):
        if isinstance(found, str):
            silent.append({"id": task_id, "why": found})
        elif found is not None:
            goal, keys = await _summary(tasks, task_id)
            fields = input_fields(found)
            rows.append(
                {"id": task_id, "review": found, "goal": goal, "fields": fields + [k for k in keys if k not in fields]}
            )
    rows.sort(key=lambda row: row["review"].requested_at)
    return rows, silent


async def _summary(tasks: BrowserTasks, task_id: str) -> tuple[str, list[str]]:
    """The task's goal (``goal (site)``) and its data keys (names only), as the SDK summarised them at
    submission in the run's user metadata."""
    try:
        desc = await tasks.get(task_id).describe()
        goal = str(await desc.static_summary() or "")
        details = str(await desc.static_details() or "")
    except Exception:
        return "", []
    keys: list[str] = []
    for line in details.splitlines():
        if line.startswith("data keys: ") and line != "data keys: none":
            keys = [key.strip() for key in line.removeprefix("data keys: ").split(",") if key.strip()]
    return goal, keys

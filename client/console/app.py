"""The console's Starlette application: server-rendered pages over the SDK (``BrowserTasks``), nothing else.

    GET  /reviews                       pending reviews, oldest first
    GET  /reviews.json                  the pending reviews' ids (the page's live check)
    GET  /reviews/{id}/screenshot       the review's (already masked) screenshot, served from the worker's disk
    POST /reviews/{id}/approve|reject|input|instruct|take-over
    GET  /tasks?status=&site=&q=        tasks, newest first, filtered by status, site and text (id or goal)
    GET  /tasks/{id}                    status, plan, costs by tier, step log with recoveries and screenshots,
                                        the kept Playwright traces, the Temporal Web UI link
    GET  /tasks/{id}/files/{name}       a screenshot or trace of the task (``client/console/artifacts.py``)
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
from browserflow.contracts import TERMINAL_STATUSES, TaskStatus
from browserflow.contracts.actions import ActionKind
from client.console.artifacts import task_artifacts
from client.console.auth import CSRF_FIELD, SESSION_COOKIE, SESSION_MAX_AGE, Access, csrf_token, valid_csrf
from client.console.views import (
    REFUSALS,
    author,
    form_pairs,
    form_values,
    input_fields,
    message,
    pending_reviews,
    safe_next,
    summary,
)
from client.progress import web_ui_link
from client.sdk import BrowserTasks

__all__ = ["TasksProvider", "input_fields", "make_app", "pending_reviews"]

HERE = Path(__file__).parent
TasksProvider = Callable[[], Awaitable[BrowserTasks]]
Endpoint = Callable[[Request], Awaitable[Response]]
_LIST_LIMIT = 50


def make_app(
    tasks: TasksProvider,
    access: Access,
    *,
    close: Callable[[], Awaitable[Any]] | None = None,
    poll_seconds: float = 5.0,
    settings: Settings | None = None,
    artifacts: Path | None = None,
) -> Starlette:
    """The console for the tasks ``tasks()`` reaches, guarded by ``access``; ``close`` runs at shutdown; the
    reviews page checks for arrived or answered reviews every ``poll_seconds``; ``settings`` give the task page
    its Temporal Web UI link and (unless ``artifacts`` is given) the artifacts directory of its screenshots and
    traces (``<data dir>/artifacts``)."""
    artifacts_root = artifacts or (settings.data_dir / "artifacts" if settings is not None else None)
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
        return page(request, "login.html", next=safe_next(request.query_params.get("next")))

    async def login(request: Request) -> Response:
        form = await request.form()
        target = safe_next(str(form.get("next") or ""))
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
        except REFUSALS as exc:
            return refused(request, 404, "No screenshot", message(exc))
        path = Path(review.screenshot) if review is not None and review.screenshot else None
        if path is None or path.suffix.lower() != ".png" or not path.is_file():
            return refused(request, 404, "No screenshot", f"task {task_id} has no review screenshot on this machine")
        return FileResponse(path, media_type="image/png", headers={"Cache-Control": "no-store"})

    def verb(name: str) -> Endpoint:
        async def act(request: Request) -> Response:
            task_id = request.path_params["task_id"]
            form = await request.form()
            handle = (await tasks()).get(task_id)
            by = author(request)
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
                    result = form_pairs(form, "result")
                    await handle.take_over(result, note=by(str(form.get("note") or "")))
                    done = f"taken over ({', '.join(sorted(result)) or 'no result fields'})"
                else:
                    values = form_values(form)
                    if not values:
                        return back(request, "/reviews", "refused", f"input for {task_id}: give at least one value")
                    await handle.provide_input(values)
                    done = f"given {', '.join(sorted(values))}"
            except REFUSALS as exc:
                return back(request, "/reviews", "refused", message(exc))
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
        goals = await asyncio.gather(*(summary(bt, row.task_id) for row in listed))
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
        except REFUSALS as exc:
            return refused(request, 404, "No such task", message(exc))
        steps, steps_error = None, ""
        try:
            steps = await handle.steps()
        except REFUSALS as exc:
            steps_error = message(exc)
        cost, cost_error = None, ""
        try:
            cost = await (await tasks()).cost(task_id)
        except Exception as exc:  # the store is a report: the page shows without it
            cost_error = f"costs unavailable: {type(exc).__name__}"
        files = task_artifacts(artifacts_root, task_id) if artifacts_root is not None else None
        shown = {s.step for s in steps.steps} if steps is not None else set()
        return page(
            request,
            "task.html",
            task_id=task_id,
            progress=progress,
            goal=(await summary(await tasks(), task_id))[0],
            steps=steps,
            steps_error=steps_error,
            cost=cost,
            cost_error=cost_error,
            files=files,
            loose_shots=[shot for shot in files.shots if shot.step + 1 not in shown] if files is not None else [],
            ended=progress.status in TERMINAL_STATUSES,
            web_ui=web_ui_link(settings, task_id) if settings is not None else "",
        )

    async def task_file(request: Request) -> Response:
        """A screenshot (inline) or trace (a download) listed in the task's own artifacts folder, nothing else."""
        task_id, name = request.path_params["task_id"], request.path_params["name"]
        found = task_artifacts(artifacts_root, task_id).path(name) if artifacts_root is not None else None
        if found is None:
            return refused(request, 404, "No such file", f"task {task_id} kept no file {name!r} on this machine")
        headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
        if found.suffix == ".png":
            return FileResponse(found, media_type="image/png", headers=headers)
        return FileResponse(found, media_type="application/zip", filename=f"{task_id}-{name}", headers=headers)

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
                    await handle.pause(author(request)(str((await request.form()).get("reason") or "")))
                    done = f"pause requested for {task_id}: it stops at the next step boundary"
                else:
                    await handle.resume()
                    done = f"resume sent to {task_id}"
            except REFUSALS as exc:
                return back(request, to, "refused", message(exc))
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
        Route("/tasks/{task_id}/files/{name}", guarded(task_file)),
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

"""Roundup issue tracker (https://www.roundup-tracker.org), the stock "classic" template on SQLite, served
by Roundup's WSGI handler; seeded with ``roundup-admin``. Every write needs a login (the sidebar login form).

Sessions and one-time keys live in their own files (db-session, db-otk), so the main database sees no
visit; message bodies are files under db/files (a message's first line is its ``_summary`` column).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from bench.apps.base import App, AppTask
from bench.apps.dbdiff import Bookkeeping
from bench.apps.expect import Allow, Insert, Ref, Update

__all__ = ["ADMIN_PASSWORD_ENV", "USERS", "RoundupApp"]

ADMIN_PASSWORD = "tracker-admin-7"
ADMIN_PASSWORD_ENV = "BROWSERFLOW_SECRET_ROUNDUP_ADMIN_PASSWORD"
USERS = {  # username -> (password, real name)
    "alice": ("alice-pass-1", "Alice Archer"),
    "bob": ("bob-pass-2", "Bob Baker"),
    "carol": ("carol-pass-3", "Carol Chen"),
    "dave": ("dave-pass-4", "Dave Dunn"),
}
KEYWORDS = ("frontend", "security")
ISSUES = (  # title, priority, status, assigned to
    ("Login page times out", "urgent", "unread", "alice"),
    ("Search is slow on large projects", "bug", "in-progress", ""),
    ("Typo on the about page", "wish", "unread", ""),
    ("Export to CSV drops accents", "bug", "chatting", "bob"),
    ("Dark mode for the dashboard", "feature", "deferred", ""),
)


_SERVE = """\
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

from roundup.cgi.wsgi_handler import RequestDispatcher

home, port = sys.argv[1], int(sys.argv[2])
tracker = RequestDispatcher(home)


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if not path.startswith("/tracker"):
        start_response("302 Found", [("Location", "/tracker/")])
        return [b""]
    environ["SCRIPT_NAME"], environ["PATH_INFO"] = "/tracker", path[len("/tracker"):]
    return tracker(environ, start_response)


class Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


make_server("127.0.0.1", port, app, handler_class=Quiet).serve_forever()
"""


def _user(name: str) -> Ref:
    return Ref("_user", {"_username": name, "__retired__": 0})


def _issue(title: str) -> Ref:
    return Ref("_issue", {"_title": title})


def _named(table: str, name: str) -> Ref:
    return Ref(table, {"_name": name})


def _nosy(*users: str) -> tuple[Allow, ...]:
    """The classic template's nosy reactor adds the actor and the assignee to an edited issue's nosy list."""
    return tuple(Allow("issue_nosy", "inserted", {"linkid": _user(u)}) for u in users)


class RoundupApp(App):
    name = "roundup"
    requirements = ("roundup==2.6.0",)
    seed_version = "1"
    bookkeeping = Bookkeeping.of(
        tables=["sessions", "otks", "*__journal", "__words", "__textids", "__fts*", "ids"],
        columns={"*": ["_activity", "_actor"]},
    )

    @property
    def home(self) -> Path:
        return self.instance / "tracker"

    @property
    def db_path(self) -> Path:
        return self.home / "db" / "db"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/tracker/"

    def admin(self, *args: str) -> str:
        return self.run("roundup-admin", "-i", str(self.home), *args)

    def build(self) -> None:
        self.admin("install", "classic", "sqlite", "tracker_web=http://127.0.0.1:8080/tracker/,mail_domain=example.com")
        self.admin("initialise", ADMIN_PASSWORD)
        for username, (password, realname) in USERS.items():
            self.admin(
                "create",
                "user",
                f"username={username}",
                f"password={password}",
                f"realname={realname}",
                f"address={username}@example.com",
                "roles=User",
            )
        for keyword in KEYWORDS:
            self.admin("create", "keyword", f"name={keyword}")
        for title, priority, status, assignee in ISSUES:
            extra = [f"assignedto={assignee}"] if assignee else []
            self.admin("create", "issue", f"title={title}", f"priority={priority}", f"status={status}", *extra)

    def restore(self) -> None:
        """The pristine database, and no stored message or file bodies (the seed has none; the sqlite backend
        keeps them as files under db/files, outside the database)."""
        super().restore()
        shutil.rmtree(self.home / "db" / "files", ignore_errors=True)

    def before_start(self) -> None:
        config = self.home / "config.ini"
        text = re.sub(r"(?m)^web = .*$", f"web = {self.base_url}", config.read_text())
        config.write_text(text)

    def server_command(self) -> list[str]:
        # roundup-server refuses to run as root (CI containers are); the tracker's own WSGI handler under the
        # standard library's WSGI server is Roundup's documented alternative
        script = self.instance / "serve.py"
        script.write_text(_SERVE)
        return [str(self.bin / "python"), str(script), str(self.home), str(self.port)]

    def tasks(self) -> list[AppTask]:
        alice = {"username": "alice", "password": USERS["alice"][0]}
        admin = {"username": "admin", "password": f"env:{ADMIN_PASSWORD_ENV}"}
        admin_env = {ADMIN_PASSWORD_ENV: ADMIN_PASSWORD}
        return [
            AppTask(
                "create_issue",
                "Log in and file a new issue titled 'Password reset email never arrives' with priority urgent",
                "",
                {**alice, "title": "Password reset email never arrives", "priority": "urgent"},
                (
                    Insert(
                        "_issue",
                        {
                            "_title": "Password reset email never arrives",
                            "_priority": _named("_priority", "urgent"),
                            "_status": _named("_status", "unread"),
                            "_assignedto": None,
                            "_creator": _user("alice"),
                        },
                    ),
                    *_nosy("alice"),
                ),
                kind="create+login",
            ),
            AppTask(
                "rename_issue",
                "Change the title of the issue 'Typo on the about page' to 'Typo in the about page footer'",
                "",
                {**alice, "new_title": "Typo in the about page footer"},
                (
                    Update("_issue", {"_title": "Typo on the about page"}, {"_title": "Typo in the about page footer"}),
                    *_nosy("alice"),
                ),
                kind="edit",
            ),
            AppTask(
                "change_priority",
                "Set the priority of the issue 'Dark mode for the dashboard' to wish",
                "",
                {**alice, "priority": "wish"},
                (
                    Update(
                        "_issue", {"_title": "Dark mode for the dashboard"}, {"_priority": _named("_priority", "wish")}
                    ),
                    *_nosy("alice"),
                ),
                kind="priority",
            ),
            AppTask(
                "resolve_issue",
                "Mark the issue 'Login page times out' as resolved",
                "",
                {**alice, "status": "resolved"},
                (
                    Update("_issue", {"_title": "Login page times out"}, {"_status": _named("_status", "resolved")}),
                    *_nosy("alice"),
                ),
                kind="status",
            ),
            AppTask(
                "assign_issue",
                "Assign the issue 'Search is slow on large projects' to bob",
                "",
                {**alice, "assignee": "bob"},
                (
                    Update("_issue", {"_title": "Search is slow on large projects"}, {"_assignedto": _user("bob")}),
                    *_nosy("alice", "bob"),
                ),
                kind="assign",
            ),
            AppTask(
                "tag_issue",
                "Add the keyword 'frontend' to the issue 'Typo on the about page'",
                "",
                {**alice, "keyword": "frontend"},
                (
                    Insert(
                        "issue_keyword",
                        {"linkid": _named("_keyword", "frontend"), "nodeid": _issue("Typo on the about page")},
                    ),
                    *_nosy("alice"),
                ),
                kind="add-to",
            ),
            AppTask(
                "add_nosy",
                "Add carol to the nosy list of the issue 'Export to CSV drops accents'",
                "",
                {**alice, "user": "carol"},
                (
                    Insert("issue_nosy", {"linkid": _user("carol"), "nodeid": _issue("Export to CSV drops accents")}),
                    *_nosy("alice"),
                ),
                kind="add-to",
            ),
            AppTask(
                "comment_issue",
                "Add a comment 'Reproduced on the staging server' to the issue 'Search is slow on large projects'",
                "",
                {**alice, "comment": "Reproduced on the staging server"},
                (
                    Insert("_msg", {"_summary": "Reproduced on the staging server", "_author": _user("alice")}),
                    Insert("issue_messages", {"nodeid": _issue("Search is slow on large projects")}),
                    *_nosy("alice"),
                ),
                kind="create",
            ),
            AppTask(
                "create_keyword",
                "Create a new keyword called 'documentation'",
                "",
                {**alice, "name": "documentation"},
                (Insert("_keyword", {"_name": "documentation", "_creator": _user("alice")}),),
                kind="create",
            ),
            AppTask(
                "search_and_set_status",
                "Find the issue about CSV export and set its status to in-progress",
                "",
                {**alice, "status": "in-progress"},
                (
                    Update(
                        "_issue",
                        {"_title": "Export to CSV drops accents"},
                        {"_status": _named("_status", "in-progress")},
                    ),
                    *_nosy("alice"),
                ),
                kind="search+status",
            ),
            AppTask(
                "change_own_email",
                "Change my email address to alice@work.example.com",
                "",
                {**alice, "email": "alice@work.example.com"},
                # the tracker's own form script (html/user_utils.js) fills an empty Organisation from the new
                # address's domain as the address is typed: a person editing the address gets the same row
                (
                    Update(
                        "_user",
                        {"_username": "alice"},
                        {"_address": "alice@work.example.com", "_organisation": "work.example.com"},
                    ),
                ),
                kind="edit",
            ),
            AppTask(
                "retire_user",
                "Log in as the administrator and retire the user account of dave",
                "",
                admin,
                (Update("_user", {"_username": "dave"}, {"__retired__": _user("dave")}),),
                kind="delete+login",
                env=admin_env,
            ),
            AppTask(
                "create_user",
                "Log in as the administrator and create a user 'erin' with the email address erin@example.com",
                "",
                {**admin, "new_username": "erin", "email": "erin@example.com"},
                (Insert("_user", {"_username": "erin", "_address": "erin@example.com", "__retired__": 0}),),
                kind="create+login",
                env=admin_env,
            ),
        ]

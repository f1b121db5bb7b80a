"""A stock Django project with the admin (``django.contrib.admin``), auth users/groups, sites, flat pages
and redirects — all shipped with Django; nothing custom but the settings. Seeded through Django's ORM in
``manage.py shell``; served by ``manage.py runserver`` with DEBUG off. Every task logs in at /admin/.
"""

from __future__ import annotations

from pathlib import Path

from bench.apps.base import App, AppTask
from bench.apps.dbdiff import Bookkeeping
from bench.apps.expect import Allow, Delete, Insert, Ref, Update

__all__ = ["ADMIN_PASSWORD_ENV", "DjangoAdminApp"]

ADMIN_PASSWORD = "site-admin-9"
ADMIN_PASSWORD_ENV = "BROWSERFLOW_SECRET_DJANGO_ADMIN_PASSWORD"
ALICE_PASSWORD = "alice-editor-5"

_SETTINGS = """
INSTALLED_APPS += ["django.contrib.sites", "django.contrib.flatpages", "django.contrib.redirects"]
SITE_ID = 1
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES["default"]["NAME"] = BASE_DIR / "db.sqlite3"
"""

_SEED = f"""
from django.contrib.auth.models import Group, Permission, User
from django.contrib.flatpages.models import FlatPage
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site

site = Site.objects.get(id=1)
site.domain, site.name = "example.com", "Example pool"
site.save()
User.objects.create_superuser("admin", "admin@example.com", {ADMIN_PASSWORD!r})
editors = Group.objects.create(name="Editors")
editors.permissions.set(Permission.objects.filter(codename__in=["view_flatpage", "change_flatpage", "add_flatpage"]))
Group.objects.create(name="Moderators")
interns = Group.objects.create(name="Interns")
interns.permissions.set(Permission.objects.filter(codename__in=["view_flatpage"]))
people = [
    ("alice", "Alice", "Archer", True, [editors]),
    ("bob", "Bob", "Baker", False, []),
    ("carol", "Carol", "Chen", False, []),
    ("dave", "Dave", "Dunn", False, []),
    ("mallory", "Mallory", "Moss", False, [interns]),
]
for username, first, last, staff, groups in people:
    u = User.objects.create_user(username, f"{{username}}@example.com", {ALICE_PASSWORD!r} if username == "alice" else None)
    u.first_name, u.last_name, u.is_staff = first, last, staff
    u.save()
    u.groups.set(groups)
for url, title, content in [
    ("/contact/", "Contact", "Write to us at office@example.com."),
    ("/privacy/", "Privacy policy", "We keep only what we need."),
]:
    FlatPage.objects.create(url=url, title=title, content=content).sites.set([site])
Redirect.objects.create(site=site, old_path="/old-news/", new_path="/news/")
# the admin's user form round-trips date_joined to whole seconds: seed it so, or every save of a user changes it
for u in User.objects.all():
    u.date_joined = u.date_joined.replace(microsecond=0)
    u.save(update_fields=["date_joined"])
"""


def _user(name: str) -> Ref:
    return Ref("auth_user", {"username": name})


def _group(name: str) -> Ref:
    return Ref("auth_group", {"name": name})


def _page(url: str) -> Ref:
    return Ref("django_flatpage", {"url": url})


class DjangoAdminApp(App):
    name = "django_admin"
    requirements = ("Django==5.2.19",)
    seed_version = "2"
    bookkeeping = Bookkeeping.of(
        tables=["django_session", "django_admin_log"],  # sessions; the admin's own log of each change it made
        columns={"auth_user": ["last_login"]},
    )

    @property
    def project(self) -> Path:
        return self.instance / "site"

    @property
    def db_path(self) -> Path:
        return self.project / "db.sqlite3"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def manage(self, *args: str) -> str:
        return self.run("python", str(self.project / "manage.py"), *args, cwd=self.project)

    def build(self) -> None:
        self.project.mkdir()
        self.run("django-admin", "startproject", "poolsite", str(self.project))
        settings = self.project / "poolsite" / "settings.py"
        settings.write_text(settings.read_text() + _SETTINGS)
        self.manage("migrate", "--noinput")
        self.manage("shell", "-c", _SEED)

    def server_command(self) -> list[str]:
        return [
            str(self.bin / "python"),
            "manage.py",
            "runserver",
            f"127.0.0.1:{self.port}",
            "--noreload",
            "--insecure",
        ]

    @property
    def server_cwd(self) -> Path:
        return self.project

    def tasks(self) -> list[AppTask]:
        admin = {"username": "admin", "password": f"env:{ADMIN_PASSWORD_ENV}"}
        env = {ADMIN_PASSWORD_ENV: ADMIN_PASSWORD}
        return [
            AppTask(
                "create_user",
                "Create a new user account 'frank' with the password 'Lap-Lane-4821'",
                "admin/",
                {**admin, "new_username": "frank", "new_password": "Lap-Lane-4821"},
                (Insert("auth_user", {"username": "frank", "is_staff": 0, "is_superuser": 0, "is_active": 1}),),
                kind="create+login",
                env=env,
            ),
            AppTask(
                "change_email",
                "Change the email address of the user alice to alice@newmail.example.com",
                "admin/",
                {**admin, "email": "alice@newmail.example.com"},
                (Update("auth_user", {"username": "alice"}, {"email": "alice@newmail.example.com"}),),
                kind="edit",
                env=env,
            ),
            AppTask(
                "delete_user",
                "Delete the user account 'mallory'",
                "admin/",
                dict(admin),
                (
                    Delete("auth_user", {"username": "mallory"}),
                    Allow("auth_user_groups", "deleted", {"user_id": _user("mallory")}),
                ),
                kind="delete",
                env=env,
            ),
            AppTask(
                "add_to_group",
                "Add the user carol to the Editors group",
                "admin/",
                {**admin, "group": "Editors"},
                (Insert("auth_user_groups", {"user_id": _user("carol"), "group_id": _group("Editors")}),),
                kind="add-to",
                env=env,
            ),
            AppTask(
                "create_group",
                "Create a new group named 'Reviewers'",
                "admin/",
                {**admin, "name": "Reviewers"},
                (Insert("auth_group", {"name": "Reviewers"}),),
                kind="create",
                env=env,
            ),
            AppTask(
                "make_staff",
                "Give the user dave staff status",
                "admin/",
                dict(admin),
                (Update("auth_user", {"username": "dave"}, {"is_staff": 1}),),
                kind="status",
                env=env,
            ),
            AppTask(
                "deactivate_user",
                "Deactivate the account of the user bob",
                "admin/",
                dict(admin),
                (Update("auth_user", {"username": "bob"}, {"is_active": 0}),),
                kind="status",
                env=env,
            ),
            AppTask(
                "delete_group",
                "Delete the group 'Interns'",
                "admin/",
                dict(admin),
                (
                    Delete("auth_group", {"name": "Interns"}),
                    Allow("auth_user_groups", "deleted", {"group_id": _group("Interns")}),
                    Allow("auth_group_permissions", "deleted", {"group_id": _group("Interns")}),
                ),
                kind="delete",
                env=env,
            ),
            AppTask(
                "create_flatpage",
                "Create a flat page at the URL /about/ titled 'About us' with the content 'We run the city pool.' "
                "on the example.com site",
                "admin/",
                {**admin, "url": "/about/", "title": "About us", "content": "We run the city pool."},
                (
                    Insert(
                        "django_flatpage",
                        {
                            "url": "/about/",
                            "title": "About us",
                            "content": "We run the city pool.",
                            "registration_required": 0,
                            "template_name": "",
                        },
                    ),
                    Insert("django_flatpage_sites", {"site_id": 1}),
                ),
                kind="create",
                env=env,
            ),
            AppTask(
                "rename_flatpage",
                "Change the title of the flat page /contact/ to 'Contact the team'",
                "admin/",
                {**admin, "title": "Contact the team"},
                (Update("django_flatpage", {"url": "/contact/"}, {"title": "Contact the team"}),),
                kind="edit",
                env=env,
            ),
            AppTask(
                "create_redirect",
                "Add a redirect from /old-blog/ to /blog/",
                "admin/",
                {**admin, "old_path": "/old-blog/", "new_path": "/blog/"},
                (Insert("django_redirect", {"site_id": 1, "old_path": "/old-blog/", "new_path": "/blog/"}),),
                kind="create",
                env=env,
            ),
            AppTask(
                "search_and_edit",
                "Find the user whose email address is dave@example.com and change his last name to 'Dunn-Smith'",
                "admin/",
                {**admin, "last_name": "Dunn-Smith"},
                (Update("auth_user", {"username": "dave"}, {"last_name": "Dunn-Smith"}),),
                kind="search+edit",
                env=env,
            ),
            AppTask(
                "editor_login_edit",
                "Log in as alice and change the title of the flat page /privacy/ to 'Privacy notice'",
                "admin/",
                {"username": "alice", "password": ALICE_PASSWORD, "title": "Privacy notice"},
                (Update("django_flatpage", {"url": "/privacy/"}, {"title": "Privacy notice"}),),
                kind="login+edit",
            ),
        ]

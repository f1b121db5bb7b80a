"""The console's access rules without a cluster: every page needs the credential, every form its CSRF token,
the session cookie is signed, HttpOnly and SameSite=Strict, and the console refuses to start unprotected.
Refused requests never reach Temporal: the tasks provider here fails the test if it is called."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from browserflow.config import Settings
from client.cli import main as cli_main
from client.console import Access, make_app
from client.console.auth import SESSION_COOKIE
from client.console.cli import access_for, build_parser, hash_password_main, main
from client.console.users import hash_password, load_users, verify_password
from client.sdk import BrowserTasks

TOKEN = "reviewer-token-1"
VIEWER = "viewer-token-1"


async def unreachable() -> BrowserTasks:
    pytest.fail("a refused request reached the tasks provider")


def console(token: str | None = TOKEN, viewer: str | None = VIEWER) -> TestClient:
    app = make_app(unreachable, Access(token, viewer if token else None))
    return TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)


def login_csrf(client: TestClient) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    marker = 'name="csrf" value="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


def signed_in(token: str = TOKEN) -> tuple[TestClient, str]:
    client = console()
    answer = client.post("/login", data={"csrf": login_csrf(client), "token": token, "next": "/reviews"})
    assert answer.status_code == 303 and answer.headers["location"] == "/reviews"
    return client, login_csrf(client)


def test_no_credential_is_refused_with_a_sign_in_page() -> None:
    answer = console().get("/reviews")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert "Sign in required" in answer.text
    assert 'href="/login?next=%2Freviews"' in answer.text
    assert console().get("/tasks/bf-x").status_code == 401
    assert console().get("/reviews/bf-x/screenshot").status_code == 401
    assert console().get("/reviews.json").status_code == 401


def test_a_wrong_bearer_token_is_refused() -> None:
    answer = console().get("/reviews", headers={"Authorization": "Bearer not-the-token"})
    assert answer.status_code == 403
    assert "Credential refused" in answer.text
    assert console().get("/reviews", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 403


def test_a_wrong_token_in_the_login_form_signs_nobody_in() -> None:
    client = console()
    answer = client.post("/login", data={"csrf": login_csrf(client), "token": "guess", "next": "/reviews"})
    assert answer.status_code == 403
    assert "not valid" in answer.text
    assert client.get("/reviews").status_code == 401


def test_signing_in_sets_a_signed_httponly_strict_cookie() -> None:
    client = console()
    answer = client.post("/login", data={"csrf": login_csrf(client), "token": TOKEN, "next": "/tasks/bf-1"})
    assert answer.status_code == 303 and answer.headers["location"] == "/tasks/bf-1"
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert TOKEN not in answer.headers["set-cookie"]  # the session holds a role, never the token


def test_a_login_form_never_redirects_off_site() -> None:
    client = console()
    answer = client.post("/login", data={"csrf": login_csrf(client), "token": TOKEN, "next": "//evil.example/x"})
    assert answer.status_code == 303 and answer.headers["location"] == "/reviews"


def test_a_forged_login_without_the_csrf_token_is_refused() -> None:
    client = console()
    answer = client.post("/login", data={"token": TOKEN, "next": "/reviews"})
    assert answer.status_code == 403
    assert "CSRF" in answer.text
    assert client.get("/reviews").status_code == 401


def test_a_forged_post_without_or_with_a_wrong_csrf_token_is_refused() -> None:
    client, csrf = signed_in()
    for form in ({"note": "ok"}, {"note": "ok", "csrf": "forged"}, {"csrf": csrf[:-1] + "x"}):
        for path in (
            "/reviews/bf-1/approve",
            "/reviews/bf-1/reject",
            "/reviews/bf-1/input",
            "/reviews/bf-1/take-over",
            "/reviews/bf-1/instruct",
            "/tasks/bf-1/cancel",
            "/tasks/bf-1/pause",
            "/tasks/bf-1/resume",
        ):
            answer = client.post(path, data=form)
            assert answer.status_code == 403, (path, form)
            assert "CSRF token is missing or wrong" in answer.text


def test_a_tampered_or_foreign_session_cookie_signs_nobody_in() -> None:
    client, _ = signed_in()
    value = client.cookies[SESSION_COOKIE]
    other = console()
    other.cookies.set(SESSION_COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert other.get("/reviews").status_code == 401
    foreign = console("another-token")  # a cookie signed under another token
    foreign.cookies.set(SESSION_COOKIE, value)
    assert foreign.get("/reviews").status_code == 401


def test_an_unknown_status_filter_is_refused_before_any_call() -> None:
    client, _ = signed_in()
    answer = client.get("/tasks?status=bogus")
    assert answer.status_code == 400 and "no task status" in answer.text


def test_a_viewer_may_sign_in_but_not_act() -> None:
    client, csrf = signed_in(VIEWER)
    for path in (
        "/reviews/bf-1/approve",
        "/reviews/bf-1/reject",
        "/reviews/bf-1/input",
        "/reviews/bf-1/take-over",
        "/reviews/bf-1/instruct",
        "/tasks/bf-1/cancel",
        "/tasks/bf-1/pause",
        "/tasks/bf-1/resume",
    ):
        answer = client.post(path, data={"csrf": csrf, "reason": "r", "extra_key": "k", "extra_value": "v"})
        assert answer.status_code == 403, path
        assert "A viewer may look but not act" in answer.text
    bearer = console().post("/reviews/bf-1/approve", headers={"Authorization": f"Bearer {VIEWER}"})
    assert bearer.status_code == 403 and "viewer" in bearer.text
    no_viewers = console(viewer=None)  # a viewer session of a console that no longer has a viewer token
    no_viewers.cookies.set(SESSION_COOKIE, client.cookies[SESSION_COOKIE])
    assert no_viewers.get("/reviews").status_code == 401


def test_an_open_console_still_checks_the_csrf_token() -> None:
    client = console(None)
    answer = client.post("/reviews/bf-1/approve", data={"note": "x"})
    assert answer.status_code == 403 and "CSRF" in answer.text


def args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def test_the_console_will_not_start_unprotected() -> None:
    settings = Settings.from_env({})
    with pytest.raises(ValueError, match="BROWSERFLOW_CONSOLE_TOKEN"):
        access_for(args(), settings)
    with pytest.raises(ValueError, match=r"127\.0\.0\.1 only"):
        access_for(args("--insecure-no-auth", "--host", "0.0.0.0"), settings)
    assert access_for(args("--insecure-no-auth"), settings).open
    assert access_for(args("--token", "t1"), settings) == Access("t1")
    assert access_for(args("--token", "t1", "--viewer-token", "v1"), settings) == Access("t1", "v1")
    with pytest.raises(ValueError, match="must differ"):
        access_for(args("--token", "t1", "--viewer-token", "t1"), settings)
    token = "console-token-3c9a7e51"
    from_env = Settings.from_env({"BROWSERFLOW_CONSOLE_TOKEN": token})
    assert access_for(args("--host", "0.0.0.0"), from_env) == Access(token)
    assert token not in repr(from_env)  # a SecretStr: never printed


def test_the_command_exits_2_with_the_reason(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BROWSERFLOW_CONSOLE_TOKEN", raising=False)
    assert main(["--host", "0.0.0.0", "--insecure-no-auth"]) == 2
    assert "127.0.0.1 only" in capsys.readouterr().err
    assert main([]) == 2
    assert "no console token" in capsys.readouterr().err
    assert cli_main(["console", "--host", "0.0.0.0", "--insecure-no-auth"]) == 2  # `browserflow console ...`
    assert "127.0.0.1 only" in capsys.readouterr().err


def test_the_console_and_the_codec_server_default_to_their_own_ports() -> None:
    from client.console.cli import DEFAULT_PORT

    assert DEFAULT_PORT == 8234
    assert Settings.from_env({}).console_port == 8234  # `--port` unset: BROWSERFLOW_CONSOLE_PORT, else 8234
    assert Settings.from_env({}).codec_server_url == "http://127.0.0.1:8081"


def test_the_token_may_come_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "console.token"
    path.write_text("file-token-7\n")
    assert access_for(args("--token-file", str(path)), Settings.from_env({})) == Access("file-token-7")
    with pytest.raises(ValueError, match="cannot read the token file"):
        access_for(args("--token-file", str(tmp_path / "missing")), Settings.from_env({}))


# --- the users file -------------------------------------------------------------------------------------------

DANA, OMER = "dana-pass-5", "omer-pass-6"


@pytest.fixture(scope="module")
def users_toml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("users") / "users.toml"
    path.write_text(
        "[[users]]\n"
        f'name = "dana"\nrole = "reviewer"\npassword = "{hash_password(DANA)}"\n'
        "[[users]]\n"
        f'name = "omer"\nrole = "viewer"\npassword = "{hash_password(OMER)}"\n'
    )
    return path


class Recorder:
    """A stand-in for ``BrowserTasks``: records what the verbs send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, object]] = []

    def get(self, task_id: str) -> Recorder:
        return self

    async def approve(self, note: str = "") -> None:
        self.sent.append(("approve", note))

    async def reject(self, reason: str) -> None:
        self.sent.append(("reject", reason))

    async def take_over(self, result: dict[str, str], note: str = "") -> None:
        self.sent.append(("take_over", note))

    async def pause(self, reason: str = "") -> None:
        self.sent.append(("pause", reason))

    async def instruct(self, action: dict[str, str]) -> None:
        self.sent.append(("instruct", action))


def user_console(users: Path, token: str | None = None, recorder: Recorder | None = None) -> TestClient:
    async def provider() -> BrowserTasks:
        if recorder is None:
            pytest.fail("a refused request reached the tasks provider")
        return recorder  # type: ignore[return-value]

    app = make_app(provider, Access(token, None, load_users(users)))
    return TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)


def sign_in_user(client: TestClient, name: str, password: str) -> Any:
    return client.post("/login", data={"csrf": login_csrf(client), "name": name, "password": password, "next": "/x"})


def test_a_password_hash_is_salted_and_verifies_only_its_password() -> None:
    first, second = hash_password("pw-1"), hash_password("pw-1")
    assert first != second and first.startswith("scrypt$16384$8$1$") and "pw-1" not in first
    assert verify_password("pw-1", first) and verify_password("pw-1", second)
    for wrong, hashed in (("pw-2", first), ("", first), ("pw-1", "scrypt$1$1$1$x$y"), ("pw-1", "plain-pw-1")):
        assert not verify_password(wrong, hashed)


@pytest.mark.parametrize(
    ("text", "suffix", "problem"),
    [
        ('[[users]]\nname = "a"\nrole = "admin"\npassword = "{h}"\n', ".toml", "role"),
        ('[[users]]\nname = "a"\nrole = "viewer"\npassword = "plain"\n', ".toml", "hash-password"),
        ('[[users]]\nname = "a"\nrole = "viewer"\npassword = "{h}"\nemail = "x"\n', ".toml", "email"),
        ('[[users]]\nname = "a"\nrole = "viewer"\npassword = "{h}"\n' * 2, ".toml", "more than once"),
        ("users = []\n", ".toml", "lists no users"),
        ("not toml [", ".toml", "not valid"),
        ('{"users": [{"name": "a:b", "role": "viewer", "password": "{h}"}]}', ".json", "without ':'"),
    ],
)
def test_a_users_file_with_a_problem_is_refused_with_the_reason(
    tmp_path: Path, text: str, suffix: str, problem: str
) -> None:
    hashed = hash_password("x")
    path = tmp_path / f"users{suffix}"
    path.write_text(text.replace("{h}", hashed))
    with pytest.raises(ValueError, match=problem) as refused:
        load_users(path)
    assert hashed not in str(refused.value)


def test_a_json_users_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text(json.dumps({"users": [{"name": "rina", "role": "reviewer", "password": hash_password("p")}]}))
    (user,) = load_users(path)
    assert (user.name, user.role) == ("rina", "reviewer") and "scrypt" not in repr(user)


def test_a_user_signs_in_by_name_and_password_and_the_header_shows_the_name(users_toml: Path) -> None:
    client = user_console(users_toml)
    answer = sign_in_user(client, "dana", DANA)
    assert answer.status_code == 303 and answer.headers["location"] == "/x"
    page = client.get("/login")
    assert 'data-user="dana"' in page.text and 'name="password"' in page.text
    assert DANA not in answer.headers["set-cookie"]


@pytest.mark.parametrize(("name", "password"), [("dana", OMER), ("dana", ""), ("nobody", DANA), ("", DANA)])
def test_wrong_credentials_sign_nobody_in(users_toml: Path, name: str, password: str) -> None:
    client = user_console(users_toml)
    answer = sign_in_user(client, name, password)
    assert answer.status_code == 403
    assert "do not match a user of this console" in answer.text or "not valid" in answer.text
    assert client.get("/reviews").status_code == 401
    assert "name and password" in client.get("/reviews").text


def test_a_viewer_user_may_look_but_not_act(users_toml: Path) -> None:
    client = user_console(users_toml)
    assert sign_in_user(client, "omer", OMER).status_code == 303
    answer = client.post("/reviews/bf-1/approve", data={"csrf": login_csrf(client), "note": "x"})
    assert answer.status_code == 403 and "A viewer may look but not act" in answer.text


def test_tokens_keep_working_beside_the_users_file(users_toml: Path) -> None:
    client = user_console(users_toml, token=TOKEN)
    answer = client.post("/login", data={"csrf": login_csrf(client), "token": TOKEN, "next": "/x"})
    assert answer.status_code == 303
    assert 'data-user="' not in client.get("/login").text  # a token is nobody by name
    assert user_console(users_toml).post("/login", data={"csrf": "x", "token": TOKEN}).status_code == 403


def test_a_user_removed_from_the_file_loses_the_session(users_toml: Path) -> None:
    client = user_console(users_toml)
    assert sign_in_user(client, "dana", DANA).status_code == 303
    (_dana, omer) = load_users(users_toml)
    fewer = Access(None, None, (omer,))
    cookie = client.cookies[SESSION_COOKIE]
    other = TestClient(make_app(unreachable, fewer), base_url="http://127.0.0.1", follow_redirects=False)
    other.cookies.set(SESSION_COOKIE, cookie)
    assert other.get("/reviews").status_code == 401


def test_a_user_signs_the_notes_and_reasons_they_send(users_toml: Path) -> None:
    recorder = Recorder()
    client = user_console(users_toml, recorder=recorder)
    assert sign_in_user(client, "dana", DANA).status_code == 303
    csrf = login_csrf(client)
    for path, form in (
        ("/reviews/bf-1/approve", {"note": "looks right"}),
        ("/reviews/bf-1/approve", {"note": ""}),
        ("/reviews/bf-1/reject", {"reason": "wrong class"}),
        ("/reviews/bf-1/take-over", {"note": "by phone"}),
        ("/tasks/bf-1/pause", {"reason": "checking"}),
    ):
        assert client.post(path, data={"csrf": csrf, **form}).status_code == 303, path
    assert recorder.sent == [
        ("approve", "by dana: looks right"),
        ("approve", "by dana"),
        ("reject", "by dana: wrong class"),
        ("take_over", "by dana: by phone"),
        ("pause", "by dana: checking"),
    ]


def test_the_users_file_comes_from_the_option_or_the_setting(users_toml: Path) -> None:
    access = access_for(args("--users", str(users_toml), "--host", "0.0.0.0"), Settings.from_env({}))
    assert not access.open and [u.name for u in access.users] == ["dana", "omer"] and access.token is None
    from_env = Settings.from_env({"BROWSERFLOW_CONSOLE_USERS": str(users_toml), "BROWSERFLOW_CONSOLE_TOKEN": "t"})
    assert access_for(args(), from_env).token == "t" and len(access_for(args(), from_env).users) == 2


def test_hash_password_prints_a_hash_of_the_piped_password(capsys: pytest.CaptureFixture[str]) -> None:
    assert hash_password_main([], io.StringIO("s3cret-pw\n")) == 0
    line = capsys.readouterr().out.strip()
    assert verify_password("s3cret-pw", line) and "s3cret-pw" not in line
    assert hash_password_main([], io.StringIO("\n")) == 2


@pytest.mark.parametrize(
    ("form", "sent"),
    [
        ({"kind": "click", "target": "#picked"}, {"kind": "click", "selector": "#picked"}),
        ({"kind": "click", "target": "#picked", "selector": "#typed"}, {"kind": "click", "selector": "#picked"}),
        (
            {"kind": "fill", "target": "", "selector": "#typed", "value": "v"},
            {"kind": "fill", "selector": "#typed", "value": "v"},
        ),
        ({"kind": "navigate", "value": "http://x/"}, {"kind": "navigate", "value": "http://x/"}),
    ],
)
def test_instruct_takes_the_picked_element_else_the_typed_selector(
    users_toml: Path, form: dict[str, str], sent: dict[str, str]
) -> None:
    recorder = Recorder()
    client = user_console(users_toml, recorder=recorder)
    assert sign_in_user(client, "dana", DANA).status_code == 303
    assert client.post("/reviews/bf-1/instruct", data={"csrf": login_csrf(client), **form}).status_code == 303
    assert recorder.sent == [("instruct", sent)]

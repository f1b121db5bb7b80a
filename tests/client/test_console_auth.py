"""The console's access rules without a cluster: every page needs the credential, every form its CSRF token,
the session cookie is signed, HttpOnly and SameSite=Strict, and the console refuses to start unprotected.
Refused requests never reach Temporal: the tasks provider here fails the test if it is called."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from browserflow.config import Settings
from client.cli import main as cli_main
from client.console import Access, make_app
from client.console.auth import SESSION_COOKIE
from client.console.cli import access_for, build_parser, main
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

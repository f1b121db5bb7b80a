"""The codec server: Temporal's codec protocol, CORS for the Web UI, the bearer token; and the Temporal Web UI in
real Chromium showing a task's decoded input through it while the dev server's database holds ciphertext."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from google.protobuf import json_format
from playwright.async_api import async_playwright
from temporalio.api.common.v1 import Payloads
from temporalio.client import Client

from browserflow.browser.pool import BrowserPool
from browserflow.config import Settings, project_root
from browserflow.contracts import TaskStatus
from browserflow.store import Store
from browserflow.temporal.codec import ENCODING, KEY_ID_METADATA, EncryptionCodec, KeyRing, data_converter
from browserflow.temporal.codec import new_key_entry as new_entry
from client.codec_server import cors_origins, main, make_app
from client.sdk import BrowserTasks
from client.stack import server_command
from demo import DemoSite
from tests.conftest import chromium_path, eventually
from tests.workflows.test_task import demo_request

UI_ORIGIN = "http://localhost:8233"
TOKEN = "s3cret-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def body(*texts: str) -> str:
    """``{"payloads": [...]}`` as the Web UI sends it: protobuf JSON, bytes in base64."""
    payloads = [
        {
            "metadata": {"encoding": base64.b64encode(b"json/plain").decode()},
            "data": base64.b64encode(t.encode()).decode(),
        }
        for t in texts
    ]
    return json.dumps({"payloads": payloads})


Serve = Callable[..., Awaitable[str]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start ``make_app(...)`` on 127.0.0.1:<free port>; returns its base URL."""
    runners: list[web.AppRunner] = []

    async def start(codec: EncryptionCodec, **options: object) -> str:
        runner = web.AppRunner(make_app(codec, **options))  # type: ignore[arg-type]
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    yield start
    for runner in runners:
        await runner.cleanup()


def codec() -> EncryptionCodec:
    return EncryptionCodec(KeyRing.parse(new_entry("cs1"), "test"))


async def test_encode_then_decode_round_trips_under_any_prefix(serve: Serve) -> None:
    base = await serve(codec(), origins=[UI_ORIGIN])
    async with httpx.AsyncClient(base_url=base) as http:
        encoded = await http.post("/encode", content=body('{"goal": "Register Eden"}'))
        assert encoded.status_code == 200, encoded.text
        sealed = json_format.Parse(encoded.text, Payloads()).payloads[0]
        assert sealed.metadata["encoding"] == ENCODING and sealed.metadata[KEY_ID_METADATA] == b"cs1"
        assert b"Register Eden" not in sealed.data
        decoded = await http.post("/default/decode", content=encoded.text, headers={"X-Namespace": "default"})
        assert decoded.status_code == 200
        assert json_format.Parse(decoded.text, Payloads()).payloads[0].data == b'{"goal": "Register Eden"}'
        assert decoded.headers["Content-Type"].startswith("application/json")
        # payloads that were never sealed pass through
        passthrough = await http.post("/decode", content=body('"clear"'))
        assert json_format.Parse(passthrough.text, Payloads()).payloads[0].data == b'"clear"'
        assert (await http.post("/decode", content="{not json")).status_code == 400
        assert (await http.get("/decode")).status_code == 405
        assert (await http.post("/other", content=body("x"))).status_code == 404


async def test_a_payload_this_ring_cannot_open_answers_400_with_the_reason(serve: Serve) -> None:
    sealed = await codec().encode(json_format.Parse(body('"x"'), Payloads()).payloads)
    base = await serve(codec())  # same key id, another key
    async with httpx.AsyncClient(base_url=base) as http:
        answer = await http.post("/decode", content=json_format.MessageToJson(Payloads(payloads=sealed)))
    assert answer.status_code == 400
    assert "PayloadUndecryptable" in answer.text and "'cs1' does not open" in answer.text


async def test_cors_preflight_is_answered_for_the_web_ui_origin_only(serve: Serve) -> None:
    base = await serve(codec(), origins=[UI_ORIGIN, "http://127.0.0.1:8233"])
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-namespace"}
    async with httpx.AsyncClient(base_url=base) as http:
        ok = await http.options("/decode", headers={"Origin": UI_ORIGIN, **preflight})
        assert ok.status_code == 204
        assert ok.headers["Access-Control-Allow-Origin"] == UI_ORIGIN
        assert "POST" in ok.headers["Access-Control-Allow-Methods"]
        allowed = {h.strip().lower() for h in ok.headers["Access-Control-Allow-Headers"].split(",")}
        assert {"content-type", "x-namespace", "authorization"} <= allowed
        other = await http.options("/decode", headers={"Origin": "http://evil.test", **preflight})
        assert other.status_code == 403 and "Access-Control-Allow-Origin" not in other.headers
        posted = await http.post("/decode", content=body('"x"'), headers={"Origin": "http://127.0.0.1:8233"})
        assert posted.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8233"
        stranger = await http.post("/decode", content=body('"x"'), headers={"Origin": "http://evil.test"})
        assert "Access-Control-Allow-Origin" not in stranger.headers  # the browser withholds the answer


async def test_a_bearer_token_is_required_when_configured(serve: Serve) -> None:
    base = await serve(codec(), origins=[UI_ORIGIN], token=TOKEN)
    async with httpx.AsyncClient(base_url=base) as http:
        missing = await http.post("/decode", content=body('"x"'), headers={"Origin": UI_ORIGIN})
        assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer"
        assert missing.headers["Access-Control-Allow-Origin"] == UI_ORIGIN  # the UI can show why
        wrong = await http.post("/encode", content=body('"x"'), headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = await http.post("/decode", content=body('"x"'), headers={"Authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200
        # a preflight never carries the token and is answered without it
        preflight = await http.options(
            "/decode", headers={"Origin": UI_ORIGIN, "Access-Control-Request-Method": "POST"}
        )
        assert preflight.status_code == 204


def test_default_origins_are_the_web_ui_on_localhost_and_127_0_0_1() -> None:
    assert cors_origins(Settings()) == ["http://localhost:8233", "http://127.0.0.1:8233"]
    assert cors_origins(Settings(web_ui_url="https://temporal.example.com/")) == ["https://temporal.example.com"]
    assert cors_origins(Settings(codec_cors_origins=["http://ui.test:8080/"])) == ["http://ui.test:8080"]


def test_main_prints_a_new_key_and_refuses_production_without_keys(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["--new-key", "2027-01"]) == 0
    entry = capsys.readouterr().out.strip()
    assert KeyRing.parse(entry, "printed").current == "2027-01"
    monkeypatch.delenv("BROWSERFLOW_ENCRYPTION_KEYS", raising=False)
    monkeypatch.setenv("BROWSERFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BROWSERFLOW_ENV", "production")
    assert main([]) == 2
    assert "BROWSERFLOW_ENV=production needs an encryption key ring" in capsys.readouterr().err
    monkeypatch.setenv("BROWSERFLOW_ENCRYPTION", "off")
    assert main([]) == 2
    assert "nothing to decode" in capsys.readouterr().err


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.integration
async def test_the_web_ui_shows_decoded_input_while_the_database_holds_ciphertext(
    tmp_path: Path, pool: BrowserPool, engine_store: Store, site: DemoSite
) -> None:
    from worker import build_workers

    grpc, ui, codec_port = free_port(), free_port(), free_port()
    settings = Settings(
        temporal_address=f"127.0.0.1:{grpc}",
        web_ui_url=f"http://localhost:{ui}",
        codec_server_url=f"http://127.0.0.1:{codec_port}",
        data_dir=tmp_path,
    )
    env = {
        **os.environ,  # the session's key ring (tests/conftest.py)
        "TEMPORAL_WEB_UI": settings.web_ui_url,
        "BROWSERFLOW_CODEC_SERVER": settings.codec_server_url,
        "BROWSERFLOW_DATA_DIR": str(tmp_path),
    }
    command = server_command(settings)
    assert command[command.index("--ui-codec-endpoint") + 1] == settings.codec_server_url
    codec_proc = spawn([sys.executable, "-m", "client.codec_server"], env, tmp_path / "codec.log")
    server = spawn(command, env, tmp_path / "server.log")
    queue = f"bf-ui-{uuid.uuid4().hex[:8]}"
    workers = None
    stopper = asyncio.Event()
    running = None
    try:
        await eventually(lambda: port_open(codec_port) and port_open(grpc) and port_open(ui), 60, "codec+dev server")
        client = await Client.connect(settings.temporal_address, data_converter=data_converter())
        workers = build_workers(client, pool, store=engine_store, task_queue=queue, drain_seconds=5)
        running = asyncio.create_task(workers.run(stopper))
        handle = await BrowserTasks(client, queue).submit(demo_request(site, use_cache=False))
        result = await handle.result()
        assert result.status == TaskStatus.SUCCEEDED, result.reason
        confirmation = result.result_data["confirmation_number"]

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path())
            page = await browser.new_page(viewport={"width": 1400, "height": 1000})
            await page.goto(f"{settings.web_ui_url}/namespaces/default/workflows/{handle.id}", wait_until="load")
            # the Input and Result cards, decoded by the codec server from the browser (CORS preflight + POST)
            await page.get_by_text("Eden Levi").first.wait_for(timeout=30_000)
            await page.get_by_text(confirmation).first.wait_for(timeout=30_000)
            shown = await page.content()
            assert "eden@example.com" in shown
            docs = project_root() / "docs"
            docs.mkdir(exist_ok=True)
            await page.screenshot(path=str(docs / "codec-web-ui.png"), full_page=False)
            await browser.close()
    finally:
        stopper.set()
        if running is not None:
            await running
        stop(server)  # the dev server writes its SQLite file out as it stops
        stop(codec_proc)
    db = b"".join(p.read_bytes() for p in tmp_path.glob("temporal.db*"))
    assert handle.id.encode() in db  # the history is in this file ...
    assert ENCODING in db
    for text in (
        "Register Eden for the Tuesday evening swim class",
        "Eden Levi",
        "eden@example.com",
        "2015-04-12",
        "Friendly lessons for every age",
        "Please arrive ten minutes before",
        confirmation,
    ):
        assert text.encode() not in db, f"{text!r} in clear in the dev server's database"  # ... sealed


def test_the_cli_passes_codec_server_options_through(capsys: pytest.CaptureFixture[str]) -> None:
    from client.cli import main as cli_main

    assert cli_main(["codec-server", "--new-key", "2027-01"]) == 0
    key_id, _, key = capsys.readouterr().out.strip().partition(":")
    assert key_id == "2027-01" and len(base64.b64decode(key)) == 32

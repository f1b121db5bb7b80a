"""Encrypted payloads: the AES-GCM codec, its key ring (rotation, wrong keys, where keys come from) and, on the
real dev server, a whole task whose history holds no task data, goal or page text in clear."""

from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import History
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from browserflow.config import Settings
from browserflow.contracts import TaskRequest, TaskResult, TaskStatus
from browserflow.errors import ConfigInvalid, EncryptionKeyInvalid, EncryptionKeyMissing, PayloadUndecryptable
from browserflow.temporal.codec import (
    DEV_KEY_FILE,
    ENCODING,
    KEY_ID_METADATA,
    EncryptionCodec,
    KeyRing,
    data_converter,
    key_ring,
    new_key_entry,
)
from demo import DemoSite
from tests.conftest import Engine
from tests.workflows.test_task import demo_request

SECRET_TEXT = "Eden Levi registers with eden@example.com"


def ring(*entries: str) -> KeyRing:
    return KeyRing.parse("\n".join(entries), "test")


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings.model_validate({"data_dir": tmp_path, **values})


async def seal(r: KeyRing, value: object) -> list[Payload]:
    return await data_converter(ring=r).encode([value])


async def test_payloads_are_sealed_with_the_current_key_and_open_again() -> None:
    r = ring(new_key_entry("k2"), new_key_entry("k1"))
    sealed = await seal(r, {"goal": SECRET_TEXT})
    assert sealed[0].metadata["encoding"] == ENCODING
    assert sealed[0].metadata[KEY_ID_METADATA] == b"k2"  # the first entry is the current key
    assert SECRET_TEXT.encode() not in sealed[0].SerializeToString()
    assert b"Eden" not in sealed[0].data
    again = await seal(r, {"goal": SECRET_TEXT})
    assert again[0].data != sealed[0].data  # a fresh nonce each time
    opened = await data_converter(ring=r).decode(sealed, [dict])
    assert opened == [{"goal": SECRET_TEXT}]


async def test_a_payload_sealed_with_a_retired_key_still_opens_after_rotation() -> None:
    old = new_key_entry("2026-01")
    before = await seal(ring(old), TaskRequest.model_validate({"goal": SECRET_TEXT, "start_url": "https://x.test/"}))
    rotated = ring(new_key_entry("2026-07"), old)  # the new key first, the retired one kept after it
    assert rotated.current == "2026-07" and rotated.retired == ["2026-01"]
    [request] = await data_converter(ring=rotated).decode(before, [TaskRequest])
    assert request.goal == SECRET_TEXT
    after = await seal(rotated, "new")
    assert after[0].metadata[KEY_ID_METADATA] == b"2026-07"
    with pytest.raises(PayloadUndecryptable, match=r"key '2026-01', which is not in the key ring"):
        await data_converter(ring=ring(new_key_entry("2026-07"))).decode(before, [TaskRequest])


async def test_a_wrong_key_gives_a_clear_error_not_garbage() -> None:
    right = ring(new_key_entry("prod"))
    sealed = await seal(right, {"goal": SECRET_TEXT})
    wrong = EncryptionCodec(ring(new_key_entry("prod")))  # same id, other key
    with pytest.raises(PayloadUndecryptable, match=r"sealed with encryption key 'prod' does not open"):
        await wrong.decode(sealed)
    tampered = Payload(metadata=dict(sealed[0].metadata), data=sealed[0].data[:-1] + b"\0")
    with pytest.raises(PayloadUndecryptable, match="altered"):
        await EncryptionCodec(right).decode([tampered])
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'"recorded in clear"')
    assert await wrong.decode([plain]) == [plain]  # history from before encryption was on stays readable


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no keys"),
        ("# only a comment\n", "no keys"),
        ("justbase64withoutid", "KEY_ID:BASE64"),
        ("bad id:AAAA", "KEY_ID:BASE64"),
        ("k1:not-base64!!", "32 bytes"),
        ("k1:AAAA", "32 bytes"),
    ],
)
def test_a_malformed_key_ring_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(EncryptionKeyInvalid, match=reason):
        KeyRing.parse(text, "BROWSERFLOW_ENCRYPTION_KEYS")


def test_duplicate_ids_are_refused_and_both_base64_alphabets_and_separators_parse() -> None:
    entry = new_key_entry("dup")
    with pytest.raises(EncryptionKeyInvalid, match="appears twice"):
        KeyRing.parse(f"{entry},{entry}", "x")
    urlsafe = "u1:" + "-_" * 21 + "w"  # 43 chars of URL-safe base64 = 32 bytes
    parsed = KeyRing.parse(f"# ring\n{urlsafe} , {new_key_entry('u0')}  # retired\n", "x")
    assert list(parsed.keys) == ["u1", "u0"] and len(parsed.keys["u1"]) == 32
    assert "u1" in parsed.describe() and parsed.keys["u1"].hex() not in repr(parsed)


def test_keys_come_from_the_variable_or_the_file(tmp_path: Path) -> None:
    entry = new_key_entry("from-env")
    got = key_ring(settings(tmp_path, encryption_keys=entry))
    assert got is not None and got.current == "from-env" and got.source == "BROWSERFLOW_ENCRYPTION_KEYS"
    keyfile = tmp_path / "ring.keys"
    keyfile.write_text(f"{new_key_entry('from-file')}\n{new_key_entry('older')}\n")
    got = key_ring(settings(tmp_path, encryption_key_file=keyfile))
    assert got is not None and got.current == "from-file" and got.retired == ["older"]
    with pytest.raises(EncryptionKeyInvalid, match=r"BROWSERFLOW_ENCRYPTION_KEY_FILE=.*cannot read it"):
        key_ring(settings(tmp_path, encryption_key_file=tmp_path / "missing.keys"))
    assert not (tmp_path / DEV_KEY_FILE).exists()  # a configured ring never makes a dev one


def test_dev_makes_and_keeps_a_key_ring_under_the_data_dir(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    first = key_ring(settings(tmp_path))
    assert first is not None
    path = tmp_path / DEV_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"made a dev key ring at {path}" in capfd.readouterr().err
    second = key_ring(settings(tmp_path))
    assert second is not None and second.keys == first.keys  # kept, not remade
    assert "made a dev key ring" not in capfd.readouterr().err


def test_production_refuses_to_start_without_a_key_unless_encryption_is_off(tmp_path: Path) -> None:
    with pytest.raises(EncryptionKeyMissing, match="BROWSERFLOW_ENCRYPTION_KEYS or BROWSERFLOW_ENCRYPTION_KEY_FILE"):
        key_ring(settings(tmp_path, environment="production"))
    assert not (tmp_path / DEV_KEY_FILE).exists()
    assert key_ring(settings(tmp_path, environment="production", encryption="off")) is None
    assert data_converter(settings(tmp_path, environment="production", encryption="off")) is pydantic_data_converter


def test_settings_read_the_encryption_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BROWSERFLOW_ENV", "Production")
    monkeypatch.setenv("BROWSERFLOW_ENCRYPTION", "OFF")
    monkeypatch.setenv("BROWSERFLOW_ENCRYPTION_KEY_FILE", str(tmp_path / "k"))
    monkeypatch.setenv("BROWSERFLOW_CODEC_CORS_ORIGINS", "http://ui.test:8080, https://ops.test")
    monkeypatch.setenv("BROWSERFLOW_CODEC_TOKEN", "t0ken")
    s = Settings.from_env()
    assert s.production and s.encryption == "off" and s.encryption_key_file == tmp_path / "k"
    assert s.codec_cors_origins == ["http://ui.test:8080", "https://ops.test"]
    assert s.codec_token is not None and "t0ken" not in repr(s)
    monkeypatch.setenv("BROWSERFLOW_ENCRYPTION", "maybe")
    with pytest.raises(ConfigInvalid, match="BROWSERFLOW_ENCRYPTION: Input should be 'on' or 'off'"):
        Settings.from_env()


@pytest.mark.integration
async def test_a_task_history_holds_no_task_data_goal_or_page_text_in_clear(
    engine: Engine, site: DemoSite, temporal_env: WorkflowEnvironment
) -> None:
    request = demo_request(site, use_cache=False, goal="Register Eden for the Tuesday evening swim class please")
    handle = await engine.tasks.submit(request)
    result = await handle.result()
    assert result.status == TaskStatus.SUCCEEDED, result.reason
    confirmation = result.result_data["confirmation_number"]

    # the history as the server stores it: fetched by a client WITHOUT the codec
    target = temporal_env.client.service_client.config.target_host
    plain = await Client.connect(target, data_converter=pydantic_data_converter)
    history = await plain.get_workflow_handle(handle.id).fetch_history()
    raw = History(events=history.events).SerializeToString()
    assert len(history.events) > 10 and raw.count(ENCODING) > 10
    in_clear = [
        request["goal"],
        "Tuesday evening swim",  # a data value (also in the goal's words: the goal is checked whole above)
        "Eden Levi",
        "eden@example.com",
        "2015-04-12",
        "Friendly lessons for every age",  # page text (start page)
        "Choose a class to register a student",  # page text (schedule)
        "Please arrive ten minutes before",  # page text (confirmation)
        confirmation,  # the result
    ]
    for text in in_clear:
        assert text.encode() not in raw, f"{text!r} is in the raw history"

    # a client with a different key under the same id gets the clear error, not garbage
    current = engine.client.data_converter.payload_codec
    assert isinstance(current, EncryptionCodec)
    wrong = await Client.connect(target, data_converter=data_converter(ring=ring(new_key_entry(current.ring.current))))
    with pytest.raises(PayloadUndecryptable, match="does not open"):
        await wrong.get_workflow_handle(handle.id, result_type=TaskResult).result()
    # and the right key reads it all
    again = await engine.client.get_workflow_handle(handle.id, result_type=TaskResult).result()
    assert again.result_data["confirmation_number"] == confirmation


@pytest.mark.integration
async def test_the_session_client_and_subprocesses_share_the_test_key_ring(engine: Engine) -> None:
    codec = engine.client.data_converter.payload_codec
    assert isinstance(codec, EncryptionCodec)
    env_ring = KeyRing.parse(os.environ["BROWSERFLOW_ENCRYPTION_KEYS"], "env")
    assert codec.ring.keys == env_ring.keys  # workers spawned with {**os.environ} seal with the same key
    queue = f"bf-codec-{uuid.uuid4().hex[:8]}"
    started = await engine.client.start_workflow(
        "BrowserTaskWorkflow",
        TaskRequest.model_validate({"goal": SECRET_TEXT, "start_url": "https://example.test/"}),
        id=f"bf-codec-{uuid.uuid4().hex}",
        task_queue=queue,  # nobody polls it: only the start event is recorded
    )
    try:
        events = [e async for e in started.fetch_history_events()]
        payload = events[0].workflow_execution_started_event_attributes.input.payloads[0]
        assert payload.metadata[KEY_ID_METADATA] == codec.ring.current.encode()
        assert SECRET_TEXT.encode() not in payload.SerializeToString()
    finally:
        await started.terminate()

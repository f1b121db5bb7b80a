"""The codec server: Temporal's remote codec protocol over HTTP, so the Web UI and the ``temporal`` CLI show
decoded payloads while the Temporal server only ever stores ciphertext.

    browserflow codec-server [--host HOST] [--port PORT] [--cors-origin ORIGIN]... [--token-file PATH]
    browserflow codec-server --new-key ID          print a fresh KEY_ID:BASE64 entry for the key ring, and exit

``POST .../encode`` and ``POST .../decode`` (only the last path segment counts, so ``/{namespace}/decode`` works
too) take and return ``{"payloads": [...]}`` in protobuf JSON. A malformed body or a payload this key ring
cannot open answers 400 with the reason. The Web UI calls it from the browser, so CORS is answered for the
configured origins only (default: the Web UI's, on both ``localhost`` and ``127.0.0.1``). With a bearer token
configured (``BROWSERFLOW_CODEC_TOKEN`` or ``--token-file``) every encode/decode needs
``Authorization: Bearer <token>``; CORS preflights never carry it and are answered without it.
"""

from __future__ import annotations

import argparse
import hmac
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
from temporalio.converter import PayloadCodec

from browserflow.config import Settings
from browserflow.errors import EncryptionError
from browserflow.temporal.codec import EncryptionCodec, key_ring, new_key_entry

__all__ = ["app_from_settings", "cors_origins", "main", "make_app"]

_ALLOW_HEADERS = "Content-Type, X-Namespace, Authorization"
_MAX_BODY = 32 * 1024 * 1024


def cors_origins(settings: Settings) -> list[str]:
    """The origins allowed to call the codec server: configured ones, else the Web UI's (localhost and 127.0.0.1)."""
    if settings.codec_cors_origins:
        return [o.rstrip("/") for o in settings.codec_cors_origins]
    parts = urlsplit(settings.web_ui_url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    hosts = ["localhost", "127.0.0.1"] if host in {"localhost", "127.0.0.1"} else [host]
    return [f"{parts.scheme or 'http'}://{h}{port}" for h in hosts]


def make_app(codec: PayloadCodec, *, origins: Sequence[str] = (), token: str | None = None) -> web.Application:
    """The aiohttp application serving ``codec`` by Temporal's codec server protocol."""
    allowed = {o.rstrip("/").lower() for o in origins}

    def cors(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
        origin = request.headers.get("Origin", "")
        if origin and ("*" in allowed or origin.rstrip("/").lower() in allowed):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Vary"] = "Origin"
        return response

    async def handle(request: web.Request) -> web.StreamResponse:
        verb = request.path.rstrip("/").rsplit("/", 1)[-1]
        if verb not in {"encode", "decode"}:
            return web.Response(status=404, text="the codec server answers POST .../encode and .../decode\n")
        if request.method == "OPTIONS":
            origin = request.headers.get("Origin", "")
            if not origin or not ("*" in allowed or origin.rstrip("/").lower() in allowed):
                return web.Response(status=403, text=f"origin {origin or '(none)'} is not allowed\n")
            preflight = web.Response(status=204)
            preflight.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
            preflight.headers["Access-Control-Allow-Headers"] = _ALLOW_HEADERS
            preflight.headers["Access-Control-Max-Age"] = "600"
            return cors(request, preflight)
        if request.method != "POST":
            return cors(request, web.Response(status=405, headers={"Allow": "POST, OPTIONS"}, text="POST only\n"))
        if token is not None and not hmac.compare_digest(
            request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()
        ):
            refused = web.Response(status=401, headers={"WWW-Authenticate": "Bearer"}, text="bearer token required\n")
            return cors(request, refused)
        try:
            payloads = json_format.Parse(await request.text(), Payloads())
        except (json_format.ParseError, UnicodeDecodeError) as exc:
            return cors(request, web.Response(status=400, text=f"the body is not Payloads JSON: {exc}\n"))
        run = codec.encode if verb == "encode" else codec.decode
        try:
            result = Payloads(payloads=await run(list(payloads.payloads)))
        except EncryptionError as exc:
            return cors(request, web.Response(status=400, text=f"{exc.type_name}: {exc.message}\n"))
        return cors(request, web.Response(text=json_format.MessageToJson(result), content_type="application/json"))

    app = web.Application(client_max_size=_MAX_BODY)
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


def app_from_settings(settings: Settings | None = None, token: str | None = None) -> web.Application:
    """The app factory: the key ring, CORS origins and bearer token of ``settings`` (default: the environment)."""
    settings = settings or Settings.from_env()
    ring = key_ring(settings)
    if ring is None:
        raise EncryptionError("BROWSERFLOW_ENCRYPTION=off: payloads are in clear, there is nothing to decode")
    if token is None and settings.codec_token is not None:
        token = settings.codec_token.get_secret_value()
    return make_app(EncryptionCodec(ring), origins=cors_origins(settings), token=token or None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="browserflow codec-server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", help="address to bind (default: from BROWSERFLOW_CODEC_SERVER, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: from BROWSERFLOW_CODEC_SERVER, 8081)")
    parser.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a Web UI origin allowed to call it (repeatable; default: BROWSERFLOW_CODEC_CORS_ORIGINS or the Web UI's)",
    )
    parser.add_argument(
        "--token-file", type=Path, help="file holding the bearer token (default: BROWSERFLOW_CODEC_TOKEN)"
    )
    parser.add_argument("--new-key", metavar="ID", help="print a new KEY_ID:BASE64 key ring entry and exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.new_key:
            print(new_key_entry(args.new_key))
            return 0
        settings = Settings.from_env()
        if args.cors_origin:
            settings = settings.model_copy(update={"codec_cors_origins": args.cors_origin})
        token = args.token_file.read_text().strip() if args.token_file else None
        app = app_from_settings(settings, token=token)
    except EncryptionError as exc:
        print(f"browserflow codec-server: {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"browserflow codec-server: {exc}", file=sys.stderr)
        return 2
    url = urlsplit(settings.codec_server_url)
    host = args.host or url.hostname or "127.0.0.1"
    port = args.port if args.port is not None else (url.port or 8081)
    ring = key_ring(settings)
    auth = "bearer token required" if (token or settings.codec_token) else "no bearer token"
    print(
        f"browserflow: codec server on http://{host}:{port} ({ring.describe() if ring else 'no keys'}; "
        f"CORS for {', '.join(cors_origins(settings))}; {auth})",
        flush=True,
    )
    web.run_app(app, host=host, port=port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

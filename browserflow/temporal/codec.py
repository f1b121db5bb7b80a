"""Encrypted payloads: an AES-256-GCM ``PayloadCodec`` under the pydantic converter, on every client and worker.

Every payload Temporal stores (workflow and activity inputs and results, signals, updates, queries' answers,
summaries, memo, and failure messages) is serialised by the pydantic converter and then sealed by
:class:`EncryptionCodec`; the Temporal server and its database only ever hold ciphertext. The Web UI and the
``temporal`` CLI read them through the codec server (``client/codec_server.py``).

**Key ring.** Entries ``KEY_ID:BASE64`` (a 32-byte AES-256 key in standard or URL-safe base64), separated by
commas or newlines; blank lines and ``#`` comments are ignored. The FIRST entry is the current key: new
payloads are sealed with it. The others are retired keys, kept so that payloads sealed with them still open.
Each payload carries its key id in its metadata (``encryption-key-id``), so rotation is: put a new entry
first, keep the old one after it, restart the workers, clients and codec server. Where the ring comes from:

1. ``BROWSERFLOW_ENCRYPTION=off``: no codec at all (payloads in clear) - a deliberate choice;
2. ``BROWSERFLOW_ENCRYPTION_KEYS``: the ring itself;
3. ``BROWSERFLOW_ENCRYPTION_KEY_FILE``: a file holding the ring;
4. otherwise, with ``BROWSERFLOW_ENV=production``: refuse (:class:`~browserflow.errors.EncryptionKeyMissing`);
5. otherwise (the embedded dev stack): ``<data_dir>/encryption.keys``, made on first use (mode 0600) and kept.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes, PayloadCodec

from browserflow.config import Settings
from browserflow.errors import EncryptionKeyInvalid, EncryptionKeyMissing, PayloadUndecryptable

__all__ = [
    "DEV_KEY_FILE",
    "ENCODING",
    "KEY_ID_METADATA",
    "EncryptionCodec",
    "KeyRing",
    "data_converter",
    "key_ring",
    "new_key_entry",
]

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
CIPHER_METADATA = "encryption-cipher"
CIPHER = b"AES-256-GCM"
DEV_KEY_FILE = "encryption.keys"
_NONCE = 12
_KEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class KeyRing:
    """Named AES-256 keys; ``current`` seals new payloads, every key opens payloads that name it."""

    current: str
    keys: Mapping[str, bytes] = field(repr=False)
    source: str = "?"

    @property
    def retired(self) -> list[str]:
        return [k for k in self.keys if k != self.current]

    def describe(self) -> str:
        """For start-up messages: ids and source, never key material."""
        retired = f" + retired {', '.join(self.retired)}" if self.retired else ""
        return f"current key {self.current!r}{retired} (from {self.source})"

    @classmethod
    def parse(cls, text: str, source: str) -> KeyRing:
        keys: dict[str, bytes] = {}
        for raw_line in text.splitlines():
            line = raw_line.split("#", 1)[0]
            for entry in (e.strip() for e in line.split(",")):
                if not entry:
                    continue
                key_id, sep, encoded = entry.partition(":")
                key_id, encoded = key_id.strip(), encoded.strip()
                if not sep or not _KEY_ID.match(key_id):
                    raise EncryptionKeyInvalid(
                        f"{source}: each entry is KEY_ID:BASE64 with an id of letters, digits, '.', '_' or '-' "
                        f"(got an entry starting {entry[:8]!r}...)"
                    )
                key = _b64(encoded)
                if key is None or len(key) != 32:
                    raise EncryptionKeyInvalid(
                        f"{source}: key {key_id!r} must be 32 bytes (AES-256) in base64, "
                        f"e.g. from `browserflow codec-server --new-key {key_id}`"
                    )
                if key_id in keys:
                    raise EncryptionKeyInvalid(f"{source}: key id {key_id!r} appears twice")
                keys[key_id] = key
        if not keys:
            raise EncryptionKeyInvalid(f"{source}: no keys (expected KEY_ID:BASE64 entries, the current key first)")
        return cls(current=next(iter(keys)), keys=keys, source=source)


def _b64(text: str) -> bytes | None:
    standard = text.replace("-", "+").replace("_", "/")  # URL-safe base64 too
    try:
        return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def new_key_entry(key_id: str) -> str:
    """A fresh ``KEY_ID:BASE64`` entry (32 random bytes)."""
    if not _KEY_ID.match(key_id):
        raise EncryptionKeyInvalid(f"key id {key_id!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def _dev_ring(settings: Settings) -> KeyRing:
    path = settings.data_dir / DEV_KEY_FILE
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        text = (
            "# browserflow's dev key ring (BROWSERFLOW_ENCRYPTION_KEYS format): the first key seals new payloads.\n"
            "# Keep this file: the Temporal history recorded with it cannot be read without it.\n"
            f"{new_key_entry('dev-' + os.urandom(3).hex())}\n"
        )
        scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        try:
            os.link(scratch, path)  # atomic: another process making one at the same time wins or loses whole
            print(
                f"browserflow: no encryption key configured; made a dev key ring at {path} and keeping it there "
                "(set BROWSERFLOW_ENCRYPTION_KEYS or BROWSERFLOW_ENCRYPTION_KEY_FILE to use your own)",
                file=sys.stderr,
                flush=True,
            )
        except FileExistsError:
            pass
        finally:
            scratch.unlink(missing_ok=True)
    return KeyRing.parse(path.read_text(), str(path))


def key_ring(settings: Settings | None = None) -> KeyRing | None:
    """The key ring ``settings`` call for (module docstring); None when encryption is deliberately off."""
    settings = settings or Settings.from_env()
    if settings.encryption == "off":
        return None
    if settings.encryption_keys is not None:
        return KeyRing.parse(settings.encryption_keys.get_secret_value(), "BROWSERFLOW_ENCRYPTION_KEYS")
    if settings.encryption_key_file is not None:
        path = Path(settings.encryption_key_file)
        try:
            text = path.read_text()
        except OSError as exc:
            raise EncryptionKeyInvalid(
                f"BROWSERFLOW_ENCRYPTION_KEY_FILE={path}: cannot read it ({exc.strerror})"
            ) from None
        return KeyRing.parse(text, f"BROWSERFLOW_ENCRYPTION_KEY_FILE={path}")
    if settings.production:
        raise EncryptionKeyMissing(
            "BROWSERFLOW_ENV=production needs an encryption key ring: set BROWSERFLOW_ENCRYPTION_KEYS or "
            "BROWSERFLOW_ENCRYPTION_KEY_FILE (make one with `browserflow codec-server --new-key ID`), "
            "or set BROWSERFLOW_ENCRYPTION=off to store task data in clear in Temporal on purpose"
        )
    return _dev_ring(settings)


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM per payload: random 96-bit nonce, the key id as associated data and in the metadata."""

    def __init__(self, ring: KeyRing) -> None:
        super().__init__()
        self.ring = ring
        self._aead = {key_id: AESGCM(key) for key_id, key in ring.keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        key_id = self.ring.current
        aead = self._aead[key_id]
        sealed = []
        for p in payloads:
            nonce = os.urandom(_NONCE)
            data = nonce + aead.encrypt(nonce, p.SerializeToString(), key_id.encode())
            sealed.append(
                Payload(
                    metadata={"encoding": ENCODING, KEY_ID_METADATA: key_id.encode(), CIPHER_METADATA: CIPHER},
                    data=data,
                )
            )
        return sealed

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._open(p) for p in payloads]

    def _open(self, p: Payload) -> Payload:
        if p.metadata.get("encoding") != ENCODING:
            return p  # not sealed (recorded with BROWSERFLOW_ENCRYPTION=off, or by a client without the codec)
        key_id = p.metadata.get(KEY_ID_METADATA, b"").decode(errors="replace")
        aead = self._aead.get(key_id)
        if aead is None:
            raise PayloadUndecryptable(
                f"a payload is sealed with encryption key {key_id!r}, which is not in the key ring "
                f"({', '.join(self.ring.keys)} from {self.ring.source}): put the retired key back in the ring, "
                "after the current one"
            )
        try:
            plain = aead.decrypt(p.data[:_NONCE], p.data[_NONCE:], key_id.encode())
        except (InvalidTag, ValueError):
            raise PayloadUndecryptable(
                f"a payload sealed with encryption key {key_id!r} does not open with the key ring's {key_id!r} "
                f"(from {self.ring.source}): that id holds a different key here, or the payload was altered"
            ) from None
        opened = Payload()
        opened.ParseFromString(plain)
        return opened


def data_converter(settings: Settings | None = None, ring: KeyRing | None = None) -> DataConverter:
    """The one converter of every client, worker and test: pydantic JSON, then :class:`EncryptionCodec`.

    Failure messages and stack traces go into the encrypted payload too (they can quote page text). With
    ``BROWSERFLOW_ENCRYPTION=off`` (and no ``ring`` given), the plain pydantic converter.
    """
    ring = ring or key_ring(settings)
    if ring is None:
        return pydantic_data_converter
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(ring),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )

"""A device's secrets, kept in the barrier: the HMAC salt and the checkpoint signing key.

Both are created when the device is enabled and deleted when it is disabled (the salt is lost,
as in Vault: old hashes can no longer be reproduced). Keep the public key to verify old logs.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from strongroom.audit.hashing import Salt
from strongroom.errors import IntegrityError
from strongroom.logical import Storage

KEYS_ENTRY = "keys"
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class DeviceKeys:
    salt: Salt = field(repr=False)
    signing_key: Ed25519PrivateKey = field(repr=False)

    @classmethod
    def generate(cls) -> DeviceKeys:
        return cls(Salt.generate(), Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    def public_key_pem(self) -> str:
        pem = self.public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        return pem.decode("ascii")

    def encode(self) -> bytes:
        private = self.signing_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        document = {
            "version": FORMAT_VERSION,
            "salt": base64.b64encode(self.salt.key).decode("ascii"),
            "signing_key": base64.b64encode(private).decode("ascii"),
        }
        return json.dumps(document).encode()

    @classmethod
    def decode(cls, raw: bytes) -> DeviceKeys:
        document = json.loads(raw)
        if document.get("version") != FORMAT_VERSION:
            raise IntegrityError("unknown audit key record version")
        private = base64.b64decode(document["signing_key"])
        return cls(
            Salt(base64.b64decode(document["salt"])),
            Ed25519PrivateKey.from_private_bytes(private),
        )


async def load_or_create_keys(storage: Storage) -> DeviceKeys:
    raw = await storage.get(KEYS_ENTRY)
    if raw is not None:
        return DeviceKeys.decode(raw)
    keys = DeviceKeys.generate()
    await storage.put(KEYS_ENTRY, keys.encode())
    return keys

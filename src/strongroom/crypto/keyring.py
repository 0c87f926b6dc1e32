"""The keyring: numbered data-encryption keys ("terms") plus the root key that encrypts it.

Immutable: rotation returns a new keyring. The newest term encrypts; every term decrypts.
Serialised as versioned JSON; the barrier stores it encrypted with the root key.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from strongroom.crypto.envelope import cipher, new_key
from strongroom.errors import IntegrityError

FORMAT_VERSION = 1

# NIST SP 800-38D caps random-nonce GCM at 2^32 encryptions per key; rotate at ~0.9 of that.
MAX_OPERATIONS_DEFAULT = 3_865_470_566
MAX_OPERATIONS_MIN = 1_000_000
ROTATION_INTERVAL_MIN = 24 * 3600


@dataclass(frozen=True, slots=True)
class RotationConfig:
    """When to add a term automatically: after `max_operations` encryptions or `interval` s."""

    max_operations: int = MAX_OPERATIONS_DEFAULT
    interval: int = 0  # seconds; 0 = no time-based rotation
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Term:
    number: int
    key: bytes
    install_time: float
    # Encryptions counted under this term up to the last time the keyring was saved.
    encryptions: int = 0


@dataclass(frozen=True)
class Keyring:
    root_key: bytes
    terms: tuple[Term, ...]
    rotation: RotationConfig = field(default_factory=RotationConfig)

    @classmethod
    def create(cls, root_key: bytes, now: float) -> Keyring:
        return cls(root_key=root_key, terms=(Term(1, new_key(), now),))

    @property
    def active(self) -> Term:
        return self.terms[-1]

    @cached_property
    def _ciphers(self) -> dict[int, AESGCM]:
        return {term.number: cipher(term.key) for term in self.terms}

    def cipher_for(self, term: int) -> AESGCM | None:
        return self._ciphers.get(term)

    def rotated(self, now: float, active_encryptions: int) -> Keyring:
        """A keyring with one more term, which becomes the active one."""
        closed = replace(self.active, encryptions=active_encryptions)
        new_term = Term(self.active.number + 1, new_key(), now)
        return replace(self, terms=(*self.terms[:-1], closed, new_term))

    def with_rotation(self, rotation: RotationConfig) -> Keyring:
        return replace(self, rotation=rotation)

    def with_active_encryptions(self, count: int) -> Keyring:
        return replace(self, terms=(*self.terms[:-1], replace(self.active, encryptions=count)))

    def with_root_key(self, root_key: bytes) -> Keyring:
        return replace(self, root_key=root_key)

    def serialize(self) -> bytes:
        document: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "root_key": _b64(self.root_key),
            "terms": [
                {
                    "term": t.number,
                    "key": _b64(t.key),
                    "install_time": t.install_time,
                    "encryptions": t.encryptions,
                }
                for t in self.terms
            ],
            "rotation": {
                "max_operations": self.rotation.max_operations,
                "interval": self.rotation.interval,
                "enabled": self.rotation.enabled,
            },
        }
        return json.dumps(document, separators=(",", ":")).encode()

    @classmethod
    def deserialize(cls, data: bytes) -> Keyring:
        try:
            document = json.loads(data)
            if document["version"] != FORMAT_VERSION:
                raise IntegrityError("unsupported keyring version")
            terms = tuple(
                Term(
                    number=int(t["term"]),
                    key=base64.b64decode(t["key"]),
                    install_time=float(t["install_time"]),
                    encryptions=int(t["encryptions"]),
                )
                for t in document["terms"]
            )
            rotation = RotationConfig(**document["rotation"])
            keyring = cls(base64.b64decode(document["root_key"]), terms, rotation)
        except (KeyError, TypeError, ValueError) as exc:
            raise IntegrityError("the stored keyring is malformed") from exc
        if not terms or [t.number for t in terms] != sorted({t.number for t in terms}):
            raise IntegrityError("the stored keyring is malformed")
        return keyring


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()

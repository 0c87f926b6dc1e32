"""The persisted lease record. Fields are only ever appended; `version` marks the layout.

A lease names the engine to call back by `mount_point` and `secret.secret_type`, never by a
closure, so a lease restored after a restart is revoked exactly like one created a second ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from strongroom.crypto.random_ids import random_base62
from strongroom.errors import InternalError
from strongroom.logical import Secret

FORMAT_VERSION = 1
# The mount every token lease calls back: the token store.
TOKEN_MOUNT = "auth/token/"

_RANDOM_LENGTH = 24


# kw_only: fields keep the documented order although defaults are mixed in; weakref_slot lets
# tests (and any future cache) watch how many entries are alive without keeping them alive.
@dataclass(frozen=True, slots=True, kw_only=True, weakref_slot=True)
class LeaseEntry:
    lease_id: str  # "<request path>/<random>"
    path: str  # the full request path that created the lease
    mount_point: str  # the engine to call back ("auth/token/" for token leases)
    issue_time: float
    expire_time: float
    last_renewal: float | None
    secret: Secret | None  # secret leases: type, TTLs and the engine's internal data
    token_hash: str  # salted hash of the token that created the lease ("" if none)
    auth_token_hash: str = ""  # token leases: the salted hash of the token this lease is for
    renewable: bool
    max_expire_time: float | None  # absolute cap (issue time + max TTL); None: no cap
    revoke_attempts: int = 0  # failed revocations so far
    irrevocable: str = ""  # the error class name once revocation was given up
    retry_at: float | None = None  # when the next revocation attempt is due (after a failure)
    version: int = FORMAT_VERSION

    @property
    def is_token(self) -> bool:
        return bool(self.auth_token_hash)

    @property
    def due_time(self) -> float | None:
        """When the expiry loop must next act on this lease; None once it is irrevocable."""
        if self.irrevocable:
            return None
        return self.retry_at if self.retry_at is not None else self.expire_time

    def serialize(self) -> bytes:
        return orjson.dumps(self)  # orjson writes dataclasses (and the nested Secret) natively

    @classmethod
    def deserialize(cls, data: bytes) -> LeaseEntry:
        document: dict[str, Any] = orjson.loads(data)
        if document.get("version", 0) > FORMAT_VERSION:
            raise InternalError("lease record written by a newer version")
        secret = document.pop("secret", None)
        return cls(secret=Secret(**secret) if secret is not None else None, **document)


def new_lease_id(path: str) -> str:
    """`<path>/<24 random base62 characters>`, like Vault's lease IDs."""
    path = path.strip("/")
    suffix = random_base62(_RANDOM_LENGTH)
    return f"{path}/{suffix}" if path else suffix

"""The persisted token record. Fields are only ever appended; `version` marks the layout.

Version 1 (the first root-token store) held the fields up to `version`; version 2 appends the
rest. A version 1 record still reads: its missing fields take their defaults and its expiry is
derived from `creation_time + ttl`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import orjson

FORMAT_VERSION = 2

SERVICE = "service"
BATCH = "batch"
# `num_uses` of a token whose last use is in flight or whose revocation has begun: it no longer
# resolves, but the request that spent it may finish (Vault's tokenRevocationPending).
SPENT = -1


@dataclass(frozen=True, slots=True)
class TokenEntry:
    accessor: str
    policies: tuple[str, ...]
    display_name: str
    creation_time: float
    # Seconds the token was created to live (Vault's creation_ttl); 0 = never expires (root).
    ttl: int = 0
    meta: dict[str, str] = field(default_factory=dict)
    version: int = FORMAT_VERSION
    # --- version 2 --------------------------------------------------------------------------
    explicit_max_ttl: int = 0
    period: int = 0
    # Uses left; 0 = unlimited, SPENT = used up or being revoked.
    num_uses: int = 0
    # The endpoint that created the token ("auth/token/create", "auth/userpass/login/bob").
    path: str = ""
    # Salted hash of the parent token; "" for an orphan.
    parent_hash: str = ""
    role: str = ""
    bound_cidrs: tuple[str, ...] = ()
    type: str = SERVICE
    renewable: bool = False
    entity_id: str = ""
    last_renewal_time: float = 0.0
    no_default_policy: bool = False
    # Unix time the token stops working; 0 = never. Moves forward on renewal.
    expire_time: float = 0.0

    @property
    def is_root(self) -> bool:
        return "root" in self.policies

    @property
    def is_batch(self) -> bool:
        return self.type == BATCH

    @property
    def orphan(self) -> bool:
        return not self.parent_hash

    @property
    def spent(self) -> bool:
        return self.num_uses < 0

    def expired(self, now: float) -> bool:
        return bool(self.expire_time) and self.expire_time <= now

    def remaining(self, now: float) -> int:
        """Seconds left to live, rounded to the nearest (0 for a token that never expires): a
        token just created for an hour reports 3600, not 3599."""
        if not self.expire_time:
            return 0
        return max(0, round(self.expire_time - now))

    def serialize(self) -> bytes:
        return orjson.dumps(self)  # dataclasses natively; tuples as arrays

    @classmethod
    def deserialize(cls, data: bytes) -> TokenEntry:
        document: dict[str, Any] = orjson.loads(data)
        known = _FIELD_NAMES
        document = {k: v for k, v in document.items() if k in known}
        document["policies"] = tuple(document["policies"])
        document["bound_cidrs"] = tuple(document.get("bound_cidrs", ()))
        if document.get("version", 1) < 2:
            _upgrade_v1(document)
        return cls(**document)


_FIELD_NAMES = frozenset(f.name for f in fields(TokenEntry))


def _upgrade_v1(document: dict[str, Any]) -> None:
    ttl = document.get("ttl", 0)
    document["expire_time"] = document["creation_time"] + ttl if ttl else 0.0
    if "root" in document["policies"]:
        document["path"] = "auth/token/root"


@dataclass(frozen=True, slots=True)
class TokenRef:
    """A resolved token: its entry and the salted hash it is stored under ("" for batch)."""

    token_hash: str
    entry: TokenEntry

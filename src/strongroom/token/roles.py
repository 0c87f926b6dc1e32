"""Token roles: named rules that tokens created through `create/<role>` must follow."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from strongroom.logical import Storage
from strongroom.token.keys import ROLES_PREFIX, role_key

ROLE_FORMAT_VERSION = 1
# Vault's role token types: the `default-*` ones let the caller choose, falling back to it.
DEFAULT_SERVICE = "default-service"
DEFAULT_BATCH = "default-batch"
ROLE_TOKEN_TYPES = frozenset({"service", "batch", DEFAULT_SERVICE, DEFAULT_BATCH})
_TUPLE_FIELDS = (
    "allowed_policies",
    "disallowed_policies",
    "allowed_policies_glob",
    "disallowed_policies_glob",
    "allowed_entity_aliases",
    "token_bound_cidrs",
)


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    allowed_policies: tuple[str, ...] = ()
    disallowed_policies: tuple[str, ...] = ()
    allowed_policies_glob: tuple[str, ...] = ()
    disallowed_policies_glob: tuple[str, ...] = ()
    orphan: bool = False
    renewable: bool = True
    path_suffix: str = ""
    allowed_entity_aliases: tuple[str, ...] = ()
    token_period: int = 0
    token_explicit_max_ttl: int = 0
    token_type: str = DEFAULT_SERVICE
    token_bound_cidrs: tuple[str, ...] = ()
    token_no_default_policy: bool = False
    token_num_uses: int = 0
    # The deprecated spellings, kept as written so a read returns what was set.
    period: int = 0
    explicit_max_ttl: int = 0
    version: int = ROLE_FORMAT_VERSION

    @property
    def restricts_policies(self) -> bool:
        return bool(
            self.allowed_policies
            or self.disallowed_policies
            or self.allowed_policies_glob
            or self.disallowed_policies_glob
        )

    def serialize(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":")).encode()

    @classmethod
    def deserialize(cls, data: bytes) -> Role:
        document: dict[str, Any] = json.loads(data)
        known = {f.name for f in fields(cls)}
        document = {k: v for k, v in document.items() if k in known}
        for name in _TUPLE_FIELDS:
            document[name] = tuple(document.get(name, ()))
        return cls(**document)


class RoleStore:
    """`roles/<name>` records, read through a small cache that `invalidate` drops."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._cache: dict[str, Role] = {}

    def invalidate(self) -> None:
        self._cache.clear()

    async def get(self, name: str) -> Role | None:
        role = self._cache.get(name)
        if role is None:
            raw = await self._storage.get(role_key(name))
            if raw is None:
                return None
            role = self._cache[name] = Role.deserialize(raw)
        return role

    async def put(self, role: Role) -> None:
        await self._storage.put(role_key(role.name), role.serialize())
        self._cache[role.name] = role

    async def delete(self, name: str) -> None:
        self._cache.pop(name, None)
        await self._storage.delete(role_key(name))

    async def names(self) -> list[str]:
        return sorted(await self._storage.list(ROLES_PREFIX))

"""Named ACL policies in storage, and the cache of compiled ACLs per policy set.

Each policy is one record at `acl/<name>`: the text as written (base64 already decoded, as
Vault stores it), a data version that every write increments (OpenBao's `version`, used for
check-and-set) and the time of the last write. `root` is built in and never stored; `default`
is written the first time the store is used and may be edited but not deleted.

`acl_for` compiles the ACL of a token's policy names and caches it under the sorted set of
names. A write or delete through this store drops the affected entries; a change made by
another node must be announced with `invalidate()`. A compile that raced a change is returned
but not cached.
"""

from __future__ import annotations

import asyncio
import builtins
import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any, Generic, TypeVar

from strongroom.clock import Clock
from strongroom.errors import InternalError, InvalidParameter
from strongroom.logical import Storage
from strongroom.policy.acl import ACL, ROOT, compile_acl
from strongroom.policy.default import DEFAULT_POLICY, DEFAULT_POLICY_NAME
from strongroom.policy.model import ROOT_POLICY, Policy
from strongroom.policy.parser import normalize_policy_name, parse_policy

FORMAT_VERSION = 1
_PREFIX = "acl/"
# Policies the server attaches itself (wrapping tokens, control groups): never user-written.
RESERVED_POLICY_NAMES = frozenset({"response-wrapping", "control-group"})
_CACHE_SIZE = 1024

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class StoredPolicy:
    """The persisted policy record. Fields are only ever appended; `format` marks the layout.

    `version` is the data version (1 after the first write); `modified` a Unix time. The
    built-in root policy reads as version 0, modified 0.0, with empty text.
    """

    name: str
    text: str
    version: int
    modified: float
    format: int = FORMAT_VERSION

    def serialize(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":")).encode()

    @classmethod
    def deserialize(cls, data: bytes) -> StoredPolicy:
        try:
            document: dict[str, Any] = json.loads(data)
            known = {f.name for f in fields(cls)}
            return cls(**{k: v for k, v in document.items() if k in known})
        except (ValueError, TypeError):
            raise InternalError("a stored policy record is unreadable") from None


class _LRU(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self._size:
            self._items.popitem(last=False)

    def pop(self, key: K) -> None:
        self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()


class PolicyStore:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock
        self._lock = asyncio.Lock()
        self._default_ready = False
        # Parsed policies by name; (None,) remembers that a name does not exist.
        self._policies: _LRU[str, tuple[Policy | None]] = _LRU(_CACHE_SIZE)
        self._acls: _LRU[tuple[str, ...], ACL] = _LRU(_CACHE_SIZE)
        # Bumped by every change, so a compile that raced one is not cached.
        self._generation = 0

    async def ensure_default(self) -> None:
        """Write the built-in `default` policy unless it exists. Every method calls this."""
        if self._default_ready:
            return
        async with self._lock:
            if not self._default_ready:
                if await self._read(DEFAULT_POLICY_NAME) is None:
                    await self._write(DEFAULT_POLICY_NAME, DEFAULT_POLICY, version=1)
                self._default_ready = True

    async def get(self, name: str) -> StoredPolicy | None:
        name = normalize_policy_name(name)
        if name == ROOT_POLICY:
            return StoredPolicy(name=ROOT_POLICY, text="", version=0, modified=0.0)
        await self.ensure_default()
        return await self._read(name)

    async def put(self, name: str, text: str, *, cas: int | None = None) -> StoredPolicy:
        """Parse and store a policy. `cas`: -1 = must not exist, n = current version must be n."""
        name = normalize_policy_name(name)
        if name == ROOT_POLICY:
            raise InvalidParameter("cannot update root policy")
        if name in RESERVED_POLICY_NAMES:
            raise InvalidParameter("this policy name is reserved for internal use")
        policy = parse_policy(name, text)
        await self.ensure_default()
        async with self._lock:
            existing = await self._read(name)
            _check_cas(cas, existing)
            version = existing.version + 1 if existing else 1
            return await self._write(name, policy.raw, version=version)

    async def delete(self, name: str) -> None:
        """Delete a policy; deleting one that does not exist is not an error."""
        name = normalize_policy_name(name)
        if name in (ROOT_POLICY, DEFAULT_POLICY_NAME):
            raise InvalidParameter(f"cannot delete {name} policy")
        await self.ensure_default()
        async with self._lock:
            await self._storage.delete(_PREFIX + name)
            self.invalidate(name)

    async def list(self, prefix: str = "") -> list[str]:
        """Stored policy names in key order, then `root` when listing without a prefix.

        This is what Vault's `sys/policy` and `sys/policies/acl` list: the stored names with
        the built-in `root` appended (only when no prefix is given, as OpenBao does).
        """
        await self.ensure_default()
        names = [name for name in await self._collect(_PREFIX) if name.startswith(prefix)]
        return [*names, ROOT_POLICY] if not prefix else names

    async def acl_for(self, policies: Sequence[str]) -> ACL:
        """The compiled ACL of a token's policy names. Unknown names are ignored, as in Vault.

        Names are trimmed and lower-cased first. `root` alone is `ROOT`; `root` next to other
        policies is refused, as Vault's `NewACL` refuses it (tokens never carry both).
        """
        names = tuple(sorted({name.strip().lower() for name in policies} - {""}))
        if ROOT_POLICY in names:
            if len(names) == 1:
                return ROOT
            raise InternalError("other policies present along with root")
        acl = self._acls.get(names)
        if acl is not None:
            return acl
        await self.ensure_default()
        generation = self._generation
        loaded = [await self._load(name) for name in names]
        acl = compile_acl([policy for policy in loaded if policy is not None])
        if generation == self._generation:
            self._acls.put(names, acl)
        return acl

    def invalidate(self, name: str | None = None) -> None:
        """Forget cached state for one policy (or all) and every compiled ACL."""
        if name is None:
            self._policies.clear()
        else:
            self._policies.pop(name)
        self._acls.clear()
        self._generation += 1

    async def _load(self, name: str) -> Policy | None:
        cached = self._policies.get(name)
        if cached is not None:
            return cached[0]
        generation = self._generation
        try:
            record = await self._read(normalize_policy_name(name))
        except InvalidParameter:
            record = None  # a name no policy can have
        policy = None if record is None else _parse_stored(record)
        if generation == self._generation:
            self._policies.put(name, (policy,))
        return policy

    async def _read(self, name: str) -> StoredPolicy | None:
        data = await self._storage.get(_PREFIX + name)
        return None if data is None else StoredPolicy.deserialize(data)

    async def _write(self, name: str, text: str, *, version: int) -> StoredPolicy:
        record = StoredPolicy(name=name, text=text, version=version, modified=self._clock.now())
        await self._storage.put(_PREFIX + name, record.serialize())
        self.invalidate(name)
        return record

    async def _collect(self, prefix: str) -> builtins.list[str]:
        """Every policy name under `prefix`, descending into `a/`-style folders."""
        names: builtins.list[str] = []
        for child in await self._storage.list(prefix):
            if child.endswith("/"):
                names.extend(await self._collect(prefix + child))
            else:
                names.append((prefix + child)[len(_PREFIX) :])
        return names


def _check_cas(cas: int | None, existing: StoredPolicy | None) -> None:
    if cas is None:
        return
    if cas == -1 and existing is not None:
        raise InvalidParameter("check-and-set parameter set to -1 on existing entry")
    if cas != -1 and cas != (existing.version if existing else 0):
        raise InvalidParameter("check-and-set parameter did not match the current version")


def _parse_stored(record: StoredPolicy) -> Policy:
    try:
        return parse_policy(record.name, record.text)
    except InvalidParameter:
        # Never skip it: dropping a policy would drop its denies along with its grants.
        raise InternalError("a stored policy no longer parses") from None

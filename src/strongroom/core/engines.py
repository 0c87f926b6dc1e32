"""The secrets engines and auth methods a mount can be created with, by type name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from strongroom.auth.approle import build_approle_backend
from strongroom.auth.userpass import build_userpass_backend
from strongroom.clock import Clock, SystemClock
from strongroom.engines.kv.v1 import build_kv_v1_backend
from strongroom.engines.kv.v2 import build_kv_v2_backend, upgrade_v1_to_v2
from strongroom.engines.pki import build_pki_backend
from strongroom.engines.transit import build_transit_backend
from strongroom.errors import InvalidParameter
from strongroom.logical import Backend, Storage
from strongroom.routing import MountEntry

EngineFactory = Callable[[MountEntry, Storage], Backend]


def kv_engine(entry: MountEntry, storage: Storage) -> Backend:
    version = (entry.options or {}).get("version", "1")
    if version in ("", "1"):
        return build_kv_v1_backend(storage)
    if version == "2":
        return build_kv_v2_backend(storage, SystemClock())
    raise InvalidParameter("unsupported KV version: expected 1 or 2")


SECRET_ENGINES: dict[str, EngineFactory] = {
    "kv": kv_engine,
    "transit": lambda entry, storage: build_transit_backend(storage),
    "pki": lambda entry, storage: build_pki_backend(storage),
}


# The auth methods a mount in sys/auth can be created with, by type name.
AUTH_METHODS: dict[str, EngineFactory] = {
    "userpass": lambda entry, storage: build_userpass_backend(storage),
    "approle": lambda entry, storage: build_approle_backend(storage),
}


OptionChange = Callable[[dict[str, str], dict[str, str], Storage, Clock], Awaitable[bool]]


async def kv_version_change(
    old: dict[str, str], new: dict[str, str], storage: Storage, clock: Clock
) -> bool:
    """Tuning `options.version` from 1 to 2 upgrades the data in place; no way back."""
    before, after = old.get("version", "1") or "1", new.get("version", "1") or "1"
    if before == after:
        return False
    if (before, after) != ("1", "2"):
        raise InvalidParameter("a KV mount can only be upgraded from version 1 to version 2")
    await upgrade_v1_to_v2(storage, clock)
    return True


# Engines that react when a tune changes their options; True means "rebuild the backend".
OPTION_CHANGES: dict[str, OptionChange] = {"kv": kv_version_change}

"""The secrets engines a mount can be created with, by type name."""

from __future__ import annotations

from collections.abc import Callable

from strongroom.engines.kv.v1 import build_kv_v1_backend
from strongroom.errors import InvalidParameter
from strongroom.logical import Backend, Storage
from strongroom.routing import MountEntry

EngineFactory = Callable[[MountEntry, Storage], Backend]


def kv_engine(entry: MountEntry, storage: Storage) -> Backend:
    version = (entry.options or {}).get("version", "1")
    if version in ("", "1"):
        return build_kv_v1_backend(storage)
    raise InvalidParameter(f"KV version {version} is not available yet")


SECRET_ENGINES: dict[str, EngineFactory] = {"kv": kv_engine}

"""KV version 2: versioned secrets. The table of contents of the engine.

    config                      mount-wide settings                 paths_config
    data/<path>                 read, write, patch, soft-delete     paths_data
    delete|undelete|destroy/<path>   change chosen versions         paths_versions
    metadata/<path>             settings, history, list, delete     paths_metadata
    detailed-metadata/<folder>  list with metadata (OpenBao)        paths_metadata
    subkeys/<path>              the data's shape without values     paths_subkeys
    anything else               404 with a hint, as Vault answers   (below)

Records are in `records.py`, the storage layout and writes in `store.py`.
"""

from __future__ import annotations

from strongroom.clock import Clock, SystemClock
from strongroom.engines.kv.v2.paths_config import ConfigPaths
from strongroom.engines.kv.v2.paths_data import DataPaths
from strongroom.engines.kv.v2.paths_metadata import MetadataPaths
from strongroom.engines.kv.v2.paths_subkeys import SubkeyPaths
from strongroom.engines.kv.v2.paths_versions import VersionPaths
from strongroom.engines.kv.v2.store import KvStore
from strongroom.framework import FieldData, FrameworkBackend, PathSpec
from strongroom.logical import Operation, Request, Response, Storage

_PREFIXES = ("data", "metadata", "detailed-metadata", "delete", "undelete", "destroy", "subkeys")
# Every path that no other pattern can match (patterns never overlap).
_OTHER = rf"(?!(?:{'|'.join(_PREFIXES)})/|config$).*"
# The roots Vault answers with its own hint.
_ROOTS = frozenset({"data", "metadata", "delete", "undelete", "destroy"})
_COMMANDS = {
    Operation.READ: "get",
    Operation.CREATE: "put",
    Operation.UPDATE: "put",
    Operation.PATCH: "patch",
    Operation.DELETE: "delete",
    Operation.LIST: "list",
}


def build_kv_v2_backend(storage: Storage, clock: Clock | None = None) -> FrameworkBackend:
    store = KvStore(storage, clock or SystemClock())
    return FrameworkBackend(
        [
            *ConfigPaths(store).specs(),
            *DataPaths(store).specs(),
            *VersionPaths(store).specs(),
            *MetadataPaths(store).specs(),
            *SubkeyPaths(store).specs(),
            _other_paths(),
        ]
    )


async def _not_a_kv_v2_path(request: Request, data: FieldData) -> Response:
    """A v1-style path on a v2 mount: 404 with a warning that points to the right endpoint."""
    if request.path in _ROOTS:
        warning = "Non-listing operations on the root of a K/V v2 mount are not supported."
    else:
        warning = (
            "Invalid path for a versioned K/V secrets engine. See the API docs for the "
            "appropriate API endpoints to use. If using the command line, use "
            f"'kv {_COMMANDS.get(request.operation, 'get')}' for this operation."
        )
    return Response(warnings=[warning], status=404)


def _other_paths() -> PathSpec:
    return PathSpec(_OTHER, dict.fromkeys(_COMMANDS, _not_a_kv_v2_path))

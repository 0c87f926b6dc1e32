"""The persisted mount tables (secrets engines and auth methods) and their live backends.

Both tables live in the barrier (`core/mounts`, `core/auth`); the router is rebuilt from them on
unseal. Built-in mounts (sys/, cubbyhole/, identity/, auth/token/) are created on first unseal
and can be neither disabled nor moved.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from strongroom.barrier import Barrier, BarrierView
from strongroom.errors import BadRequest
from strongroom.logical import Backend, Storage
from strongroom.logical.storage import delete_tree
from strongroom.routing import AUTH_TABLE, SECRET_TABLE, MountEntry, Router

TABLE_PATHS = {SECRET_TABLE: "core/mounts", AUTH_TABLE: "core/auth"}
EngineFactory = Callable[[MountEntry, Storage], Backend]


@dataclass(frozen=True, slots=True)
class Builtin:
    table: str
    path: str
    type: str
    description: str
    local: bool = False


BUILTINS = (
    Builtin(
        SECRET_TABLE, "sys/", "system", "system endpoints used for control, policy and debugging"
    ),
    Builtin(
        SECRET_TABLE, "cubbyhole/", "cubbyhole", "per-token private secret storage", local=True
    ),
    Builtin(SECRET_TABLE, "identity/", "identity", "identity store"),
    Builtin(AUTH_TABLE, "token/", "token", "token based credentials"),
)
BUILTIN_TYPES = frozenset(builtin.type for builtin in BUILTINS)
# Secrets mounts may not start with these (they belong to built-ins or to auth methods).
RESERVED_PREFIXES = ("sys/", "auth/", "cubbyhole/", "identity/")


class MountTable:
    def __init__(
        self,
        barrier: Barrier,
        router: Router,
        builtins: Mapping[str, EngineFactory],
        factories: Mapping[str, Mapping[str, EngineFactory]],
    ) -> None:
        self._barrier = barrier
        self._router = router
        self._builtins = builtins
        self._factories = factories  # table -> type -> factory
        self._entries: dict[str, dict[str, MountEntry]] = {SECRET_TABLE: {}, AUTH_TABLE: {}}

    # --- loading ----------------------------------------------------------------------------

    async def load(self) -> None:
        """Read both tables (creating the built-ins on first use) and mount every backend."""
        self._router.clear()
        for table in (SECRET_TABLE, AUTH_TABLE):
            entries = await self._read(table)
            missing = [b for b in BUILTINS if b.table == table and b.path not in entries]
            for builtin in missing:
                entries[builtin.path] = MountEntry.new(
                    table,
                    builtin.path,
                    builtin.type,
                    description=builtin.description,
                    local=builtin.local,
                )
            self._entries[table] = entries
            if missing:
                await self._save(table)
            for entry in entries.values():
                self._router.mount(entry, self._backend_for(entry))

    async def _read(self, table: str) -> dict[str, MountEntry]:
        raw = await self._barrier.get(TABLE_PATHS[table])
        if raw is None:
            return {}
        return {record["path"]: MountEntry.from_record(record) for record in json.loads(raw)}

    async def _save(self, table: str) -> None:
        records = [entry.to_record() for entry in self._entries[table].values()]
        await self._barrier.put(TABLE_PATHS[table], json.dumps(records).encode())

    def _backend_for(self, entry: MountEntry) -> Backend:
        if entry.type in BUILTIN_TYPES:
            return self._builtins[entry.type](entry, self.storage_for(entry))
        factory = self._factories[entry.table].get(entry.type)
        if factory is None:
            raise BadRequest(f"plugin not found in the catalog: {entry.type}")
        return factory(entry, self.storage_for(entry))

    def storage_for(self, entry: MountEntry) -> BarrierView:
        return BarrierView(self._barrier, entry.storage_prefix)

    # --- queries ----------------------------------------------------------------------------

    def entries(self, table: str) -> list[MountEntry]:
        return sorted(self._entries[table].values(), key=lambda e: e.path)

    def find(self, table: str, path: str) -> MountEntry | None:
        return self._entries[table].get(normalize_mount_path(path))

    def require(self, table: str, path: str) -> MountEntry:
        entry = self.find(table, path)
        if entry is None:
            kind = "auth method" if table == AUTH_TABLE else "mount"
            raise BadRequest(f"no {kind} at {normalize_mount_path(path)}")
        return entry

    # --- changes ----------------------------------------------------------------------------

    async def enable(self, entry: MountEntry) -> MountEntry:
        self._check_new_path(entry.table, entry.path, entry.type)
        backend = self._backend_for(entry)
        self._entries[entry.table][entry.path] = entry
        await self._save(entry.table)
        self._router.mount(entry, backend)
        return entry

    async def disable(self, table: str, path: str) -> MountEntry | None:
        """Remove a mount and delete its data. Revoking its leases is the caller's job."""
        entry = self.find(table, path)
        if entry is None:
            return None
        self._refuse_builtin(entry, "unmount")
        self._router.unmount(entry.route)
        del self._entries[table][entry.path]
        await self._save(table)
        await delete_tree(self.storage_for(entry))
        return entry

    async def replace(self, entry: MountEntry, *, rebuild: bool = False) -> None:
        """Store a changed record (tune) and let the router see it; `rebuild` also builds a new
        backend for it (its options changed what the engine is, e.g. a KV version)."""
        self._entries[entry.table][entry.path] = entry
        await self._save(entry.table)
        if rebuild:
            self._router.unmount(entry.route)
            self._router.mount(entry, self._backend_for(entry))
        else:
            self._router.replace_entry(entry)

    async def move(self, entry: MountEntry, table: str, new_path: str) -> MountEntry:
        """Move a mount to a new path; its data stays under the same UUID prefix."""
        self._refuse_builtin(entry, "remount")
        self._check_new_path(table, new_path, entry.type)
        if table != entry.table:
            raise BadRequest("cannot move a mount between secrets engines and auth methods")
        moved = entry.with_changes(path=new_path)
        backend = self._router.get(entry.route)
        assert backend is not None
        self._router.unmount(entry.route)
        del self._entries[table][entry.path]
        self._entries[table][new_path] = moved
        await self._save(table)
        self._router.mount(moved, backend[1])
        return moved

    def _check_new_path(self, table: str, path: str, type_: str) -> None:
        if type_ in BUILTIN_TYPES:
            raise BadRequest(f'cannot mount "{path}" of type "{type_}"')
        if table == SECRET_TABLE and path.startswith(RESERVED_PREFIXES):
            raise BadRequest(f'cannot mount "{path}"')
        route = f"auth/{path}" if table == AUTH_TABLE else path
        if (existing := self._router.conflicts(route)) is not None:
            raise BadRequest(f"path is already in use at {existing}")

    @staticmethod
    def _refuse_builtin(entry: MountEntry, action: str) -> None:
        if entry.type in BUILTIN_TYPES:
            raise BadRequest(f'cannot {action} "{entry.route}"')


def normalize_mount_path(path: str) -> str:
    """Mount paths are reported and stored with exactly one trailing slash."""
    path = path.strip("/")
    if not path:
        raise BadRequest("mount path cannot be empty")
    return path + "/"

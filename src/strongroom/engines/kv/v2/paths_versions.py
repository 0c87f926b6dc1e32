"""`delete/<path>`, `undelete/<path>`, `destroy/<path>`: change chosen versions of a secret.

Deleting is soft (the data stays and `undelete` brings it back); destroying erases the data for
good. Versions that do not exist are skipped, and a destroyed version stays destroyed.
"""

from __future__ import annotations

from collections.abc import Callable

from strongroom.engines.kv.v2.params import (
    PATH,
    PATH_FIELD,
    VERSIONS_FIELD,
    readable_path,
    version_numbers,
)
from strongroom.engines.kv.v2.records import KeyMetadata, MountConfig, VersionInfo
from strongroom.engines.kv.v2.store import KvStore
from strongroom.framework import FieldData, Handler, PathSpec
from strongroom.logical import Operation, Request

FIELDS = {**PATH_FIELD, **VERSIONS_FIELD}

# Applies the change to one version at time `now`; True when the version's data must be erased.
Change = Callable[[KeyMetadata, VersionInfo, int, MountConfig], bool]


def _delete(meta: KeyMetadata, info: VersionInfo, now: int, config: MountConfig) -> bool:
    if info.is_readable(now):
        info.deleted = now
    return False


def _undelete(meta: KeyMetadata, info: VersionInfo, now: int, config: MountConfig) -> bool:
    if not info.destroyed:
        # The delete_version_after clock starts again from the undelete.
        info.deleted = meta.deletion_time(now, config)
    return False


def _destroy(meta: KeyMetadata, info: VersionInfo, now: int, config: MountConfig) -> bool:
    info.destroyed = True
    return True


class VersionPaths:
    def __init__(self, store: KvStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        return [
            self._spec("delete", _delete, "Mark versions of a secret deleted (reversibly)."),
            self._spec("undelete", _undelete, "Restore deleted versions of a secret."),
            self._spec("destroy", _destroy, "Erase the data of versions of a secret for good."),
        ]

    def _spec(self, name: str, change: Change, help_text: str) -> PathSpec:
        # Vault's destroy path spells this error in lower case.
        missing = f"{'n' if name == 'destroy' else 'N'}o version number provided"

        async def handle(request: Request, data: FieldData) -> None:
            numbers = version_numbers(data, missing)
            path = readable_path(data)
            if path is not None:
                await self._apply(path, numbers, change)

        handler: Handler = handle
        operations = {Operation.UPDATE: handler, Operation.CREATE: handler}
        return PathSpec(f"{name}/" + PATH, operations, FIELDS, help=help_text)

    async def _apply(self, path: str, numbers: list[int], change: Change) -> None:
        async with self._store.lock(path):
            meta = await self._store.metadata(path)
            if meta is None:
                return
            config = await self._store.config()
            now = self._store.now()
            erased = [
                number
                for number in dict.fromkeys(numbers)
                if (info := meta.versions.get(number)) is not None
                and change(meta, info, now, config)
            ]
            await self._store.save(meta, erased=erased)

"""Transit: encryption as a service. The table of contents of the engine.

    keys, keys/<name>[/config|rotate|trim]          the lifecycle of named keys   paths_keys
    encrypt|decrypt|rewrap/<name>, datakey/…        encryption                    paths_encrypt
    sign|verify|hmac/<name>[/<algorithm>]           signatures and HMACs          paths_sign
    export/…, backup/<name>, restore[/<name>],      moving keys; mount settings   paths_admin
      config/keys, cache-config
    wrapping_key, keys/<name>/import[_version]      bring your own key            paths_import
    byok-export/<destination>/<source>[/<n>]        export, wrapped for import    paths_byok
    hash[/<algorithm>], random[/<source>][/<n>]     tools                         framework/tools.py

Records are in `records.py`, storage and the key cache in `store.py`, the cryptography in
`encryption.py` and `signing.py` (on the snapshots of `keyring.py`). The core calls
`rotate_due_keys` periodically (automatic rotation) and `invalidate` when another node changed
storage.
"""

from __future__ import annotations

from strongroom.clock import Clock, SystemClock
from strongroom.engines.transit.paths_admin import AdminPaths
from strongroom.engines.transit.paths_byok import ByokExportPaths
from strongroom.engines.transit.paths_encrypt import EncryptPaths
from strongroom.engines.transit.paths_import import ImportPaths
from strongroom.engines.transit.paths_keys import KeyPaths
from strongroom.engines.transit.paths_sign import SignPaths
from strongroom.engines.transit.rotation import rotate_due_keys
from strongroom.engines.transit.store import KeyStore
from strongroom.framework import FrameworkBackend
from strongroom.framework.tools import tool_paths
from strongroom.logical import Storage


class TransitBackend(FrameworkBackend):
    def __init__(self, store: KeyStore) -> None:
        self.store = store
        super().__init__(
            [
                *KeyPaths(store).specs(),
                *EncryptPaths(store).specs(),
                *SignPaths(store).specs(),
                *AdminPaths(store).specs(),
                *ImportPaths(store).specs(),
                *ByokExportPaths(store).specs(),
                *tool_paths(),
            ]
        )

    async def rotate_due_keys(self) -> int:
        """Rotate every key whose `auto_rotate_period` has passed; how many were rotated."""
        return await rotate_due_keys(self.store)

    async def periodic(self) -> None:
        await self.rotate_due_keys()

    def invalidate(self, name: str | None = None) -> None:
        """Forget cached keys (all, or `name`): another node may have changed them."""
        self.store.invalidate(name)


def build_transit_backend(storage: Storage, clock: Clock | None = None) -> TransitBackend:
    return TransitBackend(KeyStore(storage, clock or SystemClock()))

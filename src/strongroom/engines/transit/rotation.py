"""Automatic rotation: rotate every key whose latest version is older than its
`auto_rotate_period`. The core calls `TransitBackend.rotate_due_keys` on a timer."""

from __future__ import annotations

import logging

from strongroom.engines.transit.paths_keys import rotate_with
from strongroom.engines.transit.store import KeyStore

log = logging.getLogger(__name__)
_NS = 1_000_000_000


async def rotate_due_keys(store: KeyStore) -> int:
    """Rotate the keys that are due; the number rotated. One key's failure is logged (by the
    exception's class name only) and does not stop the others."""
    rotated, after = 0, None
    while True:
        names = await store.names(after, 1000)
        for name in names:
            if name.endswith("/"):
                continue
            try:
                rotated += await _rotate_if_due(store, name)
            except Exception as exc:
                log.error("automatic rotation of a transit key failed (%s)", type(exc).__name__)
        if len(names) < 1000:
            return rotated
        after = names[-1]


def _due(store: KeyStore, latest_created: int, period: int) -> bool:
    return period > 0 and store.now_ns() >= latest_created + period * _NS


async def _rotate_if_due(store: KeyStore, name: str) -> int:
    key = await store.get(name)
    if key is None or not key.policy.auto_rotate_period:
        return 0
    policy = key.policy
    if policy.imported and not policy.allow_imported_key_rotation:
        return 0
    if not _due(store, key.material(key.latest).created, policy.auto_rotate_period):
        return 0
    version = await store.new_version(key.kind, policy.key_size)
    async with store.lock(name):
        key = await store.get_locked(name)
        # Checked again under the lock: a concurrent rotation may have made it current.
        if key is None or not _due(
            store, key.material(key.latest).created, key.policy.auto_rotate_period
        ):
            return 0
        await rotate_with(store, key, version)
    return 1

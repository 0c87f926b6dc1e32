"""Upgrading a KV version 1 mount to version 2 in place: every secret becomes version 1.

A version 1 key may have any name, including one the version 2 layout uses (`config`,
`metadata/…`, `versions/…`), so the order of the moves matters. Every key the move of a key K
writes (`metadata/K`, `versions/K/1`) is longer than K; moving the longest keys first therefore
never overwrites a version 1 key that has not been moved yet.

Each move is one `write_many`: the progress record first, then the new records, then the deletion
of the old key. The progress record (at UPGRADE_KEY) names the last key moved, so an interrupted
upgrade resumes where it stopped: every key written so far sorts before that checkpoint, every
key still to move sorts after it. When done the record says so, and running the upgrade again
does nothing. A version 1 secret stored under UPGRADE_KEY itself is kept inside the progress
record (moved at its turn, dropped from the record when the upgrade is done).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import orjson

from strongroom.clock import Clock
from strongroom.engines.kv.v2.records import (
    FORMAT_VERSION,
    KeyMetadata,
    MountConfig,
    VersionRecord,
)
from strongroom.engines.kv.v2.store import metadata_key, now_ns, version_key
from strongroom.errors import InternalError
from strongroom.logical import Storage
from strongroom.logical.storage import write_many

UPGRADE_KEY = "upgrade-from-v1"
_KIND = "strongroom.kv.upgrade"


@dataclass(slots=True)
class UpgradeState:
    checkpoint: str | None = None  # the last key moved, in move order
    stash: str | None = None  # base64 of a version 1 secret stored under UPGRADE_KEY
    done: bool = False
    kind: str = _KIND
    format: int = FORMAT_VERSION

    def serialize(self) -> bytes:
        return orjson.dumps(self)

    @classmethod
    def parse(cls, raw: bytes | None) -> UpgradeState | None:
        """The progress record, or None if `raw` is absent or is a version 1 secret."""
        try:
            document = orjson.loads(raw) if raw is not None else None
        except orjson.JSONDecodeError:
            return None
        if not isinstance(document, dict) or document.get("kind") != _KIND:
            return None
        if document.get("format", 0) > FORMAT_VERSION:
            raise InternalError("the KV upgrade record was written by a newer version")
        return cls(**{k: document[k] for k in ("checkpoint", "stash", "done") if k in document})


def move_order(key: str) -> tuple[int, str]:
    """Longest keys first (ties by name): see the module docstring."""
    return (-len(key), key)


async def upgrade_v1_to_v2(storage: Storage, clock: Clock) -> None:
    """Rewrite every version 1 key of `storage` in the version 2 layout as version 1.

    Idempotent and resumable: call it again after a crash, and it finishes the job."""
    raw = await storage.get(UPGRADE_KEY)
    state = UpgradeState.parse(raw)
    if state is None:
        state = UpgradeState(stash=base64.b64encode(raw).decode() if raw is not None else None)
    if state.done:
        return
    now = now_ns(clock)
    checkpoint = state.checkpoint
    if checkpoint is not None and await _source(storage, state, checkpoint) is not None:
        await _move(storage, state, checkpoint, now)  # that move was interrupted: redo it
    keys = [key for key in await _all_keys(storage) if key != UPGRADE_KEY]
    if state.stash is not None:
        keys.append(UPGRADE_KEY)
    for key in sorted(keys, key=move_order):
        if checkpoint is None or move_order(key) > move_order(checkpoint):
            await _move(storage, state, key, now)
    state.done, state.stash = True, None
    await storage.put(UPGRADE_KEY, state.serialize())


async def _source(storage: Storage, state: UpgradeState, key: str) -> bytes | None:
    """The version 1 value of `key`, while it has not been moved for good. The secret stored
    under UPGRADE_KEY stays in the stash until the upgrade is done."""
    if key == UPGRADE_KEY:
        return base64.b64decode(state.stash) if state.stash is not None else None
    return await storage.get(key)


async def _move(storage: Storage, state: UpgradeState, key: str, now: int) -> None:
    raw = await _source(storage, state, key)
    if raw is None:
        return
    document = orjson.loads(raw)
    if not isinstance(document, dict):
        raise InternalError("a KV version 1 secret is not a JSON object")
    meta = KeyMetadata(key)
    # As in Vault, the window of one version leaves `oldest_version` at 1.
    meta.add_version(now, MountConfig(max_versions=1))
    state.checkpoint = key
    puts = {
        UPGRADE_KEY: state.serialize(),
        version_key(key, 1): VersionRecord(document).serialize(),
        metadata_key(key): meta.serialize(),
    }
    await write_many(storage, puts, [] if key == UPGRADE_KEY else [key])


async def _all_keys(storage: Storage, prefix: str = "") -> list[str]:
    keys: list[str] = []
    for name in await storage.list(prefix):
        if name.endswith("/"):
            keys += await _all_keys(storage, prefix + name)
        else:
            keys.append(prefix + name)
    return keys

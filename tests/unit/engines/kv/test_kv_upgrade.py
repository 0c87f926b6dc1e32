"""Upgrading a KV version 1 mount to version 2 in place."""

from __future__ import annotations

import contextlib
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kv_helpers import KV, START_TEXT

from strongroom.engines.kv.v2 import build_kv_v2_backend, upgrade_v1_to_v2
from strongroom.engines.kv.v2.upgrade import UPGRADE_KEY
from strongroom.errors import InternalError, StorageError
from strongroom.logical import Operation
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock

UPDATE, LIST = Operation.UPDATE, Operation.LIST

# Version 1 secrets whose names the version 2 layout (and the upgrade record) also uses.
AWKWARD = {
    "x": {"n": "x"},
    "config": {"n": "config"},
    "metadata/x": {"n": "metadata/x"},
    "metadata/metadata/x": {"n": "metadata/metadata/x"},
    "versions/x/1": {"n": "versions/x/1"},
    "versions/metadata/x/1": {"n": "versions/metadata/x/1"},
    UPGRADE_KEY: {"n": "marker"},
    "deep/er/key": {"n": "deep", "ttl": "1h"},
}


async def all_keys(storage: InmemBackend, prefix: str = "") -> list[str]:
    keys: list[str] = []
    for name in await storage.list(prefix):
        keys += await all_keys(storage, prefix + name) if name.endswith("/") else [prefix + name]
    return keys


async def write_v1(storage: InmemBackend, secrets: dict[str, dict[str, Any]]) -> None:
    for key, value in secrets.items():
        await storage.put(key, orjson.dumps(value))


async def assert_upgraded(storage: InmemBackend, secrets: dict[str, dict[str, Any]]) -> None:
    kv = KV(build_kv_v2_backend(storage, FakeClock()), storage, FakeClock())
    for key, value in secrets.items():
        read = await kv.read(key)
        assert read["data"] == value, key
        assert read["metadata"]["version"] == 1
    listed = {key[len("metadata/") :] for key in await all_keys(storage, "metadata/")}
    assert listed == set(secrets)
    versions = {key[len("versions/") :] for key in await all_keys(storage, "versions/")}
    assert versions == {f"{key}/1" for key in secrets}
    others = set(await all_keys(storage)) - {f"metadata/{k}" for k in secrets}
    assert others - {f"versions/{k}/1" for k in secrets} == {UPGRADE_KEY}


async def test_v1_secrets_become_version_1(
    storage: InmemBackend, kv1: KV, clock: FakeClock
) -> None:
    await kv1.none(UPDATE, "app/db", user="u", ttl="30m")
    await kv1.none(UPDATE, "top", n=1)
    await upgrade_v1_to_v2(storage, clock)
    kv = KV(build_kv_v2_backend(storage, clock), storage, clock)
    assert await kv.read("app/db") == {
        "data": {"user": "u", "ttl": "30m"},
        "metadata": {
            "created_time": START_TEXT,
            "custom_metadata": None,
            "deletion_time": "",
            "destroyed": False,
            "version": 1,
        },
    }
    meta = await kv.metadata("app/db")
    assert (meta["current_version"], meta["oldest_version"], meta["max_versions"]) == (1, 1, 0)
    assert (await kv.ok(LIST, "metadata/"))["keys"] == ["app/", "top"]
    assert (await kv.put("top", {"n": 2}, cas=1))["version"] == 2
    assert await storage.get("top") is None and await storage.get("app/db") is None


async def test_names_the_v2_layout_uses_are_moved_without_loss(storage: InmemBackend) -> None:
    await write_v1(storage, AWKWARD)
    await upgrade_v1_to_v2(storage, FakeClock())
    await assert_upgraded(storage, AWKWARD)


async def test_running_it_again_changes_nothing(storage: InmemBackend) -> None:
    await write_v1(storage, AWKWARD)
    await upgrade_v1_to_v2(storage, FakeClock())
    before = {key: await storage.get(key) for key in await all_keys(storage)}
    await upgrade_v1_to_v2(storage, FakeClock(2_000_000_000.0))
    assert {key: await storage.get(key) for key in await all_keys(storage)} == before


async def test_an_empty_mount_upgrades_to_an_empty_v2_mount(storage: InmemBackend) -> None:
    await upgrade_v1_to_v2(storage, FakeClock())
    assert await all_keys(storage) == [UPGRADE_KEY]
    kv = KV(build_kv_v2_backend(storage, FakeClock()), storage, FakeClock())
    assert (await kv.status(LIST, "metadata/"))[0] == 404


async def test_a_value_that_is_not_a_v1_secret_stops_the_upgrade(storage: InmemBackend) -> None:
    await storage.put("odd", b"[1, 2]")
    with pytest.raises(InternalError):
        await upgrade_v1_to_v2(storage, FakeClock())


class Crash(StorageError):
    pass


class CrashingStorage:
    """Storage that fails at the n-th change (put or delete). Without `write_many` of its own,
    `write_many` falls back to one change at a time: a crash can land inside one."""

    def __init__(self, inner: InmemBackend, crash_at: int) -> None:
        self.inner = inner
        self.remaining = crash_at

    def _change(self) -> None:
        self.remaining -= 1
        if self.remaining < 0:
            raise Crash()

    async def get(self, key: str) -> bytes | None:
        return await self.inner.get(key)

    async def put(self, key: str, value: bytes) -> None:
        self._change()
        await self.inner.put(key, value)

    async def delete(self, key: str) -> None:
        self._change()
        await self.inner.delete(key)

    async def list(
        self, prefix: str, after: str | None = None, limit: int | None = None
    ) -> list[str]:
        return await self.inner.list(prefix, after, limit)


async def test_an_interrupted_upgrade_resumes_at_any_point() -> None:
    # Each secret: 3 puts and the deletion of its old key (none for the one kept in the
    # upgrade record), then the final put of the record.
    total_changes = len(AWKWARD) * 4
    for crash_at in range(total_changes):
        storage = InmemBackend()
        await write_v1(storage, AWKWARD)
        with pytest.raises(Crash):
            await upgrade_v1_to_v2(CrashingStorage(storage, crash_at), FakeClock())
        # Perhaps a second crash further on, then a run to the end.
        with contextlib.suppress(Crash):
            await upgrade_v1_to_v2(CrashingStorage(storage, crash_at // 2 + 1), FakeClock())
        await upgrade_v1_to_v2(storage, FakeClock())
        await assert_upgraded(storage, AWKWARD)
    storage = InmemBackend()
    await write_v1(storage, AWKWARD)
    await upgrade_v1_to_v2(CrashingStorage(storage, total_changes), FakeClock())


SEGMENTS = st.sampled_from(["a", "b", "1", "metadata", "versions", "config", UPGRADE_KEY])
KEYS = st.lists(SEGMENTS, min_size=1, max_size=4).map("/".join)


@settings(max_examples=150, deadline=None)
@given(
    keys=st.sets(KEYS, min_size=1, max_size=12), crashes=st.lists(st.integers(0, 60), max_size=3)
)
async def test_any_key_set_survives_any_crashes(keys: set[str], crashes: list[int]) -> None:
    secrets = {key: {"key": key} for key in keys}
    storage = InmemBackend()
    await write_v1(storage, secrets)
    for crash_at in crashes:
        with contextlib.suppress(Crash):
            await upgrade_v1_to_v2(CrashingStorage(storage, crash_at), FakeClock())
    await upgrade_v1_to_v2(storage, FakeClock())
    await assert_upgraded(storage, secrets)

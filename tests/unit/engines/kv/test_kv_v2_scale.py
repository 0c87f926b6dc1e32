"""KV version 2 under concurrent writers, and listing a folder of 100,000 secrets."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping, Sequence

from kv_helpers import KV

from strongroom.engines.kv.v2 import build_kv_v2_backend
from strongroom.engines.kv.v2.params import CheckAndSetMismatch
from strongroom.engines.kv.v2.records import KeyMetadata, MountConfig
from strongroom.logical import Operation
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock

UPDATE, LIST = Operation.UPDATE, Operation.LIST


class YieldingStorage:
    """In-memory storage that gives the event loop away before every call (as a real backend
    does while it waits for I/O), so concurrent requests interleave. It counts reads."""

    def __init__(self, seed: int = 7) -> None:
        self.inner = InmemBackend()
        self.gets = 0
        self._random = random.Random(seed)

    async def _pause(self) -> None:
        for _ in range(self._random.randint(0, 3)):
            await asyncio.sleep(0)

    async def get(self, key: str) -> bytes | None:
        self.gets += 1
        await self._pause()
        return await self.inner.get(key)

    async def put(self, key: str, value: bytes) -> None:
        await self._pause()
        await self.inner.put(key, value)

    async def delete(self, key: str) -> None:
        await self._pause()
        await self.inner.delete(key)

    async def list(
        self, prefix: str, after: str | None = None, limit: int | None = None
    ) -> list[str]:
        await self._pause()
        return await self.inner.list(prefix, after, limit)

    async def write_many(self, puts: Mapping[str, bytes], deletes: Sequence[str] = ()) -> None:
        await self._pause()
        for key, value in puts.items():
            await self.inner.put(key, value)
        for key in deletes:
            await self.inner.delete(key)


def yielding_kv() -> tuple[KV, YieldingStorage]:
    storage = YieldingStorage()
    clock = FakeClock()
    return KV(build_kv_v2_backend(storage, clock), storage.inner, clock), storage


async def test_same_cas_writers_exactly_one_wins_each_version() -> None:
    kv, _ = yielding_kv()
    await kv.none(UPDATE, "metadata/hot", max_versions=50)
    winners: dict[int, int] = {}
    for version in range(1, 11):

        async def attempt(writer: int, version: int = version) -> int | None:
            body = {"data": {"writer": writer, "v": version}, "options": {"cas": version - 1}}
            try:
                response = await kv(UPDATE, "data/hot", body)
            except CheckAndSetMismatch:
                return None
            assert response is not None and response.data is not None
            assert response.data["version"] == version
            return writer

        results = await asyncio.gather(*(attempt(writer) for writer in range(20)))
        succeeded = [writer for writer in results if writer is not None]
        assert len(succeeded) == 1, results
        winners[version] = succeeded[0]
    meta = await kv.metadata("hot")
    assert meta["current_version"] == 10 and list(meta["versions"]) == [
        str(n) for n in range(1, 11)
    ]
    for version, writer in winners.items():
        assert (await kv.read("hot", version=version))["data"] == {"writer": writer, "v": version}


async def test_optimistic_writers_lose_nothing_and_versions_stay_dense() -> None:
    kv, _ = yielding_kv()
    await kv.none(UPDATE, "metadata/counter", max_versions=100)
    await kv.put("counter", {"n": 0})
    acknowledged: list[tuple[int, int, int]] = []  # (version, writer, seq)

    async def writer(name: int) -> None:
        for seq in range(5):
            while True:
                current = await kv.read("counter")
                body = {
                    "data": {"n": current["data"]["n"] + 1, "writer": name, "seq": seq},
                    "options": {"cas": current["metadata"]["version"]},
                }
                try:
                    response = await kv(UPDATE, "data/counter", body)
                except CheckAndSetMismatch:
                    continue
                assert response is not None and response.data is not None
                acknowledged.append((response.data["version"], name, seq))
                break

    await asyncio.gather(*(writer(name) for name in range(10)))
    final = await kv.read("counter")
    assert final["data"]["n"] == 50 and final["metadata"]["version"] == 51
    assert sorted(version for version, _, _ in acknowledged) == list(range(2, 52))
    for version, name, seq in acknowledged:
        data = (await kv.read("counter", version=version))["data"]
        assert (data["n"], data["writer"], data["seq"]) == (version - 1, name, seq)


async def test_concurrent_writes_to_different_secrets_do_not_block_each_other() -> None:
    kv, _ = yielding_kv()
    await asyncio.gather(*(kv.put(f"s{i}", {"i": i}, cas=0) for i in range(30)))
    assert len((await kv.ok(LIST, "metadata/"))["keys"]) == 30


async def test_listing_100000_secrets_pages_fast_without_reading_values() -> None:
    storage = YieldingStorage()
    count = 100_000
    record = KeyMetadata("x")
    record.add_version(1, MountConfig())
    raw = record.serialize()
    for i in range(count):
        await storage.inner.put(f"metadata/big/key{i:06d}", raw)
    await storage.inner.put("metadata/big/sub/inner", raw)
    kv = KV(build_kv_v2_backend(storage, FakeClock()), storage.inner, FakeClock())
    started = time.monotonic()
    seen: list[str] = []
    after: str | None = None
    while True:
        query: dict[str, object] = {"limit": 1000}
        if after is not None:
            query["after"] = after
        response = await kv(LIST, "metadata/big/", query)
        if response is None or response.status == 404:
            break
        assert response.data is not None
        keys = response.data["keys"]
        seen += keys
        after = keys[-1]
        if len(keys) < 1000:
            break
    elapsed = time.monotonic() - started
    assert len(seen) == count + 1 and seen[-1] == "sub/" and seen == sorted(seen)
    assert storage.gets == 0
    assert elapsed < 10, elapsed
    everything = await kv.ok(LIST, "metadata/big/")
    assert len(everything["keys"]) == count + 1

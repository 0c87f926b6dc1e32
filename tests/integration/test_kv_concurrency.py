"""Many clients writing KV v2 through the whole pipeline on durable (SQLite) storage.

Every acknowledged write must be readable at its version, versions must be dense and ordered,
and check-and-set conflicts must be reported, never lost.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from strongroom.http import VaultApp
from strongroom.physical.sqlite import SqliteBackend
from strongroom.testing.core import unsealed_core

CLIENTS = 16
WRITES = 8


async def test_concurrent_cas_writes_and_plain_writes(tmp_path: Path) -> None:
    setup = await unsealed_core(SqliteBackend(str(tmp_path / "kv.db")))
    transport = httpx.ASGITransport(app=VaultApp(setup.core))
    headers = {"X-Vault-Token": setup.root_token}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        mount = await c.post("/v1/sys/mounts/kv", json={"type": "kv", "options": {"version": "2"}})
        assert mount.status_code == 204
        await c.post("/v1/kv/config", json={"max_versions": 1000})

        async def cas_writer(client_id: int) -> list[tuple[int, str]]:
            acknowledged = []
            for n in range(WRITES):
                value = f"client-{client_id}-write-{n}"
                while True:
                    current = await c.get("/v1/kv/metadata/shared")
                    version = (
                        current.json()["data"]["current_version"]
                        if current.status_code == 200
                        else 0
                    )
                    body = {"options": {"cas": version}, "data": {"value": value}}
                    written = await c.post("/v1/kv/data/shared", json=body)
                    if written.status_code == 200:
                        acknowledged.append((written.json()["data"]["version"], value))
                        break
                    assert written.status_code == 400
                    assert "check-and-set" in written.json()["errors"][0]
            return acknowledged

        async def own_key_writer(client_id: int) -> None:
            for n in range(WRITES):
                response = await c.post(f"/v1/kv/data/own-{client_id}", json={"data": {"n": n}})
                assert response.status_code == 200

        results = await asyncio.gather(
            *(cas_writer(i) for i in range(CLIENTS)), *(own_key_writer(i) for i in range(CLIENTS))
        )
        acknowledged = [pair for result in results[:CLIENTS] for pair in result]
        versions = sorted(version for version, _ in acknowledged)
        assert versions == list(range(1, CLIENTS * WRITES + 1))  # dense, no duplicates
        for version, value in acknowledged:
            read = await c.get("/v1/kv/data/shared", params={"version": version})
            assert read.json()["data"]["data"] == {"value": value}
        for i in range(CLIENTS):
            own = await c.get(f"/v1/kv/data/own-{i}")
            assert own.json()["data"]["metadata"]["version"] == WRITES
            assert own.json()["data"]["data"] == {"n": WRITES - 1}
    await setup.core.close()

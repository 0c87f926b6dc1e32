"""max_request_duration: a request that overruns is cancelled and answers 500."""

from __future__ import annotations

import asyncio

import httpx

from strongroom.framework import FieldData, FrameworkBackend, PathSpec
from strongroom.http import HTTPLimits, VaultApp
from strongroom.logical import Backend, Operation, Request, Response, Storage
from strongroom.routing import MountEntry
from strongroom.testing.core import unsealed_core


def slow_engine(entry: MountEntry, storage: Storage) -> Backend:
    async def slow(request: Request, data: FieldData) -> Response:
        await asyncio.sleep(float(request.data.get("seconds", "0")))
        return Response({"done": True})

    return FrameworkBackend([PathSpec("wait", {Operation.READ: slow})])


async def test_overrunning_requests_time_out_and_others_do_not() -> None:
    setup = await unsealed_core(engines={"slow": slow_engine})
    app = VaultApp(setup.core, HTTPLimits(max_request_duration=0.3))
    transport = httpx.ASGITransport(app=app)
    headers = {"X-Vault-Token": setup.root_token}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        assert (await c.post("/v1/sys/mounts/slow", json={"type": "slow"})).status_code == 204
        fast, slow = await asyncio.gather(
            c.get("/v1/slow/wait", params={"seconds": "0.05"}),
            c.get("/v1/slow/wait", params={"seconds": "5"}),
        )
    assert fast.status_code == 200
    assert slow.status_code == 500
    assert slow.json() == {"errors": ["context deadline exceeded"]}

"""ACME requests that run at the same time. Storage here yields to the event loop on every
read, as a real backend does, so concurrent requests interleave between their awaits."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from acme_helpers import ACMEClient, enable, sign
from joserfc.jwk import ECKey
from pki_helpers import PKI

from strongroom.physical.inmem import InmemBackend


@pytest.fixture
def yielding_storage(monkeypatch: pytest.MonkeyPatch) -> None:
    read = InmemBackend.get

    async def get(self: InmemBackend, key: str) -> bytes | None:
        await asyncio.sleep(0)
        return await read(self, key)

    monkeypatch.setattr(InmemBackend, "get", get)


@pytest.fixture
async def client(pki: PKI, yielding_storage: None) -> ACMEClient:
    await enable(pki)
    client = ACMEClient(pki)
    await client.register()
    return client


async def test_a_nonce_spent_by_two_requests_at_once_admits_one(client: ACMEClient) -> None:
    nonce = await client.nonce()
    path = client.relative(client.kid)
    body = client.jws(path, None, nonce=nonce)
    results = await asyncio.gather(client.send(path, body), client.send(path, dict(body)))
    assert sorted(result.status for result in results) == [200, 400]
    assert any(result.status == 400 and result.problem == "badNonce" for result in results)


def key_change(client: ACMEClient, new_key: ECKey) -> dict[str, str]:
    return sign(
        {"alg": "ES256", "jwk": new_key.as_dict(private=False), "url": client.url("key-change")},
        orjson.dumps({"account": client.kid, "oldKey": client.key.as_dict(private=False)}),
        new_key,
    )


async def test_an_update_in_flight_does_not_undo_a_key_change(client: ACMEClient) -> None:
    account = client.relative(client.kid)
    old_key, new_key = client.key, ECKey.generate_key("P-256")
    changed, _ = await asyncio.gather(
        client.post("key-change", key_change(client, new_key)),
        client.post(account, {"contact": ["mailto:ops@example.com"]}),
    )
    assert changed.status == 200
    assert (await client.post(account)).problem == "unauthorized"  # still signed by the old key
    client.key = new_key
    assert (await client.post(account)).status == 200
    lookup = await client.post("new-account", {"onlyReturnExisting": True}, use_jwk=True)
    assert lookup.headers["Location"] == client.kid
    client.key = old_key
    stale = await client.post("new-account", {"onlyReturnExisting": True}, use_jwk=True)
    assert stale.problem == "accountDoesNotExist"


async def test_two_key_changes_at_once_leave_one_key(client: ACMEClient) -> None:
    first, second = ECKey.generate_key("P-256"), ECKey.generate_key("P-256")
    results = await asyncio.gather(
        client.post("key-change", key_change(client, first)),
        client.post("key-change", key_change(client, second)),
    )
    assert sorted(result.status for result in results) == [200, 403]
    winner = first if results[0].status == 200 else second
    loser = second if winner is first else first
    client.key = loser
    orphan = await client.post("new-account", {"onlyReturnExisting": True}, use_jwk=True)
    assert orphan.problem == "accountDoesNotExist"  # the key index names no account for it
    client.key = winner
    assert (await client.post(client.relative(client.kid))).status == 200

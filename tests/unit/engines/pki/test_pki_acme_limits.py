"""What one ACME client can make the server hold or do: background validations in flight
(per account and in all), open orders per account, the size of a JWS."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from acme_helpers import ACMEClient, Answer, enable
from pki_helpers import PKI

from strongroom.engines.pki import PKIBackend, build_pki_backend
from strongroom.engines.pki.acme import orders
from strongroom.engines.pki.acme.http01 import HTTP01Validator
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock


class StalledValidator(HTTP01Validator):
    """Every validation waits until the test releases it, so they stay in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.started = 0

    async def validate(self, kind: str, value: str, token: str, key_authorization: str) -> str:
        self.started += 1
        await self.release.wait()
        return "released by the test"


@dataclass
class Stalled:
    pki: PKI
    backend: PKIBackend
    validator: StalledValidator


@pytest.fixture
async def stalled(storage: InmemBackend, clock: FakeClock) -> AsyncIterator[Stalled]:
    validator = StalledValidator()
    backend = build_pki_backend(storage, clock, validator)
    backend.acme_challenges.attempts = 1  # released validations fail: no retries to wait for
    pki = PKI(backend, storage, clock)
    await enable(pki)
    yield Stalled(pki, backend, validator)
    validator.release.set()
    await backend.acme_challenges.idle()


async def start_all(client: ACMEClient, *identifiers: tuple[str, str]) -> list[tuple[str, Answer]]:
    """Order the identifiers and POST to every challenge: (challenge path, answer) each."""
    order = await client.order(*identifiers)
    assert order.status == 201, order.body
    started = []
    for authz_url in order.body["authorizations"]:
        authz = await client.post(client.relative(authz_url))
        (challenge,) = authz.body["challenges"]
        path = client.relative(challenge["url"])
        started.append((path, await client.post(path, {})))
    return started


ADDRESSES = [("ip", f"127.0.0.{n}") for n in range(1, 4)]


async def test_validations_in_flight_are_bounded_per_account(stalled: Stalled) -> None:
    stalled.backend.acme_challenges.max_per_account = 2
    client = ACMEClient(stalled.pki)
    await client.register()
    (_, first), (_, second), (third_path, third) = await start_all(client, *ADDRESSES)
    assert first.body["status"] == second.body["status"] == "processing"
    assert third.status == 429 and third.problem == "rateLimited", third.body
    assert third.headers["Replay-Nonce"]
    await asyncio.sleep(0)
    assert stalled.validator.started == 2
    # The refused challenge stayed pending: once the others are done, it can be retried.
    stalled.validator.release.set()
    await stalled.backend.acme_challenges.idle()
    retried = await client.post(third_path, {})
    assert retried.body["status"] == "processing"


async def test_validations_in_flight_are_bounded_in_all(stalled: Stalled) -> None:
    stalled.backend.acme_challenges.max_running = 2
    one, two = ACMEClient(stalled.pki), ACMEClient(stalled.pki)
    await one.register()
    await two.register()
    await start_all(one, *ADDRESSES[:2])
    ((_, refused),) = await start_all(two, ADDRESSES[2])
    assert refused.status == 429 and refused.problem == "rateLimited"


async def test_open_orders_per_account_are_bounded(
    stalled: Stalled, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(orders, "MAX_OPEN_ORDERS", 2, raising=False)
    client = ACMEClient(stalled.pki)
    await client.register()
    for address in ADDRESSES[:2]:
        assert (await client.order(address)).status == 201
    third = await client.order(ADDRESSES[2])
    assert third.status == 429 and third.problem == "rateLimited", third.body
    other = ACMEClient(stalled.pki)  # a limit per account
    await other.register()
    assert (await other.order(ADDRESSES[2])).status == 201
    stalled.pki.clock.advance(25 * 3600)  # the open ones expired: no longer count
    assert (await client.order(ADDRESSES[2])).status == 201


async def test_a_jws_is_bounded_in_size(stalled: Stalled) -> None:
    client = ACMEClient(stalled.pki)
    huge = await client.post("new-account", {"contact": ["mailto:" + "a" * 200_000]})
    assert huge.status == 400 and huge.problem == "malformed", huge.body
    assert "too large" in huge.body["detail"]

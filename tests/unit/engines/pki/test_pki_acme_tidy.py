"""ACME housekeeping: `tidy_acme` on `tidy` and `config/auto-tidy` deletes orders (with their
authorizations) past expiry, revokes then deletes unused accounts, and reports OpenBao's
counters in `tidy-status`; the open-orders index that new-order counts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import pytest
from acme_helpers import ACMEBench, ACMEClient, csr_der, enable, finalize, revocable
from acme_helpers import validated_order as validated
from cryptography import x509
from pki_helpers import PKI

from strongroom.engines.pki.acme import orders
from strongroom.logical import Operation

DAY = 24 * 3600
ACCOUNT_BUFFER = 30 * DAY  # the default acme_account_safety_buffer
CERT_BUFFER = 72 * 3600  # the default safety_buffer


async def tidy(pki: PKI, **options: Any) -> dict[str, Any]:
    response = await pki(Operation.UPDATE, "tidy", {"tidy_acme": True, **options})
    assert response is not None and response.status == 202
    status: dict[str, Any] = await pki.read("tidy-status")
    return status


def kid_of(client: ACMEClient) -> str:
    return client.kid.rsplit("/", 1)[-1]


def last(url: str) -> str:
    return url.rsplit("/", 1)[-1]


async def stored(pki: PKI, prefix: str = "acme/") -> set[str]:
    """Every storage key under `prefix`."""
    found: set[str] = set()
    for child in await pki.storage.list(prefix):
        if child.endswith("/"):
            found |= await stored(pki, prefix + child)
        else:
            found.add(prefix + child)
    return found


async def issued_order(bench: ACMEBench, client: ACMEClient) -> tuple[str, x509.Certificate]:
    """An order for `localhost` taken to `valid`: its id and its certificate."""
    order = await validated(bench, client, ("dns", "localhost"))
    done = await finalize(client, order, csr_der(x509.DNSName("localhost")))
    chain = await client.post(client.relative(done.body["certificate"]))
    return last(order.headers["Location"]), x509.load_pem_x509_certificates(chain.body)[0]


async def test_tidy_deletes_expired_orders_and_nothing_else(acme: ACMEBench) -> None:
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    await client.register()
    kid = kid_of(client)
    abandoned = await client.order(("ip", "127.0.0.1"))
    abandoned_id = last(abandoned.headers["Location"])
    (authz_url,) = abandoned.body["authorizations"]
    issued_id, leaf = await issued_order(acme, client)
    before = await stored(acme.pki)

    acme.pki.clock.advance(DAY - 1)  # nothing has expired yet
    status = await tidy(acme.pki)
    assert status["acme_orders_deleted_count"] == 0 and await stored(acme.pki) == before

    acme.pki.clock.advance(2)  # the abandoned order (no certificate) has expired: it goes
    status = await tidy(acme.pki, tidy_cert_store=True)
    assert status["acme_orders_deleted_count"] == 1
    assert status["total_acme_account_count"] == 1
    assert status["tidy_acme"] is True and status["acme_account_safety_buffer"] == ACCOUNT_BUFFER
    assert before - await stored(acme.pki) == {
        f"acme/orders/{abandoned_id}",
        f"acme/authorizations/{last(authz_url)}",
        f"acme/account-orders/{kid}/{abandoned_id}",
        f"acme/account-open-orders/{kid}/{abandoned_id}",
    }
    assert (await client.post(client.relative(authz_url))).status == 404
    listed = await client.post(client.relative(client.kid) + "/orders")
    assert [last(url) for url in listed.body["orders"]] == [issued_id]

    # The issued order stays until its certificate has been expired for safety_buffer.
    not_after = int(leaf.not_valid_after_utc.timestamp())
    acme.pki.clock.advance(not_after + CERT_BUFFER - acme.pki.clock.now())
    assert (await tidy(acme.pki))["acme_orders_deleted_count"] == 0
    acme.pki.clock.advance(1)
    status = await tidy(acme.pki)
    assert status["acme_orders_deleted_count"] == 1
    assert status["acme_account_revoked_count"] == 0  # kept past its last certificate, too
    assert await stored(acme.pki, "acme/orders/") == set()
    assert await stored(acme.pki, "acme/authorizations/") == set()


async def test_an_account_revokes_its_certificate_after_tidy(acme: ACMEBench) -> None:
    """The certificate's order (and the authorizations it proved) stays while the certificate
    is unexpired, so its account can revoke it whatever tidy deleted around it."""
    client, der, _ = await revocable(acme)
    await client.order(("ip", "127.0.0.1"))
    acme.pki.clock.advance(DAY + 1)
    assert (await tidy(acme.pki))["acme_orders_deleted_count"] == 1
    revoked = await client.post("revoke-cert", {"certificate": der})
    assert revoked.status == 200, revoked.body


async def test_unused_accounts_are_revoked_then_deleted(acme: ACMEBench) -> None:
    await enable(acme.pki)
    idle_client = ACMEClient(acme.pki)
    await idle_client.register()
    busy = ACMEClient(acme.pki)
    _, leaf = await issued_order(acme, busy)

    acme.pki.clock.advance(ACCOUNT_BUFFER)
    status = await tidy(acme.pki)
    assert status["acme_account_revoked_count"] == 0 and status["total_acme_account_count"] == 2

    acme.pki.clock.advance(1)  # older than the buffer, no orders: revoked
    status = await tidy(acme.pki)
    assert status["acme_account_revoked_count"] == 1 and status["acme_account_deleted_count"] == 0
    refused = await idle_client.post(idle_client.relative(idle_client.kid))
    assert refused.problem == "unauthorized" and "revoked" in refused.body["detail"]
    again = await ACMEClient(acme.pki, key=idle_client.key).register()
    assert again.problem == "unauthorized"  # the key stays its revoked account's
    assert (await busy.order(("dns", "localhost"))).status == 201  # the other one is kept

    acme.pki.clock.advance(ACCOUNT_BUFFER)
    assert (await tidy(acme.pki))["acme_account_deleted_count"] == 0
    acme.pki.clock.advance(1)  # revoked for the buffer: deleted, with its key
    status = await tidy(acme.pki)
    assert status["acme_account_deleted_count"] == 1
    assert status["total_acme_account_count"] == 2
    assert kid_of(idle_client) not in await acme.pki.storage.list("acme/accounts/")
    fresh = ACMEClient(acme.pki, key=idle_client.key)
    assert (await fresh.register()).status == 201

    # The busy account: unused only once its certificate's order is gone, and the buffer
    # past that certificate's expiry.
    not_after = int(leaf.not_valid_after_utc.timestamp())
    acme.pki.clock.advance(not_after + ACCOUNT_BUFFER - acme.pki.clock.now())
    status = await tidy(acme.pki)
    assert status["acme_orders_deleted_count"] == 0  # both its orders went in the tidies above
    assert status["acme_account_revoked_count"] == 0
    acme.pki.clock.advance(1)
    assert (await tidy(acme.pki))["acme_account_revoked_count"] == 1


async def test_deactivated_accounts_are_deleted_a_buffer_after(acme: ACMEBench) -> None:
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    await client.register()
    kid = kid_of(client)
    await client.post(client.relative(client.kid), {"status": "deactivated"})
    legacy = ACMEClient(acme.pki)  # deactivated before the time of it was recorded
    await legacy.register()
    await legacy.post(legacy.relative(legacy.kid), {"status": "deactivated"})
    key = f"acme/accounts/{kid_of(legacy)}"
    record = orjson.loads(await acme.pki.storage.get(key) or b"")
    del record["revoked_at"]
    await acme.pki.storage.put(key, orjson.dumps(record))

    acme.pki.clock.advance(ACCOUNT_BUFFER + 1)
    status = await tidy(acme.pki)
    assert status["acme_account_deleted_count"] == 1 and status["acme_account_revoked_count"] == 0
    assert await acme.pki.storage.list("acme/accounts/") == [kid_of(legacy)]
    assert await acme.pki.storage.list("acme/account-keys/") == [legacy.key.thumbprint()]
    assert kid not in await acme.pki.storage.list("acme/accounts/")
    acme.pki.clock.advance(ACCOUNT_BUFFER)
    assert (await tidy(acme.pki))["acme_account_deleted_count"] == 0  # its clock started above
    acme.pki.clock.advance(1)
    assert (await tidy(acme.pki))["acme_account_deleted_count"] == 1


async def test_tidy_without_tidy_acme_leaves_acme_alone(acme: ACMEBench) -> None:
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    await client.register()
    await client.order(("ip", "127.0.0.1"))
    before = await stored(acme.pki)
    acme.pki.clock.advance(2 * ACCOUNT_BUFFER)
    status = await tidy(acme.pki, tidy_acme=False, tidy_cert_store=True)
    assert status["tidy_acme"] is False and status["total_acme_account_count"] == 0
    assert await stored(acme.pki) == before


async def test_auto_tidy_runs_tidy_acme(pki: PKI) -> None:
    await enable(pki)
    written = await pki.ok(
        "config/auto-tidy", enabled=True, tidy_acme=True, acme_account_safety_buffer="1h"
    )
    assert written["tidy_acme"] is True and written["tidy_cert_store"] is False
    read = await pki.read("config/auto-tidy")
    assert read["acme_account_safety_buffer"] == 3600 and read["tidy_acme"] is True
    client = ACMEClient(pki)
    await client.register()
    pki.clock.advance(3601)
    await pki.backend.periodic()
    status = await pki.read("tidy-status")
    assert status["acme_account_revoked_count"] == 1 and status["total_acme_account_count"] == 1
    assert (await client.post(client.relative(client.kid))).problem == "unauthorized"


Spy = Callable[[str], Awaitable[bytes | None]]


async def test_counting_open_orders_reads_open_ones_only(
    acme: ACMEBench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(orders, "MAX_OPEN_ORDERS", 2)
    await enable(acme.pki)
    client = ACMEClient(acme.pki)
    closed_id, _ = await issued_order(acme, client)
    kid = kid_of(client)
    open_id = last((await client.order(("ip", "127.0.0.1"))).headers["Location"])
    assert await acme.pki.storage.list(f"acme/account-open-orders/{kid}/") == [open_id]

    read: list[str] = []
    get: Spy = acme.pki.storage.get

    async def spy(key: str) -> bytes | None:
        read.append(key)
        return await get(key)

    monkeypatch.setattr(acme.pki.storage, "get", spy)
    assert (await client.order(("ip", "127.0.0.2"))).status == 201
    orders_read = {key for key in read if key.startswith("acme/orders/")}
    assert orders_read == {f"acme/orders/{open_id}"}  # never the closed order
    refused = await client.order(("ip", "127.0.0.3"))
    assert refused.status == 429 and refused.problem == "rateLimited"

    acme.pki.clock.advance(DAY)  # expired: dropped from the index when next counted
    assert (await client.order(("ip", "127.0.0.3"))).status == 201
    assert len(await acme.pki.storage.list(f"acme/account-open-orders/{kid}/")) == 1
    assert closed_id not in await acme.pki.storage.list(f"acme/account-open-orders/{kid}/")


async def test_accounts_from_before_the_index_are_indexed_at_new_order(
    pki: PKI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(orders, "MAX_OPEN_ORDERS", 1)
    await enable(pki)
    client = ACMEClient(pki)
    await client.register()
    kid = kid_of(client)
    order_id = last((await client.order(("ip", "127.0.0.1"))).headers["Location"])
    # As written before the index: no open marker, an account record without the flag.
    await pki.storage.delete(f"acme/account-open-orders/{kid}/{order_id}")
    record = orjson.loads(await pki.storage.get(f"acme/accounts/{kid}") or b"")
    del record["open_orders_indexed"]
    await pki.storage.put(f"acme/accounts/{kid}", orjson.dumps(record))

    refused = await client.order(("ip", "127.0.0.2"))
    assert refused.status == 429, refused.body  # the old open order counts
    assert await pki.storage.list(f"acme/account-open-orders/{kid}/") == [order_id]
    migrated = orjson.loads(await pki.storage.get(f"acme/accounts/{kid}") or b"")
    assert migrated["open_orders_indexed"] is True


async def test_tidy_drops_index_entries_without_an_order(pki: PKI) -> None:
    await enable(pki)
    client = ACMEClient(pki)
    await client.register()
    kid = kid_of(client)
    for index in ("account-orders", "account-open-orders"):
        await pki.storage.put(f"acme/{index}/{kid}/gone", b"{}")
    assert (await tidy(pki))["acme_orders_deleted_count"] == 0
    assert await stored(pki, f"acme/account-orders/{kid}/") == set()
    assert await stored(pki, f"acme/account-open-orders/{kid}/") == set()

"""The order state machine (RFC 8555 7.1.6) and the JSON views of orders and authorizations.

    order:  pending ──all authorizations valid──▶ ready ──finalize──▶ processing ──▶ valid
               └──any authorization invalid or expired, or the order expired──▶ invalid
    authorization:  pending ──challenge passed──▶ valid  (──client──▶ deactivated)
                       ├──challenge failed──▶ invalid
                       └──past its expiry──▶ expired

An order's status is recomputed from its authorizations whenever one changes (`settle`), and
again when it is read, so expiry needs no background job.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from strongroom.clock import rfc3339
from strongroom.engines.pki.acme.directory import Directory
from strongroom.engines.pki.acme.records import Account, Authorization, Order
from strongroom.engines.pki.acme.store import ACMEStore

ORDER_LIFETIME = 24 * 3600
CHALLENGE_TYPES = ("http-01",)  # dns-01 and tls-alpn-01 are not offered


def new_order(
    account: Account,
    directory: Directory,
    identifiers: list[dict[str, str]],
    now: int,
    not_after: int = 0,
) -> tuple[Order, list[Authorization]]:
    order_id = str(uuid.uuid4())
    expires = now + ORDER_LIFETIME
    authorizations = [
        Authorization(
            id=str(uuid.uuid4()),
            account_id=account.id,
            order_id=order_id,
            identifier=identifier,
            expires=expires,
            challenges=[
                {"type": kind, "token": secrets.token_urlsafe(32), "status": "pending"}
                for kind in CHALLENGE_TYPES
            ],
        )
        for identifier in identifiers
    ]
    order = Order(
        id=order_id,
        account_id=account.id,
        directory=directory.prefix,
        identifiers=identifiers,
        authorization_ids=[authz.id for authz in authorizations],
        expires=expires,
        created=now,
        not_after=not_after,
    )
    return order, authorizations


def current_authz(authz: Authorization, now: int) -> Authorization:
    if authz.status in ("pending", "valid") and now >= authz.expires:
        return authz.with_changes(status="expired")
    return authz


def order_status(order: Order, authz_statuses: list[str], now: int) -> str:
    if order.status not in ("pending", "ready"):
        return order.status
    if now >= order.expires or any(
        s in ("invalid", "expired", "deactivated") for s in authz_statuses
    ):
        return "invalid"
    if all(status == "valid" for status in authz_statuses):
        return "ready"
    return "pending"


async def settle(store: ACMEStore, order: Order) -> Order:
    """The order with its status recomputed (and stored, when it changed). Caller holds the lock."""
    now = store.now()
    statuses = []
    for authz_id in order.authorization_ids:
        authz = await store.authorization(authz_id)
        statuses.append(current_authz(authz, now).status if authz is not None else "invalid")
    status = order_status(order, statuses, now)
    if status != order.status:
        order = order.with_changes(status=status)
        await store.put_order(order)
    return order


def order_view(directory: Directory, order: Order) -> dict[str, Any]:
    view: dict[str, Any] = {
        "status": order.status,
        "expires": rfc3339(order.expires),
        "identifiers": order.identifiers,
        "authorizations": [directory.authz_url(authz_id) for authz_id in order.authorization_ids],
        "finalize": directory.url(f"order/{order.id}/finalize"),
    }
    if order.not_after:
        view["notAfter"] = rfc3339(order.not_after)
    if order.cert_serial:
        view["certificate"] = directory.url(f"order/{order.id}/cert")
    if order.error:
        view["error"] = order.error
    return view


def challenge_view(
    directory: Directory, authz_id: str, challenge: dict[str, Any]
) -> dict[str, Any]:
    view = {
        "type": challenge["type"],
        "url": directory.challenge_url(authz_id, challenge["type"]),
        "status": challenge["status"],
        "token": challenge["token"],
    }
    if challenge.get("validated"):
        view["validated"] = rfc3339(challenge["validated"])
    if challenge.get("error"):
        view["error"] = challenge["error"]
    return view


def authz_view(directory: Directory, authz: Authorization) -> dict[str, Any]:
    return {
        "identifier": authz.identifier,
        "status": authz.status,
        "expires": rfc3339(authz.expires),
        "challenges": [challenge_view(directory, authz.id, c) for c in authz.challenges],
    }

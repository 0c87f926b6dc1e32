"""Orders, authorizations and challenges (RFC 8555 7.4, 7.5): new-order, order/:id (POST-as-
GET), order/:id/finalize, order/:id/cert, authorization/:id, challenge/:authz/:type. Each is
visible to the account that made it only. An account has at most `MAX_OPEN_ORDERS` orders
open (not yet valid or invalid, and unexpired) at once; counting them reads the orders in the
account's open index only, and drops from it those that have closed or expired since."""

from __future__ import annotations

import binascii

from cryptography import x509

from strongroom.crypto.b64 import decode_url_unpadded
from strongroom.engines.pki.acme.accounts import still_current
from strongroom.engines.pki.acme.context import Context
from strongroom.engines.pki.acme.identifiers import check_allowed, parse_identifiers
from strongroom.engines.pki.acme.issuing import acme_role, issue_for_order
from strongroom.engines.pki.acme.lifecycle import (
    authz_view,
    challenge_view,
    current_authz,
    new_order,
    order_view,
    settle,
)
from strongroom.engines.pki.acme.lifetime import requested_not_after
from strongroom.engines.pki.acme.problems import Problem, malformed, not_found, rate_limited
from strongroom.engines.pki.acme.records import (
    OPEN_ORDER_STATUSES,
    Account,
    Authorization,
    Order,
)
from strongroom.engines.pki.acme.requests import KID
from strongroom.engines.pki.acme.responses import PEM_CHAIN
from strongroom.engines.pki.encoding import parse_serial
from strongroom.logical import Response

MAX_CSR = 16 * 1024
MAX_OPEN_ORDERS = 100


async def create_order(context: Context) -> Response:
    admitted = await context.admit(KID)
    payload = admitted.payload()
    identifiers = parse_identifiers(payload.get("identifiers"))
    check_allowed(context.directory.role, identifiers)
    now = context.store.now()
    not_after = requested_not_after(payload, acme_role(context.directory), now)
    async with context.store.new_order_lock:
        account = await still_current(context, admitted.signer())  # tidy may have revoked it
        await _check_open_orders(context, account)
        order, authorizations = new_order(account, context.directory, identifiers, now, not_after)
        for authz in authorizations:
            await context.store.put_authorization(authz)
        await context.store.put_order(order)
    url = context.directory.order_url(order.id)
    return context.json(order_view(context.directory, order), status=201, location=url)


async def _check_open_orders(context: Context, account: Account) -> None:
    now = context.store.now()
    count = 0
    for order_id in await context.store.open_order_ids(account):
        found = await context.store.order(order_id)
        if found is not None and found.status in OPEN_ORDER_STATUSES and now < found.expires:
            count += 1
        else:  # closed or expired: it can never count again
            await context.store.forget_open_order(account.id, order_id)
    if count >= MAX_OPEN_ORDERS:
        raise rate_limited(f"this account has {count} open orders: finish or let some expire")


async def _own_order(context: Context, account: Account) -> Order:
    order = await context.store.order(context.param("order_id"))
    if order is None or order.account_id != account.id:
        raise not_found("order")
    async with context.store.lock:
        return await settle(context.store, order)


async def order(context: Context) -> Response:
    admitted = await context.admit(KID)
    found = await _own_order(context, admitted.signer())
    url = context.directory.order_url(found.id)
    return context.json(order_view(context.directory, found), location=url)


async def finalize(context: Context) -> Response:
    admitted = await context.admit(KID)
    found = await _own_order(context, admitted.signer())
    if found.status != "ready":
        raise Problem("orderNotReady", f"the order is {found.status}, not ready")
    csr = _csr(admitted.payload().get("csr"))
    async with context.store.lock:
        current = await context.store.order(found.id)
        if current is None or current.status != "ready":
            raise Problem("orderNotReady", "the order is being finalized already")
        await context.store.put_order(current.with_changes(status="processing"))
    try:
        serial = await issue_for_order(context.store.pki, context.directory, found, csr)
    except Exception:
        async with context.store.lock:  # the client may try again (with a better CSR)
            await context.store.put_order(found.with_changes(status="ready"))
        raise
    done = found.with_changes(status="valid", cert_serial=serial)
    async with context.store.lock:
        await context.store.put_order(done)
    url = context.directory.order_url(done.id)
    return context.json(order_view(context.directory, done), location=url)


def _csr(value: object) -> x509.CertificateSigningRequest:
    if not isinstance(value, str) or len(value) > MAX_CSR:
        raise malformed("finalize needs a csr: base64url DER")
    try:
        return x509.load_der_x509_csr(decode_url_unpadded(value))
    except (binascii.Error, ValueError):
        raise Problem("badCSR", "the csr is not a base64url DER certificate request") from None


async def certificate(context: Context) -> Response:
    admitted = await context.admit(KID)
    found = await _own_order(context, admitted.signer())
    if found.status != "valid" or not found.cert_serial:
        raise Problem("orderNotReady", "the order has no certificate yet")
    record = await context.store.pki.cert(parse_serial(found.cert_serial))
    if record is None:
        raise not_found("certificate")
    issuer = await context.store.pki.issuer(record.issuer_id)
    chain = issuer.chain if issuer is not None else []
    body = "".join(
        pem if pem.endswith("\n") else pem + "\n" for pem in [record.certificate, *chain]
    )
    return Response(raw_body=body.encode(), content_type=PEM_CHAIN, headers=dict(context.headers))


async def _own_authz(context: Context, account: Account, authz_id: str) -> Authorization:
    authz = await context.store.authorization(authz_id)
    if authz is None or authz.account_id != account.id:
        raise not_found("authorization")
    return current_authz(authz, context.store.now())


async def authorization(context: Context) -> Response:
    admitted = await context.admit(KID)
    authz = await _own_authz(context, admitted.signer(), context.param("authz_id"))
    if not admitted.post_as_get:
        if admitted.payload().get("status") != "deactivated":
            raise malformed("an authorization can only be deactivated")
        async with context.store.lock:
            authz = await _deactivated(context, authz.id)
    return context.json(authz_view(context.directory, authz))


async def _deactivated(context: Context, authz_id: str) -> Authorization:
    """Deactivate (RFC 8555 7.5.2) the authorization as stored now (a validation may have
    finished since it was read); only a pending or valid one can be. Caller holds the lock."""
    stored = await context.store.authorization(authz_id)
    if stored is None:  # tidied since it was read
        raise not_found("authorization")
    current = current_authz(stored, context.store.now())
    if current.status not in ("pending", "valid"):
        raise malformed(f"the authorization is {current.status}: it cannot be deactivated")
    deactivated = current.with_changes(status="deactivated")
    await context.store.put_authorization(deactivated)
    return deactivated


async def challenge(context: Context) -> Response:
    admitted = await context.admit(KID)
    account = admitted.signer()
    authz = await _own_authz(context, account, context.param("authz_id"))
    kind = context.param("challenge_type")
    if not any(c["type"] == kind for c in authz.challenges):
        raise not_found("challenge")
    if not admitted.post_as_get:
        admitted.payload()  # `{}`: the client is ready; RFC 8555 7.5.1
        authz = await context.challenges.start(authz, kind, account)
    found = next(c for c in authz.challenges if c["type"] == kind)
    up = f'<{context.directory.authz_url(authz.id)}>;rel="up"'
    return context.json(challenge_view(context.directory, authz.id, found), links=(up,))

"""Accounts (RFC 8555 7.3): new-account (with onlyReturnExisting, and an external account
binding as `eab_policy` demands), reading and updating an account (contacts, deactivation),
its orders list, and key-change.

An account key belongs to one account, in one directory: the key index is by RFC 7638
thumbprint, mount-wide.
"""

from __future__ import annotations

import uuid
from typing import Any

from strongroom.crypto.b64 import decode_url_unpadded
from strongroom.engines.pki.acme.context import Context
from strongroom.engines.pki.acme.jws import decode_inner, eab_kid, thumbprint, verify_eab
from strongroom.engines.pki.acme.problems import Problem, malformed, unauthorized
from strongroom.engines.pki.acme.records import Account, EABKey
from strongroom.engines.pki.acme.requests import JWK, KID, request_url
from strongroom.logical import Response

MAX_CONTACTS = 10


def account_view(context: Context, account: Account) -> dict[str, Any]:
    return {
        "status": account.status,
        "contact": account.contact,
        "orders": context.directory.url(f"account/{account.id}/orders"),
    }


def _contacts(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_CONTACTS:
        raise malformed(f"contact must be a list of at most {MAX_CONTACTS} URLs")
    for contact in value:
        if not isinstance(contact, str) or not contact.startswith("mailto:"):
            raise Problem("unsupportedContact", "only mailto: contacts are supported")
    return list(value)


async def new_account(context: Context) -> Response:
    admitted = await context.admit(JWK)
    payload = admitted.payload()
    jwk = admitted.envelope.jwk
    assert jwk is not None
    key_id = thumbprint(jwk)
    directory = context.directory
    existing = await context.store.account_for_key(key_id)
    if existing is not None:
        if existing.directory != directory.prefix:
            raise unauthorized("this key belongs to an account of another directory")
        if existing.status != "valid":
            raise unauthorized(f"the account is {existing.status}")
        url = directory.account_url(existing.id)
        return context.json(account_view(context, existing), location=url)
    if payload.get("onlyReturnExisting") is True:
        raise Problem("accountDoesNotExist", "no account exists for this key")
    eab = await _binding(context, payload.get("externalAccountBinding"), admitted.url, jwk)
    account = Account(
        id=str(uuid.uuid4()),
        jwk=jwk,
        thumbprint=key_id,
        directory=directory.prefix,
        contact=_contacts(payload.get("contact")),
        terms_agreed=payload.get("termsOfServiceAgreed") is True,
        eab_id=eab.id if eab else "",
        created=context.store.now(),
        open_orders_indexed=True,
    )
    async with context.store.lock:
        if await context.store.account_for_key(key_id) is not None:
            raise malformed("an account for this key was created concurrently: retry")
        if eab is not None:
            if await context.store.eab(eab.id) is None:
                raise unauthorized("the external account binding was already used")
            await context.store.delete_eab(eab.id)  # single use
        await context.store.put_account(account)
    url = directory.account_url(account.id)
    return context.json(account_view(context, account), status=201, location=url)


async def _binding(context: Context, binding: Any, url: str, jwk: dict[str, Any]) -> EABKey | None:
    """The EAB the request is bound by, checked; None when none was given and none is needed."""
    if binding is None:
        if context.directory.config.eab_policy != "not-required":
            raise Problem("externalAccountRequired", "this server requires an external binding")
        return None
    eab = await context.store.eab(eab_kid(binding))
    if eab is None:
        raise unauthorized("unknown external account binding")
    if eab.directory != context.directory.prefix:
        raise unauthorized("the external account binding is for another directory")
    expiry = context.directory.config.eab_expiry
    if expiry and context.store.now() >= eab.created + expiry:
        raise unauthorized("the external account binding has expired")
    verify_eab(binding, decode_url_unpadded(eab.key), url, jwk)
    return eab


async def account(context: Context) -> Response:
    admitted = await context.admit(KID)
    current = admitted.signer()
    if current.id != context.param("kid"):
        raise unauthorized("an account can only be read or changed with its own key")
    if not admitted.post_as_get:
        payload = admitted.payload()
        changes: dict[str, Any] = {}
        if "contact" in payload:
            changes["contact"] = _contacts(payload["contact"])
        if payload.get("status") == "deactivated":
            changes["status"] = "deactivated"
            changes["revoked_at"] = context.store.now()
        elif "status" in payload:
            raise malformed("an account's status can only be changed to deactivated")
        if changes:
            async with context.store.lock:
                current = (await still_current(context, current)).with_changes(**changes)
                await context.store.put_account(current)
    url = context.directory.account_url(current.id)
    return context.json(account_view(context, current), location=url)


async def orders(context: Context) -> Response:
    admitted = await context.admit(KID)
    current = admitted.signer()
    if current.id != context.param("kid"):
        raise unauthorized("an account's orders can only be listed with its key")
    ids = await context.store.order_ids(current.id)
    return context.json({"orders": [context.directory.order_url(i) for i in ids]})


async def key_change(context: Context) -> Response:
    admitted = await context.admit(KID)
    current = admitted.signer()
    inner = decode_inner(admitted.payload(), admitted.url)
    request = inner.json_payload()
    new_jwk = inner.jwk
    assert new_jwk is not None
    if request.get("account") != admitted.envelope.kid:
        raise malformed("the key-change names another account")
    old = request.get("oldKey")
    if not isinstance(old, dict) or thumbprint(old) != current.thumbprint:
        raise malformed("oldKey is not the account's current key")
    new_id = thumbprint(new_jwk)
    async with context.store.lock:
        current = await still_current(context, current)
        holder = await context.store.account_for_key(new_id)
        if holder is not None:
            # RFC 8555 7.3.5: 409 with the Location of the account that has the key. Its URL
            # in its own directory: a key belongs to one account, mount-wide.
            location = request_url(context.directory, f"{holder.directory}account/{holder.id}")
            raise Problem("malformed", "the new key belongs to an account", 409, location)
        updated = current.with_changes(jwk=new_jwk, thumbprint=new_id)
        await context.store.put_account(updated, old_thumbprint=current.thumbprint)
    return context.json(account_view(context, updated))


async def still_current(context: Context, signer: Account) -> Account:
    """The account as stored now, for a change made under the lock. A request admitted with a
    key that a concurrent key-change (or deactivation) has since retired must not write the
    old key or status back, nor change the account at all."""
    current = await context.store.account(signer.id)
    if current is None or current.thumbprint != signer.thumbprint or current.status != "valid":
        raise unauthorized("the account changed while this request was in flight")
    return current

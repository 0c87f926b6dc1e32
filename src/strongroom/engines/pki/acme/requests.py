"""Admitting an ACME POST (RFC 8555 6.2-6.5): the JWS's `url` must be the URL it was sent to
(built from `config/cluster` path, see `directory.py`), its nonce one this node issued and
never spent, and its signature by the right key: the embedded `jwk` for new-account (and for
revoke-cert signed by the certificate's key), the account named by `kid` for the rest.

The nonce is spent as soon as the header is read, before the signature is checked, so no
request can be replayed whatever became of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strongroom.engines.pki.acme.directory import Directory
from strongroom.engines.pki.acme.jws import Envelope, decode, verify_signature
from strongroom.engines.pki.acme.nonces import NonceStore
from strongroom.engines.pki.acme.problems import Problem, malformed, unauthorized
from strongroom.engines.pki.acme.records import Account
from strongroom.engines.pki.acme.store import ACMEStore
from strongroom.logical import Request

JWK = "jwk"
KID = "kid"
EITHER = "either"


@dataclass(frozen=True, slots=True)
class Admitted:
    envelope: Envelope
    url: str
    account: Account | None  # signed by kid: the account; signed by jwk: None

    def payload(self) -> dict[str, Any]:
        return self.envelope.json_payload()

    @property
    def post_as_get(self) -> bool:
        return self.envelope.payload == b""

    def signer(self) -> Account:
        assert self.account is not None
        return self.account


class Gate:
    def __init__(self, store: ACMEStore, nonces: NonceStore) -> None:
        self._store = store
        self._nonces = nonces

    async def admit(self, directory: Directory, request: Request, signed_by: str) -> Admitted:
        url = request_url(directory, request.path)
        envelope = decode(request.data)
        if envelope.header["url"] != url:
            raise unauthorized("the JWS url does not match the request URL")
        if not self._nonces.redeem(envelope.header["nonce"]):
            raise Problem("badNonce", "the nonce is unknown, expired or already used")
        if envelope.jwk is not None:
            if signed_by == KID:
                raise malformed("this resource must be signed with the account's kid")
            verify_signature(envelope, envelope.jwk)
            return Admitted(envelope, url, None)
        if signed_by == JWK:
            raise malformed("this resource must be signed with an embedded jwk")
        account = await self.account_of(directory, envelope.kid)
        verify_signature(envelope, account.jwk)
        return Admitted(envelope, url, account)

    async def account_of(self, directory: Directory, kid: str) -> Account:
        prefix = directory.url("account/")
        account_id = kid.removeprefix(prefix)
        account = await self._store.account(account_id) if kid.startswith(prefix) else None
        if account is None:
            raise Problem("accountDoesNotExist", "no account is known by this kid")
        if account.directory != directory.prefix:
            raise unauthorized("the account belongs to another directory")
        if account.status != "valid":
            raise unauthorized(f"the account is {account.status}")
        if directory.config.eab_policy == "always-required" and not account.eab_id:
            raise Problem("externalAccountRequired", "this account has no external binding")
        return account


def request_url(directory: Directory, path: str) -> str:
    """The absolute URL of a path inside the mount (the cluster path + the path)."""
    mount_url = directory.base_url[: len(directory.base_url) - len(directory.prefix)]
    return mount_url + path

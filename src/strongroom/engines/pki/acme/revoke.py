"""revoke-cert (RFC 8555 7.6): a certificate this mount issued, revoked by the account that
ordered it or an account holding valid authorizations for every name in it (both signed by
`kid`), or by whoever holds its private key (signed by an embedded `jwk` that is the
certificate's key). The revocation itself is the engine's (`revocation.py`): the
certificate is marked and its issuer's CRL rebuilt. A reason code is checked but not recorded
(CRL entries carry none, as for `pki/revoke`)."""

from __future__ import annotations

import binascii
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from strongroom.crypto.b64 import decode_url_unpadded
from strongroom.engines.pki.acme.context import Context
from strongroom.engines.pki.acme.identifiers import Identifier, names_of
from strongroom.engines.pki.acme.jws import import_public_key
from strongroom.engines.pki.acme.lifecycle import current_authz
from strongroom.engines.pki.acme.problems import Problem, malformed, unauthorized
from strongroom.engines.pki.acme.records import Account
from strongroom.engines.pki.acme.requests import EITHER
from strongroom.engines.pki.encoding import serial_text
from strongroom.engines.pki.revocation import find_issued, revoke
from strongroom.errors import InvalidParameter
from strongroom.logical import Response

# RFC 5280 reason codes; 7 is unused.
REASONS = frozenset({0, 1, 2, 3, 4, 5, 6, 8, 9, 10})


async def revoke_cert(context: Context) -> Response:
    admitted = await context.admit(EITHER)
    payload = admitted.payload()
    cert = _certificate(payload.get("certificate"))
    reason = payload.get("reason", 0)
    if not isinstance(reason, int) or isinstance(reason, bool) or reason not in REASONS:
        raise Problem("badRevocationReason", "unsupported revocation reason")
    if admitted.account is not None:
        await _check_account_may_revoke(context, admitted.account, cert)
    else:
        jwk = admitted.envelope.jwk
        assert jwk is not None
        if _spki(import_public_key(jwk).public_key) != _spki(cert.public_key()):
            raise unauthorized("the JWS key is not the certificate's key")
    try:
        record = await find_issued(context.store.pki, cert)
    except InvalidParameter:
        raise unauthorized("the certificate was not issued by this mount") from None
    if record.revoked:
        raise Problem("alreadyRevoked", "the certificate is already revoked")
    try:
        await revoke(context.store.pki, record)
    except InvalidParameter as refused:
        raise unauthorized(refused.message) from None
    return Response(raw_body=b"", status=200, headers=dict(context.headers))


def _certificate(value: object) -> x509.Certificate:
    if not isinstance(value, str):
        raise malformed("revoke-cert needs a certificate: base64url DER")
    try:
        return x509.load_der_x509_certificate(decode_url_unpadded(value))
    except (binascii.Error, ValueError):
        raise malformed("the certificate is not base64url DER") from None


def _spki(key: Any) -> bytes:
    der: bytes = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return der


async def _check_account_may_revoke(
    context: Context, account: Account, cert: x509.Certificate
) -> None:
    """The account ordered the certificate, or has proven (valid, unexpired authorizations)
    every name in it. Whether the certificate is this mount's is checked after."""
    serial = serial_text(cert.serial_number)
    wanted = names_of(cert)
    proven: set[Identifier] = set()
    now = context.store.now()
    for order_id in await context.store.order_ids(account.id):
        order = await context.store.order(order_id)
        if order is None:
            continue
        if order.cert_serial == serial:
            return
        for authz_id in order.authorization_ids:
            authz = await context.store.authorization(authz_id)
            if authz is not None and current_authz(authz, now).status == "valid":
                proven.add((authz.identifier["type"], authz.identifier["value"]))
    if not wanted or not wanted <= proven:
        raise unauthorized("this account neither ordered the certificate nor proved its names")

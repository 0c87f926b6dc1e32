"""The OCSP responder (RFC 6960, with RFC 5019's lightweight profile), as Vault answers:

- the request names a certificate by its issuer's name and key hashes and its serial; the
  issuer among the mount's (with a key) whose hashes match signs the answer, responder id by
  name, no certificates attached; a certificate revoked by one issuer is only `revoked` when
  asked about under that issuer;
- `revoked` when the serial is revoked, otherwise `good`, as Vault says for any serial of a
  matching issuer (a certificate issued with `no_store` is not known by its serial);
- `unknown`, signed by the default issuer, when no issuer matches;
- `ocsp_disable`, or a matching issuer without `ocsp-signing` usage, or no default issuer to
  sign `unknown` with: the `unauthorized` error response; a request that does not parse: the
  `malformedRequest` one. Error responses are unsigned, as the RFC has them.

`thisUpdate` is now, `nextUpdate` now plus `config/crl`'s `ocsp_expiry` (none when it is 0); a
nonce in the request is echoed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from strongroom.engines.pki.encoding import from_seconds
from strongroom.engines.pki.records import IssuerRecord
from strongroom.engines.pki.store import PKIStore

CONTENT_TYPE = "application/ocsp-response"
MAX_REQUEST = 2048  # bytes of DER, as Vault (a simple request is about 90)
OCSP_SIGNING = "ocsp-signing"
_NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class OCSPAnswer:
    """A DER OCSP response and the HTTP status it goes with."""

    der: bytes
    status: int = 200


def _failure(status: ocsp.OCSPResponseStatus, http_status: int) -> OCSPAnswer:
    der = ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(
        serialization.Encoding.DER
    )
    return OCSPAnswer(der, http_status)


MALFORMED = _failure(ocsp.OCSPResponseStatus.MALFORMED_REQUEST, 400)
UNAUTHORIZED = _failure(ocsp.OCSPResponseStatus.UNAUTHORIZED, 401)


@functools.lru_cache(maxsize=256)
def _issuer_hashes(pem: str, algorithm: str) -> tuple[bytes, bytes]:
    """An issuer certificate's (name hash, key hash) under `algorithm`, as a client computes
    them (cryptography does, building a request about the issuer itself)."""
    cert = x509.load_pem_x509_certificate(pem.encode())
    hashed = ocsp.OCSPRequestBuilder().add_certificate(cert, cert, _HASHES[algorithm]()).build()
    return hashed.issuer_name_hash, hashed.issuer_key_hash


_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def parse_request(der: bytes) -> ocsp.OCSPRequest | None:
    """The request, or None when it is too large, does not parse (several certificates in one
    request included) or names a hash we cannot compute."""
    if not der or len(der) >= MAX_REQUEST:
        return None
    try:
        request = ocsp.load_der_ocsp_request(der)
        algorithm = request.hash_algorithm.name
    except (ValueError, UnsupportedAlgorithm):
        return None
    return request if algorithm in _HASHES else None


def _matches(issuer: IssuerRecord, request: ocsp.OCSPRequest) -> bool:
    name_hash, key_hash = _issuer_hashes(issuer.certificate, request.hash_algorithm.name)
    return name_hash == request.issuer_name_hash and key_hash == request.issuer_key_hash


async def respond(store: PKIStore, der: bytes) -> OCSPAnswer:
    """The answer to one DER OCSP request."""
    if (await store.crl_config()).ocsp_disable:
        return UNAUTHORIZED
    request = parse_request(der)
    if request is None:
        return MALFORMED
    record = await store.cert(request.serial_number)
    revoked = record if record is not None and record.revoked else None
    candidates = [issuer for issuer in await store.issuers() if issuer.key_id]
    if revoked is not None:
        candidates = [issuer for issuer in candidates if issuer.id == revoked.issuer_id]
    matched = [issuer for issuer in candidates if _matches(issuer, request)]
    signer = next((i for i in matched if OCSP_SIGNING in i.usage.split(",")), None)
    if signer is not None:
        status = ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD
        revoked_at = revoked.revocation_time_ns / _NS if revoked else None
        return OCSPAnswer(await _sign(store, signer, request, status, revoked_at))
    if matched:
        return UNAUTHORIZED
    default = await store.issuer("default")
    if default is None or not default.key_id or OCSP_SIGNING not in default.usage.split(","):
        return UNAUTHORIZED
    return OCSPAnswer(await _sign(store, default, request, ocsp.OCSPCertStatus.UNKNOWN, None))


async def _sign(
    store: PKIStore,
    issuer: IssuerRecord,
    request: ocsp.OCSPRequest,
    status: ocsp.OCSPCertStatus,
    revoked_at: float | None,
) -> bytes:
    expiry = (await store.crl_config()).ocsp_expiry
    now = from_seconds(store.now())
    builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
        issuer_name_hash=request.issuer_name_hash,
        issuer_key_hash=request.issuer_key_hash,
        serial_number=request.serial_number,
        algorithm=request.hash_algorithm,
        cert_status=status,
        this_update=now,
        next_update=now + timedelta(seconds=expiry) if expiry > 0 else None,
        revocation_time=from_seconds(revoked_at) if revoked_at is not None else None,
        revocation_reason=x509.ReasonFlags.unspecified if revoked_at is not None else None,
    )
    signer = await store.signer(issuer)
    assert signer.certificate is not None
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.NAME, signer.certificate)
    for extension in request.extensions:
        if isinstance(extension.value, x509.OCSPNonce):
            builder = builder.add_extension(extension.value, critical=False)
    response = builder.sign(signer.key, signer.hash)
    return response.public_bytes(serialization.Encoding.DER)

"""Revoking a certificate: mark it, list it, rebuild its issuer's CRL (see `crl.py` for when)."""

from __future__ import annotations

from typing import Any

from cryptography import x509

from strongroom.engines.pki.authority import issued_by
from strongroom.engines.pki.crl import after_revocation
from strongroom.engines.pki.encoding import cert_pem, rfc3339_ns, serial_text, timestamp
from strongroom.engines.pki.records import CertRecord
from strongroom.engines.pki.store import PKIStore, issuer_cert
from strongroom.errors import InvalidParameter


def revocation_view(record: CertRecord) -> dict[str, Any]:
    return {
        "revocation_time": record.revocation_time_ns // 1_000_000_000,
        "revocation_time_rfc3339": rfc3339_ns(record.revocation_time_ns),
        "state": "revoked",
    }


async def find_issued(store: PKIStore, cert: x509.Certificate) -> CertRecord:
    """The stored record of a certificate one of the mount's issuers signed (stored now when
    it was issued with `no_store`)."""
    record = await store.cert(cert.serial_number)
    if record is not None:
        if record.certificate.strip() != cert_pem(cert).strip():
            raise InvalidParameter("the certificate does not match the stored one of its serial")
        return record
    for issuer in await store.issuers():
        if issued_by(cert, issuer_cert(issuer)):
            return CertRecord(
                serial=serial_text(cert.serial_number),
                certificate=cert_pem(cert),
                issuer_id=issuer.id,
                not_after=timestamp(cert.not_valid_after_utc),
            )
    raise InvalidParameter("the certificate was not issued by an issuer of this mount")


async def revoke(store: PKIStore, record: CertRecord) -> CertRecord:
    """Revoke (once: a second revocation keeps the first time) and rebuild the CRL."""
    if any(issuer.serial == record.serial for issuer in await store.issuers()):
        raise InvalidParameter(
            "refusing to revoke an issuer's certificate here: use issuer/:ref/revoke"
        )
    if record.revoked:
        return record
    revoked = record.with_changes(revocation_time_ns=_now_ns(store))
    await store.put_cert(revoked)
    issuer = await store.issuer(record.issuer_id) if record.issuer_id else None
    if issuer is not None:
        await after_revocation(store, issuer)
    return revoked


def _now_ns(store: PKIStore) -> int:
    return max(1, int(store.now() * 1_000_000_000))

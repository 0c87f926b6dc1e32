"""Certificate revocation lists: one per issuer with a key, rebuilt when a certificate it
issued is revoked (and on `crl/rotate`), numbered, valid for `config/crl`'s `expiry`. With
`disable` set, the CRL is built without entries, as Vault serves it."""

from __future__ import annotations

import base64
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from strongroom.engines.pki.builder import authority_key_id
from strongroom.engines.pki.encoding import from_seconds, parse_serial
from strongroom.engines.pki.keys import signing_hash
from strongroom.engines.pki.records import CRLRecord, IssuerRecord
from strongroom.engines.pki.store import PKIStore, issuer_cert

_NS = 1_000_000_000


async def build_crl(store: PKIStore, issuer: IssuerRecord) -> CRLRecord:
    """Build, store and return a new CRL for `issuer` (which must have a key)."""
    config = await store.crl_config()
    previous = await store.crl(issuer.id)
    number = previous.number + 1 if previous else 1
    now = store.now()
    cert = issuer_cert(issuer)
    key = await store.private_key(issuer.key_id)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(cert.subject)
        .last_update(from_seconds(now))
        .next_update(from_seconds(now) + timedelta(seconds=config.expiry))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(authority_key_id(cert), critical=False)
    )
    if not config.disable:
        for revoked in await store.revoked_for(issuer.id):
            entry = (
                x509.RevokedCertificateBuilder()
                .serial_number(parse_serial(revoked.serial))
                .revocation_date(from_seconds(revoked.revocation_time_ns / _NS))
                .build()
            )
            builder = builder.add_revoked_certificate(entry)
    crl = builder.sign(key, signing_hash(key))
    der = crl.public_bytes(serialization.Encoding.DER)
    record = CRLRecord(der=base64.b64encode(der).decode(), number=number, this_update=int(now))
    await store.put_crl(issuer.id, record)
    return record


async def current_crl(store: PKIStore, issuer: IssuerRecord) -> bytes:
    """The issuer's CRL in DER, built on first use."""
    record = await store.crl(issuer.id)
    if record is None:
        record = await build_crl(store, issuer)
    return base64.b64decode(record.der)


async def rebuild_all(store: PKIStore) -> None:
    for issuer in await store.issuers():
        if issuer.key_id:
            await build_crl(store, issuer)


def crl_pem(der: bytes) -> str:
    crl = x509.load_der_x509_crl(der)
    return crl.public_bytes(serialization.Encoding.PEM).decode()

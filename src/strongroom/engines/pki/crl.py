"""Certificate revocation lists, one complete CRL per issuer with a key, and with
`enable_delta` a delta CRL next to it (RFC 5280 5.2.4: the critical delta CRL indicator names
the complete CRL it extends, and it lists the revocations that CRL lacks). Both are numbered
from one sequence per issuer and valid for `config/crl`'s `expiry`. With `disable` set, CRLs
are built without entries, as Vault serves them.

When they are rebuilt, as in Vault:
- `auto_rebuild` off: the complete CRL on every revocation (and on `crl/rotate`); there are no
  delta CRLs then (`config/crl` refuses `enable_delta` without `auto_rebuild`).
- `auto_rebuild` on: revocations rebuild nothing (OCSP answers them at once); `periodic()`
  rebuilds the complete CRL `auto_rebuild_grace_period` before it expires, and the delta CRL
  every `delta_rebuild_interval`; `crl/rotate` and `crl/rotate-delta` rebuild them now.
Building a complete CRL also builds a fresh (empty) delta CRL when deltas are enabled.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from strongroom.engines.pki.builder import authority_key_id
from strongroom.engines.pki.encoding import from_seconds, parse_serial
from strongroom.engines.pki.keys import signing_hash
from strongroom.engines.pki.records import CertRecord, CRLConfig, CRLRecord, IssuerRecord
from strongroom.engines.pki.store import PKIStore, issuer_cert

_NS = 1_000_000_000


async def _next_number(store: PKIStore, issuer_id: str) -> int:
    found = [await store.crl(issuer_id), await store.delta_crl(issuer_id)]
    return max((record.number for record in found if record), default=0) + 1


async def _sign(
    store: PKIStore,
    issuer: IssuerRecord,
    config: CRLConfig,
    revoked: Iterable[CertRecord],
    base_number: int | None = None,
) -> CRLRecord:
    """A CRL of `revoked` (a delta CRL of complete CRL `base_number` when that is given)."""
    number = await _next_number(store, issuer.id)
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
    if base_number is not None:
        builder = builder.add_extension(x509.DeltaCRLIndicator(base_number), critical=True)
    for record in () if config.disable else revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(parse_serial(record.serial))
            .revocation_date(from_seconds(record.revocation_time_ns / _NS))
            .build()
        )
        builder = builder.add_revoked_certificate(entry)
    der = builder.sign(key, signing_hash(key)).public_bytes(serialization.Encoding.DER)
    return CRLRecord(
        der=base64.b64encode(der).decode(),
        number=number,
        this_update=int(now),
        next_update=int(now) + config.expiry,
    )


async def build_crl(store: PKIStore, issuer: IssuerRecord) -> CRLRecord:
    """Build, store and return a new complete CRL for `issuer` (which must have a key), and a
    new delta CRL on top of it when deltas are enabled."""
    async with store.crl_lock:
        config = await store.crl_config()
        record = await _sign(store, issuer, config, await store.revoked_for(issuer.id))
        await store.put_crl(issuer.id, record)
        if config.enable_delta:
            await _build_delta(store, issuer, config, record)
        return record


async def build_delta(store: PKIStore, issuer: IssuerRecord) -> CRLRecord:
    """Build, store and return a new delta CRL for `issuer` (and the complete CRL it extends,
    when there is none yet)."""
    base = await store.crl(issuer.id)
    if base is None:
        await build_crl(store, issuer)
        base = await store.crl(issuer.id)
        assert base is not None
    async with store.crl_lock:
        return await _build_delta(store, issuer, await store.crl_config(), base)


async def _build_delta(
    store: PKIStore, issuer: IssuerRecord, config: CRLConfig, base: CRLRecord
) -> CRLRecord:
    listed = {entry.serial_number for entry in x509.load_der_x509_crl(crl_der(base))}
    revoked = [
        r for r in await store.revoked_for(issuer.id) if parse_serial(r.serial) not in listed
    ]
    record = await _sign(store, issuer, config, revoked, base_number=base.number)
    await store.put_delta_crl(issuer.id, record)
    return record


def crl_der(record: CRLRecord) -> bytes:
    return base64.b64decode(record.der)


async def current_crl(store: PKIStore, issuer: IssuerRecord) -> bytes:
    """The issuer's complete CRL in DER, built on first use."""
    record = await store.crl(issuer.id)
    if record is None:
        record = await build_crl(store, issuer)
    return crl_der(record)


async def current_delta(store: PKIStore, issuer: IssuerRecord) -> bytes:
    """The issuer's delta CRL in DER, built on first use (even with deltas disabled, as Vault
    serves one: it then lists what revocations the complete CRL lacks, if any)."""
    record = await store.delta_crl(issuer.id)
    if record is None:
        record = await build_delta(store, issuer)
    return crl_der(record)


async def rebuild_all(store: PKIStore) -> None:
    for issuer in await store.issuers():
        if issuer.key_id:
            await build_crl(store, issuer)


async def rebuild_deltas(store: PKIStore) -> None:
    for issuer in await store.issuers():
        if issuer.key_id:
            await build_delta(store, issuer)


async def after_revocation(store: PKIStore, issuer: IssuerRecord) -> None:
    """A certificate `issuer` signed was revoked: rebuild its CRL unless `auto_rebuild` defers
    that to `periodic()`."""
    if issuer.key_id and not (await store.crl_config()).auto_rebuild:
        await build_crl(store, issuer)


async def rebuild_due(store: PKIStore) -> int:
    """With `auto_rebuild`, rebuild the complete CRLs within their grace period of expiry and
    the delta CRLs older than `delta_rebuild_interval`. Returns how many CRLs were built."""
    config = await store.crl_config()
    if not config.auto_rebuild:
        return 0
    built, now = 0, store.now()
    for issuer in await store.issuers():
        if not issuer.key_id:
            continue
        complete = await store.crl(issuer.id)
        if complete is None or now >= complete.next_update - config.auto_rebuild_grace_period:
            await build_crl(store, issuer)
            built += 1
            continue
        delta = await store.delta_crl(issuer.id) if config.enable_delta else None
        if config.enable_delta and (
            delta is None or now >= delta.this_update + config.delta_rebuild_interval
        ):
            await build_delta(store, issuer)
            built += 1
    return built


def crl_pem(der: bytes) -> str:
    crl = x509.load_der_x509_crl(der)
    return crl.public_bytes(serialization.Encoding.PEM).decode()

"""CAs: keys and issuers of a mount, generated or imported, and the chains between them."""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from strongroom.engines.pki.encoding import cert_pem, load_cert, serial_text, split_certs
from strongroom.engines.pki.keys import (
    KeySpec,
    PrivateKey,
    generate_key,
    load_private_key,
    pkcs8_pem,
    public_der,
    spec_of,
)
from strongroom.engines.pki.records import IssuerRecord, KeyRecord
from strongroom.engines.pki.store import PKIStore, check_name, new_id
from strongroom.errors import InvalidParameter

_PEM_KEY = (
    "-----BEGIN PRIVATE KEY-----",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----BEGIN EC PRIVATE KEY-----",
)


@dataclass(slots=True)
class Imported:
    """What an import did, in Vault's response shape."""

    imported_issuers: list[str] = field(default_factory=list)
    existing_issuers: list[str] = field(default_factory=list)
    imported_keys: list[str] = field(default_factory=list)
    existing_keys: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)

    def view(self) -> dict[str, object]:
        return {
            "imported_issuers": self.imported_issuers or None,
            "existing_issuers": self.existing_issuers or None,
            "imported_keys": self.imported_keys or None,
            "existing_keys": self.existing_keys or None,
            "mapping": self.mapping,
        }


async def new_key(store: PKIStore, spec: KeySpec, name: str = "") -> tuple[KeyRecord, PrivateKey]:
    """Generate and store a key (the caller holds the store's lock)."""
    check_name(name, "key_name")
    await store.unique_name(name, "key")
    key = await generate_key(spec)
    record = KeyRecord(
        id=new_id(), private_key=pkcs8_pem(key), type=spec.type, bits=spec.bits, name=name
    )
    await store.put_key(record)
    return record, key


async def import_key(store: PKIStore, key: PrivateKey, name: str, result: Imported) -> str:
    """The id of `key` in the mount, storing it if it is new."""
    wanted = public_der(key.public_key())
    for record in await store.keys():
        if public_der(load_private_key(record.private_key).public_key()) == wanted:
            result.existing_keys.append(record.id)
            return record.id
    check_name(name, "key_name")
    await store.unique_name(name, "key")
    spec = spec_of(key)
    record = KeyRecord(
        id=new_id(), private_key=pkcs8_pem(key), type=spec.type, bits=spec.bits, name=name
    )
    await store.put_key(record)
    result.imported_keys.append(record.id)
    return record.id


async def key_for(store: PKIStore, cert: x509.Certificate) -> str:
    """The id of the mount's key that matches the certificate's public key, or ``""``."""
    wanted = public_der(cert.public_key())
    for record in await store.keys():
        if public_der(load_private_key(record.private_key).public_key()) == wanted:
            return record.id
    return ""


async def add_issuer(
    store: PKIStore, cert: x509.Certificate, key_id: str, name: str = ""
) -> IssuerRecord:
    """Store a new issuer for `cert` and rebuild every chain (the caller holds the lock)."""
    check_name(name, "issuer_name")
    await store.unique_name(name, "issuer")
    issuer = IssuerRecord(
        id=new_id(),
        certificate=cert_pem(cert),
        serial=serial_text(cert.serial_number),
        key_id=key_id,
        name=name,
        created=int(store.now()),
    )
    await store.add_issuer(issuer)
    await rebuild_chains(store)
    stored = await store.issuer(issuer.id)
    assert stored is not None
    return stored


async def import_bundle(store: PKIStore, bundle: str) -> Imported:
    """Import every key and CA certificate of a PEM bundle; certificates get the key they match."""
    result = Imported()
    for block in _key_blocks(bundle):
        await import_key(store, load_private_key(block, "pem_bundle"), "", result)
    certs = split_certs(bundle, "pem_bundle")
    if not certs and not result.imported_keys and not result.existing_keys:
        raise InvalidParameter("no data found in PEM bundle")
    existing = {issuer.certificate.strip(): issuer.id for issuer in await store.issuers()}
    for cert in certs:
        _check_ca(cert)
        pem = cert_pem(cert)
        key_id = await key_for(store, cert)
        if pem.strip() in existing:
            issuer_id = existing[pem.strip()]
            result.existing_issuers.append(issuer_id)
            await _attach_key(store, issuer_id, key_id)
        else:
            issuer_id = (await add_issuer(store, cert, key_id)).id
            result.imported_issuers.append(issuer_id)
            existing[pem.strip()] = issuer_id
        result.mapping[issuer_id] = key_id
    await rebuild_chains(store)
    return result


async def _attach_key(store: PKIStore, issuer_id: str, key_id: str) -> None:
    issuer = await store.issuer(issuer_id)
    if issuer is not None and key_id and not issuer.key_id:
        await store.put_issuer(issuer.with_changes(key_id=key_id))


def _key_blocks(bundle: str) -> list[str]:
    blocks = []
    for marker in _PEM_KEY:
        start = bundle.find(marker)
        while start >= 0:
            end_marker = marker.replace("BEGIN", "END")
            end = bundle.find(end_marker, start)
            if end < 0:
                raise InvalidParameter("pem_bundle has an unterminated private key")
            blocks.append(bundle[start : end + len(end_marker)])
            start = bundle.find(marker, end)
    return blocks


def _check_ca(cert: x509.Certificate) -> None:
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        raise InvalidParameter("refusing to import a non-CA certificate as an issuer")


def issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    if child.issuer != parent.subject:
        return False
    try:
        child.verify_directly_issued_by(parent)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


async def rebuild_chains(store: PKIStore) -> None:
    """Each issuer's chain, as OpenBao builds it: its `manual_chain` where it has one (ids of
    deleted issuers skipped), else itself, then the parents found among the mount's issuers up
    to the first with a manual chain, which then ends it."""
    issuers = await store.issuers()
    certs = {issuer.id: load_cert(issuer.certificate) for issuer in issuers}
    manual = {issuer.id: issuer.manual_chain for issuer in issuers if issuer.manual_chain}
    for issuer in issuers:
        pems = [cert_pem(certs[i]) for i in _chain_ids(issuer.id, certs, manual)]
        if pems != issuer.chain:
            await store.put_issuer(issuer.with_changes(chain=pems))


def _chain_ids(
    issuer_id: str, certs: dict[str, x509.Certificate], manual: dict[str, list[str]]
) -> list[str]:
    if issuer_id in manual:
        return [i for i in manual[issuer_id] if i in certs]
    chain = [issuer_id]
    current = certs[issuer_id]
    while True:
        parent = next(
            (i for i, c in certs.items() if i not in chain and issued_by(current, c)), None
        )
        if parent is None:
            return chain
        if parent in manual:
            return chain + [i for i in manual[parent] if i in certs and i not in chain]
        chain.append(parent)
        current = certs[parent]

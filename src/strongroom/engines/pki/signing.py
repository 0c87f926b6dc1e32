"""Signing with an issuer, recording what was issued, and the response Vault returns."""

from __future__ import annotations

from typing import Any

from cryptography import x509

from strongroom.engines.pki.builder import Signer, Template, build_certificate
from strongroom.engines.pki.encoding import cert_pem, render_cert, serial_text, timestamp
from strongroom.engines.pki.keys import PrivateKey, render_private_key, spec_of
from strongroom.engines.pki.records import CertRecord, IssuerRecord
from strongroom.engines.pki.store import PKIStore
from strongroom.errors import InvalidParameter


async def signer_for(store: PKIStore, issuer: IssuerRecord) -> Signer:
    """The issuer's certificate and key, if it may issue."""
    if issuer.revoked:
        raise InvalidParameter("the issuer has been revoked and cannot issue certificates")
    if "issuing-certificates" not in issuer.usage.split(","):
        raise InvalidParameter("the issuer's usage does not include issuing-certificates")
    if not issuer.key_id:
        raise InvalidParameter("the issuer has no key in this mount and cannot issue")
    return await store.signer(issuer)


async def sign_and_store(
    store: PKIStore, template: Template, signer: Signer, issuer_id: str, keep: bool = True
) -> tuple[x509.Certificate, str]:
    """The signed certificate and its PEM, stored unless `keep` is false."""
    cert = build_certificate(template, signer)
    pem = cert_pem(cert)
    if keep:
        await store.put_cert(
            CertRecord(
                serial=serial_text(cert.serial_number),
                certificate=pem,
                issuer_id=issuer_id,
                not_after=timestamp(cert.not_valid_after_utc),
            )
        )
    return cert, pem


def certificate_data(
    cert: x509.Certificate,
    chain: list[str],
    fmt: str,
    key: PrivateKey | None = None,
    private_key_format: str = "",
    pem: str = "",
) -> dict[str, Any]:
    """`certificate`, `issuing_ca`, `ca_chain`, `serial_number`, `expiration` (and the private
    key) in the requested format. `chain` is the issuer's chain, issuer first; `pem` is the
    certificate's PEM when the caller has it already."""
    own = pem or cert_pem(cert)
    issuing = chain[0] if chain else own
    data: dict[str, Any] = {
        "certificate": render_cert(own, fmt),
        "issuing_ca": render_cert(issuing, fmt),
        "ca_chain": [render_cert(pem, fmt) for pem in chain],
        "serial_number": serial_text(cert.serial_number),
        "expiration": timestamp(cert.not_valid_after_utc),
        "not_before": timestamp(cert.not_valid_before_utc),
    }
    if key is not None:
        data["private_key"] = render_private_key(key, private_key_format, der=fmt == "der")
        data["private_key_type"] = spec_of(key).type
    if fmt == "pem_bundle":
        parts = [data.get("private_key", ""), data["certificate"], data["issuing_ca"]]
        data["certificate"] = "\n".join(part for part in parts if part)
    return data

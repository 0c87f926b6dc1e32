"""Finalize: from a ready order and its CSR to a stored certificate, with the issuing code
every other path uses (`issuance.py`, `signing.py`); only the choice of names differs: they
are the order's identifiers, which the challenges proved.

Without `allow_role_ext_key_usage`, ACME certificates are TLS server certificates only
(ServerAuth), whatever the role says, as in Vault.
"""

from __future__ import annotations

from dataclasses import replace

from cryptography import x509

from strongroom.clock import rfc3339
from strongroom.engines.pki.acme.directory import Directory
from strongroom.engines.pki.acme.identifiers import (
    check_allowed,
    check_csr_matches,
    common_name_identifier,
    requested,
)
from strongroom.engines.pki.acme.lifetime import check_not_after
from strongroom.engines.pki.acme.problems import Problem
from strongroom.engines.pki.acme.records import Order
from strongroom.engines.pki.encoding import serial_text
from strongroom.engines.pki.issuance import (
    check_csr_key,
    csr_common_name,
    effective_urls,
    leaf_template,
    validity,
)
from strongroom.engines.pki.roles import Role
from strongroom.engines.pki.signing import sign_and_store, signer_for
from strongroom.engines.pki.store import PKIStore
from strongroom.errors import InvalidParameter

# sign-verbatim, as ACME uses it: any key, the mount's lifetimes, certificates kept.
VERBATIM = Role(name="", key_type="any", key_bits=0, no_store=False, client_flag=False)


def acme_role(directory: Directory) -> Role:
    role = directory.role or VERBATIM
    if directory.config.allow_role_ext_key_usage:
        return role
    return replace(
        role,
        server_flag=True,
        client_flag=False,
        code_signing_flag=False,
        email_protection_flag=False,
        ext_key_usage=[],
        ext_key_usage_oids=[],
    )


async def issue_for_order(
    store: PKIStore,
    directory: Directory,
    order: Order,
    csr: x509.CertificateSigningRequest,
) -> str:
    """Sign and store the certificate; returns its serial (colon form)."""
    if not csr.is_signature_valid:
        raise Problem("badCSR", "the CSR's signature does not verify")
    identifiers = order.identifiers
    check_csr_matches(csr, identifiers)
    # The role may have changed since the order was made.
    check_allowed(directory.role, identifiers)
    role = acme_role(directory)
    now = int(store.now())
    if order.not_after:
        check_not_after(order.not_after, role, now)
    try:
        check_csr_key(role, csr.public_key())
        signer = await signer_for(store, directory.issuer)
        assert signer.certificate is not None
        window = validity(
            now,
            0,
            rfc3339(order.not_after) if order.not_after else "",
            role.ttl,
            role.max_ttl,
            role.not_before_duration,
            directory.issuer,
            signer.certificate.not_valid_after_utc,
        )
    except InvalidParameter as refused:
        raise Problem("badCSR", refused.message) from None
    names = requested(identifiers)
    # The CN as the identifier it matched, not as the CSR spelled it.
    asked = csr_common_name(csr)
    common_name = common_name_identifier(asked) if asked else (names.dns[0] if names.dns else "")
    urls = effective_urls(directory.issuer, await store.urls_config())
    template = leaf_template(
        role, common_name, names, csr.public_key(), x509.random_serial_number(), window, urls
    )
    cert, _ = await sign_and_store(store, template, signer, directory.issuer.id, keep=True)
    return serial_text(cert.serial_number)

"""X.509 extensions by Vault's names: key usages, extended key usages, policies, AIA and CRL
distribution points."""

from __future__ import annotations

from collections.abc import Iterable

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from strongroom.errors import InvalidParameter

# Vault's key usage names (Go's x509.KeyUsage constants without the prefix), case-insensitive.
KEY_USAGES = {
    "digitalsignature": "digital_signature",
    "contentcommitment": "content_commitment",
    "nonrepudiation": "content_commitment",
    "keyencipherment": "key_encipherment",
    "dataencipherment": "data_encipherment",
    "keyagreement": "key_agreement",
    "certsign": "key_cert_sign",
    "crlsign": "crl_sign",
    "encipheronly": "encipher_only",
    "decipheronly": "decipher_only",
}
EXT_KEY_USAGES = {
    "any": x509.ObjectIdentifier("2.5.29.37.0"),
    "serverauth": ExtendedKeyUsageOID.SERVER_AUTH,
    "clientauth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "codesigning": ExtendedKeyUsageOID.CODE_SIGNING,
    "emailprotection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "timestamping": ExtendedKeyUsageOID.TIME_STAMPING,
    "ocspsigning": ExtendedKeyUsageOID.OCSP_SIGNING,
    "ipsecendsystem": x509.ObjectIdentifier("1.3.6.1.5.5.7.3.5"),
    "ipsectunnel": x509.ObjectIdentifier("1.3.6.1.5.5.7.3.6"),
    "ipsecuser": x509.ObjectIdentifier("1.3.6.1.5.5.7.3.7"),
    "microsoftservergatedcrypto": x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.3"),
    "netscapeservergatedcrypto": x509.ObjectIdentifier("2.16.840.1.113730.4.1"),
}
_USAGE_FLAGS = tuple(dict.fromkeys(KEY_USAGES.values()))


def check_key_usage(names: Iterable[str]) -> None:
    for name in names:
        if name.strip().lower() not in KEY_USAGES:
            raise InvalidParameter(
                "unknown key_usage: expected names such as DigitalSignature or KeyEncipherment"
            )


def check_ext_key_usage(names: Iterable[str]) -> None:
    for name in names:
        if name.strip().lower() not in EXT_KEY_USAGES:
            raise InvalidParameter(
                "unknown ext_key_usage: expected names such as ServerAuth or ClientAuth"
            )


def oid(text: str, what: str) -> x509.ObjectIdentifier:
    try:
        return x509.ObjectIdentifier(text.strip())
    except ValueError:
        raise InvalidParameter(f"invalid OID in {what}") from None


def check_oids(values: Iterable[str], what: str) -> None:
    for value in values:
        oid(value, what)


def key_usage(names: Iterable[str], *, ca: bool = False) -> x509.KeyUsage | None:
    chosen = {KEY_USAGES[name.strip().lower()] for name in names}
    if ca:
        chosen |= {"key_cert_sign", "crl_sign"}
    if not chosen:
        return None
    flags = {flag: flag in chosen for flag in _USAGE_FLAGS}
    if not flags["key_agreement"]:
        flags["encipher_only"] = flags["decipher_only"] = False
    return x509.KeyUsage(**flags)


def extended_key_usage(
    names: Iterable[str], oids: Iterable[str], flags: dict[str, bool]
) -> x509.ExtendedKeyUsage | None:
    """From a role's flags (server, client, code signing, email) plus named usages and OIDs."""
    chosen: list[x509.ObjectIdentifier] = []
    flagged = {
        "server_flag": ExtendedKeyUsageOID.SERVER_AUTH,
        "client_flag": ExtendedKeyUsageOID.CLIENT_AUTH,
        "code_signing_flag": ExtendedKeyUsageOID.CODE_SIGNING,
        "email_protection_flag": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    }
    for flag, usage in flagged.items():
        if flags.get(flag):
            chosen.append(usage)
    chosen += [EXT_KEY_USAGES[name.strip().lower()] for name in names]
    chosen += [oid(text, "ext_key_usage_oids") for text in oids]
    unique = list(dict.fromkeys(chosen))
    return x509.ExtendedKeyUsage(unique) if unique else None


def policies(identifiers: Iterable[str]) -> x509.CertificatePolicies | None:
    infos = [x509.PolicyInformation(oid(text, "policy_identifiers"), None) for text in identifiers]
    return x509.CertificatePolicies(infos) if infos else None


def authority_access(
    issuing: Iterable[str], ocsp: Iterable[str]
) -> x509.AuthorityInformationAccess | None:
    descriptions = [
        x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(u)
        )
        for u in ocsp
    ] + [
        x509.AccessDescription(
            AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(u)
        )
        for u in issuing
    ]
    return x509.AuthorityInformationAccess(descriptions) if descriptions else None


def crl_distribution(points: Iterable[str]) -> x509.CRLDistributionPoints | None:
    found = [
        x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)
        for url in points
    ]
    return x509.CRLDistributionPoints(found) if found else None

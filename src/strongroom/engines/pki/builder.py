"""Certificates, CSRs and CRLs from checked input, with `cryptography`'s x509 builders only.

A `Template` is everything that goes into a certificate; whoever fills it in has already
checked it against a role (or it is a CA the operator asked for). A `Signer` is an issuer's
certificate and key, or nothing for a self-signed root.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import NameOID

from strongroom.engines.pki import extensions
from strongroom.engines.pki.keys import PrivateKey, SigningHash, signing_hash
from strongroom.errors import InvalidParameter

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_SUBJECT_OIDS = (
    ("country", NameOID.COUNTRY_NAME),
    ("province", NameOID.STATE_OR_PROVINCE_NAME),
    ("locality", NameOID.LOCALITY_NAME),
    ("street_address", NameOID.STREET_ADDRESS),
    ("postal_code", NameOID.POSTAL_CODE),
    ("organization", NameOID.ORGANIZATION_NAME),
    ("ou", NameOID.ORGANIZATIONAL_UNIT_NAME),
)


@dataclass(frozen=True, slots=True)
class Names:
    """Subject alternative names, already checked."""

    dns: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    ips: tuple[IPAddress, ...] = ()
    uris: tuple[str, ...] = ()
    other: tuple[tuple[str, str], ...] = ()  # (oid, UTF-8 value)

    def general_names(self) -> list[x509.GeneralName]:
        found: list[x509.GeneralName] = [x509.DNSName(name) for name in self.dns]
        found += [x509.RFC822Name(email) for email in self.emails]
        found += [x509.IPAddress(ip) for ip in self.ips]
        found += [x509.UniformResourceIdentifier(uri) for uri in self.uris]
        found += [
            x509.OtherName(x509.ObjectIdentifier(oid), utf8_string(value))
            for oid, value in self.other
        ]
        return found


@dataclass(frozen=True, slots=True)
class Template:
    subject: x509.Name
    public_key: CertificatePublicKeyTypes
    serial: int
    not_before: datetime
    not_after: datetime
    names: Names = Names()
    ca: bool = False
    max_path_length: int = -1  # CA only; -1 = no limit
    permitted_dns_domains: tuple[str, ...] = ()
    key_usage: tuple[str, ...] = ()
    ext_key_usage: tuple[str, ...] = ()
    ext_key_usage_oids: tuple[str, ...] = ()
    flags: dict[str, bool] = field(default_factory=dict)
    policy_identifiers: tuple[str, ...] = ()
    basic_constraints_for_non_ca: bool = False
    issuing_certificates: tuple[str, ...] = ()
    crl_distribution_points: tuple[str, ...] = ()
    ocsp_servers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signs: an issuer's certificate and key (or a key alone, for a self-signed
    certificate), with what every certificate it signs takes from them worked out once."""

    certificate: x509.Certificate | None  # None: the template signs itself
    key: PrivateKey
    subject: x509.Name | None = field(init=False, compare=False)
    authority_key_id: x509.AuthorityKeyIdentifier | None = field(init=False, compare=False)
    hash: SigningHash | None = field(init=False, compare=False)

    def __post_init__(self) -> None:
        issuer = self.certificate
        object.__setattr__(self, "subject", issuer.subject if issuer is not None else None)
        aki = authority_key_id(issuer) if issuer is not None else None
        object.__setattr__(self, "authority_key_id", aki)
        object.__setattr__(self, "hash", signing_hash(self.key))


def utf8_string(value: str) -> bytes:
    """The DER of an ASN.1 UTF8String (what an other SAN's `UTF8:` value becomes)."""
    raw = value.encode()
    if len(raw) < 0x80:
        return bytes([0x0C, len(raw)]) + raw
    length = len(raw).to_bytes((len(raw).bit_length() + 7) // 8, "big")
    return bytes([0x0C, 0x80 | len(length)]) + length + raw


def subject_name(
    common_name: str, fields: dict[str, list[str]], serial_number: str = ""
) -> x509.Name:
    """A subject in Go's order (C, ST, L, street, postal code, O, OU, CN, serialNumber)."""
    given = [(name, oid, value) for name, oid in _SUBJECT_OIDS for value in fields.get(name, [])]
    given += [("common_name", NameOID.COMMON_NAME, common_name)]
    given += [("serial_number", NameOID.SERIAL_NUMBER, serial_number)]
    return x509.Name([_attribute(name, oid, value) for name, oid, value in given if value])


def _attribute(name: str, oid: x509.ObjectIdentifier, value: str) -> x509.NameAttribute[str]:
    try:
        return x509.NameAttribute(oid, value)
    except ValueError:
        # cryptography holds the RFC 5280 bounds (a common name of at most 64 bytes, a
        # two-letter country); refuse rather than fail while signing.
        raise InvalidParameter(f"{name} is too long or too short for a certificate") from None


def build_certificate(template: Template, signer: Signer) -> x509.Certificate:
    issuer_name = signer.subject if signer.subject is not None else template.subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(template.subject)
        .issuer_name(issuer_name)
        .public_key(template.public_key)
        .serial_number(template.serial)
        .not_valid_before(template.not_before)
        .not_valid_after(template.not_after)
    )
    for extension, critical in _extensions(template, signer):
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signer.key, signer.hash)


Extensions = tuple[tuple[x509.ExtensionType, bool], ...]


def _extensions(template: Template, signer: Signer) -> list[tuple[x509.ExtensionType, bool]]:
    """The certificate's extensions, in Go's order: those of the role, issuer and settings
    (`_shared`), then the key identifiers, then the SANs."""
    usages, access, policies = _shared(
        template.ca,
        template.max_path_length,
        template.basic_constraints_for_non_ca,
        template.key_usage,
        template.ext_key_usage,
        template.ext_key_usage_oids,
        tuple(template.flags.items()),
        template.issuing_certificates,
        template.ocsp_servers,
        template.crl_distribution_points,
        template.policy_identifiers,
        template.permitted_dns_domains,
    )
    found = [
        *usages,
        (x509.SubjectKeyIdentifier.from_public_key(template.public_key), False),
        (_authority_key_id(template, signer), False),
        *access,
    ]
    names = template.names.general_names()
    if names:
        found.append((x509.SubjectAlternativeName(names), False))
    found += policies
    return found


@functools.lru_cache(maxsize=256)
def _shared(
    ca: bool,
    max_path_length: int,
    basic_constraints_for_non_ca: bool,
    key_usage: tuple[str, ...],
    ext_key_usage: tuple[str, ...],
    ext_key_usage_oids: tuple[str, ...],
    flags: tuple[tuple[str, bool], ...],
    issuing_certificates: tuple[str, ...],
    ocsp_servers: tuple[str, ...],
    crl_distribution_points: tuple[str, ...],
    policy_identifiers: tuple[str, ...],
    permitted_dns_domains: tuple[str, ...],
) -> tuple[Extensions, Extensions, Extensions]:
    """The extensions that depend only on their (hashable) arguments, made once for each
    combination: (basic constraints and usages, AIA and CRL points, policies and name
    constraints). Extension objects are immutable, so certificates can share them."""
    usages: list[tuple[x509.ExtensionType | None, bool]] = []
    if ca:
        path = max_path_length if max_path_length >= 0 else None
        usages.append((x509.BasicConstraints(ca=True, path_length=path), True))
    elif basic_constraints_for_non_ca:
        usages.append((x509.BasicConstraints(ca=False, path_length=None), True))
    usages.append((extensions.key_usage(key_usage, ca=ca), True))
    if not ca:
        eku = extensions.extended_key_usage(ext_key_usage, ext_key_usage_oids, dict(flags))
        usages.append((eku, False))
    access: list[tuple[x509.ExtensionType | None, bool]] = [
        (extensions.authority_access(issuing_certificates, ocsp_servers), False),
        (extensions.crl_distribution(crl_distribution_points), False),
    ]
    tail: list[tuple[x509.ExtensionType | None, bool]] = [
        (extensions.policies(policy_identifiers), False)
    ]
    if permitted_dns_domains:
        permitted: list[x509.GeneralName] = [
            x509.DNSName(domain) for domain in permitted_dns_domains
        ]
        tail.append(
            (x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None), True)
        )
    return _present(usages), _present(access), _present(tail)


def _present(found: list[tuple[x509.ExtensionType | None, bool]]) -> Extensions:
    return tuple((extension, critical) for extension, critical in found if extension is not None)


def _authority_key_id(template: Template, signer: Signer) -> x509.AuthorityKeyIdentifier:
    if signer.authority_key_id is None:
        ski = x509.SubjectKeyIdentifier.from_public_key(template.public_key)
        return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
    return signer.authority_key_id


def authority_key_id(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    """What identifies `issuer` in what it signs: its subject key identifier (computed from
    its key when the certificate has none)."""
    try:
        ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        ski = x509.SubjectKeyIdentifier.from_public_key(issuer.public_key())
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def build_csr(subject: x509.Name, names: Names, key: PrivateKey) -> x509.CertificateSigningRequest:
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    general = names.general_names()
    if general:
        builder = builder.add_extension(x509.SubjectAlternativeName(general), critical=False)
    return builder.sign(key, signing_hash(key))


_REPLACED_ON_RESIGN = (
    x509.AuthorityKeyIdentifier.oid,
    x509.AuthorityInformationAccess.oid,
    x509.CRLDistributionPoints.oid,
)


def resign(
    cert: x509.Certificate,
    signer: Signer,
    issuing_certificates: tuple[str, ...] = (),
    ocsp_servers: tuple[str, ...] = (),
    crl_distribution_points: tuple[str, ...] = (),
) -> x509.Certificate:
    """`cert` signed by `signer` (`root/sign-self-issued`): its subject, key, serial, validity
    and extensions verbatim, except the authority key identifier (the signer's), and the AIA
    and CRL points (the signer's URLs). A subject key identifier is added if it has none."""
    assert signer.subject is not None and signer.authority_key_id is not None
    builder = (
        x509.CertificateBuilder()
        .subject_name(cert.subject)
        .issuer_name(signer.subject)
        .public_key(cert.public_key())
        .serial_number(cert.serial_number)
        .not_valid_before(cert.not_valid_before_utc)
        .not_valid_after(cert.not_valid_after_utc)
    )
    kept = [ext for ext in cert.extensions if ext.oid not in _REPLACED_ON_RESIGN]
    for extension in kept:
        builder = builder.add_extension(extension.value, critical=extension.critical)
    if not any(ext.oid == x509.SubjectKeyIdentifier.oid for ext in kept):
        ski = x509.SubjectKeyIdentifier.from_public_key(cert.public_key())
        builder = builder.add_extension(ski, critical=False)
    builder = builder.add_extension(signer.authority_key_id, critical=False)
    access = extensions.authority_access(issuing_certificates, ocsp_servers)
    if access is not None:
        builder = builder.add_extension(access, critical=False)
    points = extensions.crl_distribution(crl_distribution_points)
    if points is not None:
        builder = builder.add_extension(points, critical=False)
    return builder.sign(signer.key, signer.hash)

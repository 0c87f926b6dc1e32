"""Subject alternative names as the API takes them (`alt_names`, `ip_sans`, `uri_sans`,
`other_sans`) and as a CSR carries them. Parsing only: whether a role allows them is
`names.py`'s and `issuance.py`'s business."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from cryptography import x509

from strongroom.engines.pki.builder import IPAddress, Names
from strongroom.errors import InvalidParameter
from strongroom.framework import FieldData


@dataclass(slots=True)
class Requested:
    """Names a request (or a CSR) asks for, before any role check."""

    dns: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    ips: list[IPAddress] = field(default_factory=list)
    uris: list[str] = field(default_factory=list)
    other: list[tuple[str, str]] = field(default_factory=list)

    def names(self) -> Names:
        return Names(
            dns=tuple(dict.fromkeys(self.dns)),
            emails=tuple(dict.fromkeys(self.emails)),
            ips=tuple(dict.fromkeys(self.ips)),
            uris=tuple(dict.fromkeys(self.uris)),
            other=tuple(dict.fromkeys(self.other)),
        )


def parse_ip(text: str) -> IPAddress:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise InvalidParameter("invalid ip_sans: expected IP addresses") from None


def parse_other_san(text: str) -> tuple[str, str]:
    """`<oid>;UTF8:<value>` (Vault's only supported type)."""
    oid, _, rest = text.partition(";")
    kind, colon, value = rest.partition(":")
    if not colon or kind.upper() not in ("UTF8", "UTF-8"):
        raise InvalidParameter("invalid other_sans: expected <oid>;UTF8:<value>")
    try:
        x509.ObjectIdentifier(oid.strip())
    except ValueError:
        raise InvalidParameter("invalid other_sans: the OID is malformed") from None
    return oid.strip(), value


def from_params(data: FieldData) -> Requested:
    """`alt_names` (emails go where they belong), `ip_sans`, `uri_sans`, `other_sans`."""
    requested = Requested()
    for name in data.get("alt_names"):
        (requested.emails if "@" in name else requested.dns).append(name)
    requested.ips = [parse_ip(ip) for ip in data.get("ip_sans")]
    requested.uris = list(data.get("uri_sans"))
    requested.other = [parse_other_san(text) for text in data.get("other_sans")]
    return requested


def from_csr(csr: x509.CertificateSigningRequest) -> Requested:
    """The SANs of a CSR; a kind of name this engine cannot check is refused."""
    requested = Requested()
    try:
        extension = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return requested
    except ValueError:
        raise InvalidParameter("the csr's extensions are malformed") from None
    for name in extension.value:
        if isinstance(name, x509.DNSName):
            requested.dns.append(name.value)
        elif isinstance(name, x509.RFC822Name):
            requested.emails.append(name.value)
        elif isinstance(name, x509.IPAddress) and not isinstance(
            name.value, ipaddress.IPv4Network | ipaddress.IPv6Network
        ):
            requested.ips.append(name.value)
        elif isinstance(name, x509.UniformResourceIdentifier):
            requested.uris.append(name.value)
        elif isinstance(name, x509.OtherName):
            requested.other.append((name.type_id.dotted_string, _utf8_value(name.value)))
        else:
            raise InvalidParameter("the csr has a subject alternative name of an unsupported kind")
    return requested


def _utf8_value(der: bytes) -> str:
    """The text of a DER UTF8String; anything else is refused."""
    if len(der) < 2 or der[0] != 0x0C:
        raise InvalidParameter("the csr has an other SAN that is not a UTF8String")
    length, offset = der[1], 2
    if length & 0x80:
        count = length & 0x7F
        length, offset = int.from_bytes(der[2 : 2 + count], "big"), 2 + count
    body = der[offset:]
    if len(body) != length:
        raise InvalidParameter("the csr has a malformed other SAN")
    try:
        return body.decode()
    except UnicodeDecodeError:
        raise InvalidParameter("the csr has a malformed other SAN") from None

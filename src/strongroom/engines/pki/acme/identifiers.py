"""Order identifiers (RFC 8555 7.1.3, RFC 8738): `dns` names and `ip` addresses, checked when
the order is made, and the CSR at finalize, which must ask for exactly those names.

Only what `http-01` can prove is accepted: no wildcards (they need `dns-01`, not offered), and
no address spelled as a `dns` name (`10.0.0.1`, `127.1`, `0x7f000001`: resolvers read them as
addresses, so they would reach the validator without the `ip` checks). A role's directory
applies the role's name rules (`issuance.check_names`) to every identifier. `sign-verbatim`
accepts any well-formed name (the challenge is the proof) except those that point the
validator at the server's own network: `localhost`, `localdomain` and their subdomains, and IP
addresses that are not global (loopback, private, link-local, ...). A role that allows those
names can still be used for them.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from strongroom.engines.pki.acme.problems import Problem, malformed
from strongroom.engines.pki.issuance import check_names
from strongroom.engines.pki.names import LOCAL_NAMES, is_hostname
from strongroom.engines.pki.roles import Role
from strongroom.engines.pki.sans import Requested
from strongroom.errors import InvalidParameter

MAX_IDENTIFIERS = 100
Identifier = tuple[str, str]  # (type, value)


def parse_identifiers(value: Any) -> list[dict[str, str]]:
    """The order's identifiers, normalised (lower-case names, canonical addresses), unique."""
    if not isinstance(value, list) or not value:
        raise malformed("an order needs a non-empty list of identifiers")
    if len(value) > MAX_IDENTIFIERS:
        raise Problem("rejectedIdentifier", f"an order may have at most {MAX_IDENTIFIERS}")
    found: dict[Identifier, None] = {}
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise malformed("each identifier needs a type and a value")
        found[_normalised(item.get("type"), item["value"])] = None
    return [{"type": kind, "value": text} for kind, text in found]


def _normalised(kind: Any, value: str) -> Identifier:
    if kind == "dns":
        name = value.lower()
        if name.startswith("*."):
            raise Problem("rejectedIdentifier", "wildcard names need dns-01, not offered here")
        if not is_hostname(name):
            raise Problem("rejectedIdentifier", f"{value!r} is not a valid DNS name")
        if _reads_as_address(name):
            raise Problem("rejectedIdentifier", f"{value!r} is an address: use an ip identifier")
        return "dns", name
    if kind == "ip":
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            raise Problem("rejectedIdentifier", f"{value!r} is not an IP address") from None
        if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
            # `fe80::1%eth0`: an interface of the validating host, not a network address.
            raise Problem("rejectedIdentifier", f"{value!r} has a zone index")
        return "ip", str(address)
    raise Problem("unsupportedIdentifier", "only dns and ip identifiers are supported")


def _reads_as_address(name: str) -> bool:
    """Whether a resolver takes the name for an IPv4 address (inet_aton's forms: dotted, with
    fewer parts, decimal, octal, hex), or it ends in an all-digit label, which no top-level
    domain is."""
    try:
        socket.inet_aton(name)
    except OSError:
        return name.rsplit(".", 1)[-1].isdigit()
    return True


def _public(item: dict[str, str]) -> bool:
    if item["type"] == "ip":
        return ipaddress.ip_address(item["value"]).is_global
    labels = item["value"].split(".")
    return labels[-1] not in LOCAL_NAMES


def requested(identifiers: list[dict[str, str]]) -> Requested:
    names = Requested()
    for item in identifiers:
        if item["type"] == "dns":
            names.dns.append(item["value"])
        else:
            names.ips.append(ipaddress.ip_address(item["value"]))
    return names


def check_allowed(role: Role | None, identifiers: list[dict[str, str]]) -> None:
    """Refuse identifiers the directory's role (or sign-verbatim) would not issue for."""
    if role is None:
        for item in identifiers:
            if not _public(item):
                raise Problem(
                    "rejectedIdentifier", f"{item['value']} is local: use a role that allows it"
                )
        return
    try:
        check_names(role, "", requested(identifiers), "", "ACME order")
    except InvalidParameter as refused:
        raise Problem("rejectedIdentifier", refused.message) from None


def names_of(named: x509.CertificateSigningRequest | x509.Certificate) -> set[Identifier] | None:
    """The names a CSR asks for, or a certificate is for: its DNS and IP SANs and its common
    name. None when it names anything else (an email, a URI), which ACME cannot prove, or its
    extensions are malformed."""
    found: set[Identifier] = set()
    try:
        sans = named.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        sans = x509.SubjectAlternativeName([])
    except ValueError:
        return None
    for name in sans:
        if isinstance(name, x509.DNSName):
            found.add(("dns", name.value.lower()))
        elif isinstance(name, x509.IPAddress) and not isinstance(
            name.value, ipaddress.IPv4Network | ipaddress.IPv6Network
        ):
            found.add(("ip", str(name.value)))
        else:
            return None
    for attribute in named.subject.get_attributes_for_oid(NameOID.COMMON_NAME):
        text = attribute.value if isinstance(attribute.value, str) else attribute.value.decode()
        found.add(_common_name(text))
    return found


def csr_identifiers(csr: x509.CertificateSigningRequest) -> set[Identifier]:
    found = names_of(csr)
    if found is None:
        raise Problem("badCSR", "the CSR may only ask for DNS names and IP addresses")
    return found


def _common_name(text: str) -> Identifier:
    try:
        return "ip", str(ipaddress.ip_address(text))
    except ValueError:
        # Only ASCII is lower-cased: `str.lower` maps some other letters to ASCII ones (the
        # Kelvin sign to `k`), which would let a different name pass for an identifier.
        return "dns", text.lower() if text.isascii() else text


def common_name_identifier(text: str) -> str:
    """A CSR's common name as the identifier it matched (canonical address, lower case)."""
    return _common_name(text)[1]


def check_csr_matches(
    csr: x509.CertificateSigningRequest, identifiers: list[dict[str, str]]
) -> None:
    wanted = {(item["type"], item["value"]) for item in identifiers}
    if csr_identifiers(csr) != wanted:
        raise Problem("badCSR", "the CSR's names must be exactly the order's identifiers")

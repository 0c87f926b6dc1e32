"""Which names a role may put in a certificate: Vault's `validateNames`, made strict.

A name is a DNS name or an email address (`local@domain`; the domain is what is checked). The
rules, in Vault's order:

1. A wildcard (`*` anywhere) needs `allow_wildcard_certificates`, and only the whole leftmost
   label may be `*` (`*.example.com`): partial labels (`*foo.example.com`), wildcards deeper
   down (`foo.*.example.com`) and wildcard emails are refused. (Vault also accepts RFC 6125
   partial labels; we do not, so a wildcard never covers more than one plain label.)
2. `enforce_hostnames`: the domain is ASCII letters, digits and inner hyphens, labels of at
   most 63 characters, 253 in all. Whatever the flag, a DNS name is ASCII with no empty
   label (so no trailing dot) and no upper case: an IDN goes in its `xn--` form.
3. `allow_any_name` then allows everything that passed 1 and 2.
4. `allow_localhost`: `localhost`, `localdomain` (and subdomains with `allow_subdomains`).
5. `allowed_domains`, each one: the bare domain (`allow_bare_domains`), a subdomain
   (`allow_subdomains`; `*.<domain>` counts as one), or a glob (`allow_glob_domains`, `*` any
   run of characters, as go-glob matches).

Matching is case-sensitive, as in Vault. A name failing every rule is refused, and the error
names it (names are public: they go in the certificate).

The common name passes these rules too, and then the role's `cn_validations`
(`check_common_name_kind`); with `disabled` it is not checked itself, but whatever Vault copies
from it into the SANs (`dns_shaped`, or any name with `@`) is checked there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

_LABEL = r"(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])"
HOSTNAME = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}", re.ASCII | re.IGNORECASE)
_LOCAL_PART = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+", re.ASCII)
LOCAL_NAMES = ("localhost", "localdomain")
MAX_NAME = 253
MAX_LABEL = 63


class NameRefused(ValueError):
    """A name the role does not allow; `str()` is the public reason."""


@dataclass(frozen=True, slots=True)
class NameRules:
    allowed_domains: tuple[str, ...] = ()
    allow_bare_domains: bool = False
    allow_subdomains: bool = False
    allow_glob_domains: bool = False
    allow_wildcard_certificates: bool = True
    allow_localhost: bool = True
    allow_any_name: bool = False
    enforce_hostnames: bool = True


def glob_match(pattern: str, name: str) -> bool:
    """go-glob: `*` matches any run of characters (dots included); nothing else is special."""
    if "*" not in pattern:
        return pattern == name
    parts = pattern.split("*")
    first, last = parts[0], parts[-1]
    if not name.startswith(first) or not name.endswith(last):
        return False
    if len(first) + len(last) > len(name):
        return False
    position = len(first)
    end = len(name) - len(last)
    for middle in parts[1:-1]:
        found = name.find(middle, position, end)
        if found < 0:
            return False
        position = found + len(middle)
    return True


def is_hostname(name: str) -> bool:
    if not name or len(name) > MAX_NAME or not HOSTNAME.fullmatch(name):
        return False
    return all(len(label) <= MAX_LABEL for label in name.split("."))


def dns_shaped(name: str) -> bool:
    """Whether Vault takes a common name for a DNS name (and copies it into the SANs): after
    its IDNA step (each non-ASCII label becomes `xn--` + punycode) it is a hostname, in any
    case, perhaps with a leading `*.` and a trailing dot. Broader than `is_hostname` on
    purpose: a copied name that is not canonical is then refused by `check_name`."""
    labels = [
        label if label.isascii() else "xn--" + label.encode("punycode").decode()
        for label in name.removesuffix(".").split(".")
    ]
    return HOSTNAME.fullmatch(".".join(labels).removeprefix("*.")) is not None


def check_common_name_kind(cn_validations: Iterable[str], name: str) -> None:
    """`cn_validations` (as Vault): a common name with `@` must be allowed as an `email`,
    any other as a `hostname`. The name rules themselves are `check_name`'s."""
    kind, what = ("email", "an email address") if "@" in name else ("hostname", "a hostname")
    if kind not in cn_validations:
        raise NameRefused(f"cn_validations does not allow {what} as the common name")


def _split(name: str) -> tuple[str, str, bool, bool]:
    """(local part, domain, is an email, is a wildcard) of a name; refuses malformed ones."""
    local, domain, is_email = "", name, False
    if "@" in name:
        local, _, domain = name.partition("@")
        is_email = True
        if "@" in domain or not _LOCAL_PART.fullmatch(local):
            raise NameRefused(f"invalid email address {name}")
    if not domain.isascii() or not domain.isprintable():
        raise NameRefused(f"{name} is not ASCII: use the punycode (xn--) form of the name")
    if domain != domain.lower():
        raise NameRefused(f"{name} has upper-case letters")
    if domain == "" or "" in domain.split("."):
        raise NameRefused(f"{name} has an empty label")
    wildcard = "*" in domain
    if wildcard and is_email:
        raise NameRefused(f"a wildcard is not allowed in an email address ({name})")
    if wildcard and (not domain.startswith("*.") or "*" in domain[2:]):
        raise NameRefused(f"{name}: only a whole leftmost label may be a wildcard")
    return local, domain, is_email, wildcard


def check_name(rules: NameRules, name: str, allowed_domains: Iterable[str] | None = None) -> None:
    """Raise `NameRefused` unless `rules` allow `name`. `allowed_domains` overrides the rules'
    list (after templates were expanded)."""
    _, domain, is_email, wildcard = _split(name)
    base = domain[2:] if wildcard else domain
    if wildcard and not rules.allow_wildcard_certificates:
        raise NameRefused(f"wildcard name {name} not allowed by this role")
    if rules.enforce_hostnames and not is_hostname(base):
        raise NameRefused(f"{name} is not a valid hostname")
    if rules.allow_any_name:
        return
    if rules.allow_localhost and _is_local(rules, base, wildcard):
        return
    domains = rules.allowed_domains if allowed_domains is None else tuple(allowed_domains)
    for allowed in domains:
        if allowed and _matches(rules, allowed, name, domain, base, wildcard, is_email):
            return
    raise NameRefused(f"{name} not allowed by this role")


def _is_local(rules: NameRules, base: str, wildcard: bool) -> bool:
    if base in LOCAL_NAMES and not wildcard:
        return True
    if not rules.allow_subdomains:
        return False
    return base in LOCAL_NAMES or any(base.endswith("." + local) for local in LOCAL_NAMES)


def _matches(
    rules: NameRules,
    allowed: str,
    name: str,
    domain: str,
    base: str,
    wildcard: bool,
    is_email: bool,
) -> bool:
    if rules.allow_bare_domains and not wildcard and domain == allowed:
        return True
    if rules.allow_subdomains and (base.endswith("." + allowed) or (wildcard and base == allowed)):
        return True
    return rules.allow_glob_domains and "*" in allowed and glob_match(allowed, domain)


def check_uri(patterns: Iterable[str], uri: str) -> None:
    """A URI SAN must match one of the role's `allowed_uri_sans` globs."""
    if not any(glob_match(pattern, uri) for pattern in patterns):
        raise NameRefused(f"URI Subject Alternative Name {uri} not allowed by this role")


def check_other_san(allowed: Iterable[str], oid: str, value: str) -> None:
    """An other SAN `oid;UTF8:value` must match an `allowed_other_sans` entry (`*` allows all;
    an entry is `oid;UTF8:glob`, and its oid may be `*`)."""
    for entry in allowed:
        if entry == "*":
            return
        entry_oid, _, rest = entry.partition(";")
        kind, _, pattern = rest.partition(":")
        if kind.upper() not in ("UTF8", "UTF-8"):
            continue
        if entry_oid in ("*", oid) and glob_match(pattern, value):
            return
    raise NameRefused(f"other SAN OID {oid} not allowed by this role")


def check_ip(networks: Iterable[IPv4Network | IPv6Network], ip: IPv4Address | IPv6Address) -> None:
    """With `allowed_ip_sans_cidr` set, an IP SAN must fall in one of its networks. As Go's
    `IPNet.Contains`, an IPv4-mapped IPv6 address counts as its IPv4 address."""
    mapped = ip.ipv4_mapped if isinstance(ip, IPv6Address) else None
    for network in networks:
        if ip in network or (mapped is not None and mapped in network):
            return
    raise NameRefused(f'the IP address "{ip}" is not allowed in this role')


def check_serial_number(patterns: Iterable[str], serial_number: str) -> None:
    """A subject serialNumber must match one of the role's `allowed_serial_numbers` globs
    (empty entries match nothing); with none, no serialNumber is allowed (as in Vault)."""
    if not any(pattern and glob_match(pattern, serial_number) for pattern in patterns):
        raise NameRefused(f"serial_number {serial_number} not allowed by this role")

"""A role: the record, its fields as the API declares them, and what it allows.

Every field of `Role` is a role parameter of the same name; its default is Vault's. Lists keep
the order they were given in.

`cn_validations` says what the common name may be: `email` (it has `@`), `hostname` (it has
not), both (the default, also for roles stored before the field existed), or `disabled` alone.
Unless it is `disabled`, the common name must also pass the role's name rules exactly as a SAN
would (`allowed_domains`, `allow_any_name`, `enforce_hostnames`, …; an email's domain is what
is matched), whether it comes from `common_name` or, with `use_csr_common_name`, from the CSR.
`disabled` follows OpenBao: the common name itself is not checked at all, not even against
`allowed_domains`, but when it is copied into the SANs (it has `@` or looks like a DNS name,
and `exclude_cn_from_sans` is false) those SANs are checked as any other. So with
`exclude_cn_from_sans` a `disabled` role puts any common name in the subject.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, fields
from typing import Any

from strongroom.engines.pki.extensions import check_ext_key_usage, check_key_usage, check_oids
from strongroom.engines.pki.keys import DEFAULT_BITS, RSA_BITS
from strongroom.engines.pki.names import NameRules
from strongroom.engines.pki.records import FORMAT_VERSION, Record
from strongroom.errors import InvalidParameter
from strongroom.framework import Field, FieldType

DEFAULT_KEY_USAGE = ["DigitalSignature", "KeyAgreement", "KeyEncipherment"]
DEFAULT_CN_VALIDATIONS = ["email", "hostname"]
CN_DISABLED = "disabled"
SUBJECT_FIELDS = (
    "ou",
    "organization",
    "country",
    "locality",
    "province",
    "street_address",
    "postal_code",
)
_HELP = {
    "ttl": "default lifetime of issued certificates (0: the maximum)",
    "max_ttl": "longest lifetime of issued certificates (0: 32 days)",
    "allowed_domains": "domains this role issues names in",
    "allowed_domains_template": "expand {{identity.entity.id}} in allowed_domains",
    "allow_bare_domains": "allow the allowed domains themselves",
    "allow_subdomains": "allow names below the allowed domains",
    "allow_glob_domains": "treat * in allowed domains as a glob",
    "allow_wildcard_certificates": "allow *.<allowed name>",
    "allow_localhost": "allow localhost and localdomain",
    "allow_any_name": "allow any name (still subject to enforce_hostnames)",
    "enforce_hostnames": "names must be valid hostnames",
    "allow_ip_sans": "allow IP subject alternative names",
    "allowed_uri_sans": "URI SAN globs this role allows",
    "allowed_other_sans": "other SANs (oid;UTF8:glob, or *) this role allows",
    "key_usage": "key usages (DigitalSignature, KeyEncipherment, …)",
    "ext_key_usage": "extended key usages (ServerAuth, ClientAuth, …)",
    "ext_key_usage_oids": "extended key usage OIDs",
    "key_type": "key type of issued or signed keys: rsa, ec, ed25519 or any",
    "key_bits": "key size (0: the type's default)",
    "not_before_duration": "backdate notBefore by this much",
    "policy_identifiers": "certificate policy OIDs",
    "allowed_ip_sans_cidr": "CIDRs IP SANs must fall in (empty: any IP, if allow_ip_sans)",
    "allowed_serial_numbers": "globs the subject serialNumber must match (empty: none allowed)",
    "cn_validations": "what the common name may be: email and/or hostname, or disabled",
}
_RULE_FIELDS = tuple(f.name for f in fields(NameRules) if f.name != "allowed_domains")


@dataclass(frozen=True, slots=True)
class Role(Record):
    what = "PKI role"
    name: str
    ttl: int = 0
    max_ttl: int = 0
    allowed_domains: list[str] = field(default_factory=list)
    allowed_domains_template: bool = False
    allow_bare_domains: bool = False
    allow_subdomains: bool = False
    allow_glob_domains: bool = False
    allow_wildcard_certificates: bool = True
    allow_localhost: bool = True
    allow_any_name: bool = False
    enforce_hostnames: bool = True
    allow_ip_sans: bool = True
    allowed_uri_sans: list[str] = field(default_factory=list)
    allowed_other_sans: list[str] = field(default_factory=list)
    server_flag: bool = True
    client_flag: bool = True
    code_signing_flag: bool = False
    email_protection_flag: bool = False
    key_type: str = "rsa"
    key_bits: int = 2048
    signature_bits: int = 0
    key_usage: list[str] = field(default_factory=lambda: list(DEFAULT_KEY_USAGE))
    ext_key_usage: list[str] = field(default_factory=list)
    ext_key_usage_oids: list[str] = field(default_factory=list)
    use_csr_common_name: bool = True
    use_csr_sans: bool = True
    ou: list[str] = field(default_factory=list)
    organization: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    locality: list[str] = field(default_factory=list)
    province: list[str] = field(default_factory=list)
    street_address: list[str] = field(default_factory=list)
    postal_code: list[str] = field(default_factory=list)
    generate_lease: bool = False
    no_store: bool = False
    require_cn: bool = True
    policy_identifiers: list[str] = field(default_factory=list)
    basic_constraints_valid_for_non_ca: bool = False
    not_before_duration: int = 30
    issuer_ref: str = "default"
    allowed_ip_sans_cidr: list[str] = field(default_factory=list)
    allowed_serial_numbers: list[str] = field(default_factory=list)
    format: int = FORMAT_VERSION
    cn_validations: list[str] = field(default_factory=lambda: list(DEFAULT_CN_VALIDATIONS))

    @property
    def common_name_checked(self) -> bool:
        """False with `cn_validations` `disabled`: the common name itself is not checked."""
        return CN_DISABLED not in self.cn_validations

    def name_rules(self) -> NameRules:
        """The role's switches for `names.check_name` (same names, same meaning)."""
        rules = {name: getattr(self, name) for name in _RULE_FIELDS}
        return NameRules(**{**rules, "allowed_domains": tuple(self.allowed_domains)})

    def allowed_domains_for(self, entity_id: str) -> list[str]:
        """`allowed_domains` with templates expanded; a template that cannot be expanded for
        this caller (no entity, or an unsupported template) allows nothing."""
        if not self.allowed_domains_template:
            return self.allowed_domains
        expanded = []
        for domain in self.allowed_domains:
            if "{{" not in domain:
                expanded.append(domain)
            elif entity_id and "{{identity.entity.id}}" in domain:
                candidate = domain.replace("{{identity.entity.id}}", entity_id)
                if "{{" not in candidate:
                    expanded.append(candidate)
        return expanded

    def view(self) -> dict[str, Any]:
        """The role as `GET roles/:name` returns it (lists copied: the role may be cached)."""
        document = {f.name: _copied(getattr(self, f.name)) for f in fields(self)}
        del document["name"], document["format"]
        return document


def _copied(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _field_type(default: Any) -> FieldType:
    if isinstance(default, bool):
        return FieldType.BOOL
    if isinstance(default, int):
        return FieldType.INT
    if isinstance(default, list):
        return FieldType.STRING_LIST
    return FieldType.STRING


_DURATIONS = ("ttl", "max_ttl", "not_before_duration")


def _role_fields() -> dict[str, Field]:
    defaults = Role(name="")
    declared: dict[str, Field] = {}
    for role_field in fields(Role):
        if role_field.name == "format":
            continue
        default = getattr(defaults, role_field.name)
        kind = FieldType.DURATION if role_field.name in _DURATIONS else _field_type(default)
        help_text = _HELP.get(role_field.name, role_field.name.replace("_", " "))
        declared[role_field.name] = Field(kind, help_text, default=default)
    declared["name"] = Field(FieldType.STRING, "the role's name", required=True)
    return declared


ROLE_FIELDS = _role_fields()


def role_from(name: str, values: dict[str, Any]) -> Role:
    """A checked role from parameter values (missing ones take Vault's defaults)."""
    role = Role(name=name).with_changes(**values)
    check_role(role)
    return role


def check_role(role: Role) -> None:
    if role.key_type not in (*DEFAULT_BITS, "any"):
        raise InvalidParameter("invalid key_type: expected rsa, ec, ed25519 or any")
    if role.key_type == "rsa" and role.key_bits and role.key_bits not in RSA_BITS:
        raise InvalidParameter("invalid key_bits for an RSA key: expected 2048, 3072 or 4096")
    if role.key_type == "ec" and role.key_bits not in (0, 256, 384, 521):
        raise InvalidParameter("invalid key_bits for an EC key: expected 256, 384 or 521")
    if role.max_ttl and role.ttl > role.max_ttl:
        raise InvalidParameter('"ttl" value must be less than "max_ttl" value')
    if role.not_before_duration < 0:
        raise InvalidParameter("not_before_duration cannot be negative")
    check_key_usage(role.key_usage)
    check_ext_key_usage(role.ext_key_usage)
    check_oids(role.ext_key_usage_oids, "ext_key_usage_oids")
    check_oids(role.policy_identifiers, "policy_identifiers")
    if role.issuer_ref == "":
        raise InvalidParameter("issuer_ref cannot be empty")
    parse_cidrs(role.allowed_ip_sans_cidr)
    parse_cn_validations(role.cn_validations)


def parse_cn_validations(values: list[str]) -> list[str]:
    """`cn_validations` as Vault stores it: lower case, each value once, `disabled` alone;
    none means the default."""
    if not values:
        return list(DEFAULT_CN_VALIDATIONS)
    chosen = [value.lower() for value in values]
    if any(value not in (*DEFAULT_CN_VALIDATIONS, CN_DISABLED) for value in chosen):
        raise InvalidParameter(
            "cn_validations value incorrect: expected email and/or hostname, or disabled"
        )
    if len(set(chosen)) != len(chosen):
        raise InvalidParameter("cn_validations value incorrect: a value is given twice")
    if CN_DISABLED in chosen and len(chosen) > 1:
        raise InvalidParameter(
            "cn_validations value incorrect: cannot specify disabled along with email or hostname"
        )
    return chosen


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_cidrs(texts: list[str]) -> list[IPNetwork]:
    """`allowed_ip_sans_cidr` as networks. As Go's `ParseCIDR`: a prefix length is required,
    and host bits are dropped (`10.1.2.3/8` is `10.0.0.0/8`)."""
    networks = []
    for text in texts:
        try:
            if "/" not in text:
                raise ValueError
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise InvalidParameter(
                f"error parsing allowed_ip_sans_cidr: invalid CIDR address: {text}"
            ) from None
    return networks


def normalized(role: Role) -> Role:
    """Fill in the key size the key type implies (Vault stores the effective size), and keep
    CIDRs and `cn_validations` in their canonical forms (as Vault stores them)."""
    cidrs = [str(network) for network in parse_cidrs(role.allowed_ip_sans_cidr)]
    if cidrs != role.allowed_ip_sans_cidr:
        role = role.with_changes(allowed_ip_sans_cidr=cidrs)
    cn_validations = parse_cn_validations(role.cn_validations)
    if cn_validations != role.cn_validations:
        role = role.with_changes(cn_validations=cn_validations)
    if role.key_type == "ed25519":
        return role.with_changes(key_bits=0)
    if role.key_type in DEFAULT_BITS and not role.key_bits:
        return role.with_changes(key_bits=DEFAULT_BITS[role.key_type])
    return role

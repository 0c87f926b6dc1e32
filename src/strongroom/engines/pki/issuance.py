"""From a role, a request and perhaps a CSR to a checked certificate template.

Nothing reaches the template unchecked: the subject is built here (the CSR contributes only
its common name, and only with `use_csr_common_name`), the common name is checked as the
role's `cn_validations` say (see `roles.py`), every DNS name and email is matched by
`names.check_name`, IP SANs by `allow_ip_sans` and `allowed_ip_sans_cidr`, URI and other SANs
by the role's globs, a subject serialNumber by `allowed_serial_numbers`, the CSR's key by
the role's key type and size. Other CSR extensions are never copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import NameOID

from strongroom.engines.pki.builder import Template, subject_name
from strongroom.engines.pki.encoding import from_seconds
from strongroom.engines.pki.keys import KeySpec, key_spec, spec_of
from strongroom.engines.pki.names import (
    NameRefused,
    check_common_name_kind,
    check_ip,
    check_name,
    check_other_san,
    check_serial_number,
    check_uri,
    dns_shaped,
)
from strongroom.engines.pki.records import IssuerRecord, URLsConfig
from strongroom.engines.pki.roles import SUBJECT_FIELDS, Role, parse_cidrs
from strongroom.engines.pki.sans import Requested, from_csr, from_params
from strongroom.errors import InvalidParameter
from strongroom.framework import FieldData

SYSTEM_MAX_TTL = 768 * 3600  # the mount's default max_lease_ttl
REQUIRE_CN = (
    'the common_name field is required, or must be provided in a CSR with "use_csr_common_name" '
    'set to true, unless "require_cn" is set to false'
)


@dataclass(frozen=True, slots=True)
class Validity:
    not_before: datetime
    not_after: datetime
    warnings: tuple[str, ...] = ()


def csr_common_name(csr: x509.CertificateSigningRequest) -> str:
    found = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = found[0].value if found else ""
    return value if isinstance(value, str) else value.decode()


def requested_names(
    role: Role, data: FieldData, csr: x509.CertificateSigningRequest | None
) -> tuple[str, Requested]:
    """The common name and SANs a request asks for, from the CSR where the role says so."""
    common_name = data.get("common_name") or ""
    if csr is not None and role.use_csr_common_name:
        common_name = csr_common_name(csr)
    if not common_name and role.require_cn:
        raise InvalidParameter(REQUIRE_CN)
    requested = from_csr(csr) if csr is not None and role.use_csr_sans else from_params(data)
    add_common_name(requested, common_name, data.get("exclude_cn_from_sans"))
    return common_name, requested


def add_common_name(requested: Requested, common_name: str, exclude: bool) -> None:
    """Vault copies the CN into the SANs (unless excluded) when it is an email or looks like
    a DNS name; there it is checked as any SAN, even when `cn_validations` is `disabled`."""
    if not common_name or exclude:
        return
    if "@" in common_name:
        requested.emails.insert(0, common_name)
    elif dns_shaped(common_name):
        requested.dns.insert(0, common_name)


def check_names(
    role: Role, common_name: str, requested: Requested, entity_id: str, source: str
) -> None:
    """Refuse (400) anything the role does not allow; `source` says where the name came from."""
    rules = role.name_rules()
    domains = role.allowed_domains_for(entity_id)
    try:
        if common_name and role.common_name_checked:
            _check_common_name(role, common_name, domains)
        for name in (*requested.dns, *requested.emails):
            check_name(rules, name, domains)
        if requested.uris and not role.allowed_uri_sans:
            raise NameRefused(
                "URI Subject Alternative Names are not allowed in this role, "
                f"but were provided via the {source}"
            )
        for uri in requested.uris:
            check_uri(role.allowed_uri_sans, uri)
        for oid, value in requested.other:
            check_other_san(role.allowed_other_sans, oid, value)
    except NameRefused as refused:
        raise InvalidParameter(str(refused)) from None
    if requested.ips and not role.allow_ip_sans:
        raise InvalidParameter(
            "IP Subject Alternative Names are not allowed in this role, "
            f"but was provided via the {source}"
        )
    if role.allowed_ip_sans_cidr:
        networks = parse_cidrs(role.allowed_ip_sans_cidr)
        for ip in requested.ips:
            try:
                check_ip(networks, ip)
            except NameRefused as refused:
                raise InvalidParameter(str(refused)) from None


def requested_serial_number(
    role: Role, data: FieldData, csr: x509.CertificateSigningRequest | None
) -> str:
    """The subject serialNumber: the request's `serial_number`, else the CSR's (as Vault,
    whatever `use_csr_common_name` says); refused unless `allowed_serial_numbers` allows it."""
    serial_number: str = data.get("serial_number") or ""
    if not serial_number and csr is not None:
        found = csr.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
        value = found[0].value if found else ""
        serial_number = value if isinstance(value, str) else value.decode()
    if serial_number:
        try:
            check_serial_number(role.allowed_serial_numbers, serial_number)
        except NameRefused as refused:
            raise InvalidParameter(str(refused)) from None
    return serial_number


def _check_common_name(role: Role, common_name: str, domains: list[str]) -> None:
    try:
        check_name(role.name_rules(), common_name, domains)
        check_common_name_kind(role.cn_validations, common_name)
    except NameRefused as refused:
        raise NameRefused(
            f"common name {common_name} not allowed by this role ({refused})"
        ) from None


def check_csr_key(role: Role, public_key: CertificatePublicKeyTypes) -> None:
    """A signed key must be of the role's type (unless `any`) and at least its size."""
    spec = spec_of(public_key)
    if spec.type == "rsa" and spec.bits < 2048:
        raise InvalidParameter("RSA keys smaller than 2048 bits are not allowed")
    if role.key_type == "any":
        return
    if spec.type != role.key_type:
        raise InvalidParameter(f"role requires keys of type {role.key_type}")
    if spec.bits < role.key_bits:
        raise InvalidParameter(f"role requires a minimum of a {role.key_bits}-bit key")


def role_key_spec(role: Role, data: FieldData) -> KeySpec:
    """The key `issue` generates: the role's type, or the request's when the role says `any`."""
    if role.key_type == "any":
        wanted = data.get("key_type") or ""
        if not wanted:
            raise InvalidParameter(
                'role key type "any" not allowed for issuing certificates without providing '
                "key_type and/or key_bits request parameters"
            )
        return key_spec(wanted, data.get("key_bits"))
    return key_spec(role.key_type, role.key_bits)


def validity(
    now: float,
    requested_ttl: int,
    not_after: str,
    role_ttl: int,
    max_ttl: int,
    not_before_duration: int,
    issuer: IssuerRecord | None,
    issuer_not_after: datetime | None,
) -> Validity:
    """notBefore and notAfter: the request's TTL (or not_after), else the role's, capped by
    `max_ttl`, and checked against the issuer's own expiry per `leaf_not_after_behavior`."""
    warnings: list[str] = []
    cap = max_ttl or SYSTEM_MAX_TTL
    start = from_seconds(int(now))  # certificates keep whole seconds
    if not_after:
        end = _parse_time(not_after)
    else:
        ttl = requested_ttl or role_ttl or cap
        if ttl > cap:
            warnings.append(
                f"TTL {ttl}s is longer than permitted maxTTL {cap}s, so maxTTL is being used"
            )
            ttl = cap
        end = start + timedelta(seconds=ttl)
    if end <= start:
        raise InvalidParameter("the certificate would expire before it starts")
    if issuer is not None and issuer_not_after is not None and end > issuer_not_after:
        behavior = issuer.leaf_not_after_behavior
        if behavior == "err":
            raise InvalidParameter(
                "cannot satisfy request, as TTL would result in notAfter "
                f"{end.isoformat()} that is beyond the expiration of the CA certificate at "
                f"{issuer_not_after.isoformat()}"
            )
        if behavior == "truncate":
            end = issuer_not_after
    return Validity(start - timedelta(seconds=not_before_duration), end, tuple(warnings))


def _parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidParameter("invalid not_after: expected an RFC 3339 time") from None
    if moment.tzinfo is None:
        raise InvalidParameter("invalid not_after: the time needs a zone (Z or an offset)")
    return moment


def leaf_template(
    role: Role,
    common_name: str,
    requested: Requested,
    public_key: CertificatePublicKeyTypes,
    serial: int,
    window: Validity,
    urls: URLsConfig,
    serial_number: str = "",
) -> Template:
    fields = {name: getattr(role, name) for name in SUBJECT_FIELDS}
    subject = subject_name(common_name, fields, serial_number)
    return Template(
        subject=subject,
        public_key=public_key,
        serial=serial,
        not_before=window.not_before,
        not_after=window.not_after,
        names=requested.names(),
        key_usage=tuple(role.key_usage),
        ext_key_usage=tuple(role.ext_key_usage),
        ext_key_usage_oids=tuple(role.ext_key_usage_oids),
        flags={
            "server_flag": role.server_flag,
            "client_flag": role.client_flag,
            "code_signing_flag": role.code_signing_flag,
            "email_protection_flag": role.email_protection_flag,
        },
        policy_identifiers=tuple(role.policy_identifiers),
        basic_constraints_for_non_ca=role.basic_constraints_valid_for_non_ca,
        issuing_certificates=tuple(urls.issuing_certificates),
        crl_distribution_points=tuple(urls.crl_distribution_points),
        ocsp_servers=tuple(urls.ocsp_servers),
    )


def effective_urls(issuer: IssuerRecord, mount: URLsConfig) -> URLsConfig:
    """An issuer's own AIA URLs, where it has any, else the mount's `config/urls`."""
    if issuer.issuing_certificates or issuer.crl_distribution_points or issuer.ocsp_servers:
        return URLsConfig(
            issuing_certificates=issuer.issuing_certificates,
            crl_distribution_points=issuer.crl_distribution_points,
            ocsp_servers=issuer.ocsp_servers,
        )
    return mount

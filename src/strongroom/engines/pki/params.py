"""Path patterns and the fields several PKI paths share."""

from __future__ import annotations

from strongroom.engines.pki.roles import SUBJECT_FIELDS
from strongroom.framework import Field, FieldType

# Vault's framework.GenericNameRegex: word characters, with `-`, `.` and `@` inside.
NAME = r"\w(?:[\w\-.@]*\w)?"
REF = r"[^/]+"


def named(group: str = "name") -> str:
    return f"(?P<{group}>{NAME})"


def ref(group: str = "issuer_ref") -> str:
    return f"(?P<{group}>{REF})"


SAN_FIELDS = {
    "common_name": Field(FieldType.STRING, "the subject's common name", default=""),
    "alt_names": Field(FieldType.STRING_LIST, "DNS names and emails", default=[]),
    "ip_sans": Field(FieldType.STRING_LIST, "IP subject alternative names", default=[]),
    "uri_sans": Field(FieldType.STRING_LIST, "URI subject alternative names", default=[]),
    "other_sans": Field(FieldType.STRING_LIST, "other SANs: <oid>;UTF8:<value>", default=[]),
    "exclude_cn_from_sans": Field(FieldType.BOOL, "keep the CN out of the SANs", default=False),
}
OUTPUT_FIELDS = {
    "format": Field(FieldType.STRING, "pem, der or pem_bundle", default="pem"),
    "private_key_format": Field(FieldType.STRING, "der (traditional) or pkcs8", default="der"),
}
VALIDITY_FIELDS = {
    "ttl": Field(FieldType.DURATION, "lifetime of the certificate", default=0),
    "not_after": Field(FieldType.STRING, "expiry as an RFC 3339 time", default=""),
}
KEY_FIELDS = {
    "key_type": Field(FieldType.STRING, "rsa, ec or ed25519", default="rsa"),
    "key_bits": Field(FieldType.INT, "key size (0: the type's default)", default=0),
    "key_name": Field(FieldType.STRING, "a name for the new key", default=""),
    "key_ref": Field(FieldType.STRING, "an existing key (type existing)", default=""),
}
SUBJECT = {
    name: Field(FieldType.STRING_LIST, name.replace("_", " "), default=[])
    for name in SUBJECT_FIELDS
}
CA_FIELDS = {
    **SAN_FIELDS,
    **OUTPUT_FIELDS,
    **VALIDITY_FIELDS,
    **SUBJECT,
    "serial_number": Field(FieldType.STRING, "the subject's serialNumber", default=""),
    "max_path_length": Field(FieldType.INT, "CA path length (-1: unlimited)", default=-1),
    "permitted_dns_domains": Field(FieldType.STRING_LIST, "name constraints", default=[]),
    "not_before_duration": Field(FieldType.DURATION, "backdate notBefore", default=30),
    "issuer_name": Field(FieldType.STRING, "a name for the new issuer", default=""),
}
ISSUER_REF = {"issuer_ref": Field(FieldType.STRING, "an issuer id or name, or default")}

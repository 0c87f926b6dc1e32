"""The persisted records of the PKI engine. Fields are only ever appended; `format` marks the
layout.

    key/<id>            KeyRecord: a private key (PKCS#8 PEM) with its id and optional name
    issuer/<id>         IssuerRecord: a CA certificate, its key id, chain (built, or the
                        operator's manual_chain) and settings
    config/issuers      IssuersConfig: the default issuer
    config/crl          CRLConfig
    config/urls         URLsConfig: AIA URLs embedded in issued certificates
    role/<name>         Role: the rules a role issues by
    certs/<serial>      CertRecord: an issued certificate and its revocation state
    revoked/<serial>    an empty marker, so revoked serials list without reading every cert
    crl/<issuer id>     CRLRecord: the issuer's last complete CRL and its number
    delta-crl/<id>      CRLRecord: the issuer's last delta CRL (complete and delta CRLs of an
                        issuer share one sequence of numbers, RFC 5280 5.2.3)
    config/auto-tidy    AutoTidyConfig: the tidy `periodic()` runs, and how often
    config/cluster      ClusterConfig: this mount's absolute URL (ACME builds its URLs on it)
    config/acme, acme/… the ACME server's records: see `acme/records.py`

Serials in keys are lower-case hex pairs joined by `-` (Vault's storage form). Times are
integer seconds since the Unix epoch, except revocation times (nanoseconds, as Vault reports
them in RFC 3339).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Self

import orjson

from strongroom.logical.records import known_fields, load_record

FORMAT_VERSION = 1
ACME_ACCOUNT_SAFETY_BUFFER = 30 * 24 * 3600


class Record:
    """JSON (de)serialisation of a flat dataclass record."""

    __slots__ = ()
    what = "PKI"

    def serialize(self) -> bytes:
        # orjson writes a dataclass as `asdict` would (fields in order), without the copy.
        return orjson.dumps(self)

    @classmethod
    def deserialize(cls, raw: bytes) -> Self:
        document = load_record(raw, cls.what, FORMAT_VERSION)
        return cls(**known_fields(cls, document))

    def with_changes(self, **changes: Any) -> Self:
        return replace(self, **changes)  # type: ignore[type-var]


@dataclass(frozen=True, slots=True)
class KeyRecord(Record):
    what = "PKI key"
    id: str
    private_key: str  # PKCS#8 PEM
    type: str  # rsa, ec, ed25519
    bits: int
    name: str = ""
    format: int = FORMAT_VERSION


@dataclass(frozen=True, slots=True)
class IssuerRecord(Record):
    what = "PKI issuer"
    id: str
    certificate: str  # PEM
    serial: str  # colon form
    key_id: str = ""  # empty: no key in this mount (a parent imported for its chain)
    name: str = ""
    chain: list[str] = field(default_factory=list)  # PEM: this certificate, then its parents
    leaf_not_after_behavior: str = "err"
    usage: str = "crl-signing,issuing-certificates,ocsp-signing,read-only"
    issuing_certificates: list[str] = field(default_factory=list)
    crl_distribution_points: list[str] = field(default_factory=list)
    ocsp_servers: list[str] = field(default_factory=list)
    revoked: bool = False
    revocation_time: int = 0
    created: int = 0  # seconds; orders issuers for default_follows_latest_issuer
    format: int = FORMAT_VERSION
    manual_chain: list[str] = field(default_factory=list)  # issuer ids, itself first; [] = built


@dataclass(frozen=True, slots=True)
class IssuersConfig(Record):
    what = "PKI issuers configuration"
    default: str = ""
    default_follows_latest_issuer: bool = False
    format: int = FORMAT_VERSION


@dataclass(frozen=True, slots=True)
class CRLConfig(Record):
    what = "PKI CRL configuration"
    expiry: int = 72 * 3600
    disable: bool = False
    auto_rebuild: bool = False
    auto_rebuild_grace_period: int = 12 * 3600
    ocsp_disable: bool = False
    ocsp_expiry: int = 12 * 3600
    enable_delta: bool = False
    delta_rebuild_interval: int = 15 * 60
    format: int = FORMAT_VERSION


@dataclass(frozen=True, slots=True)
class URLsConfig(Record):
    what = "PKI URLs configuration"
    issuing_certificates: list[str] = field(default_factory=list)
    crl_distribution_points: list[str] = field(default_factory=list)
    ocsp_servers: list[str] = field(default_factory=list)
    format: int = FORMAT_VERSION


@dataclass(frozen=True, slots=True)
class CertRecord(Record):
    what = "PKI certificate"
    serial: str  # colon form
    certificate: str  # PEM
    issuer_id: str = ""
    not_after: int = 0
    revocation_time_ns: int = 0  # 0: not revoked
    format: int = FORMAT_VERSION

    @property
    def revoked(self) -> bool:
        return self.revocation_time_ns > 0


@dataclass(frozen=True, slots=True)
class CRLRecord(Record):
    what = "PKI CRL"
    der: str  # base64
    number: int
    this_update: int
    format: int = FORMAT_VERSION
    next_update: int = 0  # 0 in records written before it was kept: rebuilt when next due


@dataclass(frozen=True, slots=True)
class TidyStatus(Record):
    what = "PKI tidy status"
    state: str = "Inactive"
    time_started: str = ""
    time_finished: str = ""
    tidy_cert_store: bool = False
    tidy_revoked_certs: bool = False
    safety_buffer: int = 72 * 3600
    cert_store_deleted_count: int = 0
    revoked_cert_deleted_count: int = 0
    format: int = FORMAT_VERSION
    last_auto_tidy_finished: int = 0  # seconds; 0: auto-tidy never ran
    tidy_acme: bool = False
    acme_account_safety_buffer: int = ACME_ACCOUNT_SAFETY_BUFFER
    total_acme_account_count: int = 0
    acme_account_deleted_count: int = 0
    acme_account_revoked_count: int = 0
    acme_orders_deleted_count: int = 0


@dataclass(frozen=True, slots=True)
class AutoTidyConfig(Record):
    what = "PKI auto-tidy configuration"
    enabled: bool = False
    interval_duration: int = 12 * 3600
    tidy_cert_store: bool = False
    tidy_revoked_certs: bool = False
    safety_buffer: int = 72 * 3600
    format: int = FORMAT_VERSION
    tidy_acme: bool = False
    acme_account_safety_buffer: int = ACME_ACCOUNT_SAFETY_BUFFER


@dataclass(frozen=True, slots=True)
class ClusterConfig(Record):
    what = "PKI cluster configuration"
    path: str = ""  # e.g. https://bao.example.com:8200/v1/pki
    aia_path: str = ""
    format: int = FORMAT_VERSION

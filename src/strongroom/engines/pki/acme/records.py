"""The ACME server's persisted records (versioned like every PKI record; fields only appended).

    config/acme                     ACMEConfig: on/off, which issuers and roles, EAB policy
    acme/accounts/<id>              Account: its public JWK, status, contacts, directory
    acme/account-keys/<thumbprint>  the id of the account that key belongs to (RFC 7638)
    acme/account-orders/<id>/<oid>  an empty marker: the account's orders, listed without scans
    acme/account-open-orders/<id>/<oid>  an empty marker while the order is open (maybe since
                                    expired): counted at new-order without reading closed ones
    acme/orders/<id>                Order: identifiers, its authorizations, status, certificate
    acme/authorizations/<id>        Authorization: one identifier and its challenges
    acme/eab/<id>                   EABKey: an external account binding's HMAC key, until used

Times are integer seconds since the Unix epoch. Nonces are not stored: see `nonces.py`.
Accounts made before the open-orders index have `open_orders_indexed` false: their open
orders are indexed at their next new-order (`store.py`). Tidy (`tidy.py`) deletes what has
served its purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strongroom.engines.pki.records import FORMAT_VERSION, Record

DEFAULT_POLICY = "sign-verbatim"
FORBID = "forbid"
ROLE_POLICY_PREFIX = "role:"
EAB_POLICIES = ("not-required", "new-account-required", "always-required")
OPEN_ORDER_STATUSES = ("pending", "ready", "processing")


@dataclass(frozen=True, slots=True)
class ACMEConfig(Record):
    what = "PKI ACME configuration"
    enabled: bool = False
    allowed_issuers: list[str] = field(default_factory=lambda: ["*"])
    allowed_roles: list[str] = field(default_factory=lambda: ["*"])
    allow_role_ext_key_usage: bool = False
    default_directory_policy: str = DEFAULT_POLICY
    eab_policy: str = "not-required"
    dns_resolver: str = ""
    eab_expiry: int = 0  # seconds an unused EAB key stays valid; 0: until used or deleted
    format: int = FORMAT_VERSION


@dataclass(frozen=True, slots=True)
class Account(Record):
    what = "ACME account"
    id: str
    jwk: dict[str, Any]  # the public key, as the client sent it
    thumbprint: str
    directory: str  # the directory prefix inside the mount, e.g. "roles/web/acme/"
    status: str = "valid"  # valid, deactivated, revoked (by tidy, once unused)
    contact: list[str] = field(default_factory=list)
    terms_agreed: bool = False
    eab_id: str = ""
    created: int = 0
    format: int = FORMAT_VERSION
    revoked_at: int = 0  # when it was deactivated or revoked (by tidy); 0: valid, or unknown
    # The latest expiry (its certificate's, or its own without one) of the account's orders
    # that tidy has deleted: the account is kept `acme_account_safety_buffer` past it.
    latest_expiry: int = 0
    open_orders_indexed: bool = False


@dataclass(frozen=True, slots=True)
class Order(Record):
    what = "ACME order"
    id: str
    account_id: str
    directory: str
    identifiers: list[dict[str, str]]  # [{"type": "dns" | "ip", "value": ...}]
    authorization_ids: list[str]
    expires: int
    status: str = "pending"  # pending, ready, processing, valid, invalid
    cert_serial: str = ""  # colon form, once issued
    error: dict[str, Any] | None = None
    created: int = 0
    format: int = FORMAT_VERSION
    not_after: int = 0  # the certificate's notAfter the order asked for; 0: the role's ttl


@dataclass(frozen=True, slots=True)
class Authorization(Record):
    what = "ACME authorization"
    id: str
    account_id: str
    order_id: str
    identifier: dict[str, str]
    expires: int
    # [{"type", "token", "status", "validated"?, "error"?}], one per challenge type offered
    challenges: list[dict[str, Any]]
    status: str = "pending"  # pending, valid, invalid, deactivated, expired
    format: int = FORMAT_VERSION


@dataclass(frozen=True, slots=True)
class EABKey(Record):
    what = "ACME external account binding"
    id: str
    key: str  # the HMAC key, base64url without padding
    directory: str
    created: int
    key_type: str = "hs"
    format: int = FORMAT_VERSION

"""The storage of a PKI mount: keys, issuers, roles, certificates, CRLs and settings.

Issuers and keys are referred to by id, by name, or (issuers) as `default`. Changes that span
records (a new issuer and the default) run under one mount-wide lock: issuer changes are rare,
and issuing only reads.

Issuing reads the same few records on every request (the role, the issuer, its key, the
default and URL settings), so the store keeps them in memory, deserialised, by storage key
(`_records`), and keeps parsed signers (certificate and private key objects) by the PEM text
they were parsed from (`signer`), so a changed record can never meet an old parse. Every
write and delete made through the store forgets the key it changed (after storage has it),
and bumps a generation that stops a read which raced the change from caching what it read;
`invalidate()` forgets everything (another node changed storage). Certificates, CRLs and tidy
state are not cached.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import TypeVar, cast

from cryptography import x509

from strongroom.clock import Clock
from strongroom.engines.pki.builder import Signer
from strongroom.engines.pki.encoding import load_cert, serial_key
from strongroom.engines.pki.keys import PrivateKey, load_private_key
from strongroom.engines.pki.records import (
    AutoTidyConfig,
    CertRecord,
    ClusterConfig,
    CRLConfig,
    CRLRecord,
    IssuerRecord,
    IssuersConfig,
    KeyRecord,
    Record,
    TidyStatus,
    URLsConfig,
)
from strongroom.engines.pki.roles import Role
from strongroom.errors import InvalidParameter
from strongroom.logical import Storage

KEY = "key/"
ISSUER = "issuer/"
ROLE = "role/"
CERTS = "certs/"
REVOKED = "revoked/"
CRL = "crl/"
DELTA_CRL = "delta-crl/"
ISSUERS_CONFIG = "config/issuers"
CRL_CONFIG = "config/crl"
URLS_CONFIG = "config/urls"
TIDY_STATUS = "tidy-status"
AUTO_TIDY_CONFIG = "config/auto-tidy"
CLUSTER_CONFIG = "config/cluster"
DEFAULT = "default"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NAME = re.compile(r"[A-Za-z0-9_-]+")
# Records kept in memory: by prefix (present ones only: names come from requests), and the
# mount-wide settings (absent ones too, as their defaults).
_CACHED_PREFIXES = (KEY, ISSUER, ROLE)
_CACHED_SETTINGS = frozenset((ISSUERS_CONFIG, CRL_CONFIG, URLS_CONFIG, CLUSTER_CONFIG))
_SIGNERS_LIMIT = 64  # parsed signers kept; more than a mount's issuers, cleared when full

R = TypeVar("R", bound=Record)


def new_id() -> str:
    return str(uuid.uuid4())


def check_name(name: str, what: str) -> None:
    """Issuer and key names: letters, digits, `-`, `_`; never `default` or an id's shape."""
    if not name:
        return
    if not _NAME.fullmatch(name) or name == DEFAULT or _UUID.fullmatch(name):
        raise InvalidParameter(
            f"invalid {what}: letters, digits, '-' and '_' only, not 'default' or an id"
        )


class PKIStore:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self.storage = storage
        self.clock = clock
        self.lock = asyncio.Lock()
        # Held while a CRL is built: complete and delta CRLs take numbers from one sequence.
        self.crl_lock = asyncio.Lock()
        self._records: dict[str, Record | None] = {}
        self._generation = 0
        self._signers: dict[tuple[str, str], Signer] = {}

    def now(self) -> float:
        return self.clock.now()

    def invalidate(self) -> None:
        """Forget every cached record and parsed key: another node changed storage."""
        self._generation += 1
        self._records.clear()
        self._signers.clear()

    def _forget(self, key: str) -> None:
        """`key` changed: drop its cached record; a read in flight must not cache its result."""
        self._generation += 1
        self._records.pop(key, None)
        if key.startswith((KEY, ISSUER)):
            self._signers.clear()  # no parsed private key outlives its record

    async def _get(self, key: str, kind: type[R]) -> R | None:
        negative = key in _CACHED_SETTINGS
        if not negative and not key.startswith(_CACHED_PREFIXES):
            raw = await self.storage.get(key)
            return kind.deserialize(raw) if raw is not None else None
        if key in self._records:
            return cast("R | None", self._records[key])
        generation = self._generation
        raw = await self.storage.get(key)
        record = kind.deserialize(raw) if raw is not None else None
        if generation == self._generation and (record is not None or negative):
            self._records[key] = record
        return record

    async def _put(self, key: str, record: Record) -> None:
        try:
            await self.storage.put(key, record.serialize())
        finally:
            self._forget(key)

    async def _delete(self, key: str) -> None:
        try:
            await self.storage.delete(key)
        finally:
            self._forget(key)

    async def _config(self, key: str, kind: type[R]) -> R:
        """A settings record, or its defaults when it was never written."""
        found = await self._get(key, kind)
        return found if found is not None else kind()

    # --- keys ----------------------------------------------------------------------------------

    async def key_ids(self) -> list[str]:
        return await self.storage.list(KEY)

    async def _all(self, prefix: str, kind: type[R]) -> list[R]:
        found = [await self._get(prefix + name, kind) for name in await self.storage.list(prefix)]
        return [record for record in found if record is not None]

    async def keys(self) -> list[KeyRecord]:
        return await self._all(KEY, KeyRecord)

    async def put_key(self, key: KeyRecord) -> None:
        await self._put(KEY + key.id, key)

    async def delete_key(self, key_id: str) -> None:
        await self._delete(KEY + key_id)

    async def key(self, ref: str) -> KeyRecord | None:
        if _UUID.fullmatch(ref):
            return await self._get(KEY + ref, KeyRecord)
        return next((key for key in await self.keys() if ref and key.name == ref), None)

    async def private_key(self, key_id: str) -> PrivateKey:
        record = await self._get(KEY + key_id, KeyRecord)
        if record is None:
            raise InvalidParameter("the issuer's key is not in this mount")
        return load_private_key(record.private_key, "stored key")

    async def signer(self, issuer: IssuerRecord) -> Signer:
        """The issuer's parsed certificate and key (its key must be in this mount), kept by
        the PEM texts they are parsed from."""
        record = await self._get(KEY + issuer.key_id, KeyRecord)
        if record is None:
            raise InvalidParameter("the issuer's key is not in this mount")
        pems = (issuer.certificate, record.private_key)
        found = self._signers.get(pems)
        if found is None:
            key = load_private_key(record.private_key, "stored key")
            found = Signer(issuer_cert(issuer), key)
            if len(self._signers) >= _SIGNERS_LIMIT:
                self._signers.clear()
            self._signers[pems] = found
        return found

    # --- issuers -------------------------------------------------------------------------------

    async def issuer_ids(self) -> list[str]:
        return await self.storage.list(ISSUER)

    async def issuers(self) -> list[IssuerRecord]:
        return await self._all(ISSUER, IssuerRecord)

    async def put_issuer(self, issuer: IssuerRecord) -> None:
        await self._put(ISSUER + issuer.id, issuer)

    async def delete_issuer(self, issuer_id: str) -> None:
        await self._delete(ISSUER + issuer_id)
        await self.storage.delete(CRL + issuer_id)
        await self.storage.delete(DELTA_CRL + issuer_id)

    async def issuer(self, ref: str) -> IssuerRecord | None:
        """The issuer `ref` names: `default`, an id, or a name."""
        if ref == DEFAULT:
            ref = (await self.issuers_config()).default
            if not ref:
                return None
        if _UUID.fullmatch(ref):
            return await self._get(ISSUER + ref, IssuerRecord)
        return next((i for i in await self.issuers() if ref and i.name == ref), None)

    async def issuer_or_fail(self, ref: str) -> IssuerRecord:
        found = await self.issuer(ref)
        if found is None:
            if ref == DEFAULT:
                raise InvalidParameter("no default issuer currently configured")
            raise InvalidParameter("unable to find PKI issuer for reference")
        return found

    async def issuers_config(self) -> IssuersConfig:
        return await self._config(ISSUERS_CONFIG, IssuersConfig)

    async def put_issuers_config(self, config: IssuersConfig) -> None:
        await self._put(ISSUERS_CONFIG, config)

    async def add_issuer(self, issuer: IssuerRecord) -> None:
        """Store a new issuer; it becomes the default when there is none (or when the default
        follows the latest issuer). The caller holds `lock`."""
        await self.put_issuer(issuer)
        config = await self.issuers_config()
        if not config.default or config.default_follows_latest_issuer:
            await self.put_issuers_config(config.with_changes(default=issuer.id))

    async def unique_name(self, name: str, kind: str) -> None:
        """Refuse a name another issuer (or key) already has."""
        if not name:
            return
        taken = await self.issuers() if kind == "issuer" else await self.keys()
        if any(record.name == name for record in taken):
            raise InvalidParameter(f"{kind} name already in use")

    # --- roles ---------------------------------------------------------------------------------

    async def role(self, name: str) -> Role | None:
        return await self._get(ROLE + name, Role)

    async def put_role(self, role: Role) -> None:
        await self._put(ROLE + role.name, role)

    async def delete_role(self, name: str) -> None:
        await self._delete(ROLE + name)

    async def role_names(self) -> list[str]:
        return await self.storage.list(ROLE)

    # --- certificates --------------------------------------------------------------------------

    async def cert(self, serial: int) -> CertRecord | None:
        return await self._get(CERTS + serial_key(serial), CertRecord)

    async def put_cert(self, record: CertRecord) -> None:
        await self._put(CERTS + record.serial.replace(":", "-"), record)
        if record.revoked:
            await self.storage.put(REVOKED + record.serial.replace(":", "-"), b"{}")

    async def delete_cert(self, record: CertRecord) -> None:
        key = record.serial.replace(":", "-")
        await self.storage.delete(REVOKED + key)
        await self.storage.delete(CERTS + key)

    async def cert_serials(self) -> list[str]:
        return [key.replace("-", ":") for key in await self.storage.list(CERTS)]

    async def revoked_serials(self) -> list[str]:
        return [key.replace("-", ":") for key in await self.storage.list(REVOKED)]

    async def revoked_for(self, issuer_id: str) -> list[CertRecord]:
        found = []
        for key in await self.storage.list(REVOKED):
            record = await self._get(CERTS + key, CertRecord)
            if record is not None and record.revoked and record.issuer_id == issuer_id:
                found.append(record)
        return found

    # --- CRLs and settings ---------------------------------------------------------------------

    async def crl(self, issuer_id: str) -> CRLRecord | None:
        return await self._get(CRL + issuer_id, CRLRecord)

    async def put_crl(self, issuer_id: str, record: CRLRecord) -> None:
        await self._put(CRL + issuer_id, record)

    async def delta_crl(self, issuer_id: str) -> CRLRecord | None:
        return await self._get(DELTA_CRL + issuer_id, CRLRecord)

    async def put_delta_crl(self, issuer_id: str, record: CRLRecord) -> None:
        await self._put(DELTA_CRL + issuer_id, record)

    async def crl_config(self) -> CRLConfig:
        return await self._config(CRL_CONFIG, CRLConfig)

    async def put_crl_config(self, config: CRLConfig) -> None:
        await self._put(CRL_CONFIG, config)

    async def urls_config(self) -> URLsConfig:
        return await self._config(URLS_CONFIG, URLsConfig)

    async def put_urls_config(self, config: URLsConfig) -> None:
        await self._put(URLS_CONFIG, config)

    async def cluster_config(self) -> ClusterConfig:
        return await self._config(CLUSTER_CONFIG, ClusterConfig)

    async def put_cluster_config(self, config: ClusterConfig) -> None:
        await self._put(CLUSTER_CONFIG, config)

    async def auto_tidy_config(self) -> AutoTidyConfig:
        return await self._config(AUTO_TIDY_CONFIG, AutoTidyConfig)

    async def put_auto_tidy_config(self, config: AutoTidyConfig) -> None:
        await self._put(AUTO_TIDY_CONFIG, config)

    async def tidy_status(self) -> TidyStatus:
        return await self._config(TIDY_STATUS, TidyStatus)

    async def put_tidy_status(self, status: TidyStatus) -> None:
        await self._put(TIDY_STATUS, status)


def issuer_cert(issuer: IssuerRecord) -> x509.Certificate:
    return load_cert(issuer.certificate, "stored issuer certificate")

"""The node: its storage, barrier and seal, and the sealed/unsealed lifecycle.

State lives in storage; what the node keeps in memory besides its unsealed keyring is a cache
(seal config, token entries, compiled ACLs) that `invalidate()` drops.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from strongroom.barrier import Barrier, BarrierView
from strongroom.clock import Clock, SystemClock
from strongroom.core.adapters import EngineRevoker, TokenLifecycle
from strongroom.core.audit import AuditDeviceConfig, AuditTable
from strongroom.core.engines import AUTH_METHODS, OPTION_CHANGES, SECRET_ENGINES, EngineFactory
from strongroom.core.lockout import UserLockout
from strongroom.core.mounts import MountTable, normalize_mount_path
from strongroom.core.periodic import BackendTicker
from strongroom.core.pipeline import Pipeline
from strongroom.core.quorum import QuorumOperations
from strongroom.core.ratelimit import RateLimiter
from strongroom.core.rotation import RotationScheduler
from strongroom.core.sys_backend import build_sys_backend
from strongroom.core.wrapping import Wrapper
from strongroom.engines.cubbyhole import Cubbyhole
from strongroom.errors import AlreadyInitialized, InternalError, NotInitialized, Sealed
from strongroom.framework import FrameworkBackend
from strongroom.lease import LeaseManager
from strongroom.logical import Backend as LogicalBackend
from strongroom.logical import Request, Response, Storage
from strongroom.physical import Backend
from strongroom.physical.cache import DEFAULT_CACHE_SIZE, CachedBackend, cached
from strongroom.policy.store import PolicyStore
from strongroom.routing import AUTH_TABLE, SECRET_TABLE, MountEntry, Router
from strongroom.seal.config import SealConfig
from strongroom.seal.shamir_seal import ShamirSeal
from strongroom.seal.shares import ShareCollector
from strongroom.token import TokenStore, TokenStoreConfig, build_token_backend

CLUSTER_INFO_PATH = "core/cluster/local/info"
TOKEN_STORE_PREFIX = "sys/token/"
POLICY_STORE_PREFIX = "sys/policy/"
LEASE_STORE_PREFIX = "sys/expire/"


@dataclass(frozen=True, slots=True)
class CoreConfig:
    storage_type: str = "inmem"
    cluster_name: str = ""
    default_lease_ttl: int = 768 * 3600
    max_lease_ttl: int = 768 * 3600
    # Entries in the physical read cache (0 disables it), as Vault's cache_size.
    cache_size: int = DEFAULT_CACHE_SIZE
    # Seconds between checks for automatic keyring rotation.
    rotation_check_interval: float = 300.0
    # Seconds between calls of the mounts' periodic work (transit's automatic key rotation).
    periodic_interval: float = 60.0
    # Listener switches: serve sys/rekey/* and sys/generate-root/* only to privileged tokens.
    disable_unauthed_rekey: bool = False
    disable_unauthed_generate_root: bool = False
    # Audit devices from the server config, and the two switches that gate the audit API.
    audit_devices: tuple[AuditDeviceConfig, ...] = ()
    unsafe_allow_api_audit_creation: bool = False
    allow_audit_log_prefixing: bool = False
    plugin_directory: str = ""  # no audit file may be written under it


@dataclass(frozen=True, slots=True)
class InitResult:
    shares: list[bytes]
    root_token: str


@dataclass(frozen=True, slots=True)
class ClusterInfo:
    name: str
    id: str


class Core:
    def __init__(
        self,
        physical: Backend,
        config: CoreConfig | None = None,
        clock: Clock | None = None,
        engines: Mapping[str, EngineFactory] | None = None,
        auth_methods: Mapping[str, EngineFactory] | None = None,
    ) -> None:
        self.config = config or CoreConfig()
        # Reads go through a cache of stored (encrypted) entries: one storage round trip saved
        # per hot read. Every write passes through it, so it is exact on a single node.
        self.physical = (
            cached(physical, self.config.cache_size) if self.config.cache_size else physical
        )
        self.clock = clock or SystemClock()
        self.barrier = Barrier(self.physical)
        self.seal_storage = ShamirSeal(self.physical)
        self.router = Router()
        self.tokens = TokenStore(
            BarrierView(self.barrier, TOKEN_STORE_PREFIX),
            self.clock,
            TokenStoreConfig(self.config.default_lease_ttl, self.config.max_lease_ttl),
            hooks=TokenLifecycle(self),
        )
        self.policies = PolicyStore(BarrierView(self.barrier, POLICY_STORE_PREFIX), self.clock)
        self.leases = LeaseManager(
            BarrierView(self.barrier, LEASE_STORE_PREFIX), self.clock, EngineRevoker(self)
        )
        self.cubbyhole: Cubbyhole | None = None
        self.mounts = MountTable(
            self.barrier,
            self.router,
            builtins={
                "system": lambda entry, storage: build_sys_backend(self),
                "token": lambda entry, storage: build_token_backend(self.tokens),
                "cubbyhole": self._cubbyhole_backend,
                "identity": lambda entry, storage: FrameworkBackend([]),
            },
            factories={
                SECRET_TABLE: {**SECRET_ENGINES, **(engines or {})},
                AUTH_TABLE: {**AUTH_METHODS, **(auth_methods or {})},
            },
        )
        self.audit = AuditTable(
            self.barrier,
            self.clock,
            declared=self.config.audit_devices,
            allow_api_creation=self.config.unsafe_allow_api_audit_creation,
            allow_prefix=self.config.allow_audit_log_prefixing,
            forbidden_directory=self.config.plugin_directory,
        )
        self.pipeline = Pipeline(self)
        self.wrapper = Wrapper(self)
        self.quorum = QuorumOperations(self)
        self.quorum_limiter = RateLimiter(self.clock)
        self.rotation = RotationScheduler(self.barrier, self.clock, self.config)
        self.ticker = BackendTicker(self.router, self.config.periodic_interval)
        self.lockout = UserLockout(self.barrier, self.clock)
        self.cluster: ClusterInfo | None = None
        self.unseal_progress: ShareCollector | None = None
        self.unseal_nonce = ""
        self.migrations: dict[str, dict[str, Any]] = {}
        self._lifecycle = asyncio.Lock()

    def _cubbyhole_backend(self, entry: MountEntry, storage: Storage) -> LogicalBackend:
        self.cubbyhole = Cubbyhole(storage)
        return self.cubbyhole.backend

    def require_cubbyhole(self) -> Cubbyhole:
        if self.cubbyhole is None:
            raise InternalError("the cubbyhole mount is missing")
        return self.cubbyhole

    # --- state ------------------------------------------------------------------------------

    @property
    def sealed(self) -> bool:
        return self.barrier.sealed

    async def seal_config(self) -> SealConfig | None:
        return await self.seal_storage.load_config()

    async def initialized(self) -> bool:
        return await self.seal_config() is not None

    def invalidate(self) -> None:
        """Drop every cache of stored state (another node changed it)."""
        if isinstance(self.physical, CachedBackend):
            self.physical.invalidate()
        self.seal_storage.invalidate()
        self.tokens.invalidate()
        self.policies.invalidate()
        self.leases.invalidate()
        self.lockout.invalidate()

    # --- lifecycle --------------------------------------------------------------------------

    async def initialize(self, shares: int, threshold: int) -> InitResult:
        config = SealConfig.validated(shares, threshold)
        async with self._lifecycle:
            if await self.initialized():
                raise AlreadyInitialized()
            key_shares, root_key = await self.seal_storage.initialize(config)
            await self.barrier.initialize(root_key, self.clock.now())
            # Unseal briefly to create the cluster identity and the first root token.
            await self._unseal_with_root_key(root_key)
            try:
                root_token = await self.tokens.create_root()
            finally:
                await self._seal_locked()
        return InitResult(key_shares, root_token)

    async def submit_unseal_share(self, share: bytes) -> None:
        """Add one share; on reaching the threshold, unseal or raise InvalidKey (progress reset)."""
        async with self._lifecycle:
            config = await self.seal_config()
            if config is None:
                raise NotInitialized()
            if not self.sealed:
                return
            if self.unseal_progress is None:
                self.unseal_progress = ShareCollector(config.secret_threshold)
                self.unseal_nonce = str(uuid.uuid4())
            try:
                kek = self.unseal_progress.add(share)
            except Exception:
                # Shares that cannot combine (two with one x coordinate, from different key
                # sets) fail the attempt like a wrong key does: progress starts over.
                self.reset_unseal_progress()
                raise
            if kek is None:
                return
            self.reset_unseal_progress()
            root_key = await self.seal_storage.root_key(kek)
            await self._unseal_with_root_key(root_key)

    def reset_unseal_progress(self) -> None:
        self.unseal_progress = None
        self.unseal_nonce = ""

    async def _unseal_with_root_key(self, root_key: bytes) -> None:
        await self.barrier.unseal(root_key)
        try:
            self.cluster = await self._load_or_create_cluster_info()
            await self.mounts.load()
            self.sync_token_config()
            await self.audit.load()
        except BaseException:
            await self.audit.close()
            self.barrier.seal()
            raise
        # Leases are not loaded: the expiry loop walks the due index in storage, in pages.
        self.leases.start()
        self.rotation.start()
        self.ticker.start()

    async def seal(self) -> None:
        async with self._lifecycle:
            await self._seal_locked()

    async def _seal_locked(self) -> None:
        if self.sealed:
            return
        await self.ticker.stop()
        await self.rotation.stop()
        await self.leases.stop()
        await self.audit.close()  # signs each device's last entries
        try:
            await self.barrier.save_counters()
        finally:
            self.barrier.seal()
            self.router.clear()
            self.cubbyhole = None
            self.cluster = None
            self.quorum.cancel_all()
            self.invalidate()

    async def close(self) -> None:
        await self.seal()
        await self.physical.close()

    async def _load_or_create_cluster_info(self) -> ClusterInfo:
        raw = await self.barrier.get(CLUSTER_INFO_PATH)
        if raw is not None:
            return ClusterInfo(**json.loads(raw))
        suffix = uuid.uuid4().hex[:8]
        info = ClusterInfo(self.config.cluster_name or f"vault-cluster-{suffix}", str(uuid.uuid4()))
        document = {"name": info.name, "id": info.id}
        await self.barrier.put(CLUSTER_INFO_PATH, json.dumps(document).encode())
        return info

    # --- requests ---------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        if self.sealed:
            raise Sealed()
        return await self.pipeline.handle(request)

    # --- mounts -----------------------------------------------------------------------------

    def mount_ttls(self, mount: MountEntry) -> tuple[int, int]:
        """A mount's effective (default, max) lease TTL: its own, else the system's."""
        max_ttl = mount.config.max_lease_ttl or self.config.max_lease_ttl
        default = mount.config.default_lease_ttl or self.config.default_lease_ttl
        return min(default, max_ttl), max_ttl

    async def change_options(self, entry: MountEntry, options: dict[str, str] | None) -> bool:
        """Let the engine react to new mount options (a KV upgrade moves data); True when the
        mount needs a new backend."""
        change = OPTION_CHANGES.get(entry.type)
        if change is None or options == entry.options:
            return False
        storage = self.mounts.storage_for(entry)
        return await change(entry.options or {}, options or {}, storage, self.clock)

    def sync_token_config(self) -> None:
        """Token TTL defaults follow the auth/token/ mount's tuning (else the system's)."""
        entry = self.mounts.find(AUTH_TABLE, "token/")
        if entry is not None:
            self.tokens.config = TokenStoreConfig(*self.mount_ttls(entry))

    def max_ttl_for(self, lease_id: str) -> int:
        routed = self.router.route(lease_id)
        return self.mount_ttls(routed.mount)[1] if routed else self.config.max_lease_ttl

    async def disable_mount(self, table: str, path: str) -> None:
        """Revoke the mount's leases, then remove it and delete its data."""
        entry = self.mounts.find(table, path)
        if entry is None:
            return
        await self.leases.revoke_prefix(entry.route, force=True)
        await self.mounts.disable(table, path)

    async def remount(self, table: str, source: str, target: str) -> tuple[str, str]:
        """Move a mount; its leases (whose IDs name the old path) are revoked first."""
        entry = self.mounts.require(table, source)
        await self.leases.revoke_prefix(entry.route, force=True)
        moved = await self.mounts.move(entry, table, normalize_mount_path(target))
        return entry.route, moved.route

"""The node: its storage, barrier and seal, and the sealed/unsealed lifecycle.

State lives in storage; what the node keeps in memory besides its unsealed keyring is a cache
(seal config, token entries, compiled ACLs) that `invalidate()` drops.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass

from strongroom.barrier import Barrier, BarrierView
from strongroom.clock import Clock, SystemClock
from strongroom.core.pipeline import Pipeline
from strongroom.core.quorum import QuorumOperations
from strongroom.core.ratelimit import RateLimiter
from strongroom.core.rotation import RotationScheduler
from strongroom.core.sys_backend import build_sys_backend
from strongroom.errors import AlreadyInitialized, NotInitialized, Sealed
from strongroom.logical import Request, Response
from strongroom.physical import Backend
from strongroom.routing import MountEntry, Router
from strongroom.seal.config import SealConfig
from strongroom.seal.shamir_seal import ShamirSeal
from strongroom.seal.shares import ShareCollector
from strongroom.token.store import TokenStore

CLUSTER_INFO_PATH = "core/cluster/local/info"
TOKEN_STORE_PREFIX = "sys/token/"  # noqa: S105 - a storage prefix, not a secret


@dataclass(frozen=True, slots=True)
class CoreConfig:
    storage_type: str = "inmem"
    cluster_name: str = ""
    default_lease_ttl: int = 768 * 3600
    max_lease_ttl: int = 768 * 3600
    # Seconds between checks for automatic keyring rotation.
    rotation_check_interval: float = 300.0
    # Listener switches: serve sys/rekey/* and sys/generate-root/* only to privileged tokens.
    disable_unauthed_rekey: bool = False
    disable_unauthed_generate_root: bool = False


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
        self, physical: Backend, config: CoreConfig | None = None, clock: Clock | None = None
    ) -> None:
        self.physical = physical
        self.config = config or CoreConfig()
        self.clock = clock or SystemClock()
        self.barrier = Barrier(physical)
        self.seal_storage = ShamirSeal(physical)
        self.router = Router()
        self.tokens = TokenStore(BarrierView(self.barrier, TOKEN_STORE_PREFIX), self.clock)
        self.pipeline = Pipeline(self.router, self.tokens)
        self.quorum = QuorumOperations(self)
        self.quorum_limiter = RateLimiter(self.clock)
        self.rotation = RotationScheduler(self.barrier, self.clock, self.config)
        self.cluster: ClusterInfo | None = None
        self.unseal_progress: ShareCollector | None = None
        self.unseal_nonce = ""
        self._lifecycle = asyncio.Lock()
        self.router.mount(MountEntry("sys/", "system", "system", "system", build_sys_backend(self)))

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
        self.seal_storage.invalidate()
        self.tokens.invalidate()
        self.pipeline.invalidate()

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
            kek = self.unseal_progress.add(share)
            if kek is None:
                return
            self.reset_unseal_progress()
            root_key = await self.seal_storage.root_key(kek)
            await self._unseal_with_root_key(root_key)

    def reset_unseal_progress(self) -> None:
        self.unseal_progress = None
        self.unseal_nonce = ""

    async def unseal_with_root_key(self, root_key: bytes) -> None:
        async with self._lifecycle:
            await self._unseal_with_root_key(root_key)

    async def _unseal_with_root_key(self, root_key: bytes) -> None:
        await self.barrier.unseal(root_key)
        self.cluster = await self._load_or_create_cluster_info()
        self.rotation.start()

    async def seal(self) -> None:
        async with self._lifecycle:
            await self._seal_locked()

    async def _seal_locked(self) -> None:
        if self.sealed:
            return
        await self.rotation.stop()
        try:
            await self.barrier.save_counters()
        finally:
            self.barrier.seal()
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

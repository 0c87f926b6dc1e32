"""The token store: create, resolve, use, renew and revoke tokens.

Service tokens are kept under a salted hash of their ID, never by the ID itself (layout in
`keys.py`); batch tokens carry their own encrypted entry (`batch.py`). Entries are cached by
hash; `invalidate` drops every cache when another node may have changed storage.

Two kinds of lookup:
- `lookup` / `use` authenticate a request: they apply the token's bound CIDRs to the client's
  address and refuse a spent token.
- `resolve*` find a token for an administrative operation on it (lookup, renew, revoke): no
  CIDR check, since the address is the caller's, not the token holder's.
An expired token resolves to None and is revoked on the spot (with its descendants).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from strongroom.clock import Clock
from strongroom.errors import BadRequest
from strongroom.logical import Storage
from strongroom.logical.cidrs import address_allowed
from strongroom.token.batch import BatchCodec
from strongroom.token.create import TokenParams, plan_token
from strongroom.token.entry import SPENT, TokenEntry, TokenRef
from strongroom.token.hooks import NoHooks, TokenHooks
from strongroom.token.ids import (
    ROOT_TOKEN_LENGTH,
    check_custom_id,
    is_batch_token,
    new_accessor,
    new_token_id,
)
from strongroom.token.keys import Hasher
from strongroom.token.policies import WRAPPING_POLICY
from strongroom.token.records import CACHE_SIZE, TokenRecords
from strongroom.token.roles import Role, RoleStore
from strongroom.token.tree import TidyResult, TokenTree
from strongroom.token.ttl import (
    Lifetime,
    TokenStoreConfig,
    calculate_ttl,
    cap_to_parent,
    stricter,
)

__all__ = ["ROOT_TOKEN_LENGTH", "CreatedToken", "TokenStore", "new_token_id"]


@dataclass(frozen=True, slots=True)
class CreatedToken:
    token_id: str
    token_hash: str  # "" for a batch token
    entry: TokenEntry
    warnings: tuple[str, ...] = ()


class TokenStore:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        config: TokenStoreConfig | None = None,
        hooks: TokenHooks | None = None,
        *,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self._clock = clock
        self.config = config or TokenStoreConfig()
        self.hooks: TokenHooks = hooks or NoHooks()
        self._hasher = Hasher(storage)
        self._records = TokenRecords(storage, cache_size)
        self._batch = BatchCodec(storage)
        self._tree = TokenTree(self._records, self._hasher)
        self.roles = RoleStore(storage)
        # Serialises use-count decrements so two requests cannot both spend the last use.
        self._use_lock = asyncio.Lock()

    @property
    def clock(self) -> Clock:
        return self._clock

    def invalidate(self) -> None:
        self._hasher.invalidate()
        self._records.invalidate()
        self._batch.invalidate()
        self.roles.invalidate()

    # --- creation ---------------------------------------------------------------------------

    async def create_root(self, token_id: str | None = None) -> str:
        """Store a root token (a new random ID unless one is given) and return its ID."""
        entry = TokenEntry(
            accessor="",
            policies=("root",),
            display_name="root",
            creation_time=self._clock.now(),
            path="auth/token/root",
        )
        created = await self._persist(token_id or new_token_id(), entry)
        return created.token_id

    async def create_wrapping_token(self, ttl: int, path: str) -> CreatedToken:
        """A single-use orphan with the internal `response-wrapping` policy (no API can assign
        it), living exactly `ttl` seconds: the token that guards a wrapped response."""
        if ttl <= 0:
            raise BadRequest("a wrapping TTL must be positive")
        now = self._clock.now()
        entry = TokenEntry(
            accessor="",
            policies=(WRAPPING_POLICY,),
            display_name="",
            creation_time=now,
            ttl=ttl,
            explicit_max_ttl=ttl,
            num_uses=1,
            path=path,
            expire_time=now + ttl,
        )
        return await self._persist(new_token_id(), entry)

    async def create(
        self,
        params: TokenParams,
        *,
        parent: TokenRef | None = None,
        sudo: bool = False,
        role: Role | None = None,
        limits: TokenStoreConfig | None = None,
    ) -> CreatedToken:
        """Create a token under Vault's rules (see `create.py`); BadRequest when not allowed.

        `parent` is the creating token, or None for a login through an auth method: an orphan
        whose parameters come from the method's trusted configuration (so periods are allowed,
        root never is). `sudo` is whether the caller has root or sudo on the creating path.
        `limits` replaces the store's default and maximum TTLs (a login: its auth mount's).
        """
        sudo = sudo or parent is None or parent.entry.is_root
        plan = plan_token(
            params,
            parent,
            sudo=sudo,
            role=role,
            config=limits or self.config,
            now=self._clock.now(),
        )
        if plan.entry.is_batch:
            token_id = await self._batch.encode(plan.entry)
            return CreatedToken(token_id, "", plan.entry, plan.warnings)
        token_id = params.token_id
        if token_id:
            check_custom_id(token_id)
            if await self._records.get(await self._hasher.hash(token_id)) is not None:
                raise BadRequest("cannot create a token with a duplicate ID")
        created = await self._persist(token_id or new_token_id(), plan.entry)
        return replace(created, warnings=plan.warnings)

    async def _persist(self, token_id: str, entry: TokenEntry) -> CreatedToken:
        token_hash = await self._hasher.hash(token_id)
        entry = replace(entry, accessor=new_accessor())
        if entry.parent_hash:
            await self._require_parent(entry.parent_hash)
            # Index first: a dangling index entry is harmless, a child missing from it would
            # escape its parent's revocation.
            await self._records.add_child(entry.parent_hash, token_hash)
        await self._records.put_accessor(await self._hasher.hash(entry.accessor), token_hash)
        await self._records.put(token_hash, entry)
        if entry.parent_hash:
            await self._require_parent(entry.parent_hash, orphaned_child=token_hash)
        await self.hooks.token_created(token_hash, entry)
        return CreatedToken(token_id, token_hash, entry)

    async def _require_parent(self, parent_hash: str, orphaned_child: str = "") -> None:
        """Fail unless the parent is still valid. Checked again once the child is stored: a
        revocation that listed the parent's children just before the index entry was written
        would have missed the child, so the child is revoked here instead."""
        if await self.resolve_hash(parent_hash) is not None:
            return
        if orphaned_child:
            await self._tree.revoke(orphaned_child, self.hooks)
        raise BadRequest("parent token lookup failed: no parent found")

    # --- authentication ---------------------------------------------------------------------

    async def lookup(self, token_id: str, remote_address: str = "") -> TokenEntry | None:
        """The entry of a valid token used from `remote_address`, or None.

        None for an unknown, expired, spent or tampered token, and for a token bound to CIDRs
        that do not contain `remote_address` (an empty address matches no CIDR).
        """
        ref = await self.resolve(token_id)
        if ref is None or not address_allowed(ref.entry.bound_cidrs, remote_address):
            return None
        return ref.entry

    async def use(self, token_id: str, remote_address: str = "") -> TokenEntry | None:
        """`lookup`, then spend one use of a use-limited token.

        Call it once per request, before handling. The entry returned is valid for this
        request; when it was the last use its `spent` is true: it no longer resolves, and the
        caller must `revoke` it once the request is done (Vault's deferred revocation).
        """
        entry = await self.lookup(token_id, remote_address)
        if entry is None or entry.num_uses <= 0:
            return entry
        async with self._use_lock:
            ref = await self.resolve(token_id)  # again, under the lock
            if ref is None:
                return None
            left = ref.entry.num_uses - 1
            entry = replace(ref.entry, num_uses=left if left > 0 else SPENT)
            await self._records.put(ref.token_hash, entry)
            return entry

    # --- resolution -------------------------------------------------------------------------

    async def resolve(self, token_id: str, *, include_spent: bool = False) -> TokenRef | None:
        """A valid token by ID (no CIDR check). `include_spent` also finds a token on its last
        use or being revoked (Vault's "tainted" lookup)."""
        if not token_id:
            return None
        if is_batch_token(token_id):
            return await self._resolve_batch(token_id)
        return await self.resolve_hash(
            await self._hasher.hash(token_id), include_spent=include_spent
        )

    async def resolve_accessor(
        self, accessor: str, *, include_spent: bool = False
    ) -> TokenRef | None:
        if not accessor:
            return None
        token_hash = await self._records.accessor_target(await self._hasher.hash(accessor))
        if token_hash is None:
            return None
        return await self.resolve_hash(token_hash, include_spent=include_spent)

    async def resolve_hash(
        self, token_hash: str, *, include_spent: bool = False
    ) -> TokenRef | None:
        entry = await self._records.get(token_hash)
        if entry is None or (entry.spent and not include_spent):
            return None
        if entry.expired(self._clock.now()):
            await self._tree.revoke(token_hash, self.hooks)
            return None
        return TokenRef(token_hash, entry)

    async def owner_hash(self, token_id: str, entry: TokenEntry) -> str:
        """Whose leases a request's secrets become: the token's own hash, or for a batch token
        (never stored) its parent's; "" for an orphan batch token."""
        if entry.is_batch:
            return entry.parent_hash
        return await self._hasher.hash(token_id)

    async def _resolve_batch(self, token_id: str) -> TokenRef | None:
        entry = await self._batch.decode(token_id)
        # A batch token always expires (CVE-2020-25816: it must not outlive its TTL).
        if entry is None or not entry.is_batch or not entry.expire_time:
            return None
        if entry.expired(self._clock.now()):
            return None
        if entry.parent_hash and await self.resolve_hash(entry.parent_hash) is None:
            return None  # a non-orphan batch token dies with its parent
        return TokenRef("", entry)

    # --- renewal ----------------------------------------------------------------------------

    async def renew(self, ref: TokenRef, increment: int = 0) -> tuple[TokenEntry, list[str]]:
        """Extend a token's life by `increment` seconds (0: its own TTL), within its limits."""
        entry = ref.entry
        if entry.is_batch:
            raise BadRequest("batch tokens cannot be renewed")
        if not entry.expire_time or not entry.renewable:
            raise BadRequest("lease is not renewable")
        period, explicit_max_ttl = await self._renewal_limits(entry)
        config, base_ttl = self.config, entry.ttl
        terms = await self.hooks.renewal_terms(entry)
        if terms is not None:  # a login's token: its auth method's current settings rule
            config = TokenStoreConfig(
                terms.ttl or config.default_ttl, terms.max_ttl or config.max_ttl
            )
            base_ttl = terms.ttl or base_ttl
            period = stricter(period, terms.period)
        now = self._clock.now()
        life = Lifetime(entry.creation_time, increment, base_ttl, period, explicit_max_ttl)
        ttl, warnings = calculate_ttl(config, life, now)
        parent = await self._records.get(entry.parent_hash) if entry.parent_hash else None
        if parent is not None:
            ttl = cap_to_parent(ttl, parent, now, warnings)
        renewed = replace(entry, expire_time=now + ttl, last_renewal_time=now)
        await self._records.put(ref.token_hash, renewed)
        await self.hooks.token_renewed(ref.token_hash, renewed)
        return renewed, warnings

    async def _renewal_limits(self, entry: TokenEntry) -> tuple[int, int]:
        """Period and explicit max TTL for a renewal; a role's current values tighten them."""
        if not entry.role:
            return entry.period, entry.explicit_max_ttl
        role = await self.roles.get(entry.role)
        if role is None:
            raise BadRequest("the token's role no longer exists, not renewing")
        return (
            stricter(entry.period, role.token_period),
            stricter(entry.explicit_max_ttl, role.token_explicit_max_ttl),
        )

    # --- revocation -------------------------------------------------------------------------

    async def revoke(self, token_id: str) -> None:
        """Revoke a token and all its descendants (a no-op for an unknown token)."""
        if is_batch_token(token_id):
            raise BadRequest("batch tokens cannot be revoked")
        if token_id:
            await self.revoke_hash(await self._hasher.hash(token_id))

    async def revoke_hash(self, token_hash: str) -> int:
        """Revoke by stored hash (the lease manager's handle on a token). Returns the count."""
        return await self._tree.revoke(token_hash, self.hooks)

    async def revoke_orphan(self, token_hash: str) -> None:
        """Revoke one token; its children become orphans."""
        await self._tree.revoke_orphan(token_hash, self.hooks)

    async def revoke_accessor(self, accessor: str) -> bool:
        """Revoke the token (tree) behind an accessor; False when there is none."""
        ref = await self.resolve_accessor(accessor, include_spent=True)
        if ref is None:
            return False
        await self.revoke_hash(ref.token_hash)
        return True

    # --- administration ---------------------------------------------------------------------

    async def list_accessors(self) -> list[str]:
        accessors = []
        for accessor_hash in await self._records.accessor_hashes():
            token_hash = await self._records.accessor_target(accessor_hash)
            entry = await self._records.get(token_hash) if token_hash else None
            if entry is not None and entry.accessor:
                accessors.append(entry.accessor)
        return sorted(accessors)

    async def tidy(self) -> TidyResult:
        return await self._tree.tidy(self.hooks, self._clock.now())

"""The token tree: revoking a token with its descendants, orphaning children, and tidying.

The children index (`parent/<parent>/<child>`) is what makes a revocation reach every
descendant. Revocation walks it depth-first, children before parents, and marks every token it
meets as spent first, so no token in the subtree can mint new children while the walk runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from strongroom.token.entry import SPENT
from strongroom.token.hooks import TokenHooks
from strongroom.token.keys import Hasher
from strongroom.token.records import TokenRecords


@dataclass(slots=True)
class TidyResult:
    # Children-index entries removed (the child is gone, or its parent is, or it moved).
    parent_entries_removed: int = 0
    # Children whose parent was gone, turned into orphans.
    children_orphaned: int = 0
    # Accessor-index entries that pointed at no token.
    accessors_removed: int = 0
    # Expired tokens found and revoked.
    expired_revoked: int = 0


class TokenTree:
    def __init__(self, records: TokenRecords, hasher: Hasher) -> None:
        self._records = records
        self._hasher = hasher

    async def revoke(self, token_hash: str, hooks: TokenHooks) -> int:
        """Revoke a token and every descendant, deepest first. Returns how many were revoked."""
        entry = await self._records.get(token_hash)
        stack = [(token_hash, entry.parent_hash if entry else "")]
        seen: set[str] = set()
        revoked = 0
        while stack:
            current, walk_parent = stack[-1]
            if current not in seen:
                seen.add(current)
                await self._mark_spent(current)
            pending = []
            for child in await self._records.children(current):
                if child in seen:
                    # A cycle in the index can only come from tampering: cut it, do not loop.
                    await self._records.remove_child(current, child)
                else:
                    pending.append((child, current))
            if pending:
                stack.extend(pending)
            else:
                stack.pop()
                revoked += await self._revoke_one(current, walk_parent, hooks)
        return revoked

    async def revoke_orphan(self, token_hash: str, hooks: TokenHooks) -> None:
        """Revoke one token; its children live on as orphans."""
        entry = await self._records.get(token_hash)
        if entry is None:
            return
        await self._mark_spent(token_hash)
        for child in await self._records.children(token_hash):
            await self._orphan(token_hash, child)
        await self._revoke_one(token_hash, entry.parent_hash, hooks)

    async def tidy(self, hooks: TokenHooks, now: float) -> TidyResult:
        result = TidyResult()
        await self._tidy_children(result)
        await self._tidy_accessors(result)
        for token_hash in await self._records.hashes():
            entry = await self._records.get(token_hash)
            if entry is not None and entry.expired(now):
                result.expired_revoked += await self.revoke(token_hash, hooks)
        return result

    async def _mark_spent(self, token_hash: str) -> None:
        entry = await self._records.get(token_hash)
        if entry is not None and not entry.spent:
            await self._records.put(token_hash, replace(entry, num_uses=SPENT))

    async def _revoke_one(self, token_hash: str, walk_parent: str, hooks: TokenHooks) -> int:
        entry = await self._records.get(token_hash)
        if entry is not None:
            # Leases and cubbyhole first: should that fail, the token stays (spent) for a retry.
            await hooks.token_revoked(token_hash, entry)
            if entry.accessor:
                await self._records.delete_accessor(await self._hasher.hash(entry.accessor))
            if entry.parent_hash and entry.parent_hash != walk_parent:
                await self._records.remove_child(entry.parent_hash, token_hash)
        if walk_parent:
            await self._records.remove_child(walk_parent, token_hash)
        await self._records.delete(token_hash)
        return 1 if entry is not None else 0

    async def _orphan(self, parent_hash: str, child_hash: str) -> bool:
        child = await self._records.get(child_hash)
        if child is not None and child.parent_hash == parent_hash:
            await self._records.put(child_hash, replace(child, parent_hash=""))
        await self._records.remove_child(parent_hash, child_hash)
        return child is not None

    async def _tidy_children(self, result: TidyResult) -> None:
        for parent_hash in await self._records.parent_hashes():
            parent_exists = await self._records.get(parent_hash) is not None
            for child_hash in await self._records.children(parent_hash):
                child = await self._records.get(child_hash)
                if child is not None and child.parent_hash != parent_hash:
                    child = None  # re-parented since: the index entry is stale
                if child is not None and parent_exists:
                    continue
                if await self._orphan(parent_hash, child_hash) and child is not None:
                    result.children_orphaned += 1
                result.parent_entries_removed += 1

    async def _tidy_accessors(self, result: TidyResult) -> None:
        for accessor_hash in await self._records.accessor_hashes():
            token_hash = await self._records.accessor_target(accessor_hash)
            if token_hash is None or await self._records.get(token_hash) is None:
                await self._records.delete_accessor(accessor_hash)
                result.accessors_removed += 1

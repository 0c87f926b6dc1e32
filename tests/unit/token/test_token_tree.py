"""Revoking token trees, revoke-orphan, revocation by accessor, and tidy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from token_helpers import HOUR, RecordingHooks, resolved

from strongroom.errors import BadRequest, InternalError
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock
from strongroom.token import CreatedToken, TokenEntry, TokenParams, TokenRef, TokenStore


async def make_tree(store: TokenStore, root: TokenRef) -> dict[str, CreatedToken]:
    """a → (b → (d, e), c): three levels under `a`."""
    tokens: dict[str, CreatedToken] = {}
    tokens["a"] = await store.create(TokenParams(policies=("p",)), parent=root)
    for name, parent in (("b", "a"), ("c", "a"), ("d", "b"), ("e", "b")):
        parent_ref = await resolved(store, tokens[parent].token_id)
        tokens[name] = await store.create(TokenParams(), parent=parent_ref)
    return tokens


async def test_revoking_a_token_revokes_its_whole_subtree_children_first(
    store: TokenStore, root: TokenRef, hooks: RecordingHooks
) -> None:
    tokens = await make_tree(store, root)
    hashes = {name: created.token_hash for name, created in tokens.items()}
    await store.revoke(tokens["a"].token_id)
    assert sorted(hooks.revoked) == sorted(hashes.values())
    order = hooks.revoked.index
    for child, parent in (("b", "a"), ("c", "a"), ("d", "b"), ("e", "b")):
        assert order(hashes[child]) < order(hashes[parent])
    for created in tokens.values():
        assert await store.resolve(created.token_id, include_spent=True) is None
        assert await store.resolve_accessor(created.entry.accessor) is None
    assert await store.lookup((await store.create(TokenParams(), parent=root)).token_id)
    assert (await store.tidy()).parent_entries_removed == 0


async def test_revoking_a_middle_token_leaves_its_parent_and_siblings(
    store: TokenStore, root: TokenRef, hooks: RecordingHooks
) -> None:
    tokens = await make_tree(store, root)
    assert await store.revoke_hash(tokens["b"].token_hash) == 3
    assert set(hooks.revoked) == {tokens[n].token_hash for n in "bde"}
    for name in "ac":
        assert await store.lookup(tokens[name].token_id) is not None


async def test_revoke_orphan_revokes_one_token_and_orphans_its_children(
    store: TokenStore, root: TokenRef, hooks: RecordingHooks
) -> None:
    tokens = await make_tree(store, root)
    await store.revoke_orphan(tokens["b"].token_hash)
    assert hooks.revoked == [tokens["b"].token_hash]
    assert await store.lookup(tokens["b"].token_id) is None
    for name in "de":
        entry = await store.lookup(tokens[name].token_id)
        assert entry is not None and entry.orphan and entry.parent_hash == ""
    # Revoking the old grandparent no longer reaches them.
    await store.revoke(tokens["a"].token_id)
    for name, alive in (("c", False), ("d", True), ("e", True)):
        assert (await store.lookup(tokens[name].token_id) is not None) is alive


async def test_revoke_by_accessor(store: TokenStore, root: TokenRef) -> None:
    tokens = await make_tree(store, root)
    assert await store.revoke_accessor(tokens["b"].entry.accessor)
    assert await store.lookup(tokens["d"].token_id) is None
    assert not await store.revoke_accessor(tokens["b"].entry.accessor)
    assert not await store.revoke_accessor("")
    await store.revoke("")  # nothing to do
    await store.revoke("hvs.unknown")


async def test_a_failing_hook_leaves_the_token_spent_for_a_retry(
    storage: InmemBackend, clock: FakeClock
) -> None:
    class FailingHooks(RecordingHooks):
        fail = True

        async def token_revoked(self, token_hash: str, entry: TokenEntry) -> None:
            if self.fail:
                raise InternalError("lease manager down")
            await super().token_revoked(token_hash, entry)

    hooks = FailingHooks()
    store = TokenStore(storage, clock, hooks=hooks)
    token_id = await store.create_root()
    with pytest.raises(InternalError):
        await store.revoke(token_id)
    assert await store.lookup(token_id) is None  # unusable already
    hooks.fail = False
    await store.revoke(token_id)
    assert len(hooks.revoked) == 1
    assert await store.resolve(token_id, include_spent=True) is None


async def test_list_accessors(store: TokenStore, root: TokenRef) -> None:
    tokens = await make_tree(store, root)
    expected = sorted([root.entry.accessor] + [t.entry.accessor for t in tokens.values()])
    assert await store.list_accessors() == expected


async def test_tidy_removes_dangling_indexes_orphans_lost_children_revokes_expired(
    store: TokenStore, root: TokenRef, storage: InmemBackend, clock: FakeClock
) -> None:
    tokens = await make_tree(store, root)
    short = await store.create(TokenParams(ttl=HOUR, orphan=True), parent=root)
    prefix = "id/"
    # Simulate a crash half-way through revocations: entries gone, indexes left behind.
    await storage.delete(prefix + tokens["b"].token_hash)  # b's children lose their parent
    await storage.delete(prefix + tokens["c"].token_hash)  # a's index points at nothing
    store.invalidate()
    clock.advance(HOUR)
    result = await store.tidy()
    assert result.children_orphaned == 2
    assert result.parent_entries_removed == 4  # a→b, a→c, b→d, b→e
    assert result.accessors_removed == 2
    assert result.expired_revoked == 1
    for name in "de":
        entry = await store.lookup(tokens[name].token_id)
        assert entry is not None and entry.orphan
    assert await store.resolve(short.token_id, include_spent=True) is None
    assert await store.tidy() == type(result)()


async def test_a_cycle_planted_in_the_children_index_does_not_hang_revocation(
    store: TokenStore, root: TokenRef, storage: InmemBackend, hooks: RecordingHooks
) -> None:
    tokens = await make_tree(store, root)
    # Tampered storage: d claims a as its child.
    await storage.put(f"parent/{tokens['d'].token_hash}/{tokens['a'].token_hash}", b"")
    assert await store.revoke_hash(tokens["a"].token_hash) == 5
    assert len(hooks.revoked) == 5
    assert await storage.list("parent/") == []


class RacingStorage:
    """Storage that runs `before_index_write` just before a children-index entry is written."""

    def __init__(self, inner: InmemBackend) -> None:
        self.inner = inner
        self.before_index_write: Callable[[str], Awaitable[None]] | None = None

    async def get(self, key: str) -> bytes | None:
        return await self.inner.get(key)

    async def put(self, key: str, value: bytes) -> None:
        if key.startswith("parent/") and self.before_index_write is not None:
            await self.before_index_write(key.split("/")[1])
        await self.inner.put(key, value)

    async def delete(self, key: str) -> None:
        await self.inner.delete(key)

    async def list(
        self, prefix: str, after: str | None = None, limit: int | None = None
    ) -> list[str]:
        return await self.inner.list(prefix, after, limit)


async def test_a_child_created_while_its_parent_is_revoked_is_revoked_too(
    storage: InmemBackend, clock: FakeClock
) -> None:
    racing = RacingStorage(storage)
    store = TokenStore(racing, clock)
    root = await resolved(store, await store.create_root())
    parent = await resolved(
        store, (await store.create(TokenParams(policies=("a",)), parent=root)).token_id
    )

    async def revoke_parent(parent_hash: str) -> None:
        # A concurrent revocation of the parent lists its children before this index write.
        await store.revoke_hash(parent_hash)

    racing.before_index_write = revoke_parent
    with pytest.raises(BadRequest, match="no parent found"):
        await store.create(TokenParams(), parent=parent)
    assert await storage.list("id/") == [root.token_hash]
    assert await storage.list("parent/") == []

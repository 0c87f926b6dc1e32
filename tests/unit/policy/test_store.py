"""PolicyStore over the in-memory backend: records, built-ins, CAS, listing, the ACL cache."""

from __future__ import annotations

import base64
import json

import pytest

from strongroom.errors import InternalError, InvalidParameter
from strongroom.logical import Operation
from strongroom.physical.inmem import InmemBackend
from strongroom.policy import DEFAULT_POLICY, ROOT, PolicyStore
from strongroom.policy.store import _LRU
from strongroom.testing.clock import FakeClock

TEAM = '# team rules\npath "secret/team/*" {\n  capabilities = ["read", "list"]\n}\n'
OPS = 'path "secret/*" { capabilities = ["deny"] }'


@pytest.fixture
def storage() -> InmemBackend:
    return InmemBackend()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(storage: InmemBackend, clock: FakeClock) -> PolicyStore:
    return PolicyStore(storage, clock)


async def test_default_policy_is_written_on_first_use(
    store: PolicyStore, storage: InmemBackend, clock: FakeClock
) -> None:
    assert await storage.get("acl/default") is None
    assert await store.list() == ["default", "root"]
    default = await store.get("default")
    assert default is not None
    assert (default.text, default.version, default.modified) == (DEFAULT_POLICY, 1, clock.now())


async def test_an_edited_default_policy_is_kept(storage: InmemBackend, clock: FakeClock) -> None:
    await PolicyStore(storage, clock).put("default", TEAM)
    restarted = PolicyStore(storage, clock)
    default = await restarted.get("default")
    assert default is not None
    assert (default.text, default.version) == (TEAM, 2)


async def test_put_then_get_returns_the_text_as_written(
    store: PolicyStore, clock: FakeClock
) -> None:
    first = await store.put("Team", TEAM)
    clock.advance(60)
    second = await store.put("team", TEAM + "\n# edited\n")
    stored = await store.get("TEAM")
    assert stored == second
    assert (first.version, second.version) == (1, 2)
    assert stored is not None and stored.text == TEAM + "\n# edited\n"
    assert stored.modified == first.modified + 60
    assert stored.name == "team"


async def test_a_base64_policy_is_stored_decoded(store: PolicyStore) -> None:
    await store.put("team", base64.b64encode(TEAM.encode()).decode())
    stored = await store.get("team")
    assert stored is not None and stored.text == TEAM


async def test_the_record_format(store: PolicyStore, storage: InmemBackend) -> None:
    await store.put("team", TEAM)
    raw = await storage.get("acl/team")
    assert raw is not None
    assert json.loads(raw) == {
        "name": "team",
        "text": TEAM,
        "version": 1,
        "modified": FakeClock().now(),
        "format": 1,
    }


async def test_an_unreadable_record_is_an_internal_error(
    store: PolicyStore, storage: InmemBackend
) -> None:
    await storage.put("acl/broken", b"{not json")
    with pytest.raises(InternalError):
        await store.get("broken")


async def test_an_invalid_policy_is_not_stored(store: PolicyStore) -> None:
    with pytest.raises(InvalidParameter, match='failed to parse policy "team"'):
        await store.put("team", 'path "a" { capabilities = ["bogus"] }')
    assert await store.get("team") is None


@pytest.mark.parametrize("name", ["root", "ROOT", " Root "])
async def test_root_cannot_be_written(store: PolicyStore, name: str) -> None:
    with pytest.raises(InvalidParameter, match=r"^cannot update root policy$"):
        await store.put(name, TEAM)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("root", "cannot delete root policy"),
        ("Default", "cannot delete default policy"),
    ],
)
async def test_builtins_cannot_be_deleted(store: PolicyStore, name: str, message: str) -> None:
    with pytest.raises(InvalidParameter, match=rf"^{message}$"):
        await store.delete(name)


async def test_root_reads_as_an_empty_builtin(store: PolicyStore) -> None:
    root = await store.get("root")
    assert root is not None
    assert (root.name, root.text, root.version, root.modified) == ("root", "", 0, 0.0)


async def test_delete(store: PolicyStore) -> None:
    await store.put("team", TEAM)
    await store.delete("TEAM")
    assert await store.get("team") is None
    await store.delete("team")  # deleting what is not there is fine


async def test_list_includes_root_last_and_nested_names(store: PolicyStore) -> None:
    for name in ("zeta", "apps/web", "apps/db", "alpha"):
        await store.put(name, TEAM)
    assert await store.list() == ["alpha", "apps/db", "apps/web", "default", "zeta", "root"]
    assert await store.list("apps/") == ["apps/db", "apps/web"]
    assert await store.list("r") == []


async def test_check_and_set(store: PolicyStore) -> None:
    await store.put("team", TEAM, cas=-1)
    with pytest.raises(InvalidParameter, match="set to -1 on existing entry"):
        await store.put("team", TEAM, cas=-1)
    with pytest.raises(InvalidParameter, match="did not match the current version"):
        await store.put("team", TEAM, cas=2)
    assert (await store.put("team", TEAM, cas=1)).version == 2
    with pytest.raises(InvalidParameter, match="did not match"):
        await store.put("new", TEAM, cas=3)
    assert (await store.put("new", TEAM, cas=0)).version == 1


async def test_acl_for_root(store: PolicyStore) -> None:
    assert await store.acl_for(["root"]) is ROOT
    assert await store.acl_for([" ROOT "]) is ROOT
    with pytest.raises(InternalError, match="other policies present along with root"):
        await store.acl_for(["root", "default"])


async def test_acl_for_merges_named_policies_and_ignores_unknown_ones(store: PolicyStore) -> None:
    await store.put("team", TEAM)
    acl = await store.acl_for(["Team ", "default", "missing", "a//b", ""])
    assert acl.check(Operation.READ, "secret/team/x").allowed
    assert acl.check(Operation.UPDATE, "auth/token/renew-self").allowed
    assert acl.check(Operation.LIST, "cubbyhole/").allowed
    assert not acl.check(Operation.READ, "secret/other").allowed
    empty = await store.acl_for([])
    assert not empty.check(Operation.READ, "auth/token/lookup-self").allowed


async def test_acl_cache_is_keyed_by_the_policy_set(store: PolicyStore) -> None:
    await store.put("team", TEAM)
    first = await store.acl_for(["team", "default"])
    assert await store.acl_for(["default", "TEAM", "team"]) is first
    assert await store.acl_for(["team"]) is not first


async def test_put_and_delete_invalidate_compiled_acls(store: PolicyStore) -> None:
    await store.put("team", TEAM)
    await store.put("ops", 'path "other/*" { capabilities = ["read"] }')
    before = await store.acl_for(["team", "ops"])
    assert before.check(Operation.READ, "secret/team/x").allowed
    await store.put("ops", OPS)
    after = await store.acl_for(["team", "ops"])
    assert after.capabilities("secret/team/x") == {"read", "list"}  # exact-er rule still wins
    assert after.capabilities("secret/other") == {"deny"}
    assert not after.check(Operation.READ, "other/x").allowed
    await store.delete("team")
    assert (await store.acl_for(["team", "ops"])).capabilities("secret/team/x") == {"deny"}


async def test_changes_from_another_node_need_invalidate(
    storage: InmemBackend, clock: FakeClock
) -> None:
    local, remote = PolicyStore(storage, clock), PolicyStore(storage, clock)
    assert not (await local.acl_for(["team"])).check(Operation.READ, "secret/team/x").allowed
    await remote.put("team", TEAM)
    assert not (await local.acl_for(["team"])).check(Operation.READ, "secret/team/x").allowed
    local.invalidate("team")
    assert (await local.acl_for(["team"])).check(Operation.READ, "secret/team/x").allowed
    await remote.delete("team")
    local.invalidate()
    assert not (await local.acl_for(["team"])).check(Operation.READ, "secret/team/x").allowed


class _ChangingStorage(InmemBackend):
    """Storage whose read of one key lets a policy change happen meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.store: PolicyStore | None = None

    async def get(self, key: str) -> bytes | None:
        value = await super().get(key)
        if key == "acl/team" and self.store is not None:
            self.store.invalidate()
        return value


async def test_a_compile_that_raced_a_change_is_not_cached(clock: FakeClock) -> None:
    storage = _ChangingStorage()
    store = PolicyStore(storage, clock)
    await store.put("team", TEAM)
    storage.store = store
    first = await store.acl_for(["team"])
    assert first.check(Operation.READ, "secret/team/x").allowed
    assert await store.acl_for(["team"]) is not first


async def test_a_stored_policy_that_no_longer_parses_is_an_error(
    store: PolicyStore, storage: InmemBackend
) -> None:
    record = {"name": "bad", "text": "path {", "version": 1, "modified": 0.0, "format": 1}
    await storage.put("acl/bad", json.dumps(record).encode())
    with pytest.raises(InternalError, match="no longer parses"):
        await store.acl_for(["bad"])


def test_lru_evicts_the_least_recently_used() -> None:
    cache: _LRU[str, int] = _LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)

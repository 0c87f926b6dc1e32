"""The barrier over real (in-memory) storage: sealing, rotation and tampering with stored bytes."""

from __future__ import annotations

import pytest

from strongroom.barrier import KEYRING_PATH, Barrier, BarrierView
from strongroom.crypto.envelope import new_key
from strongroom.crypto.keyring import RotationConfig
from strongroom.errors import IntegrityError, Sealed, StorageError
from strongroom.logical.storage import AtomicStorage, write_many
from strongroom.physical import Delete, Put
from strongroom.physical.cache import cached
from strongroom.physical.file import FileBackend
from strongroom.physical.inmem import InmemBackend


@pytest.fixture
async def physical() -> InmemBackend:
    return InmemBackend()


@pytest.fixture
async def barrier(physical: InmemBackend) -> Barrier:
    barrier = Barrier(physical)
    root = new_key()
    await barrier.initialize(root, 0.0)
    await barrier.unseal(root)
    return barrier


async def test_sealed_barrier_refuses_everything(physical: InmemBackend) -> None:
    barrier = Barrier(physical)
    assert barrier.sealed
    for call in (barrier.get("a"), barrier.put("a", b"x"), barrier.delete("a"), barrier.list("")):
        with pytest.raises(Sealed):
            await call


async def test_values_are_encrypted_at_rest(barrier: Barrier, physical: InmemBackend) -> None:
    await barrier.put("logical/m/secret", b"hunter2-plaintext")
    raw = await physical.get("logical/m/secret")
    assert raw is not None
    assert b"hunter2" not in raw
    assert await barrier.get("logical/m/secret") == b"hunter2-plaintext"
    assert await barrier.get("logical/m/missing") is None


async def test_unseal_with_the_wrong_root_key_fails(physical: InmemBackend) -> None:
    barrier = Barrier(physical)
    await barrier.initialize(new_key(), 0.0)
    with pytest.raises(IntegrityError):
        await barrier.unseal(new_key())
    assert barrier.sealed


async def test_flipped_byte_is_an_integrity_error(barrier: Barrier, physical: InmemBackend) -> None:
    await barrier.put("a/b", b"value")
    raw = bytearray(await physical.get("a/b") or b"")
    raw[-3] ^= 0x40
    await physical.put("a/b", bytes(raw))
    with pytest.raises(IntegrityError):
        await barrier.get("a/b")


async def test_truncated_entry_is_an_integrity_error(
    barrier: Barrier, physical: InmemBackend
) -> None:
    await barrier.put("a/b", b"value")
    raw = await physical.get("a/b") or b""
    await physical.put("a/b", raw[:10])
    with pytest.raises(IntegrityError):
        await barrier.get("a/b")


async def test_moved_and_swapped_entries_fail(barrier: Barrier, physical: InmemBackend) -> None:
    await barrier.put("logical/one/key", b"first")
    await barrier.put("logical/two/key", b"second")
    one = await physical.get("logical/one/key")
    two = await physical.get("logical/two/key")
    assert one is not None and two is not None
    await physical.put("logical/three/key", one)
    await physical.put("logical/one/key", two)
    await physical.put("logical/two/key", one)
    for path in ("logical/one/key", "logical/two/key", "logical/three/key"):
        with pytest.raises(IntegrityError):
            await barrier.get(path)


async def test_tampered_keyring_cannot_unseal(physical: InmemBackend) -> None:
    barrier = Barrier(physical)
    root = new_key()
    await barrier.initialize(root, 0.0)
    raw = bytearray(await physical.get(KEYRING_PATH) or b"")
    raw[20] ^= 1
    await physical.put(KEYRING_PATH, bytes(raw))
    with pytest.raises(IntegrityError):
        await barrier.unseal(root)


async def test_rotation_keeps_old_entries_readable(
    barrier: Barrier, physical: InmemBackend
) -> None:
    await barrier.put("old", b"before")
    term = await barrier.rotate(10.0)
    assert term == 2
    await barrier.put("new", b"after")
    assert (await physical.get("new") or b"")[:4] == (2).to_bytes(4, "big")
    root = barrier.keyring.root_key
    barrier.seal()
    await barrier.unseal(root)
    assert await barrier.get("old") == b"before"
    assert await barrier.get("new") == b"after"
    assert barrier.keyring.active.number == 2


async def test_encryptions_are_counted_and_saved(barrier: Barrier) -> None:
    start = barrier.active_encryptions
    for i in range(5):
        await barrier.put(f"k{i}", b"v")
    assert barrier.active_encryptions == start + 5
    await barrier.save_counters()
    root = barrier.keyring.root_key
    barrier.seal()
    await barrier.unseal(root)
    assert barrier.active_encryptions == start + 5


async def test_rotation_config_and_root_key_change(barrier: Barrier) -> None:
    await barrier.set_rotation(RotationConfig(2_000_000, 0, True))
    new_root = new_key()
    await barrier.set_root_key(new_root)
    barrier.seal()
    await barrier.unseal(new_root)
    assert barrier.keyring.rotation.max_operations == 2_000_000


async def test_transactions_encrypt_every_put(barrier: Barrier, physical: InmemBackend) -> None:
    await barrier.put("gone", b"x")
    await barrier.transaction([Put("t/a", b"1"), Put("t/b", b"2"), Delete("gone")])
    assert await barrier.get("t/a") == b"1"
    assert await barrier.get("gone") is None
    assert await physical.get("t/a") != b"1"


async def test_transactions_need_a_transactional_backend(tmp_path: object) -> None:
    barrier = Barrier(FileBackend(str(tmp_path)))
    root = new_key()
    await barrier.initialize(root, 0.0)
    await barrier.unseal(root)
    with pytest.raises(NotImplementedError):
        await barrier.transaction([Put("a", b"1")])


async def test_views_are_chrooted(barrier: Barrier) -> None:
    view = BarrierView(barrier, "logical/uuid1/")
    await view.put("folder/key", b"v")
    assert await barrier.get("logical/uuid1/folder/key") == b"v"
    assert await view.list("") == ["folder/"]
    assert await view.sub_view("folder/").get("key") == b"v"
    for escape in ("../uuid2/key", "/abs", "a/../../x"):
        with pytest.raises(StorageError):
            await view.put(escape, b"x")
    await view.delete("folder/key")
    assert await view.get("folder/key") is None
    with pytest.raises(ValueError, match="ends with"):
        BarrierView(barrier, "no-slash")


async def test_reload_picks_up_a_rotation_by_another_node(physical: InmemBackend) -> None:
    root = new_key()
    first, second = Barrier(physical), Barrier(physical)
    await first.initialize(root, 0.0)
    await first.unseal(root)
    await second.unseal(root)
    await first.rotate(1.0)
    await first.put("x", b"new term")
    with pytest.raises(IntegrityError):
        await second.get("x")
    await second.reload()
    assert await second.get("x") == b"new term"


@pytest.mark.parametrize("transactional", [True, False])
async def test_views_write_many(tmp_path: object, transactional: bool) -> None:
    physical = InmemBackend() if transactional else FileBackend(str(tmp_path))
    barrier = Barrier(physical)
    root = new_key()
    await barrier.initialize(root, 0.0)
    await barrier.unseal(root)
    view = BarrierView(barrier, "logical/m/")
    await view.put("old", b"x")
    await write_many(view, {"a": b"1", "b/c": b"2"}, ["old"])
    assert await view.get("a") == b"1"
    assert await view.get("b/c") == b"2"
    assert await view.get("old") is None
    assert isinstance(view, AtomicStorage)


async def test_opened_entries_follow_rewrites_and_are_dropped_on_seal() -> None:
    barrier = Barrier(cached(InmemBackend()))
    root = new_key()
    await barrier.initialize(root, 0.0)
    await barrier.unseal(root)
    await barrier.put("k", b"one")
    assert await barrier.get("k") == b"one"
    assert await barrier.get("k") == b"one"  # served without decrypting again
    await barrier.put("k", b"two")
    assert await barrier.get("k") == b"two"
    barrier.seal()
    assert barrier._opened == {}
    with pytest.raises(Sealed):
        await barrier.get("k")

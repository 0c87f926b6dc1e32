"""Init, unseal, seal, and the unseal-share rules, on a real core over in-memory storage."""

from __future__ import annotations

import pytest

from strongroom.core import Core
from strongroom.errors import (
    AlreadyInitialized,
    InvalidKey,
    InvalidParameter,
    NotInitialized,
    Sealed,
)
from strongroom.logical import Operation, Request
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.core import unsealed_core


async def test_a_new_core_is_uninitialised_and_sealed() -> None:
    core = Core(InmemBackend())
    assert not await core.initialized()
    assert core.sealed
    with pytest.raises(NotInitialized):
        await core.submit_unseal_share(b"x" * 33)


async def test_init_returns_shares_and_stays_sealed() -> None:
    core = Core(InmemBackend())
    result = await core.initialize(5, 3)
    assert len(result.shares) == 5
    assert all(len(share) == 33 for share in result.shares)
    assert result.root_token.startswith("hvs.") and len(result.root_token) == 28
    assert core.sealed
    with pytest.raises(AlreadyInitialized):
        await core.initialize(5, 3)


@pytest.mark.parametrize(("shares", "threshold"), [(0, 0), (3, 4), (3, 1), (256, 3), (2, 0)])
async def test_invalid_seal_configurations(shares: int, threshold: int) -> None:
    with pytest.raises(InvalidParameter):
        await Core(InmemBackend()).initialize(shares, threshold)


async def test_unseal_with_a_threshold_of_shares_in_any_order() -> None:
    core = Core(InmemBackend())
    result = await core.initialize(5, 3)
    for share in (result.shares[4], result.shares[0], result.shares[2]):
        assert core.sealed
        await core.submit_unseal_share(share)
    assert not core.sealed
    assert core.cluster is not None


async def test_duplicate_share_does_not_advance_progress() -> None:
    core = Core(InmemBackend())
    result = await core.initialize(3, 2)
    await core.submit_unseal_share(result.shares[0])
    await core.submit_unseal_share(result.shares[0])
    assert core.unseal_progress is not None and core.unseal_progress.progress == 1
    await core.submit_unseal_share(result.shares[1])
    assert not core.sealed


async def test_wrong_combination_fails_and_resets_progress() -> None:
    core = Core(InmemBackend())
    result = await core.initialize(3, 2)
    other = await Core(InmemBackend()).initialize(3, 2)
    await core.submit_unseal_share(result.shares[0])
    with pytest.raises(InvalidKey):
        await core.submit_unseal_share(other.shares[1])
    assert core.unseal_progress is None
    assert core.sealed
    await core.submit_unseal_share(result.shares[1])
    await core.submit_unseal_share(result.shares[2])
    assert not core.sealed


async def test_single_share_is_the_key_itself() -> None:
    core = Core(InmemBackend())
    result = await core.initialize(1, 1)
    assert len(result.shares[0]) == 32
    await core.submit_unseal_share(result.shares[0])
    assert not core.sealed


async def test_seal_drops_keys_and_refuses_requests() -> None:
    setup = await unsealed_core()
    await setup.core.seal()
    assert setup.core.sealed
    with pytest.raises(Sealed):
        await setup.core.handle(
            Request(Operation.READ, "sys/key-status", client_token=setup.root_token)
        )
    await setup.core.seal()  # sealing twice is harmless


async def test_state_survives_a_new_core_on_the_same_storage() -> None:
    physical = InmemBackend()
    setup = await unsealed_core(physical)
    cluster = setup.core.cluster
    await setup.core.seal()
    again = Core(physical)
    assert await again.initialized()
    await again.submit_unseal_share(setup.keys[0])
    assert again.cluster == cluster
    response = await again.handle(
        Request(Operation.READ, "sys/key-status", client_token=setup.root_token)
    )
    assert response.data is not None and response.data["term"] == 1


async def test_shares_that_cannot_combine_reset_progress() -> None:
    """Two shares with one x coordinate (from different key sets) fail like a wrong key."""
    core = Core(InmemBackend())
    result = await core.initialize(3, 2)
    await core.submit_unseal_share(result.shares[0])
    clash = bytes([result.shares[0][0] ^ 1]) + result.shares[0][1:]  # same x, other y
    with pytest.raises(InvalidKey):
        await core.submit_unseal_share(clash)
    assert core.unseal_progress is None
